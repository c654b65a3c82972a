"""Customers' postal addresses: stored, generated, imported, and written in the window."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.letters.address import PostalAddress, recipient_block, window_address
from app.letters.samples import sample_context
from app.services.demo import create_demo
from app.services.importing import run_import
from app.services.letters import LetterError, issue_new, request_letter
from app.store.db import Database
from app.store.models import Customer, Partner
from tests.letters.helpers import pdf_text

ADDRESSES = {
    "CH": ("Bahnhofstrasse 12", "8001", "Zürich"),
    "CN": ("北京东路88号", "850000", "拉萨市"),
    "RU": ("ул. Тверская, д. 7, кв. 12", "125009", "Москва"),
}
NAMES = {"CH": "Anna Müller", "CN": "扎西次仁", "RU": "Ирина Смирнова"}


def _customer(
    db: Database, country: str, *, address: bool = True, partner_country: str | None = None
) -> uuid.UUID:
    street, postcode, city = ADDRESSES[country]
    with db.transaction() as session:
        partner = Partner(
            code=f"P{uuid.uuid4().hex[:6]}", name="Partner AG", country=partner_country or country
        )
        session.add(partner)
        session.flush()
        customer = Customer(
            customer_no=f"{country}-{uuid.uuid4().hex[:7]}",
            msisdn="+41791234567",
            name=NAMES[country],
            language="de",
            partner_id=partner.id,
            products=[],
            street=street if address else None,
            postcode=postcode if address else None,
            city=city if address else None,
            country=country if address else None,
        )
        session.add(customer)
        session.flush()
        return customer.id


def _facts(document: str, language: str) -> dict:
    """A process step's facts without any recipient: the address comes from the customer."""
    context = sample_context(document, language)
    for key in ("customer", "partner", "letter", "recipient"):
        context.pop(key)
    return context


def test_the_address_is_stored_and_read_back_on_both_engines(db: Database) -> None:
    customer_id = _customer(db, "RU")
    with db.transaction() as session:
        customer = session.get(Customer, customer_id)
        assert (customer.street, customer.postcode, customer.city, customer.country) == (
            "ул. Тверская, д. 7, кв. 12",
            "125009",
            "Москва",
            "RU",
        )
    nobody = _customer(db, "CH", address=False)
    with db.transaction() as session:
        assert session.get(Customer, nobody).street is None


# --- the window ---------------------------------------------------------------------------


def test_window_address_order_per_country() -> None:
    def block(country: str, language: str = "de") -> list[str]:
        street, postcode, city = ADDRESSES[country]
        recipient = window_address(
            NAMES[country],
            PostalAddress(street, postcode, city, country),
            language=language,
            sender_country="CH",
        )
        return list(recipient_block(recipient))

    assert block("CH") == ["Anna Müller", "Bahnhofstrasse 12", "8001 Zürich"]
    assert block("RU", "ru") == [
        "Ирина Смирнова",
        "ул. Тверская, д. 7, кв. 12",
        "Москва",
        "125009",
        "РОССИЯ",
    ]
    assert block("CN", "zh") == ["850000", "拉萨市北京东路88号", "扎西次仁 收", "中国"]
    # Abroad, the country is named in the letter's language.
    assert block("RU", "de")[-1] == "RUSSLAND"
    with pytest.raises(ValueError, match="lacks street, city"):
        window_address(
            "X", PostalAddress(None, "8001", None, "CH"), language="de", sender_country="CH"
        )


@pytest.mark.parametrize(
    ("country", "partner_country", "language", "expected"),
    [
        ("CH", "CH", "de", ["Anna Müller", "Bahnhofstrasse 12", "8001 Zürich"]),
        # The operator's Russian and Chinese companies send to their own country:
        # no country line.
        ("RU", "RU", "ru", ["Ирина Смирнова", "ул. Тверская, д. 7, кв. 12", "Москва", "125009"]),
        ("CN", "CN", "zh", ["850000", "拉萨市北京东路88号", "扎西次仁 收"]),
        # A customer abroad of a Swiss partner: the Swiss company names the country.
        (
            "RU",
            "CH",
            "ru",
            ["Ирина Смирнова", "ул. Тверская, д. 7, кв. 12", "Москва", "125009", "РОССИЯ"],
        ),
    ],
)
def test_issued_letter_takes_the_address_from_the_customer(
    sqlite_db: Database, country: str, partner_country: str, language: str, expected: list[str]
) -> None:
    customer_id = _customer(sqlite_db, country, partner_country=partner_country)
    issued = issue_new(
        sqlite_db,
        customer_id=customer_id,
        document="welcome",
        language=language,
        context=_facts("welcome", language),
        author="a",
    )
    from app.services.letters import open_issued

    lines = [line.strip() for line in pdf_text(open_issued(sqlite_db, issued.id)).splitlines()]
    lines = [line for line in lines if line]
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected


