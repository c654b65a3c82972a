"""Which database a sub-command works on: ``--demo`` like ``--db`` before or after the
command, and ``db status`` on a database that does not exist yet."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from app.cli import build_parser, main
from app.config import data_dir, default_db_url, demo_db_url, sqlite_file
from app.store.db import Database, downgrade, head_revision

DB_COMMANDS = [
    ["todo", "C-10001"],
    ["worklist", "fair-use"],
    ["letters", "batch"],
    ["db", "status"],
    ["db", "upgrade"],
]


@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_demo_may_stand_before_or_after_every_database_command(command: list[str]) -> None:
    parser = build_parser()
    for argv in (["--demo", *command], [*command, "--demo"]):
        args = parser.parse_args(argv)
        assert args.demo is True and args.uses_db is True, argv
    assert parser.parse_args(command).demo is False


@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_a_command_on_a_demo_database_not_created_yet_says_so_and_creates_nothing(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--demo"]) == 1
    err = capsys.readouterr().err
    assert "has not been created yet" in err and "agent-assist demo" in err
    assert "Traceback" not in err
    assert not data_dir().exists() or not any(data_dir().iterdir())


def test_after_the_demo_is_created_commands_with_demo_see_its_customers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--yes", "--date", "2026-12-06"]) == 0
    assert sqlite_file(demo_db_url()) is not None and sqlite_file(demo_db_url()).is_file()
    capsys.readouterr()
    assert main(["--demo", "todo", "C-10001", "--date", "2026-12-06", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["customer_no"] == "C-10001"
    assert main(["todo", "C-10001", "--demo", "--date", "2026-12-06"]) == 0
    # Without --demo the default database is meant, which has no customers: say so.
    capsys.readouterr()
    assert main(["todo", "C-10001", "--date", "2026-12-06"]) == 1
    err = capsys.readouterr().err
    assert "has no customers yet" in err and "--demo" in err
    assert main(["db", "status", "--demo"]) == 0
    assert f"schema version: {head_revision()}" in capsys.readouterr().out


def test_demo_and_db_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "todo", "C-1", "--db", "sqlite:///elsewhere.sqlite3"]) == 2
    assert "--db and --demo" in capsys.readouterr().err


def test_demo_before_a_command_without_a_database_changes_nothing() -> None:
    args = build_parser().parse_args(["--demo", "playbooks", "check"])
    assert args.uses_db is False


def test_status_of_a_default_database_not_created_yet(capsys: pytest.CaptureFixture[str]) -> None:
    path = sqlite_file(default_db_url())
    assert path is not None and not path.exists()
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert "not created yet" in out and "none" not in out
    assert "agent-assist db upgrade" in out
    assert not path.exists(), "asking for the status must not create the database"
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "status"]) == 0
    assert f"schema version: {head_revision()} (this program: {head_revision()})" in (
        capsys.readouterr().out
    )


def test_status_of_an_empty_or_outdated_desktop_file_says_the_application_upgrades_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{(tmp_path / 'old.sqlite3').as_posix()}"
    db = Database(url)
    downgrade(db.engine, "base")
    db.dispose()
    assert main(["db", "status", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "not created yet" in out and "agent-assist db upgrade" in out


@pytest.mark.postgres
def test_status_of_a_shared_server_without_the_schema_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy import make_url, text

    from app.store.db import make_engine
    from tests.conftest import PG_ADMIN_URL

    name = f"agent_assist_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        assert main(["db", "status", "--db", url]) == 1
        out = capsys.readouterr().out
        assert "not created yet" in out and "run 'agent-assist db upgrade'" in out
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
