"""Search on both engines: every prefix finds its name, hostile queries find nothing quietly.

A prefix range ``term >= q AND term < end`` must cover characters beyond the
Basic Multilingual Plane (``王`` finds ``王𠮷``; U+FFFF as the upper bound
did not), and a query with NUL or other control characters (PostgreSQL
refuses NUL in text) is searched without them, never an error.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.customers import search_customers
from app.store.db import Database
from app.store.models import Customer, Partner
from app.store.repositories import UnitOfWork
from app.store.search import clean_query, prefix_end

NAMES = ["王𠮷", "𠮷野家 太郎", "Zoë 😀Smile", "Ωmega\U0010ffff", "Ｆｕｌｌwidth", "Ann\uffffa"]


def _seed(db: Database) -> dict[str, uuid.UUID]:
    with UnitOfWork(db) as uow:
        partner = Partner(code="P-EDGE", name="Edge AG", country="CH", language="de")
        uow.add(partner)
        uow.flush()
        ids: dict[str, uuid.UUID] = {}
        for index, name in enumerate(NAMES):
            customer = Customer(
                customer_no=f"C-9{index:04d}",
                msisdn=f"+4179000{index:04d}",
                name=name,
                language="de",
                partner_id=partner.id,
            )
            uow.add(customer)
            uow.flush()
            ids[name] = customer.id
        uow.commit()
    return ids


@pytest.fixture
def seeded(db: Database) -> tuple[Database, dict[str, uuid.UUID]]:
    return db, _seed(db)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("王", "王𠮷"),
        ("王𠮷", "王𠮷"),
        ("𠮷", "王𠮷"),
        ("𠮷野", "𠮷野家 太郎"),
        ("😀", "Zoë 😀Smile"),
        ("zoe", "Zoë 😀Smile"),
        ("Ωmega", "Ωmega\U0010ffff"),
        ("Ωmega\U0010ffff", "Ωmega\U0010ffff"),
        ("full", "Ｆｕｌｌwidth"),
        ("Ann", "Ann\uffffa"),
        ("Ann\uffff", "Ann\uffffa"),
    ],
)
def test_every_prefix_finds_its_name(
    seeded: tuple[Database, dict[str, uuid.UUID]], query: str, name: str
) -> None:
    db, ids = seeded
    assert ids[name] in [hit.id for hit in search_customers(db, query)]


@pytest.mark.parametrize(
    "query", ["\x00", "王\x00", "\x00王", "C-9\x00", "\ud800", "王\ud83d", "\x1b[31m", "\u0085"]
)
def test_control_characters_and_lone_surrogates_are_ignored(
    seeded: tuple[Database, dict[str, uuid.UUID]], query: str
) -> None:
    db, ids = seeded
    hits = [hit.id for hit in search_customers(db, query)]
    if clean_query(query).startswith("王"):
        assert ids["王𠮷"] in hits


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(max_size=8))
def test_any_query_answers(seeded: tuple[Database, dict[str, uuid.UUID]], query: str) -> None:
    db, _ids = seeded
    search_customers(db, query)


@given(st.text(min_size=1, max_size=6), st.text(max_size=4))
def test_prefix_end_bounds_exactly_the_strings_with_that_prefix(prefix: str, rest: str) -> None:
    end = prefix_end(prefix)
    assert end is None or prefix + rest < end
    assert end is None or prefix < end
    if end is not None and not end.startswith(prefix):
        # nothing between prefix+anything and end: end is prefix's successor
        assert end[:-1] == prefix[: len(end) - 1]
