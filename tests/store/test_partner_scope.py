"""A partner's login sees and writes only its own partner's customers and their records.

Row level security on the real PostgreSQL server, tried with a partner's
login directly (psycopg, as with psql) and through the store's repositories:
thousands of generated attempts to read, insert, update or delete another
partner's customers, cases, tickets, history and the rest; not one foreign
row is seen or written. ``-s`` prints the counts per kind of attempt.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.store import chain
from app.store.db import Database
from app.store.models import (
    Bundle,
    Case,
    Customer,
    HistoryEntry,
    Letter,
    Partner,
    PartnerTicket,
    Process,
    SmsMessage,
    Subscription,
    Task,
    TicketFeedback,
)
from app.store.repositories import UnitOfWork
from tests.store.test_guards import Logins, _conninfo, _login_url

pytestmark = pytest.mark.postgres

#: Tables with a partner's records, and how a row leads to its partner.
SCOPED = {
    "customers": "partner_id",
    "partner_tickets": "partner_id",
    "subscriptions": "customer_id",
    "bundles": "customer_id",
    "cases": "customer_id",
    "history_entries": "customer_id",
    "sms_messages": "customer_id",
    "letters": "customer_id",
    "tasks": "customer_id",
    "customer_search_terms": "customer_id",
    "ticket_feedback": "ticket_id",
}
CUSTOMERS_PER_PARTNER = 3


@dataclass
class World:
    partners: dict[str, uuid.UUID]
    customers: dict[str, list[uuid.UUID]]
    tickets: dict[str, list[uuid.UUID]]
    rows: dict[str, dict[str, list[uuid.UUID]]] = field(default_factory=dict)


def _build(db: Database) -> World:
    world = World({}, {}, {})
    with UnitOfWork(db) as uow:
        for code in ("A", "B"):
            partner = Partner(code=f"KNU-{code}", name=f"Partner {code}")
            uow.add(partner)
            uow.flush()
            world.partners[code] = partner.id
            world.customers[code] = []
            world.tickets[code] = []
            for i in range(CUSTOMERS_PER_PARTNER):
                customer = Customer(
                    customer_no=f"C-{code}{i}",
                    msisdn=f"+4179{ord(code)}{i:05d}",
                    name=f"Kunde {code}{i}",
                    language="de",
                    partner_id=partner.id,
                )
                uow.add(customer)
                uow.flush()
                world.customers[code].append(customer.id)
                case = Case(customer_id=customer.id, process=Process.COMPLAINT, opened_by="a")
                uow.add(case)
                uow.flush()
                ticket = PartnerTicket(
                    customer_id=customer.id,
                    case_id=case.id,
                    partner_id=partner.id,
                    kind="complaint",
                    subject="s",
                    body="b",
                    created_by="a",
                )
                uow.add(ticket)
                uow.flush()
                world.tickets[code].append(ticket.id)
                for row in (
                    Subscription(
                        customer_id=customer.id,
                        tariff="Flat",
                        monthly_fee=49,
                        activated=date(2025, 1, 1),
                    ),
                    Bundle(
                        customer_id=customer.id,
                        bundle_no="B1",
                        name="Roaming",
                        end_date=date(2026, 6, 30),
                    ),
                    HistoryEntry(customer_id=customer.id, author="a", kind="note", text="t"),
                    SmsMessage(
                        customer_id=customer.id,
                        msisdn=customer.msisdn,
                        language="de",
                        template_id="t",
                        text="x",
                        created_by="a",
                    ),
                    Letter(customer_id=customer.id, document="d", language="de", requested_by="a"),
                    Task(customer_id=customer.id, kind="k", title="t", due=date(2026, 4, 1)),
                    TicketFeedback(ticket_id=ticket.id, author="knu", text="ok"),
                ):
                    uow.add(row)
        uow.commit()
    return world


@dataclass
class Tally:
    tried: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    no_effect: Counter[str] = field(default_factory=Counter)
    foreign_seen: int = 0
    foreign_written: int = 0


def _foreign(table: str, world: World, code: str) -> str:
    """A condition selecting partner ``code``'s rows of ``table``."""
    key = SCOPED[table]
    if key == "partner_id":
        return f"partner_id = '{world.partners[code]}'"
    if key == "ticket_id":
        return "ticket_id IN (" + ", ".join(f"'{t}'" for t in world.tickets[code]) + ")"
    return "customer_id IN (" + ", ".join(f"'{c}'" for c in world.customers[code]) + ")"