def test_the_address_is_read_when_issued_not_when_requested(sqlite_db: Database) -> None:
    from app.services.letters import issue_letter, open_issued

    customer_id = _customer(sqlite_db, "CH")
    requested = request_letter(
        sqlite_db,
        customer_id=customer_id,
        document="welcome",
        language="de",
        context=_facts("welcome", "de"),
        author="a",
    )
    with sqlite_db.transaction() as session:  # the customer moved meanwhile
        customer = session.get(Customer, customer_id)
        customer.street, customer.postcode, customer.city = "Seeweg 3", "3011", "Bern"
    text = pdf_text(open_issued(sqlite_db, issue_letter(sqlite_db, requested.id, "a").id))
    assert "Seeweg 3\n3011 Bern" in text and "Bahnhofstrasse" not in text


def test_a_customer_without_address_needs_a_recipient(sqlite_db: Database) -> None:
    customer_id = _customer(sqlite_db, "CH", address=False)
    with pytest.raises(LetterError, match=r"postal address \(street and city missing\)"):
        request_letter(
            sqlite_db,
            customer_id=customer_id,
            document="welcome",
            language="de",
            context=_facts("welcome", "de"),
            author="a",
        )
    # A recipient given by the process step is used as it is.
    context = {**_facts("welcome", "de"), "recipient": {"name": "Anna", "lines": ["Postfach 1"]}}
    assert (
        request_letter(
            sqlite_db,
            customer_id=customer_id,
            document="welcome",
            language="de",
            context=context,
            author="a",
        ).status
        == "requested"
    )


# --- demo and import ------------------------------------------------------------------------


def test_demo_customers_have_addresses_of_their_country(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    create_demo(url, seed=5, reference=date(2026, 3, 15), customers=40)
    db = Database(url)
    try:
        with db.transaction() as session:
            rows = session.execute(
                select(Customer.street, Customer.postcode, Customer.city, Customer.country)
            ).all()
    finally:
        db.dispose()
    assert rows and all(all(row) for row in rows)
    by_country = {country: [r for r in rows if r[3] == country] for country in ("CH", "CN", "RU")}
    assert all(by_country.values()), {k: len(v) for k, v in by_country.items()}
    for street, postcode, _city, _country in by_country["CH"]:
        assert re.fullmatch(r"\D+ \d+[abc]?", street) and re.fullmatch(r"\d{4}", postcode)
    for street, postcode, city, _country in by_country["CN"]:
        assert (postcode, city) == ("850000", "拉萨市") and re.search(r"\d+号", street)
    for street, postcode, city, _country in by_country["RU"]:
        assert city == "Москва" and re.fullmatch(r"1\d{5}", postcode)
        assert re.fullmatch(
            r"(ул\.|пр-т|Ленинский|Кутузовский).*, д\. \d+(, корп\. \d)?, кв\. \d+", street
        )
    assert len({r[0] for r in rows}) > len(rows) // 2  # not all the same street


def test_import_reads_the_optional_address_columns(db: Database, tmp_path: Path) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("code,name,country,language\nRU-SP,Связь-Плюс,RU,ru\n", encoding="utf-8")
    assert run_import(db, "partners", partners, author="t").rejected == 0
    customers = tmp_path / "customers.csv"
    header = "customer_no,msisdn,name,language,partner,street,postcode,city,country\n"
    customers.write_text(
        header
        + "RU-1,+79161234567,Ирина Смирнова,ru,RU-SP,"
        + '"ул. Тверская, д. 7, кв. 12",125009,Москва,ru\n'
        + "RU-2,+79161234568,Иван Петров,ru,RU-SP,,,,\n"
        + "RU-3,+79161234569,Пётр Орлов,ru,RU-SP,ул. Арбат 1,119019,Москва,XX\n",
        encoding="utf-8",
    )
    problems: list = []
    summary = run_import(db, "customers", customers, author="t", report=problems.append)
    assert (summary.imported, summary.rejected) == (2, 1)
    assert [(p.line, p.column) for p in problems] == [(4, "country")]
    with db.transaction() as session:
        got = {
            c.customer_no: (c.street, c.postcode, c.city, c.country)
            for c in session.scalars(select(Customer))
        }
    assert got == {
        "RU-1": ("ул. Тверская, д. 7, кв. 12", "125009", "Москва", "RU"),
        "RU-2": (None, None, None, None),
    }
    # A move is an update with a history entry; a file without the columns keeps the address.
    customers.write_text(
        header + 'RU-1,+79161234567,Ирина Смирнова,ru,RU-SP,"ул. Арбат, д. 2",119019,Москва,RU\n',
        encoding="utf-8",
    )
    assert run_import(db, "customers", customers, author="t").updated == 1
    customers.write_text(
        "customer_no,msisdn,name,language,partner\nRU-1,+79161234567,Ирина Смирнова,ru,RU-SP\n",
        encoding="utf-8",
    )
    assert run_import(db, "customers", customers, author="t").unchanged == 1
    with db.transaction() as session:
        moved = session.scalars(select(Customer).where(Customer.customer_no == "RU-1")).one()
        assert (moved.street, moved.postcode) == ("ул. Арбат, д. 2", "119019")
