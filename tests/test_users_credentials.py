"""The shared server's password lives in the operating system's credential store.

The tests install an in-memory keyring backend (never the machine's real
store); the settings file holds no secret, and ``sslmode`` travels in the
URL's query to the driver.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import config
from app.store.db import Database


class MemoryKeyring(KeyringBackend):
    """A credential store that forgets everything when the test ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


URL = "postgresql+psycopg://anna:Ge%3Aheim%40x@db.example:5433/agent_assist?sslmode=verify-full"


def test_a_password_goes_to_the_credential_store_never_to_the_settings(
    memory_keyring: MemoryKeyring,
) -> None:
    config.save_user_settings(db_url=URL)
    saved = json.loads(config.settings_file().read_text(encoding="utf-8"))
    assert "Ge:heim@x" not in json.dumps(saved) and "Ge%3Aheim" not in json.dumps(saved)
    assert memory_keyring.kept == {
        ("agent-assist", "anna@db.example:5433/agent_assist"): "Ge:heim@x"
    }
    # The next start finds it there: the URL in effect carries it, and sslmode stays.
    resolved = make_url(config.resolve_db_url())
    assert resolved.password == "Ge:heim@x"
    assert resolved.query["sslmode"] == "verify-full"
    assert make_url(saved["db_url"]).query["sslmode"] == "verify-full"


def test_a_url_with_its_own_password_or_for_sqlite_is_left_as_it_is(
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.set_password("agent-assist", "anna@db.example:5432/aa", "kept")
    given = "postgresql+psycopg://anna:other@db.example/aa"
    assert config.resolve_db_url(given) == given
    assert make_url(config.resolve_db_url("postgresql+psycopg://anna@db.example/aa")).password == (
        "kept"
    )
    assert config.resolve_db_url("sqlite:///x.sqlite3") == "sqlite:///x.sqlite3"


def test_without_a_credential_store_the_url_is_used_as_given() -> None:
    """A machine without a store (a server, CI): no crash, .pgpass or single sign-on serve."""
    from keyring.backends.fail import Keyring as NoKeyring

    before = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        given = "postgresql+psycopg://anna@db.example/aa"
        assert config.resolve_db_url(given) == given
        assert config.store_password("postgresql+psycopg://anna:pw@db.example/aa") is False
    finally:
        keyring.set_keyring(before)


@pytest.mark.postgres
def test_sslmode_reaches_the_driver(pg_db: Database) -> None:
    """The test server speaks no TLS: ``disable`` connects, ``require`` is refused by the driver."""
    with Database(pg_db.url).engine.connect() as conn:
        if conn.execute(text("SHOW ssl")).scalar() != "off":
            pytest.skip("the test server speaks TLS")
    for mode, connects in (("disable", True), ("require", False)):
        url = make_url(pg_db.url).update_query_dict({"sslmode": mode})
        engine = Database(url.render_as_string(hide_password=False), migrate=False).engine
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            assert connects, mode
        except OperationalError as exc:
            assert not connects and "SSL" in str(exc.orig), mode
        finally:
            engine.dispose()