def _insert(table: str, customer: uuid.UUID, ticket: uuid.UUID, partner: uuid.UUID) -> str:
    new = uuid.uuid4()
    return {
        "customers": "INSERT INTO customers (id, customer_no, msisdn, name, search_name, "
        f"language, customer_value, vip, partner_id, products, created_at, updated_at) VALUES "
        f"('{new}', 'X-{new.hex[:8]}', '+41790000000', 'x', 'x', 'de', 1, false, '{partner}', "
        "'[]', now(), now())",
        "partner_tickets": "INSERT INTO partner_tickets (id, customer_id, partner_id, kind, "
        f"subject, body, status, created_at, created_by) VALUES ('{new}', '{customer}', "
        f"'{partner}', 'k', 's', 'b', 'open', now(), 'p')",
        "history_entries": "INSERT INTO history_entries (id, customer_id, author, created_at, "
        f"kind, text, payload, rule_ids) VALUES ('{new}', '{customer}', 'p', now(), 'note', "
        "'x', '{}', '[]')",
        "ticket_feedback": "INSERT INTO ticket_feedback (id, ticket_id, author, created_at, "
        f"text) VALUES ('{new}', '{ticket}', 'p', now(), 'x')",
        "cases": "INSERT INTO cases (id, customer_id, process, state, facts, script_state, "
        f"opened_at, opened_by, updated_at) VALUES ('{new}', '{customer}', 'complaint', "
        "'open', '{}', '{}', now(), 'p', now())",
        "subscriptions": "INSERT INTO subscriptions (id, customer_id, tariff, monthly_fee, "
        f"activated, created_at, updated_at) VALUES ('{new}', '{customer}', 't', 1, "
        "'2026-01-01', now(), now())",
        "bundles": "INSERT INTO bundles (id, customer_id, bundle_no, name, end_date, "
        f"reminders_sent, created_at, updated_at) VALUES ('{new}', '{customer}', '{new.hex}', "
        "'n', '2026-01-01', '[]', now(), now())",
        "sms_messages": "INSERT INTO sms_messages (id, customer_id, msisdn, language, "
        f"template_id, text, status, created_at, created_by) VALUES ('{new}', '{customer}', "
        "'+41790000000', 'de', 't', 'x', 'queued', now(), 'p')",
        "letters": "INSERT INTO letters (id, customer_id, document, language, context, status, "
        f"requested_at, requested_by) VALUES ('{new}', '{customer}', 'd', 'de', '{{}}', "
        "'requested', now(), 'p')",
        "tasks": "INSERT INTO tasks (id, customer_id, kind, title, due, created_at) VALUES "
        f"('{new}', '{customer}', 'k', 't', '2026-01-01', now())",
        "customer_search_terms": "INSERT INTO customer_search_terms (customer_id, term) VALUES "
        f"('{customer}', 'zz{new.hex[:6]}')",
    }[table]


def _update(table: str, condition: str) -> str:
    column = {
        "customers": "name = 'stolen'",
        "partner_tickets": "status = 'closed'",
        "customer_search_terms": "term = 'stolen'",
        "ticket_feedback": "text = 'stolen'",
    }.get(table, "customer_id = customer_id")
    return f"UPDATE {table} SET {column} WHERE {condition}"


