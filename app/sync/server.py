"""The branch's line to the shared server: where it is, its password, its schema.

The replica keeps the server's URL **without** its password in ``app_meta``
(``sync_server``). The password is found, in this order:

1. ``AGENT_ASSIST_SYNC_PASSWORD`` (scripts, services, tests in other processes);
2. the password given in the URL to :func:`app.sync.configure` in this
   process (kept in memory only);
3. the operating system's credential store, where ``configure`` put it
   (:func:`app.config.store_password`, as for a connected desktop);
4. none: PostgreSQL's own ``.pgpass``, single sign-on or trust serve.

A server that cannot be reached is :class:`ServerUnreachableError`; a server whose
schema is not this program's is :class:`SchemaMismatchError` (nothing is sent).
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import NullPool

from app.i18n import _
from app.services.errors import ServiceError

#: The password of the branch's server login, for processes that have no credential store.
ENV_PASSWORD = "AGENT_ASSIST_SYNC_PASSWORD"
#: ``app_meta`` keys of a branch replica.
SERVER_KEY = "sync_server"
CURSOR_KEY = "sync_cursor"
LAST_SYNC_KEY = "sync_last"
LAST_FULL_KEY = "sync_last_full"
ONLINE_KEY = "sync_online"
APPLYING_KEY = "sync_applying"
#: "1" when the branch's login sees only a partner's part (read by ``history verify``).
PARTIAL_KEY = "sync_partial"

#: Seconds one exchange with the server may take (env ``AGENT_ASSIST_SYNC_TIMEOUT``).
ENV_TIMEOUT = "AGENT_ASSIST_SYNC_TIMEOUT"
DEFAULT_TIMEOUT = 30.0

_passwords: dict[str, str] = {}
_passwords_lock = threading.Lock()


class SyncError(ServiceError):
    """The sync could not be carried out (base of the errors below)."""


class ServerUnreachableError(SyncError):
    """The server cannot be reached now; everything recorded stays queued."""


class SchemaMismatchError(SyncError):
    """The server's schema is not this program's: nothing is sent."""


class SyncRefusedError(SyncError):
    """The server refused the branch's login (unknown login, wrong password, no right)."""


class NotABranchError(SyncError):
    """The database is not a branch replica (``sync configure`` makes it one)."""


class ReplicaNotWritableError(SyncError):
    """The replica file cannot be written (disk full, read-only): nothing was lost."""


#: Short names (the brief's interface).
ServerUnreachable = ServerUnreachableError
SchemaMismatch = SchemaMismatchError


def remember_password(url_without_password: str, password: str) -> None:
    """Keep ``password`` for ``url_without_password`` in this process's memory."""
    with _passwords_lock:
        _passwords[url_without_password] = password


def url_with_password(url: str) -> str:
    """The stored (password-free) ``url`` with the password found for it, if any."""
    from app.config import stored_password_url

    parsed = make_url(url)
    if parsed.password:
        return url
    password = os.environ.get(ENV_PASSWORD)
    if not password:
        with _passwords_lock:
            password = _passwords.get(url)
    if password:
        return parsed.set(password=password).render_as_string(hide_password=False)
    return stored_password_url(url)


def server_engine(url: str) -> Engine:
    """An engine for the server: no pool (one sync, one connection), short timeouts.

    A line that dies is noticed within about half a minute (TCP keepalives while
    waiting, ``tcp_user_timeout`` while sending) and reported as unreachable,
    rather than holding the sync forever.
    """
    from app.store.db import _drop_row_values, parse_db_url

    parsed = parse_db_url(url_with_password(url))
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(
        parsed,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            # Data the server never acknowledges (a cable pulled mid-send): give up after 30 s.
            "tcp_user_timeout": 30_000,
            "application_name": "agent-assist sync",
            "options": "-c idle_in_transaction_session_timeout=120000",
        },
    )
    event.listen(engine, "handle_error", _drop_row_values)
    event.listen(engine, "do_connect", _connect_with_deadline)
    return engine


def timeout_seconds() -> float:
    """How long one exchange with the server may take before the line counts as dead."""
    try:
        return float(os.environ.get(ENV_TIMEOUT) or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


def _connect_with_deadline(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    """A psycopg connection whose every exchange has a deadline.

    A line that hangs with TCP still up (a proxy or a middlebox holding the
    bytes, a stuck server) would hold the sync, and the replica's sync lock,
    forever: neither keepalives nor TCP timeouts see it. Every wait on the
    server (a statement, a fetch, a COPY, the COMMIT) gives up after
    :func:`timeout_seconds`; the connection is closed and the sync reports the
    server unreachable, everything kept for the next sync.
    """
    conn = _deadline_class().connect(*cargs, **cparams)
    conn.deadline = timeout_seconds()
    return conn


@cache
def _deadline_class() -> Any:
    import psycopg
    from psycopg import errors

    class DeadlineConnection(psycopg.Connection):  # type: ignore[type-arg]
        deadline = DEFAULT_TIMEOUT

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            try:
                return super().wait(gen, interval=interval, timeout=timeout or self.deadline)
            except errors._WaitTimeout:
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the server did not answer within {self.deadline:g} s"
                ) from None

    return DeadlineConnection


def is_line_error(exc: BaseException) -> bool:
    """Whether ``exc`` means the line to the server failed (not that it refused something)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return not _is_refusal(exc)
    return False


def _is_refusal(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "authentication failed" in message or ("role" in message and "does not exist" in message)


def translate(exc: BaseException, url: str) -> SyncError:
    """The sync error an exception of the server's driver means."""
    from app.store.db import describe_url

    where = describe_url(url)
    if isinstance(exc, OperationalError | InterfaceError) and _is_refusal(exc):
        return SyncRefusedError(
            _("the server {server} refused the branch's login: {reason}").format(
                server=where, reason=_first_line(exc)
            )
        )
    return ServerUnreachableError(
        _(
            "the server {server} cannot be reached ({reason}): everything recorded "
            "stays here and is sent with the next sync"
        ).format(server=where, reason=_first_line(exc))
    )


def _first_line(exc: BaseException) -> str:
    orig: Any = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def check_schema(conn: Connection) -> None:
    """Refuse a server whose schema version is not this program's (nothing is sent)."""
    from app.store.db import MIGRATIONS_DIR, head_revision

    server = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    mine = head_revision()
    if server == [mine]:
        return
    known = {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("*.py")}
    if server and server[0] in known:
        raise SchemaMismatchError(
            _(
                "the server has schema version {server}, older than this program's {mine}: "
                "nothing was sent; ask IT to run 'agent-assist db upgrade' on the server"
            ).format(server=", ".join(server), mine=mine)
        )
    raise SchemaMismatchError(
        _(
            "the server has schema version {server}, newer than this program's {mine}: "
            "nothing was sent; update Agent Assist on this desktop"
        ).format(server=", ".join(server) or "–", mine=mine)
    )
