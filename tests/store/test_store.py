"""The store on both engines: schema, search, history paging, immutability."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.store.db import Database, DatabaseError, current_revision, head_revision
from app.store.models import (
    Customer,
    DevicePlan,
    HistoryEntry,
    ImmutableRowError,
    Partner,
    PartnerTicket,
    Subscription,
    TicketFeedback,
)
from app.store.repositories import UnitOfWork


def _seed(db: Database) -> dict[str, uuid.UUID]:
    with UnitOfWork(db) as uow:
        ch = Partner(code="KNU-NW", name="Kabelnetz Nordwest AG", country="CH", language="de")
        cn = Partner(code="CN-LS", name="拉萨通信代理", country="CN", language="zh")
        uow.add(ch)
        uow.add(cn)
        uow.flush()
        people = [
            Customer(
                customer_no="C-10001",
                msisdn="+41791234567",
                name="Hans Müller",
                language="de",
                partner_id=ch.id,
            ),
            Customer(
                customer_no="C-10002",
                msisdn="+41767654321",
                name="Anna Brändli-Meier",
                language="de",
                partner_id=ch.id,
            ),
            Customer(
                customer_no="C-10003",
                msisdn="+8613612346712",
                name="黄建国",
                language="zh",
                partner_id=cn.id,
            ),
            Customer(
                customer_no="C-20001",
                msisdn="+79161234567",
                name="Ирина Смирнова",
                language="ru",
                partner_id=ch.id,
            ),
        ]
        for person in people:
            uow.add(person)
        uow.flush()
        ids = {c.customer_no: c.id for c in people}
        uow.commit()
    return ids


def _names(db: Database, query: str, regions: tuple[str, ...] = ("CH", "CN")) -> list[str]:
    with UnitOfWork(db) as uow:
        return [c.customer_no for c in uow.customers.search(query, regions)]


def test_schema_is_at_head(db: Database) -> None:
    assert current_revision(db.engine) == head_revision()
    assert head_revision() is not None


def test_migrations_build_exactly_the_schema_the_models_describe(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.store.models import Base

    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("C-10001", ["C-10001"]),
        ("c-1000", ["C-10002", "C-10001", "C-10003"]),  # ordered by name, exact first
        ("079 123 45", ["C-10001"]),
        ("+41 79 123 45 67", ["C-10001"]),
        ("0041767", ["C-10002"]),
        ("136 1234", ["C-10003"]),  # Chinese mobile, no trunk prefix
        ("müller", ["C-10001"]),
        ("MULLER", ["C-10001"]),
        ("meier", ["C-10002"]),  # second part of a double name
        ("бранд", []),
        ("смирн", ["C-20001"]),
        ("Ирина", ["C-20001"]),
        ("黄", ["C-10003"]),
        ("建国", ["C-10003"]),  # given name finds the full Chinese name
        ("", []),
        ("zzz", []),
    ],
)
def test_search_by_number_phone_and_name(db: Database, query: str, expected: list[str]) -> None:
    _seed(db)
    found = _names(db, query)
    if query.lower().startswith("c-1000"):
        assert sorted(found) == sorted(expected)
    else:
        assert found == expected


def test_renaming_a_customer_reindexes_the_name(db: Database) -> None:
    ids = _seed(db)
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(ids["C-10001"])
        assert customer is not None
        customer.name = "Hans Nussbaumer"
        uow.commit()
    assert _names(db, "nussb") == ["C-10001"]
    assert _names(db, "müller") == []


def test_money_and_time_round_trip_exactly(db: Database) -> None:
    ids = _seed(db)
    when = datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=UTC)
    with UnitOfWork(db) as uow:
        sub = Subscription(
            customer_id=ids["C-10001"],
            tariff="Mobile Flat",
            monthly_fee=Decimal("49.95"),
            aio_discount=Decimal("-10.05"),
            activated=date(2026, 1, 31),
            created_at=when,
        )
        uow.add(sub)
        uow.commit()
        sub_id = sub.id
    with UnitOfWork(db) as uow:
        loaded = uow.session.get(Subscription, sub_id)
        assert loaded is not None
        assert loaded.monthly_fee == Decimal("49.95")
        assert str(loaded.aio_discount) == "-10.05"
        assert loaded.created_at == when
        assert loaded.created_at.tzinfo is not None


def test_amounts_with_more_than_two_decimals_are_refused(db: Database) -> None:
    ids = _seed(db)
    with UnitOfWork(db) as uow:
        uow.add(
            Subscription(
                customer_id=ids["C-10001"],
                tariff="X",
                monthly_fee=Decimal("1.005"),
                activated=date(2026, 1, 1),
            )
        )
        with pytest.raises(Exception, match="more than two decimals"):
            uow.flush()


def test_naive_datetimes_are_refused(db: Database) -> None:
    ids = _seed(db)
    with UnitOfWork(db) as uow:
        uow.history.append(
            HistoryEntry(
                customer_id=ids["C-10001"],
                author="a",
                kind="note",
                text="x",
                created_at=datetime(2026, 1, 1),
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            uow.flush()


def test_constraints_hold(db: Database) -> None:
    ids = _seed(db)
    with UnitOfWork(db) as uow:
        uow.add(
            DevicePlan(
                plan_no="P-1",
                customer_id=uuid.uuid4(),
                activated=date(2026, 1, 1),
                financed_amount=Decimal("720"),
                instalment=Decimal("30"),
            )
        )
        with pytest.raises(IntegrityError):
            uow.flush()
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(ids["C-10001"])
        assert customer is not None
        customer.customer_value = 5
        with pytest.raises(IntegrityError):
            uow.flush()


def test_leaving_a_unit_of_work_without_commit_rolls_back(db: Database) -> None:
    ids = _seed(db)
    with pytest.raises(RuntimeError), UnitOfWork(db) as uow:
        uow.history.append(
            HistoryEntry(customer_id=ids["C-10001"], author="a", kind="note", text="lost")
        )
        uow.flush()
        raise RuntimeError("failure half-way")
    with UnitOfWork(db) as uow:
        assert uow.history.count(ids["C-10001"]) == 0


def _bulk_history(db: Database, customer_id: uuid.UUID, n: int, start: datetime) -> None:
    rows = [
        {
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "author": "m.keller",
            "created_at": start + timedelta(minutes=i // 2),  # pairs share a timestamp
            "kind": "note",
            "text": f"entry {i}",
            "payload": {"i": i},
            "rule_ids": [],
        }
        for i in range(n)
    ]
    with db.transaction() as session:
        session.execute(insert(HistoryEntry), rows)


def test_history_pages_newest_first_without_gaps_or_repeats(db: Database) -> None:
    ids = _seed(db)
    customer_id = ids["C-10001"]
    _bulk_history(db, customer_id, 1000, datetime(2025, 1, 1, tzinfo=UTC))
    seen: list[int] = []
    cursor = None
    with UnitOfWork(db) as uow:
        assert uow.history.count(customer_id) == 1000
        while True:
            page = uow.history.page(customer_id, before=cursor, limit=128)
            if not page:
                break
            seen.extend(e.payload["i"] for e in page)
            cursor = (page[-1].created_at, page[-1].id)
    assert len(seen) == 1000
    assert len(set(seen)) == 1000
    # Newest first: the minute (i // 2) never increases along the pages.
    minutes = [i // 2 for i in seen]
    assert minutes == sorted(minutes, reverse=True)


def test_history_cannot_be_changed_through_the_orm(db: Database) -> None:
    ids = _seed(db)
    with UnitOfWork(db) as uow:
        entry = uow.history.append(
            HistoryEntry(customer_id=ids["C-10001"], author="a", kind="note", text="said")
        )
        uow.commit()
    with UnitOfWork(db) as uow:
        loaded = uow.session.get(HistoryEntry, entry.id)
        assert loaded is not None
        loaded.text = "rewritten"
        with pytest.raises(ImmutableRowError):
            uow.flush()
    with UnitOfWork(db) as uow:
        loaded = uow.session.get(HistoryEntry, entry.id)
        uow.session.delete(loaded)
        with pytest.raises(ImmutableRowError):
            uow.flush()


@pytest.mark.parametrize("table", ["history_entries", "ticket_feedback"])
def test_events_cannot_be_changed_in_the_database_either(db: Database, table: str) -> None:
    ids = _seed(db)
    with UnitOfWork(db) as uow:
        uow.history.append(
            HistoryEntry(customer_id=ids["C-10001"], author="a", kind="note", text="said")
        )
        partner = uow.partners.by_code("KNU-NW")
        assert partner is not None
        ticket = PartnerTicket(
            customer_id=ids["C-10001"],
            partner_id=partner.id,
            kind="fair_use_contact",
            subject="s",
            body="b",
            created_by="a",
        )
        uow.add(ticket)
        uow.flush()
        uow.add(TicketFeedback(ticket_id=ticket.id, author="knu", text="contacted"))
        uow.commit()
    for statement in (f"UPDATE {table} SET author = 'x'", f"DELETE FROM {table}"):
        with (
            pytest.raises((IntegrityError, DBAPIError), match="append-only"),
            db.engine.begin() as conn,
        ):
            conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text(f"SELECT author FROM {table}")).scalars().all() != ["x"]
        assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 1


def test_origin_is_stable_per_database(db: Database) -> None:
    first = db.origin
    again = Database(db.url)
    assert again.origin == first
    again.dispose()


def test_unreachable_server_gives_a_readable_error() -> None:
    with pytest.raises(DatabaseError, match="cannot open the database PostgreSQL"):
        Database("postgresql+psycopg://nobody@127.0.0.1:1/none")


@pytest.mark.parametrize("url", ["not a url", "mysql://x@localhost/db"])
def test_bad_urls_are_named(url: str) -> None:
    with pytest.raises(DatabaseError, match="database"):
        Database(url)


def test_migrations_go_down_and_up_again(tmp_path) -> None:
    from app.store.db import downgrade, upgrade

    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    downgrade(db.engine, "base")
    assert not db.has_schema()
    upgrade(db.engine, "head")
    assert db.has_schema()
    with db.engine.connect() as conn:
        triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        assert {name for (name,) in triggers} == {
            "history_entries_no_update",
            "history_entries_no_delete",
            "history_entries_no_replace",
            "ticket_feedback_no_update",
            "ticket_feedback_no_delete",
            "ticket_feedback_no_replace",
            "sms_messages_no_delete",
            "sms_messages_no_replace",
            "sms_messages_sent_once",
            "letters_no_delete",
            "letters_no_replace",
            "letters_sent_once",
            # A branch's outbox (migration 0008): what this desktop records, queued to send.
            *(f"sync_outbox_{t}_insert" for t in ("history_entries", "ticket_feedback")),
            *(
                f"sync_outbox_{t}_{event}"
                for t in ("cases", "partner_tickets", "tasks", "sms_messages", "letters")
                for event in ("insert", "update")
            ),
        }
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_a_shared_server_is_never_upgraded_by_a_desktop(pg_db: Database) -> None:
    from app.store.db import downgrade

    downgrade(pg_db.engine, "0001")
    try:
        with pytest.raises(DatabaseError, match="ask IT to run 'agent-assist db upgrade'"):
            Database(pg_db.url)
        assert current_revision(pg_db.engine) == "0001"
        Database(pg_db.url, migrate=True).dispose()
        assert current_revision(pg_db.engine) == head_revision()
    finally:
        Database(pg_db.url, migrate=True).dispose()


def test_a_desktop_file_upgrades_itself(tmp_path) -> None:
    from app.store.db import downgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    first = Database(url)
    downgrade(first.engine, "0001")
    first.dispose()
    again = Database(url)
    assert current_revision(again.engine) == head_revision()
    again.dispose()