ATTEMPT = st.tuples(
    st.sampled_from(["read", "read all", "insert", "update", "delete", "move"]),
    st.sampled_from(sorted(SCOPED)),
    st.integers(0, CUSTOMERS_PER_PARTNER - 1),
)


@pytest.fixture
def partner_login(pg_db: Database) -> Iterator[tuple[Database, World, str]]:
    world = _build(pg_db)
    made = Logins(pg_db)
    login = made.add("partner", world.partners["A"])
    yield pg_db, world, login
    made.drop()


def test_a_partner_login_never_sees_or_writes_another_partners_rows(
    partner_login: tuple[Database, World, str],
) -> None:
    db, world, login = partner_login
    tally = Tally()
    own_customers = set(world.customers["A"])
    with db.engine.connect() as admin:
        before = {
            t: admin.execute(
                text(f"SELECT count(*) FROM {t} WHERE {_foreign(t, world, 'B')}")
            ).scalar()
            for t in SCOPED
        }
    with psycopg.connect(_conninfo(db, login)) as conn:
        # Positive control: the partner does see its own rows and may answer its tickets.
        for table in SCOPED:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        with conn.transaction(force_rollback=True):
            conn.execute(
                _insert(
                    "ticket_feedback",
                    own_customers.pop(),
                    world.tickets["A"][0],
                    world.partners["A"],
                )
            )

        @settings(
            max_examples=400,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.lists(ATTEMPT, min_size=5, max_size=8))
        def attempts(batch: list[tuple[str, str, int]]) -> None:
            for action, table, index in batch:
                _attempt(conn, world, tally, action, table, index)

        attempts()
        # Nothing foreign was ever written: the server, as superuser, agrees.
        total = Counter()
        with db.engine.connect() as admin:
            for table in SCOPED:
                total[table] = admin.execute(
                    text(f"SELECT count(*) FROM {table} WHERE {_foreign(table, world, 'B')}")
                ).scalar()
                changed = admin.execute(
                    text(
                        f"SELECT count(*) FROM {table} WHERE "
                        + (
                            "name = 'stolen'"
                            if table == "customers"
                            else "status = 'closed'"
                            if table == "partner_tickets"
                            else "term = 'stolen'"
                            if table == "customer_search_terms"
                            else "text = 'stolen'"
                            if table == "ticket_feedback"
                            else "false"
                        )
                    )
                ).scalar()
                tally.foreign_written += changed or 0
    assert dict(total) == before
    tried = sum(tally.tried.values())
    print(
        f"\npartner login: {tried} attempts; tried {dict(tally.tried)}; "
        f"refused by the server {dict(tally.refused)}; "
        f"no row reached {dict(tally.no_effect)}; "
        f"foreign rows seen {tally.foreign_seen}, written {tally.foreign_written}"
    )
    assert tried >= 2000
    assert tally.foreign_seen == 0 and tally.foreign_written == 0


def _attempt(
    conn: psycopg.Connection, world: World, tally: Tally, action: str, table: str, index: int
) -> None:
    foreign_customer = world.customers["B"][index]
    foreign_ticket = world.tickets["B"][index]
    condition = _foreign(table, world, "B")
    tally.tried[action] += 1
    try:
        with conn.transaction(force_rollback=True):
            if action == "read":
                seen = conn.execute(f"SELECT count(*) FROM {table} WHERE {condition}").fetchone()
                tally.foreign_seen += seen[0]
                tally.no_effect[action] += 1
                return
            if action == "read all":
                rows = conn.execute(f"SELECT count(*) FROM {table} WHERE {condition}").fetchone()
                total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
                own = conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {_foreign(table, world, 'A')}"
                ).fetchone()
                tally.foreign_seen += rows[0] + (total[0] - own[0])
                tally.no_effect[action] += 1
                return
            if action == "insert":
                cur = conn.execute(
                    _insert(table, foreign_customer, foreign_ticket, world.partners["B"])
                )
            elif action == "update":
                cur = conn.execute(_update(table, condition))
            elif action == "delete":
                cur = conn.execute(f"DELETE FROM {table} WHERE {condition}")
            else:  # move an own row over to the other partner
                key = SCOPED[table]
                target = {
                    "partner_id": world.partners["B"],
                    "customer_id": foreign_customer,
                    "ticket_id": foreign_ticket,
                }[key]
                cur = conn.execute(
                    f"UPDATE {table} SET {key} = '{target}' WHERE {_foreign(table, world, 'A')}"
                )
            if cur.rowcount > 0:
                tally.foreign_written += cur.rowcount
            else:
                tally.no_effect[action] += 1
    except psycopg.Error:
        tally.refused[action] += 1


