"""Customer search, overview, history paging and notes on both engines."""

from __future__ import annotations

import uuid

import pytest

from app import config
from app.services.customers import (
    NOTE_MAX_LENGTH,
    add_note,
    currency_for_country,
    customer_overview,
    history_page,
    search_customers,
)
from app.services.errors import NotFoundError, ValidationError
from app.store.db import Database
from app.store.repositories import UnitOfWork
from tests.ui.factories import add_history, seed_people


@pytest.mark.parametrize(
    "query",
    [
        "C-10001",
        "c-10001",
        "+41 79 123 45 67",
        "0041791234567",
        "079 123 45 67",
        "0791234",
        "müller",
        "MULLER",
        "Hans",
        "hans müller",
    ],
)
def test_search_finds_by_number_msisdn_and_name(db: Database, query: str) -> None:
    ids = seed_people(db)
    hits = search_customers(db, query)
    assert ids["mueller"] in [h.id for h in hits]
    assert ids["wang"] not in [h.id for h in hits]


def test_search_in_russian_and_chinese(db: Database) -> None:
    ids = seed_people(db)
    assert [h.id for h in search_customers(db, "смирн")] == [ids["smirnova"]]
    assert [h.id for h in search_customers(db, "芳")] == [ids["wang"]]
    assert [h.id for h in search_customers(db, "+86 136 1234")] == [ids["wang"]]


def test_search_hit_carries_what_the_list_shows(db: Database) -> None:
    seed_people(db)
    (hit,) = search_customers(db, "C-10001")
    assert hit.name == "Hans Müller"
    assert hit.msisdn == "+41791234567"
    assert hit.msisdn_display == "+41 79 123 45 67"
    assert hit.partner_name == "Kabelnetz Nordwest AG"
    assert hit.vip is True
    assert hit.customer_value == 3


def test_search_blank_or_unknown_gives_nothing(db: Database) -> None:
    seed_people(db)
    assert search_customers(db, "   ") == []
    assert search_customers(db, "zzz-nobody") == []


def test_search_respects_limit(db: Database) -> None:
    seed_people(db)
    assert len(search_customers(db, "C-", limit=2)) == 2


def test_overview_has_identity_products_plans_bundles_and_open_cases(db: Database) -> None:
    ids = seed_people(db)
    add_history(db, ids["mueller"], 7)
    o = customer_overview(db, ids["mueller"])
    assert (o.customer_no, o.name, o.language) == ("C-10001", "Hans Müller", "de")
    assert o.msisdn_display == "+41 79 123 45 67"
    assert o.products == ("mobile_tv", "combo")
    assert o.vip and o.customer_value == 3
    assert o.partner.name == "Kabelnetz Nordwest AG"
    assert o.currency == "CHF"
    assert o.subscription is not None and o.subscription.tariff == "Flat Max"
    assert str(o.subscription.monthly_fee) == "69.00"
    assert [p.plan_no for p in o.device_plans] == ["DP-7001"]
    assert o.device_plans[0].instalments_billed == 5
    assert [(b.name, b.end_date.isoformat()) for b in o.bundles] == [("Daten 10 GB", "2026-12-31")]
    assert [(c.process, c.stage, c.subject) for c in o.open_cases] == [("fair_use", "2", "2026-10")]
    assert o.history_count == 7


def test_overview_of_a_customer_without_products(db: Database) -> None:
    ids = seed_people(db)
    o = customer_overview(db, ids["wang"])
    assert o.subscription is None
    assert o.device_plans == () and o.bundles == () and o.open_cases == ()
    assert o.currency == "CNY"
    assert o.history_count == 0


def test_overview_of_unknown_customer_says_so(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no longer exists"):
        customer_overview(db, uuid.uuid4())


@pytest.mark.parametrize(("country", "currency"), [("CH", "CHF"), ("ru", "RUB"), ("ZZ", "CHF")])
def test_currency_follows_partner_country(country: str, currency: str) -> None:
    assert currency_for_country(country) == currency


def test_history_pages_newest_first_until_the_end(db: Database) -> None:
    ids = seed_people(db)
    add_history(db, ids["mueller"], 450)
    texts: list[str] = []
    cursor = None
    sizes = []
    while True:
        page = history_page(db, ids["mueller"], before=cursor, limit=200)
        sizes.append(len(page.items))
        texts.extend(i.text for i in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [200, 200, 50]
    assert texts == [f"entry {i}" for i in reversed(range(450))]


def test_history_paging_with_identical_timestamps_loses_nothing(db: Database) -> None:
    ids = seed_people(db)
    add_history(db, ids["wang"], 25, same_time=True)
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page = history_page(db, ids["wang"], before=cursor, limit=7)
        seen.extend(i.id for i in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 25 == len(set(seen))


def test_history_page_exactly_full_has_no_next_page(db: Database) -> None:
    ids = seed_people(db)
    add_history(db, ids["wang"], 10)
    page = history_page(db, ids["wang"], limit=10)
    assert len(page.items) == 10 and page.next_cursor is None


def test_add_note_is_stored_with_author_time_and_origin(db: Database) -> None:
    ids = seed_people(db)
    add_history(db, ids["mueller"], 3)
    item = add_note(
        db, ids["mueller"], "  Kunde ruft wegen Rechnung an.\r\nRückruf morgen.  ", "anna"
    )
    assert item.kind == "note"
    assert item.author == "anna"
    assert item.text == "Kunde ruft wegen Rechnung an.\nRückruf morgen."
    assert item.created_at.tzinfo is not None
    page = history_page(db, ids["mueller"])
    assert page.items[0] == item
    with UnitOfWork(db) as uow:
        (entry,) = uow.history.page(ids["mueller"], limit=1)
        assert entry.origin == db.origin


def test_add_note_author_defaults_to_the_configured_agent(db: Database) -> None:
    ids = seed_people(db)
    config.Settings(agent_name="Lin Wei").save()
    config.settings.cache_clear()
    assert add_note(db, ids["wang"], "回访完成").author == "Lin Wei"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (" \n\t ", "empty"),
        (
            "x" * (NOTE_MAX_LENGTH + 1),
            f"{NOTE_MAX_LENGTH + 1} characters; at most {NOTE_MAX_LENGTH}",
        ),
        ("bell\x07", "control characters"),
        ("nul\x00", "control characters"),
    ],
)
def test_add_note_refuses_bad_text_and_writes_nothing(
    db: Database, text: str, message: str
) -> None:
    ids = seed_people(db)
    with pytest.raises(ValidationError, match=message) as info:
        add_note(db, ids["mueller"], text, "anna")
    assert info.value.field == "text"
    assert history_page(db, ids["mueller"]).items == ()


def test_add_note_accepts_the_longest_allowed_text(db: Database) -> None:
    ids = seed_people(db)
    assert len(add_note(db, ids["mueller"], "ж" * NOTE_MAX_LENGTH, "anna").text) == NOTE_MAX_LENGTH


def test_add_note_refuses_bad_author(db: Database) -> None:
    ids = seed_people(db)
    with pytest.raises(ValidationError, match="empty"):
        add_note(db, ids["mueller"], "hello", "  ")
    with pytest.raises(ValidationError, match="longer than 64"):
        add_note(db, ids["mueller"], "hello", "a" * 65)
    assert history_page(db, ids["mueller"]).items == ()


def test_add_note_to_unknown_customer_says_so(db: Database) -> None:
    with pytest.raises(NotFoundError):
        add_note(db, uuid.uuid4(), "hello", "anna")
