"""Fixtures of the branch sync fault tests: a fresh server, its logins, a proxy, branch replicas.

* ``sync_server``: a fresh PostgreSQL database per test (copied from a
  migrated template made once per session), with two partners (``KNU-A``,
  ``KNU-B``) and four customers each; dropped afterwards.
* ``server_logins``: login roles on the server (unique per test, dropped
  afterwards): an agent and one partner login per partner, each with its
  ``users`` row; more with :meth:`ServerLogins.add`.
* ``proxy``: :class:`tests.sync.proxy.PgProxy` in front of the server.
* ``make_branch``: a branch replica (a new SQLite file) configured with the
  server's URL through the proxy as one login, synced once.

The long fault tests are marked ``slow`` (CI runs them; ``-m "not slow"``
leaves them out on a developer's machine).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.store.db import Database, make_engine
from tests.conftest import PG_ADMIN_URL
from tests.sync.harness import (
    Branch,
    Server,
    ServerLogins,
    create_server,
    drop_server,
    open_branch,
)
from tests.sync.proxy import PgProxy


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long fault test of branch sync (minutes)")


@pytest.fixture(scope="session")
def _sync_template() -> Iterator[str]:
    """A migrated database that each sync test's server database is copied from."""
    name = f"aa_sync_tpl_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    Database(url, migrate=True).dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sync_server(_sync_template: str) -> Iterator[Server]:
    server = create_server(_sync_template)
    yield server
    drop_server(server)


@pytest.fixture
def server_logins(sync_server: Server) -> Iterator[ServerLogins]:
    logins = ServerLogins(sync_server)
    logins.add("agent", key="agent")
    for code in sync_server.partners:
        logins.add("partner", key=code, partner_code=code)
    yield logins
    logins.drop()


@pytest.fixture
def proxy() -> Iterator[PgProxy]:
    made = PgProxy()
    yield made
    made.close()


@pytest.fixture
def make_branch(
    sync_server: Server, server_logins: ServerLogins, proxy: PgProxy, tmp_path: Path
) -> Iterator[Callable[..., Branch]]:
    """``make_branch(key="agent")``: a new synced replica signing as ``server_logins[key]``."""
    made: list[Branch] = []

    def make(key: str = "agent", *, sync: bool = True) -> Branch:
        login = server_logins[key]
        path = tmp_path / f"branch-{len(made)}-{key}.sqlite3"
        branch = open_branch(
            path,
            login=login,
            server_url=proxy.url(sync_server.url, login),
            partner_code=server_logins.partner_of(key),
            sync=sync,
        )
        made.append(branch)
        return branch

    yield make
    proxy.heal()
    for branch in made:
        with contextlib.suppress(Exception):
            branch.db.dispose()