def test_the_store_through_a_partner_login_finds_only_own_customers(
    partner_login: tuple[Database, World, str],
) -> None:
    db, world, login = partner_login
    partner_db = Database(_login_url(db, login))
    try:
        with UnitOfWork(partner_db) as uow:
            assert uow.customers.count() == CUSTOMERS_PER_PARTNER
            found = {c.id for c in uow.customers.search("C-", ("CH",))}
            assert found == set(world.customers["A"])
            assert uow.customers.by_no("C-B0") is None
            for customer_id in world.customers["B"]:
                assert uow.customers.get(customer_id) is None
                assert uow.history.count(customer_id) == 0
            uow.history.append(
                HistoryEntry(
                    customer_id=world.customers["B"][0], author=login, kind="note", text="x"
                )
            )
            with pytest.raises(Exception, match="row-level security"):
                uow.flush()
    finally:
        partner_db.dispose()


def test_a_partner_login_switching_to_its_group_role_sees_nothing(
    partner_login: tuple[Database, World, str],
) -> None:
    db, _world, login = partner_login
    with psycopg.connect(_conninfo(db, login)) as conn:
        conn.execute("SET ROLE agent_assist_partner")
        for table in SCOPED:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_a_disabled_partner_login_sees_nothing(
    partner_login: tuple[Database, World, str],
) -> None:
    db, _world, login = partner_login
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE login = :l"), {"l": login})
    with psycopg.connect(_conninfo(db, login)) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 0


def test_a_partner_login_chains_its_entries_onto_the_whole_chain(
    partner_login: tuple[Database, World, str],
) -> None:
    """Row level security hides the other partner's entries, not the chain's head."""
    db, world, login = partner_login
    origin = db.origin
    with UnitOfWork(db) as uow:  # as the server's superuser: both partners' customers
        for customers in world.customers.values():
            for customer_id in customers:
                uow.history.append(
                    HistoryEntry(
                        customer_id=customer_id, author="a", kind="note", text="n", origin=origin
                    )
                )
        uow.commit()
    partner_db = Database(_login_url(db, login))
    try:
        for i in range(2):
            with UnitOfWork(partner_db) as uow:
                uow.history.append(
                    HistoryEntry(
                        customer_id=world.customers["A"][i],
                        author=login,
                        kind="ticket",
                        text="answered",
                        origin=origin,
                    )
                )
                uow.commit()
    finally:
        partner_db.dispose()
    report = chain.verify_database(db)
    assert report.ok, report.reasons
    with db.engine.connect() as conn:
        seqs = conn.execute(
            text("SELECT chain_seq FROM history_entries WHERE origin = :o ORDER BY chain_seq"),
            {"o": origin},
        ).scalars()
        assert list(seqs) == list(range(1, 2 * CUSTOMERS_PER_PARTNER + 3))


def test_a_partner_login_cannot_check_the_chains_it_sees_only_part_of(
    partner_login: tuple[Database, World, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    db, _world, login = partner_login
    assert main(["history", "verify", "--json", "--db", _login_url(db, login)]) == 4
    assert login in capsys.readouterr().err
    assert main(["history", "verify", "--json", "--db", db.url]) == 0
