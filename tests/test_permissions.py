"""What each role may do, enforced in the services on both engines and, on the
real PostgreSQL server, again in SQL with the role's own login.

Each role is a real login: on SQLite ``AGENT_ASSIST_USER`` with a ``users``
row, on PostgreSQL a login role granted its group (dropped afterwards).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import select

from app.services import customers, identity, letters, runs, todo, users, worklists
from app.services.identity import Identity, UnknownUserError
from app.services.permissions import ALLOWED, Action, PermissionDenied, allowed
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Partner, Role, User
from app.store.repositories import UnitOfWork
from tests.store.test_guards import Logins, _conninfo, _login_url

ROLES = ("agent", "partner", "supervisor", "admin")


@dataclass
class World:
    partners: dict[str, uuid.UUID]
    customers: dict[str, uuid.UUID]


def _world(db: Database) -> World:
    world = World({}, {})
    with UnitOfWork(db) as uow:
        for code in ("A", "B"):
            partner = Partner(code=f"KNU-{code}", name=f"Partner {code}")
            uow.add(partner)
            uow.flush()
            customer = Customer(
                customer_no=f"C-{code}1",
                msisdn=f"+41790000{ord(code)}1",
                name=f"Kunde {code}",
                language="de",
                partner_id=partner.id,
            )
            uow.add(customer)
            uow.flush()
            uow.history.append(
                HistoryEntry(customer_id=customer.id, author="a", kind="note", text="t")
            )
            world.partners[code] = partner.id
            world.customers[code] = customer.id
        uow.commit()
    return world


class Sessions:
    """A database object per role, working as that role's own login."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch, logins: Logins | None):
        self.db = db
        self.monkeypatch = monkeypatch
        self.logins = logins
        self.opened: list[Database] = []
        self.names: dict[str, str] = {}

    def login(self, role: str, partner_id: uuid.UUID | None = None) -> Database:
        if self.logins is not None:  # PostgreSQL: the login role itself
            login = self.logins.add(role, partner_id)
            db = Database(_login_url(self.db, login))
        else:  # SQLite: the OS login, named by AGENT_ASSIST_USER
            login = f"t.{role}"
            with UnitOfWork(self.db) as uow:
                uow.add(User(login=login, display_name=login, role=role, partner_id=partner_id))
                uow.commit()
            db = Database(self.db.url)
            identity.use(db, _identity_as(db, login))
        self.names[role] = login
        self.opened.append(db)
        return db

    def close(self) -> None:
        for db in self.opened:
            db.dispose()


def _identity_as(db: Database, login: str) -> Identity:
    """Resolve ``db``'s identity as the OS login ``login`` would (AGENT_ASSIST_USER)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(identity.ENV_USER, login)
        return identity.resolve(db)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sessions(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sessions]:
    if request.param == "sqlite":
        made = Sessions(request.getfixturevalue("sqlite_db"), monkeypatch, None)
    else:
        made = Sessions(
            request.getfixturevalue("pg_db"), monkeypatch, request.getfixturevalue("logins")
        )
    yield made
    made.close()


@pytest.fixture
def logins(pg_db: Database) -> Iterator[Logins]:
    made = Logins(pg_db)
    yield made
    made.drop()


# --- the table itself ---------------------------------------------------------------------


def test_the_table_is_multiuser_md() -> None:
    """MULTIUSER.md's table, row by row."""
    expected = {
        Action.OPEN_CUSTOMERS: {"agent", "partner", "supervisor", "admin"},
        Action.RECORD: {"agent", "supervisor"},
        Action.ANSWER_TICKETS: {"partner"},
        Action.REPORTS: {"supervisor", "admin"},
        Action.PARTNER_REPORT: {"partner"},
        Action.MANAGE_USERS: {"admin"},
    }
    for action, roles in expected.items():
        assert {r.value for r in Role if action in ALLOWED[r]} == roles, action


# --- every use case asks, per role ------------------------------------------------------


def _attempts(db: Database, world: World) -> dict[str, Callable[[], object]]:
    """One call per use case; each either works or raises PermissionDenied."""
    a, b = world.customers["A"], world.customers["B"]
    return {
        "search": lambda: customers.search_customers(db, "Kunde"),
        "open A": lambda: customers.customer_overview(db, a),
        "open B": lambda: customers.customer_overview(db, b),
        "history B": lambda: customers.history_page(db, b),
        "todo B": lambda: todo.todo_for_customer(db, b),
        "note A": lambda: customers.add_note(db, a, "Rückruf"),
        "note B": lambda: customers.add_note(db, b, "Rückruf"),
        "start process A": lambda: runs.open_run(db, a, "complaint", "intake"),
        "letter A": lambda: letters.request_letter(
            db, customer_id=a, document="x", language="de", context={}, author="x"
        ),
        "worklist": lambda: worklists.worklist(db, "fair-use"),
        "users": lambda: users.list_users(db),
        "add user": lambda: users.add_user(db, f"u{uuid.uuid4().hex[:8]}", "agent"),
    }


