"""Shared fixtures: offscreen Qt, isolated settings, real SQLite and PostgreSQL.

The PostgreSQL tests talk to the real server on 127.0.0.1:5432 (override with
``AGENT_ASSIST_TEST_PG``). One scratch database is created per test session
and emptied between tests; it is dropped at the end.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The log file of commands and windows the tests start goes to a throw-away folder.
os.environ.setdefault("AGENT_ASSIST_LOG_DIR", tempfile.mkdtemp(prefix="agent-assist-test-logs-"))
# Never the machine's own credential store: a store that keeps nothing (tests that need
# one install an in-memory store, tests/test_users_credentials.py).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import gc
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.store.db import Database, make_engine, truncate_all
from app.store.models import Base

PG_ADMIN_URL = os.environ.get(
    "AGENT_ASSIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own data and config folders and default language."""
    from app import config, i18n

    monkeypatch.setenv(config.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(config.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.delenv(config.ENV_DB, raising=False)
    monkeypatch.delenv(config.ENV_SITE_CONFIG, raising=False)
    monkeypatch.delenv(config.ENV_AGENT_NAME, raising=False)
    config.settings.cache_clear()
    language = i18n.ui_language()
    yield
    i18n.set_ui_language(language)
    config.settings.cache_clear()


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """As in the window (app/ui/gc_guard.py): a test with Qt never collects on a worker.

    A worker thread that happens to trigger the cycle collector while Qt
    objects are garbage would delete them off the GUI thread and crash.
    """
    if not {"qtbot", "qapp", "gui_app"} & set(request.fixturenames):
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if enabled:
        gc.enable()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite file, copied for each test (faster than migrating)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.dispose()
    return path


@pytest.fixture
def sqlite_db(_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "agent-assist.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def _pg_url() -> Iterator[str]:
    admin = make_url(PG_ADMIN_URL)
    name = f"agent_assist_test_{uuid.uuid4().hex[:10]}"
    admin_engine = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    Database(url, migrate=True).dispose()  # migrate once
    yield url
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture
def pg_db(_pg_url: str) -> Iterator[Database]:
    db = Database(_pg_url)
    yield db
    with db.engine.begin() as conn:  # as superuser: past the append-only tables' guards
        truncate_all(conn, [t.name for t in Base.metadata.sorted_tables])
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The same test on both engines the product supports."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    return request.getfixturevalue(fixture)
