"""The fault tests' proxy forwards, cuts, partitions, stalls, delays, loses a COMMIT's answer."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.store.db import Database
from tests.sync.proxy import PgProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy() -> Iterator[PgProxy]:
    made = PgProxy()
    yield made
    made.close()


@pytest.fixture
def probe(pg_db: Database) -> Iterator[tuple[str, str]]:
    """A scratch table (name) and a direct conninfo to its database."""
    url = make_url(pg_db.url)
    direct = f"host={url.host} port={url.port or 5432} dbname={url.database} user={url.username}"
    table = f"proxy_probe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
    yield table, direct
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute(f"DROP TABLE {table}")


def _through(proxy: PgProxy, direct: str) -> str:
    return direct.replace("port=5432", f"port={proxy.port}") + " connect_timeout=2"


def test_forwards_and_cuts(proxy: PgProxy, probe: tuple[str, str]) -> None:
    _table, direct = probe
    conn = psycopg.connect(_through(proxy, direct))
    assert conn.execute("SELECT 41 + 1").fetchone() == (42,)
    assert proxy.open_connections == 1
    proxy.cut()
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    conn.close()
    with psycopg.connect(_through(proxy, direct)) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_partition_refuses_until_healed(proxy: PgProxy, probe: tuple[str, str]) -> None:
    _table, direct = probe
    open_before = psycopg.connect(_through(proxy, direct))
    proxy.partition()
    with pytest.raises(psycopg.OperationalError):
        open_before.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_through(proxy, direct))
    assert proxy.refused >= 1
    proxy.heal()
    with psycopg.connect(_through(proxy, direct)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_stall_holds_bytes_and_delay_slows(proxy: PgProxy, probe: tuple[str, str]) -> None:
    _table, direct = probe
    conn = psycopg.connect(_through(proxy, direct))
    proxy.stall()
    answered = threading.Event()

    def ask() -> None:
        conn.execute("SELECT 1")
        answered.set()

    asker = threading.Thread(target=ask)
    asker.start()
    assert not answered.wait(0.4)  # held
    proxy.release()
    assert answered.wait(5)
    asker.join()

    proxy.set_delay(0.3)
    started = time.monotonic()
    conn.execute("SELECT 1")
    assert time.monotonic() - started >= 0.6  # one chunk each way
    proxy.heal()
    started = time.monotonic()
    conn.execute("SELECT 1")
    assert time.monotonic() - started < 0.3
    conn.close()


def test_lost_acknowledgement_commits_on_the_server(proxy: PgProxy, probe: tuple[str, str]) -> None:
    table, direct = probe
    conn = psycopg.connect(_through(proxy, direct))
    proxy.lose_ack(when=b"INSERT")
    conn.execute("SELECT 1")
    conn.commit()  # a transaction without an INSERT keeps its answer
    assert proxy.lost_acks == 0
    conn.execute(f"INSERT INTO {table} VALUES (%s)", (1,))
    with pytest.raises(psycopg.OperationalError):
        conn.commit()  # the client never hears that it committed ...
    conn.close()
    assert proxy.lost_acks == 1 and proxy.pending_lost_acks == 0
    with psycopg.connect(direct) as check:  # ... but the server did
        assert check.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)
    # Disarmed: the next commit is answered.
    with psycopg.connect(_through(proxy, direct)) as conn2:
        conn2.execute(f"INSERT INTO {table} VALUES (2)")
        conn2.commit()
    assert proxy.lost_acks == 1