#: What each role is refused (the rest it may do). A partner of A: B is foreign.
REFUSED = {
    "agent": {"users", "add user"},
    "supervisor": {"users", "add user"},
    "admin": {"note A", "note B", "start process A", "letter A"},
    "partner": {
        "open B",
        "history B",
        "todo B",
        "note A",
        "note B",
        "start process A",
        "letter A",
        "worklist",
        "users",
        "add user",
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_exactly_what_the_table_forbids(sessions: Sessions, role: str) -> None:
    world = _world(sessions.db)
    db = sessions.login(role, world.partners["A"] if role == "partner" else None)
    refused = set()
    for name, attempt in _attempts(db, world).items():
        try:
            attempt()
        except PermissionDenied as exc:
            refused.add(name)
            assert sessions.names[role] in str(exc)  # names who was refused, in words
        except Exception:  # allowed, and failed further on (an unknown letter, a missing PG row)
            pass
    # On PostgreSQL a partner's login does not even see B's customer (row level security):
    # the service finds no customer where SQLite's check refuses one.
    if sessions.db.dialect == "postgresql" and role == "partner":
        refused |= {"open B", "history B", "todo B", "note B"}
    assert refused == REFUSED[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_partner_searches_only_its_own_customers(sessions: Sessions, role: str) -> None:
    world = _world(sessions.db)
    db = sessions.login(role, world.partners["A"] if role == "partner" else None)
    found = {hit.customer_no for hit in customers.search_customers(db, "Kunde")}
    assert found == ({"C-A1"} if role == "partner" else {"C-A1", "C-B1"})


def test_a_refused_action_writes_nothing(sessions: Sessions) -> None:
    world = _world(sessions.db)
    db = sessions.login("admin")
    with pytest.raises(PermissionDenied):
        customers.add_note(db, world.customers["A"], "darf nicht")
    with sessions.db.transaction() as session:
        texts = session.scalars(select(HistoryEntry.text)).all()
    assert "darf nicht" not in texts


def test_entries_record_the_user_not_a_name_they_chose(sessions: Sessions) -> None:
    world = _world(sessions.db)
    db = sessions.login("agent")
    item = customers.add_note(db, world.customers["A"], "Rückruf")
    assert item.author == sessions.names["agent"]
    assert identity.signature(db, "Jemand Anders") == sessions.names["agent"]
    signed = customers.add_note(db, world.customers["A"], "Rückruf", author="Jemand Anders")
    assert signed.author == sessions.names["agent"]


# --- identity ----------------------------------------------------------------------------


def test_an_unknown_login_is_told_who_can_add_it(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity.current(sqlite_db)  # the OS login opens the file first: it is the owner
    monkeypatch.setenv(identity.ENV_USER, "mallory")
    other = Database(sqlite_db.url)
    try:
        with pytest.raises(UnknownUserError) as refused:
            customers.search_customers(other, "Kunde")
    finally:
        other.dispose()
    assert "mallory" in str(refused.value)
    assert "agent-assist users add mallory" in str(refused.value)


def test_the_first_login_owns_a_new_file_and_adds_the_others(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(identity.ENV_USER, "anna")
    me = identity.current(sqlite_db)
    assert me.owner and not me.registered
    assert allowed(me, Action.RECORD) and allowed(me, Action.MANAGE_USERS)
    users.add_user(sqlite_db, "bob", "agent", display_name="Bob Meier")
    monkeypatch.setenv(identity.ENV_USER, "bob")
    bob_db = Database(sqlite_db.url)
    try:
        bob = identity.current(bob_db)
        assert (bob.login, bob.display_name, bob.role, bob.owner) == (
            "bob",
            "Bob Meier",
            Role.AGENT,
            False,
        )
        with pytest.raises(PermissionDenied):
            users.add_user(bob_db, "carl", "agent")
    finally:
        bob_db.dispose()


def test_a_login_with_a_row_does_not_become_the_owner_by_coming_first(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with UnitOfWork(sqlite_db) as uow:
        uow.add(User(login="s.frei", display_name="Sandra Frei", role="agent"))
        uow.commit()
    monkeypatch.setenv(identity.ENV_USER, "s.frei")
    me = identity.current(sqlite_db)
    assert not me.owner and not allowed(me, Action.MANAGE_USERS)


def test_a_disabled_user_is_refused(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    identity.current(sqlite_db)
    users.add_user(sqlite_db, "bob", "agent")
    users.disable_user(sqlite_db, "bob")
    monkeypatch.setenv(identity.ENV_USER, "bob")
    other = Database(sqlite_db.url)
    try:
        with pytest.raises(UnknownUserError, match="bob"):
            identity.current(other)
    finally:
        other.dispose()


# --- the same, directly in SQL with the role's login (PostgreSQL) ---------------------------

#: Statements each role's login must not get through, whatever the services do.
SQL_REFUSED = {
    "agent": [
        "UPDATE history_entries SET text = 'x'",
        "DELETE FROM history_entries",
        "INSERT INTO users (id, login, display_name, role, language, active, created_at) "
        "VALUES (gen_random_uuid(), 'evil', 'e', 'admin', 'en', true, now())",
        "UPDATE users SET role = 'admin'",
        "TRUNCATE ticket_feedback",
    ],
    "supervisor": [
        "UPDATE history_entries SET text = 'x'",
        "UPDATE users SET role = 'admin'",
        "DROP TABLE history_entries",
    ],
    "admin": [
        "UPDATE history_entries SET text = 'x'",
        "DELETE FROM history_entries",
        "INSERT INTO cases (id, customer_id, process, opened_by, opened_at, state, facts, "
        "script_state, updated_at) SELECT gen_random_uuid(), id, 'complaint', 'x', now(), "
        "'open', '{}', '{}', now() FROM customers LIMIT 1",
        "ALTER TABLE history_entries DISABLE TRIGGER ALL",
    ],
    "partner": [
        "INSERT INTO cases (id, customer_id, process, opened_by, opened_at, state, facts, "
        "script_state, updated_at) SELECT gen_random_uuid(), id, 'complaint', 'x', now(), "
        "'open', '{}', '{}', now() FROM customers LIMIT 1",
        "UPDATE customers SET name = 'x'",
        "SET session_replication_role = replica",
        "UPDATE users SET partner_id = NULL",
    ],
}


@pytest.mark.postgres
@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_in_sql_with_its_own_login(
    pg_db: Database, logins: Logins, role: str
) -> None:
    world = _world(pg_db)
    login = logins.add(role, world.partners["A"] if role == "partner" else None)
    with psycopg.connect(_conninfo(pg_db, login)) as conn:
        for statement in SQL_REFUSED[role]:
            with conn.transaction(force_rollback=True):
                try:
                    with conn.transaction():
                        changed = conn.execute(statement).rowcount
                except psycopg.Error:
                    continue
                # Row level security may turn a write into one that touches no row.
                assert changed in (0, -1) and not statement.startswith(("SET", "TRUNCATE")), (
                    statement
                )
        if role == "partner":
            seen = conn.execute("SELECT customer_no FROM customers").fetchall()
            assert seen == [("C-A1",)]


# --- generated attempts: a partner's login against another partner's customers -------------

ATTEMPTS = ("search", "open", "history", "todo", "note", "start process", "letter")


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_generated_attempts_by_a_partner_never_reach_another_partners_customers(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Hundreds of generated use-case calls by partner A's login on B's customers: none passes."""
    from collections import Counter

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from app.services.errors import NotFoundError

    base = request.getfixturevalue("sqlite_db" if engine == "sqlite" else "pg_db")
    made = Sessions(
        base, monkeypatch, request.getfixturevalue("logins") if engine == "postgresql" else None
    )
    request.addfinalizer(made.close)
    world = _world(base)
    db = made.login("partner", world.partners["A"])
    with base.transaction() as session:
        foreign = session.execute(
            select(Customer.customer_no, Customer.name, Customer.msisdn).where(
                Customer.partner_id == world.partners["B"]
            )
        ).one()
    queries = st.sampled_from([*foreign, foreign.msisdn[3:], "Kunde", "C-", "B"])
    tried: Counter[str] = Counter()
    refused: Counter[str] = Counter()

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(kind=st.sampled_from(ATTEMPTS), query=queries, text=st.text(min_size=1, max_size=20))
    def attempt(kind: str, query: str, text: str) -> None:
        b = world.customers["B"]
        calls: dict[str, Callable[[], object]] = {
            "open": lambda: customers.customer_overview(db, b),
            "history": lambda: customers.history_page(db, b),
            "todo": lambda: todo.todo_for_customer(db, b),
            "note": lambda: customers.add_note(db, b, text.strip() or "x"),
            "start process": lambda: runs.open_run(db, b, "complaint", "intake"),
            "letter": lambda: letters.request_letter(
                db, customer_id=b, document="x", language="de", context={}, author=text
            ),
        }
        tried[kind] += 1
        if kind == "search":
            hits = customers.search_customers(db, query)
            assert all(hit.id != b for hit in hits)
            refused[kind] += 1
            return
        if kind == "history":  # refused, or (row level security) an empty page
            with contextlib.suppress(PermissionDenied):
                assert customers.history_page(db, b).items == ()
            refused[kind] += 1
            return
        with pytest.raises((PermissionDenied, NotFoundError)):
            calls[kind]()
        refused[kind] += 1

    attempt()
    with base.transaction() as session:
        written = session.scalar(
            select(HistoryEntry.id).where(
                HistoryEntry.customer_id == world.customers["B"], HistoryEntry.author != "a"
            )
        )
    assert written is None
    assert sum(tried.values()) >= 400 and tried == refused
    print(f"\n{engine}: tried {dict(tried)}, refused {dict(refused)}")
