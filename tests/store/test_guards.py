"""Nobody rewrites the history: every statement class, tried as an attacker would.

SQLite (a desktop's file, opened without the application's settings too):
UPDATE, DELETE, REPLACE, INSERT OR REPLACE and upserts over an existing row of
every append-only table are refused; tampering with the schema first (DROP
TRIGGER) is found by ``history verify``.

PostgreSQL, with application logins the test creates (granted one of the
group roles, as ``users add`` will): UPDATE, DELETE, TRUNCATE, upserts,
DISABLE TRIGGER, ALTER, DROP, ``session_replication_role``, replacing a
trigger function, lifting row level security and creating tables are all
refused. ``-s`` prints the counts per statement class.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.store import chain
from app.store.db import Database
from app.store.models import (
    Customer,
    HistoryEntry,
    Letter,
    LetterStatus,
    Partner,
    PartnerTicket,
    SmsMessage,
    SmsStatus,
    TicketFeedback,
    User,
)
from app.store.repositories import UnitOfWork

GUARDED = ("history_entries", "ticket_feedback", "sms_messages", "letters")
#: A column each guarded table has that an attacker would like to change.
TEXT_COLUMN = {
    "history_entries": "text",
    "ticket_feedback": "text",
    "sms_messages": "text",
    "letters": "document",
}
#: The trigger that refuses UPDATE and DELETE, per table (``<table>_<name>``).
ROW_TRIGGER = {
    "history_entries": "append_only",
    "ticket_feedback": "append_only",
    "sms_messages": "sent_once",
    "letters": "sent_once",
}
GROUPS = ("agent", "partner", "supervisor", "admin")


def _seed(db: Database) -> dict[str, uuid.UUID]:
    """A customer with one row in every guarded table (an SMS exported, a letter issued)."""
    with UnitOfWork(db) as uow:
        partner = Partner(code="KNU-NW", name="Kabelnetz Nordwest AG")
        uow.add(partner)
        uow.flush()
        customer = Customer(
            customer_no="C-10001",
            msisdn="+41791234567",
            name="Hans Müller",
            language="de",
            partner_id=partner.id,
        )
        uow.add(customer)
        uow.flush()
        entry = uow.history.append(
            HistoryEntry(customer_id=customer.id, author="a", kind="note", text="said")
        )
        ticket = PartnerTicket(
            customer_id=customer.id,
            partner_id=partner.id,
            kind="fair_use_contact",
            subject="s",
            body="b",
            created_by="a",
        )
        uow.add(ticket)
        uow.flush()
        feedback = TicketFeedback(ticket_id=ticket.id, author="knu", text="contacted")
        sms = SmsMessage(
            customer_id=customer.id,
            msisdn="+41791234567",
            language="de",
            template_id="fu_warning",
            text="Grüezi",
            created_by="a",
            status=SmsStatus.EXPORTED,
            exported_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        letter = Letter(
            customer_id=customer.id,
            document="fair_use_migration",
            language="de",
            requested_by="a",
            status=LetterStatus.ISSUED,
            issued_at=datetime(2026, 3, 1, tzinfo=UTC),
            issued_by="a",
            pdf_path="letters/2026/03/x.pdf",
            sha256="0" * 64,
        )
        for row in (feedback, sms, letter):
            uow.add(row)
        uow.flush()
        ids = {
            "partner": partner.id,
            "customer": customer.id,
            "history_entries": entry.id,
            "ticket_feedback": feedback.id,
            "sms_messages": sms.id,
            "letters": letter.id,
            "ticket": ticket.id,
        }
        uow.commit()
    return ids


def _snapshot(conn: object, table: str) -> list[tuple]:
    return sorted(tuple(map(str, row)) for row in conn.execute(f"SELECT * FROM {table}"))  # type: ignore[attr-defined]


# --- SQLite ----------------------------------------------------------------------


def _sqlite_attacks(table: str, row_id: str) -> dict[str, str]:
    column = TEXT_COLUMN[table]
    return {
        "UPDATE": f"UPDATE {table} SET {column} = 'rewritten'",
        "DELETE": f"DELETE FROM {table}",
        "REPLACE": f"REPLACE INTO {table} SELECT * FROM {table}",
        "INSERT OR REPLACE": f"INSERT OR REPLACE INTO {table} SELECT * FROM {table}",
        "UPSERT": (
            f"INSERT INTO {table} SELECT * FROM {table} WHERE true "
            f"ON CONFLICT (id) DO UPDATE SET {column} = 'rewritten'"
        ),
        "UPSERT DO NOTHING": (
            f"INSERT INTO {table} SELECT * FROM {table} WHERE true ON CONFLICT DO NOTHING"
        ),
        "UPDATE one row": f"UPDATE {table} SET {column} = 'x' WHERE id = '{row_id}'",
    }


@pytest.mark.parametrize("table", GUARDED)
@pytest.mark.parametrize("pragmas", ["application", "plain sqlite3"])
def test_sqlite_refuses_every_dml_path(sqlite_db: Database, table: str, pragmas: str) -> None:
    ids = _seed(sqlite_db)
    path = make_url(sqlite_db.url).database
    assert path is not None
    sqlite_db.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    if pragmas == "application":
        conn.execute("PRAGMA recursive_triggers=ON")
        conn.execute("PRAGMA foreign_keys=ON")
    before = _snapshot(conn, table)
    counts: Counter[str] = Counter()
    for kind, statement in _sqlite_attacks(table, ids[table].hex).items():
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
        counts[kind] += 1
    assert _snapshot(conn, table) == before
    conn.close()
    print(f"\nSQLite {table} ({pragmas}): refused {dict(counts)}")


def test_sqlite_lets_an_sms_and_a_letter_move_on_once(sqlite_db: Database) -> None:
    ids = _seed(sqlite_db)
    with UnitOfWork(sqlite_db) as uow:
        letter = Letter(customer_id=ids["customer"], document="d", language="de", requested_by="a")
        sms = SmsMessage(
            customer_id=ids["customer"],
            msisdn="+41791234567",
            language="de",
            template_id="t",
            text="x",
            created_by="a",
        )
        uow.add(letter)
        uow.add(sms)
        uow.commit()
    with sqlite_db.engine.begin() as conn:
        conn.execute(
            text("UPDATE letters SET status = 'issued', pdf_path = 'p' WHERE id = :id"),
            {"id": letter.id.hex},
        )
        conn.execute(
            text("UPDATE sms_messages SET status = 'exported' WHERE id = :id"), {"id": sms.id.hex}
        )
    for statement in (
        "UPDATE letters SET pdf_path = 'other' WHERE id = :id",
        "UPDATE sms_messages SET text = 'other' WHERE id = :id",
    ):
        with pytest.raises(Exception, match="append-only"), sqlite_db.engine.begin() as conn:
            conn.execute(
                text(statement), {"id": (letter if "letters" in statement else sms).id.hex}
            )


@pytest.mark.parametrize(
    "attack",
    [
        "UPDATE history_entries SET text = 'rewritten' WHERE id = :id",
        "REPLACE INTO history_entries (id, customer_id, author, created_at, kind, text, payload, "
        "rule_ids, origin, chain_seq, prev_hash, hash) SELECT id, customer_id, author, "
        "created_at, kind, 'rewritten', payload, rule_ids, origin, chain_seq, prev_hash, hash "
        "FROM history_entries WHERE id = :id",
    ],
    ids=["DROP TRIGGER, UPDATE", "DROP TRIGGER, REPLACE"],
)
def test_sqlite_schema_tampering_is_found_by_verify(sqlite_db: Database, attack: str) -> None:
    ids = _seed(sqlite_db)
    with UnitOfWork(sqlite_db) as uow:
        for i in range(3):
            uow.history.append(
                HistoryEntry(customer_id=ids["customer"], author="a", kind="note", text=str(i))
            )
        uow.commit()
    with sqlite_db.engine.begin() as conn:
        for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")):
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text(attack), {"id": ids["history_entries"].hex})
    report = chain.verify_database(sqlite_db)
    assert report.first_bad == ids["history_entries"]


# --- PostgreSQL: application logins ------------------------------------------------


def _login_url(db: Database, login: str) -> str:
    return make_url(db.url).set(username=login, password=None).render_as_string(False)


def _conninfo(db: Database, login: str) -> str:
    url = make_url(db.url)
    return f"host={url.host} port={url.port or 5432} dbname={url.database} user={login}"


class Logins:
    """Login roles made for one test, granted a group role each, dropped afterwards."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.made: list[str] = []

    def add(self, group: str, partner_id: uuid.UUID | None = None) -> str:
        login = f"aa_test_{uuid.uuid4().hex[:10]}_{group}"
        with self.db.engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {login} LOGIN IN ROLE agent_assist_{group}"))
        self.made.append(login)
        with UnitOfWork(self.db) as uow:
            uow.add(User(login=login, display_name=login, role=group, partner_id=partner_id))
            uow.commit()
        return login

    def drop(self) -> None:
        with self.db.engine.begin() as conn:
            for login in self.made:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"
                    ),
                    {"u": login},
                )
                conn.execute(text(f"DROP ROLE IF EXISTS {login}"))


