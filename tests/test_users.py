"""``agent-assist users`` and ``history add|list``: MULTIUSER.md's headless interface.

On the real PostgreSQL server ``users add`` creates a login that can connect
and is a member of exactly its role's group, with the users row, in one step;
the logins are unique per test and dropped afterwards (roles are
cluster-wide).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import select, text

from app.cli import main
from app.services import identity, users
from app.services.identity import ENV_USER
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Partner, User
from app.store.repositories import UnitOfWork
from tests.store.test_guards import _conninfo


def _customers(db: Database) -> None:
    with UnitOfWork(db) as uow:
        for code in ("A", "B"):
            partner = Partner(code=f"KNU-{code}", name=f"Partner {code}")
            uow.add(partner)
            uow.flush()
            uow.add(
                Customer(
                    customer_no=f"C-{code}1",
                    msisdn=f"+4179555{ord(code)}11",
                    name=f"Kunde {code}",
                    language="de",
                    partner_id=partner.id,
                )
            )
        uow.commit()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- SQLite ---------------------------------------------------------------------------------


def test_users_on_a_desktop_file(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _customers(sqlite_db)
    url = sqlite_db.url
    monkeypatch.setenv(ENV_USER, "owner.anna")
    assert (
        _run(capsys, "users", "add", "bob", "--role", "agent", "--name", "Bob", "--db", url)[0] == 0
    )
    code, out, err = _run(
        capsys, "users", "add", "knu.a", "--role", "partner", "--partner", "KNU-A", "--db", url
    )
    assert code == 0, err
    code, out, _err = _run(capsys, "users", "list", "--json", "--db", url)
    assert code == 0
    listed = {u["login"]: u for u in json.loads(out)["users"]}
    assert listed["bob"] == {
        "login": "bob",
        "name": "Bob",
        "role": "agent",
        "partner": None,
        "active": True,
    }
    assert listed["knu.a"]["partner"] == "KNU-A"
    # A partner's user needs its partner; a bad login is bad input (exit 2).
    assert _run(capsys, "users", "add", "knu.x", "--role", "partner", "--db", url)[0] == 2
    assert _run(capsys, "users", "add", "bad login", "--role", "agent", "--db", url)[0] == 2

    # Bob is an agent: he may not manage users (exit 4, one line naming him).
    monkeypatch.setenv(ENV_USER, "bob")
    code, _out, err = _run(capsys, "users", "add", "carl", "--role", "agent", "--db", url)
    assert code == 4 and "bob" in err and len(err.strip().splitlines()) == 1
    assert _run(capsys, "users", "list", "--db", url)[0] == 4

    # An unknown login: exit 4 and the command that adds it.
    monkeypatch.setenv(ENV_USER, "mallory")
    code, _out, err = _run(capsys, "history", "list", "C-A1", "--db", url)
    assert code == 4 and "agent-assist users add mallory" in err

    monkeypatch.setenv(ENV_USER, "owner.anna")
    assert _run(capsys, "users", "disable", "bob", "--db", url)[0] == 0
    monkeypatch.setenv(ENV_USER, "bob")
    assert _run(capsys, "history", "list", "C-A1", "--db", url)[0] == 4


def test_history_add_and_list(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _customers(sqlite_db)
    url = sqlite_db.url
    monkeypatch.setenv(ENV_USER, "owner.anna")
    assert _run(capsys, "users", "add", "bob", "--role", "agent", "--db", url)[0] == 0
    assert _run(capsys, "users", "add", "adm", "--role", "admin", "--db", url)[0] == 0
    assert (
        _run(
            capsys, "users", "add", "knu.b", "--role", "partner", "--partner", "KNU-B", "--db", url
        )[0]
        == 0
    )
    monkeypatch.setenv(ENV_USER, "bob")
    code, out, err = _run(
        capsys, "history", "add", "079 555 65 11", "--text", "Rückruf", "--db", url
    )
    assert code == 0, err
    entry_id = uuid.UUID(out.strip())
    _run(capsys, "history", "add", "C-A1", "--text", "Zweiter Anruf", "--db", url)
    code, out, _err = _run(capsys, "history", "list", "Kunde A", "--json", "--db", url)
    assert code == 0
    listed = json.loads(out)
    assert listed["customer_no"] == "C-A1"
    entries = listed["entries"]
    assert [e["text"] for e in entries] == ["Zweiter Anruf", "Rückruf"]  # newest first
    assert set(entries[0]) == {"id", "created_at", "author", "kind", "text", "origin", "hash"}
    assert entries[1]["id"] == str(entry_id) and entries[1]["author"] == "bob"
    assert entries[1]["kind"] == "note" and len(entries[1]["hash"]) == 64
    assert entries[0]["created_at"].endswith("Z")

    # An admin may read but not record; a partner sees only its own partner's customers.
    monkeypatch.setenv(ENV_USER, "adm")
    assert _run(capsys, "history", "add", "C-A1", "--text", "x", "--db", url)[0] == 4
    assert _run(capsys, "history", "list", "C-A1", "--db", url)[0] == 0
    monkeypatch.setenv(ENV_USER, "knu.b")
    assert _run(capsys, "history", "add", "C-B1", "--text", "x", "--db", url)[0] == 4
    code, out, _err = _run(capsys, "history", "list", "C-A1", "--json", "--db", url)
    assert code != 0 and "Rückruf" not in out
    with sqlite_db.transaction() as session:
        assert session.scalar(select(HistoryEntry.id).where(HistoryEntry.text == "x")) is None


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def made_logins(pg_db: Database) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    with pg_db.engine.begin() as conn:
        for login in made:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                {"u": login},
            )
            conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))


def _groups(pg_db: Database, login: str) -> set[str]:
    with pg_db.engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                    "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :u"
                ),
                {"u": login},
            ).scalars()
        )


@pytest.mark.postgres
def test_users_add_on_the_server_creates_a_login_in_its_group(
    pg_db: Database, made_logins: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _customers(pg_db)
    agent, partner, admin = (f"aa_u_{uuid.uuid4().hex[:8]}_{r}" for r in ("ag", "pa", "ad"))
    made_logins.extend([agent, partner, admin])
    url = pg_db.url
    assert _run(capsys, "users", "add", agent, "--role", "agent", "--db", url)[0] == 0
    code, _out, err = _run(
        capsys, "users", "add", partner, "--role", "partner", "--partner", "KNU-A", "--db", url
    )
    assert code == 0, err
    assert _groups(pg_db, agent) == {"agent_assist_agent"}
    assert _groups(pg_db, partner) == {"agent_assist_partner"}
    with pg_db.transaction() as session:
        row = session.scalar(select(User).where(User.login == partner))
        assert row is not None and row.active and row.role == "partner"

    # The new login connects and works as itself.
    with psycopg.connect(_conninfo(pg_db, partner)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (partner,)
        assert conn.execute("SELECT customer_no FROM customers").fetchall() == [("C-A1",)]

    # A changed role moves the login to exactly the new group.
    assert _run(capsys, "users", "add", agent, "--role", "supervisor", "--db", url)[0] == 0
    assert _groups(pg_db, agent) == {"agent_assist_supervisor"}

    # An admin's login may add the next users itself (CREATEROLE); an agent's may not.
    assert _run(capsys, "users", "add", admin, "--role", "admin", "--db", url)[0] == 0
    from tests.store.test_guards import _login_url

    as_admin = _login_url(pg_db, admin)
    helper = f"aa_u_{uuid.uuid4().hex[:8]}_x"
    made_logins.append(helper)
    code, _out, err = _run(capsys, "users", "add", helper, "--role", "agent", "--db", as_admin)
    assert code == 0, err
    assert _groups(pg_db, helper) == {"agent_assist_agent"}
    code, _out, err = _run(
        capsys, "users", "add", "aa_never", "--role", "agent", "--db", _login_url(pg_db, helper)
    )
    assert code == 4
    with pg_db.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = 'aa_never'")).first() is None
        )

    # Disabled: the row stays, the login can no longer log in.
    assert _run(capsys, "users", "disable", helper, "--db", as_admin)[0] == 0
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_conninfo(pg_db, helper)).close()


@pytest.mark.postgres
def test_a_password_reaches_the_server_only_as_its_scram_verifier(
    pg_db: Database, made_logins: list[str]
) -> None:
    login = f"aa_u_{uuid.uuid4().hex[:8]}_pw"
    made_logins.append(login)
    users.add_user(pg_db, login, "agent", password="Geheim-123")
    with pg_db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT rolpassword FROM pg_authid WHERE rolname = :u"), {"u": login}
        ).scalar_one()
    assert stored.startswith("SCRAM-SHA-256$") and "Geheim-123" not in stored


@pytest.mark.postgres
def test_the_user_on_the_server_is_the_login(pg_db: Database, made_logins: list[str]) -> None:
    from tests.store.test_guards import _login_url

    _customers(pg_db)
    login = f"aa_u_{uuid.uuid4().hex[:8]}_who"
    made_logins.append(login)
    users.add_user(pg_db, login, "partner", partner_code="KNU-B", display_name="KNU B")
    db = Database(_login_url(pg_db, login))
    try:
        who = identity.current(db)
        assert (who.login, who.role, who.partner_code, who.owner) == (
            login,
            "partner",
            "KNU-B",
            False,
        )
    finally:
        db.dispose()
    assert identity.current(pg_db).owner  # the test's superuser: the schema's owner


def test_history_errors_carry_numbers_not_names_or_phone_numbers(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _customers(sqlite_db)
    url = sqlite_db.url
    code, _out, err = _run(capsys, "history", "list", "+41 79 123 45 67", "--db", url)
    assert code == 2 and "+41 79 *** ** 67" in err and "123 45" not in err
    code, _out, err = _run(capsys, "history", "list", "Kunde", "--db", url)
    assert code == 2 and "C-A1" in err and "C-B1" in err
    assert "Kunde A" not in err and "Kunde B" not in err
