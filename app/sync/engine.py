"""The branch sync's use cases: make a replica a branch, sync it, say how it stands.

One sync at a time per replica: a lock file next to the replica serialises
the window's background sync and ``agent-assist sync now`` (a killed process
releases it). The server is reached only from here, never on the GUI thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError

from app.i18n import _
from app.services.errors import ValidationError
from app.store.db import Database, describe_url
from app.store.models import AppMeta
from app.store.sync_tables import PENDING, REJECTED, SyncOutbox
from app.store.types import utcnow
from app.sync import rows as spec
from app.sync.server import (
    CURSOR_KEY,
    LAST_FULL_KEY,
    LAST_SYNC_KEY,
    ONLINE_KEY,
    SERVER_KEY,
    NotABranchError,
    ReplicaNotWritableError,
    ServerUnreachableError,
    SyncError,
    SyncRefusedError,
    check_schema,
    is_line_error,
    remember_password,
    server_engine,
    translate,
)

#: How often a sync also reconciles every table's ids (and the history's hashes) with the server.
FULL_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class SyncResult:
    """What one sync did: rows sent, rows received, and how the outbox stands after it."""

    pushed: int
    pulled: int
    #: Rows the server refused, in the outbox (shown to the agent until dealt with).
    rejected: int
    #: Rows still waiting to be sent.
    pending: int

    def as_json(self) -> dict[str, int]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "rejected": self.rejected,
            "pending": self.pending,
        }


@dataclass(frozen=True)
class SyncStatus:
    """How a database stands: its mode, whether the server answers, the outbox, the last sync."""

    #: ``desktop``, ``connected`` or ``branch`` (MULTIUSER.md).
    mode: str
    online: bool
    pending: int
    rejected: int
    last_sync: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "online": self.online,
            "pending": self.pending,
            "rejected": self.rejected,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
        }


# --- the replica --------------------------------------------------------------------------


@contextlib.contextmanager
def local_write(replica: Database) -> Iterator[Connection]:
    """One write transaction on the replica; a full disk or a read-only file is a clear error."""
    try:
        with replica.engine.begin() as conn:
            yield conn
    except OperationalError as exc:
        message = str(exc.orig).lower()
        if "full" in message or "readonly" in message or "read-only" in message:
            raise ReplicaNotWritableError(
                _(
                    "the branch database {database} cannot be written ({reason}): nothing "
                    "was lost, the sync is repeated once there is room or write access"
                ).format(database=replica.description(), reason=exc.orig)
            ) from exc
        if "locked" in message or "busy" in message:
            raise SyncError(
                _(
                    "the branch database {database} is busy: nothing was lost, the sync "
                    "is repeated in a moment"
                ).format(database=replica.description())
            ) from exc
        raise


def _meta(conn: Connection, key: str) -> str | None:
    return conn.scalar(select(AppMeta.value).where(AppMeta.key == key))


def _set_meta(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(spec.table("app_meta")).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def server_url(replica: Database) -> str | None:
    """The server a branch replica syncs with (no password); None: not a branch."""
    return _branch_server(replica)


def _branch_server(replica: Database) -> str | None:
    if replica.dialect != "sqlite":
        return None
    with replica.engine.connect() as conn:
        return _meta(conn, SERVER_KEY)


def _require_branch(replica: Database) -> str:
    url = server_url(replica)
    if not url:
        raise NotABranchError(
            _("{database} is not a branch: 'agent-assist sync configure URL' makes it one").format(
                database=replica.description()
            )
        )
    return url


@contextlib.contextmanager
def _sync_lock(replica: Database) -> Iterator[None]:
    """Hold this replica's sync lock (waits for a sync already running)."""
    database = replica.engine.url.database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).with_name(Path(database).name + ".sync-lock")
    with open(path, "a+b") as handle:
        _lock_file(handle)
        try:
            yield
        finally:
            _unlock_file(handle)


def _lock_file(handle: IO[bytes]) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt
        import time

        while True:
            try:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                return
            except OSError:
                time.sleep(0.2)
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _unlock_file(handle: IO[bytes]) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _counts(replica: Database) -> tuple[int, int]:
    with replica.engine.connect() as conn:
        counts = dict(
            conn.execute(
                select(SyncOutbox.state, func.count(func.distinct(SyncOutbox.row_id))).group_by(
                    SyncOutbox.state
                )
            ).all()
        )
    return int(counts.get(PENDING, 0)), int(counts.get(REJECTED, 0))


# --- the use cases ----------------------------------------------------------------------------