@pytest.fixture
def logins(pg_db: Database) -> Iterator[Logins]:
    made = Logins(pg_db)
    yield made
    made.drop()


def _pg_attacks(table: str, ids: dict[str, uuid.UUID]) -> list[tuple[str, str]]:
    column = TEXT_COLUMN[table]
    row = ids[table]
    columns = "id, customer_id, author, created_at, kind, text, payload, rule_ids"
    return [
        ("UPDATE", f"UPDATE {table} SET {column} = 'rewritten'"),
        ("UPDATE", f"UPDATE {table} SET {column} = 'rewritten' WHERE id = '{row}'"),
        ("DELETE", f"DELETE FROM {table}"),
        ("DELETE", f"DELETE FROM {table} WHERE id = '{row}'"),
        ("TRUNCATE", f"TRUNCATE {table}"),
        ("TRUNCATE", f"TRUNCATE {table} CASCADE"),
        ("TRUNCATE", "TRUNCATE customers CASCADE"),
        (
            "UPSERT",
            f"INSERT INTO {table} SELECT * FROM {table} "
            f"ON CONFLICT (id) DO UPDATE SET {column} = 'rewritten'"
            if table != "history_entries"
            else f"INSERT INTO history_entries ({columns}) SELECT {columns} FROM history_entries "
            "ON CONFLICT (id) DO UPDATE SET text = 'rewritten'",
        ),
        ("DISABLE TRIGGER", f"ALTER TABLE {table} DISABLE TRIGGER ALL"),
        ("DISABLE TRIGGER", f"ALTER TABLE {table} DISABLE TRIGGER USER"),
        ("ALTER", f"ALTER TABLE {table} ADD COLUMN note text"),
        ("ALTER", f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"),
        ("ALTER", f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"),
        ("ALTER", f"ALTER TABLE {table} OWNER TO CURRENT_USER"),
        ("DROP", f"DROP TABLE {table} CASCADE"),
        ("DROP", f"DROP TRIGGER {table}_{ROW_TRIGGER[table]} ON {table}"),
        ("DROP", f"DROP TRIGGER {table}_no_truncate ON {table}"),
        ("DROP", f"DROP POLICY {table}_partner_scope ON {table}"),
        ("session_replication_role", "SET session_replication_role = replica"),
        ("session_replication_role", "SET LOCAL session_replication_role = replica"),
        (
            "replace function",
            "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NEW; END $$",
        ),
        ("DDL", "CREATE TABLE public.shadow (id int)"),
        ("DDL", f"CREATE RULE no_op AS ON UPDATE TO {table} DO INSTEAD NOTHING"),
        ("DDL", "GRANT agent_assist_owner TO CURRENT_USER"),
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("group", GROUPS)
def test_postgres_refuses_every_statement_class_to_application_logins(
    pg_db: Database, logins: Logins, group: str
) -> None:
    ids = _seed(pg_db)
    login = logins.add(group, ids["partner"] if group == "partner" else None)
    tried: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    with psycopg.connect(_conninfo(pg_db, login)) as conn:
        before = {t: _snapshot(conn, t) for t in GUARDED}
        assert all(before.values())  # the login sees the rows it attacks
        for table in GUARDED:
            for kind, statement in _pg_attacks(table, ids):
                tried[kind] += 1
                try:
                    with conn.transaction():
                        conn.execute(statement)
                except psycopg.Error:
                    refused[kind] += 1
        after = {t: _snapshot(conn, t) for t in GUARDED}
    assert after == before
    print(f"\nPostgreSQL as {group}: tried {dict(tried)}, refused {dict(refused)}")
    assert refused == tried


@pytest.mark.postgres
def test_postgres_history_tables_are_owned_by_a_role_nobody_logs_in_as(pg_db: Database) -> None:
    with pg_db.engine.connect() as conn:
        owners = dict(
            conn.execute(
                text(
                    "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' "
                    "AND c.relname <> 'alembic_version'"
                )
            ).all()
        )
        assert set(owners.values()) == {"agent_assist_owner"}
        assert (
            conn.scalar(
                text("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'agent_assist_owner'")
            )
            is False
        )
        grants = conn.execute(
            text(
                "SELECT DISTINCT privilege_type FROM information_schema.role_table_grants "
                "WHERE table_name IN ('history_entries', 'ticket_feedback') "
                "AND grantee LIKE 'agent_assist_%' AND grantee <> 'agent_assist_owner'"
            )
        ).scalars()
        assert set(grants) == {"SELECT", "INSERT"}
        secured = conn.execute(
            text(
                "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity "
                "AND relnamespace = 'public'::regnamespace"
            )
        ).scalars()
        assert {
            "customers",
            "subscriptions",
            "device_plans",
            "bundles",
            "cases",
            "history_entries",
            "partner_tickets",
            "ticket_feedback",
            "letters",
            "sms_messages",
        } <= set(secured)


@pytest.mark.postgres
def test_an_application_login_still_records_and_issues(pg_db: Database, logins: Logins) -> None:
    """The guards leave the agent's own work possible: a note, a letter issued once."""
    ids = _seed(pg_db)
    login = logins.add("agent")
    db = Database(_login_url(pg_db, login))
    try:
        with UnitOfWork(db) as uow:
            uow.history.append(
                HistoryEntry(customer_id=ids["customer"], author=login, kind="note", text="ok")
            )
            letter = Letter(
                customer_id=ids["customer"], document="d", language="de", requested_by=login
            )
            uow.add(letter)
            uow.commit()
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE letters SET status = 'issued', pdf_path = 'p' WHERE id = :id"),
                {"id": letter.id},
            )
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(
                text("UPDATE letters SET pdf_path = 'q' WHERE id = :id"), {"id": letter.id}
            )
        assert chain.verify_database(db).ok
    finally:
        db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("table", GUARDED)
def test_postgres_refuses_truncate_even_to_the_owner(pg_db: Database, table: str) -> None:
    """Whoever owns the tables (here a superuser) cannot TRUNCATE them by accident either."""
    _seed(pg_db)
    for statement in (
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        "TRUNCATE customers CASCADE",
    ):
        with pytest.raises(Exception, match="append-only"), pg_db.engine.begin() as conn:
            conn.execute(text(statement))
    with pg_db.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1


@pytest.mark.postgres
def test_only_the_owner_empties_a_database_and_the_guards_come_back(
    pg_db: Database, logins: Logins
) -> None:
    """The demo's reset: a member of the owner role may, an application login may not."""
    from app.store.db import truncate_all
    from app.store.models import Base

    tables = [t.name for t in Base.metadata.sorted_tables]
    _seed(pg_db)
    agent = logins.add("agent")
    owner = f"aa_test_{uuid.uuid4().hex[:10]}_owner"
    with pg_db.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN IN ROLE agent_assist_owner"))
    logins.made.append(owner)
    agent_db = Database(_login_url(pg_db, agent))
    owner_db = Database(_login_url(pg_db, owner))
    try:
        with pytest.raises(Exception, match="must be owner"), agent_db.engine.begin() as conn:
            truncate_all(conn, tables)
        with owner_db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM history_entries")).scalar() == 1
            truncate_all(conn, tables)
        with owner_db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM history_entries")).scalar() == 0
        _seed(pg_db)
        with pytest.raises(Exception, match="append-only"), owner_db.engine.begin() as conn:
            conn.execute(text("TRUNCATE history_entries CASCADE"))
    finally:
        agent_db.dispose()
        owner_db.dispose()
