"""A new version upgrades a desktop's database of the previous release without losing a row.

The fixture ``tests/data/upgrade/release-0003.sql`` holds two rows in every
table of schema 0003; applied to a SQLite file migrated to 0003 it is the
database an agent has when the new version starts for the first time. The
start takes a copy first, keeps it until the next successful start, and puts
it back when a migration fails.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from app.store import backup as backup_module
from app.store.db import Database, DatabaseError, current_revision, head_revision, make_engine
from app.store.db import upgrade as real_upgrade

PREVIOUS_RELEASE = "0003"
FIXTURE = Path(__file__).parent / "data" / "upgrade" / f"release-{PREVIOUS_RELEASE}.sql"


def _previous_release_database(path: Path) -> str:
    url = f"sqlite:///{path.as_posix()}"
    engine = make_engine(url)
    real_upgrade(engine, PREVIOUS_RELEASE)
    engine.dispose()
    with sqlite3.connect(path) as con:
        con.executescript(FIXTURE.read_text(encoding="utf-8"))
    con.close()
    return url


def _rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (except Alembic's), by table, as column -> value."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name != "alembic_version"
        ]
        return {t: [dict(r) for r in con.execute(f'SELECT * FROM "{t}"')] for t in tables}
    finally:
        con.close()


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.before-*.bak"))


def test_the_fixture_fills_every_table_of_the_previous_release(tmp_path: Path) -> None:
    path = tmp_path / "agent-assist.sqlite3"
    _previous_release_database(path)
    before = _rows(path)
    assert before
    assert all(len(rows) == 2 for rows in before.values()), {t: len(r) for t, r in before.items()}


def test_upgrading_the_previous_release_keeps_every_row_and_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "agent-assist.sqlite3"
    url = _previous_release_database(path)
    before = _rows(path)

    db = Database(url)  # what the program does on start
    assert current_revision(db.engine) == head_revision()
    db.dispose()

    after = _rows(path)
    for table, rows in before.items():
        assert table in after, f"{table} is gone"
        assert len(after[table]) == len(rows), table
        for row in rows:  # every old value is still there (new columns may have been added)
            assert any(all(new.get(k) == v for k, v in row.items()) for new in after[table]), (
                table,
                row,
            )
    (copy,) = _backups(path)
    assert copy.name == f"agent-assist.sqlite3.before-{PREVIOUS_RELEASE}.bak"
    assert _rows(copy) == before  # the copy is the old database, exactly

    Database(url).dispose()  # the next successful start lets it go
    assert _backups(path) == []


def test_a_failed_upgrade_restores_the_database_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "agent-assist.sqlite3"
    url = _previous_release_database(path)
    before = _rows(path)

    def half_way_then_fail(engine: Any, revision: str = "head") -> None:
        real_upgrade(engine, "0004")  # one migration went through ...
        with engine.begin() as conn:  # ... and the next one broke things before failing
            conn.exec_driver_sql("DELETE FROM customer_search_terms")
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr("app.store.db.upgrade", half_way_then_fail)
    caplog.set_level(logging.INFO, logger=backup_module.__name__)
    with pytest.raises(DatabaseError) as raised:
        Database(url)
    message = str(raised.value)
    assert "restored" in message
    assert "disk I/O error" in message
    assert head_revision() in message

    assert _rows(path) == before
    engine = make_engine(url)
    assert current_revision(engine) == PREVIOUS_RELEASE
    assert inspect(engine).has_table("customers")
    engine.dispose()
    assert "restored" in caplog.text

    monkeypatch.setattr("app.store.db.upgrade", real_upgrade)
    Database(url).dispose()  # the next start upgrades for real
    assert len(_rows(path)["customers"]) == 2


def test_a_new_database_needs_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Database(f"sqlite:///{path.as_posix()}").dispose()
    assert _backups(path) == []