def configure(replica: Database, server_url: str) -> None:
    """Make the SQLite ``replica`` a branch of the server at ``server_url``, then pull everything.

    The URL is kept without its password; a password in it is kept in this
    process and in the operating system's credential store (see
    :mod:`app.sync.server`). A file that already holds work recorded as a
    desktop is refused: that work belongs to no server login.
    """
    from app.config import store_password, url_without_password
    from app.store.db import DatabaseError, parse_db_url

    if replica.dialect != "sqlite":
        raise ValidationError(
            _("only a SQLite file becomes a branch; {database} is the server itself").format(
                database=replica.description()
            )
        )
    try:
        parsed = parse_db_url(server_url)
    except DatabaseError as exc:
        raise ValidationError(str(exc)) from None
    if parsed.get_backend_name() != "postgresql":
        raise ValidationError(
            _("a branch syncs with a PostgreSQL server, not {url}").format(
                url=describe_url(server_url)
            )
        )
    plain, had_password = url_without_password(server_url)
    if had_password and parsed.password:
        remember_password(plain, str(parsed.password))
        store_password(server_url)
    with _sync_lock(replica):
        current = _branch_server(replica)
        if not current:
            _refuse_recorded_work(replica)
        engine = server_engine(plain)
        try:
            with engine.connect() as conn:
                check_schema(conn)
        except DBAPIError as exc:
            raise _classify(exc, plain) from None
        finally:
            engine.dispose()
        with local_write(replica) as conn:
            _set_meta(conn, SERVER_KEY, plain)
            if current != plain:
                conn.execute(delete(AppMeta).where(AppMeta.key == CURSOR_KEY))
        _run(replica, plain, full=True)


def _refuse_recorded_work(replica: Database) -> None:
    with replica.engine.connect() as conn:
        for table_name in spec.PUSHED:
            if conn.scalar(select(spec.table(table_name).c.id).limit(1)) is not None:
                raise ValidationError(
                    _(
                        "{database} already holds work recorded on this desktop, which belongs "
                        "to no server login: make a new file the branch (--db sqlite:///branch.db)"
                    ).format(database=replica.description())
                )


def sync_now(replica: Database) -> SyncResult:
    """Push the outbox, then pull what changed (:class:`ServerUnreachableError`: offline)."""
    url = _require_branch(replica)
    with _sync_lock(replica):
        with replica.engine.connect() as conn:
            last_full = _meta(conn, LAST_FULL_KEY)
        due = last_full is None or utcnow() - datetime.fromisoformat(last_full) > FULL_EVERY
        pushed, pulled = _run(replica, url, reconcile=due)
    pending, rejected = _counts(replica)
    return SyncResult(pushed=pushed, pulled=pulled, rejected=rejected, pending=pending)


def _run(
    replica: Database, url: str, *, full: bool = False, reconcile: bool = False
) -> tuple[int, int]:
    from app.sync.pull import pull
    from app.sync.push import push

    engine = server_engine(url)
    try:
        outcome = push(replica, engine)
        pulled = pull(replica, engine, full=full, reconcile=reconcile)
    except DBAPIError as exc:
        if isinstance(exc.orig, sqlite3.Error):  # the replica's own error, not the line's
            raise
        if is_line_error(exc) or isinstance(exc, OperationalError):
            _record_online(replica, False)
        raise _classify(exc, url) from None
    finally:
        engine.dispose()
    with local_write(replica) as conn:
        _set_meta(conn, LAST_SYNC_KEY, utcnow().isoformat())
        _set_meta(conn, ONLINE_KEY, "1")
    return outcome.pushed, pulled


def _classify(exc: DBAPIError, url: str) -> Exception:
    """The sync error a driver error means: offline, refused, or (a bug) itself."""
    if is_line_error(exc) or isinstance(exc, OperationalError):
        return translate(exc, url)
    from app.sync.push import _transient

    if _transient(exc):
        return ServerUnreachableError(
            _(
                "the server {server} was busy ({reason}): everything recorded stays here "
                "and is sent with the next sync"
            ).format(server=describe_url(url), reason=str(exc.orig).splitlines()[0])
        )
    if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient privilege
        return SyncRefusedError(
            _("the server refused the branch's login: {reason}").format(
                reason=str(exc.orig).splitlines()[0]
            )
        )
    return exc


def _record_online(replica: Database, online: bool) -> None:
    with contextlib.suppress(SyncError, DBAPIError), local_write(replica) as conn:
        _set_meta(conn, ONLINE_KEY, "1" if online else "0")


def status(replica: Database, *, probe: bool = True) -> SyncStatus:
    """How ``replica`` stands; ``probe`` asks the server whether it answers (seconds at most)."""
    if replica.dialect != "sqlite":
        online = True
        if probe:
            try:
                with replica.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except DBAPIError:
                online = False
        return SyncStatus("connected", online, 0, 0, None)
    url = server_url(replica)
    if not url:
        return SyncStatus("desktop", False, 0, 0, None)
    pending, rejected = _counts(replica)
    with replica.engine.connect() as conn:
        last = _meta(conn, LAST_SYNC_KEY)
        online = _meta(conn, ONLINE_KEY) == "1"
    if probe:
        engine = server_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            online = True
        except DBAPIError:
            online = False
        finally:
            engine.dispose()
        _record_online(replica, online)
    return SyncStatus(
        mode="branch",
        online=online,
        pending=pending,
        rejected=rejected,
        last_sync=datetime.fromisoformat(last) if last else None,
    )
