"""Engines, migrations and the :class:`Database` handle the services use.

SQLite (the desktop default) runs with WAL, ``synchronous=FULL`` and foreign
keys on; PostgreSQL (the shared call-centre server) with pre-ping so a dropped
connection is noticed before a query fails half-way. Neither engine writes
the values of a statement into its errors or logs (``hide_parameters``): they
hold customers' names and numbers. Both get their schema from the same
Alembic migrations.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.i18n import _

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Tables whose rows are never changed or removed (triggers refuse it on both engines).
GUARDED_TABLES = ("history_entries", "ticket_feedback", "sms_messages", "letters")


class DatabaseError(Exception):
    """The database cannot be used: a bad URL, an unreachable server, an old schema."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # What the agent saw as saved survives a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous=FULL")
    # REPLACE's implicit delete fires the append-only tables' DELETE triggers.
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.close()


def _drop_row_values(context: ExceptionContext) -> None:
    """A PostgreSQL error without its DETAIL, which repeats the row's values.

    ``hide_parameters`` keeps the statement's values out of an error, but the
    server itself writes them into the detail of a refused row ("Failing row
    contains (…, +41791234567, Hans Müller, …)"): names and numbers that must
    not reach a log. The detail stays readable in ``orig.diag`` for whoever debugs.
    """
    orig = context.original_exception
    diag = getattr(orig, "diag", None)
    if diag is None or not getattr(diag, "message_detail", None):
        return
    primary = diag.message_primary or str(orig).splitlines()[0]
    orig.args = (primary,)
    error = context.sqlalchemy_exception
    if error is not None:
        error.args = (f"({type(orig).__module__}.{type(orig).__name__}) {primary}",)


def hide_password(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages; also when malformed)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


#: Drivers this installation has, per database (the first is the default).
DRIVERS = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}


def parse_db_url(url: str) -> URL:
    """``url`` checked: a database and driver this program has, a numeric port.

    Raises :class:`DatabaseError` saying what is wrong; the password never
    appears in the message.
    """
    shown = hide_password(url)
    if "\x00" in url or any(ord(c) < 32 for c in url):
        raise DatabaseError(
            _("not a database URL: {url} (it contains control characters)").format(
                url=shown.encode("unicode_escape").decode("ascii")
            )
        )
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            _(
                "not a database URL: {url} (expected sqlite:///path/file.sqlite3 or "
                "postgresql+psycopg://user:password@host:5432/dbname)"
            ).format(url=shown)
        ) from None
    except ValueError:
        raise DatabaseError(
            _(
                "the database URL {url} has a malformed host or port: the port is a number, "
                "an IPv6 address is written in brackets, such as [::1]:5432"
            ).format(url=shown)
        ) from None
    backend = parsed.get_backend_name()
    if backend not in DRIVERS:
        raise DatabaseError(
            _("unsupported database {backend}: use sqlite or postgresql").format(backend=backend)
        )
    driver = parsed.get_driver_name()
    if "+" in parsed.drivername and driver not in DRIVERS[backend]:
        raise DatabaseError(
            _("unknown database driver {driver} in {url}: use {expected}").format(
                driver=driver,
                url=shown,
                expected=" or ".join(f"{backend}+{d}" for d in DRIVERS[backend]),
            )
        )
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DatabaseError(
            _("the database URL {url} has port {port}: a port is from 1 to 65535").format(
                url=shown, port=parsed.port
            )
        )
    return parsed


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings the app relies on."""
    parsed = parse_db_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(
        parsed, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 5}
    )
    event.listen(engine, "handle_error", _drop_row_values)
    return engine


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creating it in an empty database)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` removes it)."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema version the database is at (None: not created yet).

    Read straight from Alembic's ``alembic_version`` table: opening a database
    whose schema is current never imports Alembic (0.1 s of every start).
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(versions) > 1:  # several heads: only Alembic knows what that means
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    return versions[0] if versions else None


_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\b[^=\n]*=\s*(?:[\"']([^\"']+)[\"']|None)", re.M
)


@cache
def head_revision() -> str | None:
    """The newest schema version this program knows, read from the migration files.

    Each file names its ``revision`` and the ``down_revision`` it follows; the
    head is the one no other file follows. Alembic itself is asked only when
    the files cannot be read that way (a build that ships them compiled).
    """
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(
            (m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(path.read_text("utf-8"))
        )
        if found.get("revision"):
            revisions.add(found["revision"])
        if found.get("down_revision"):
            followed.add(found["down_revision"])
    heads = revisions - followed
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(
        _alembic_config(create_engine("sqlite://"))
    ).get_current_head()


def truncate_all(conn: Connection, tables: Sequence[str]) -> None:
    """Empty ``tables`` of a PostgreSQL database, append-only ones included.

    Only for emptying a whole database (the demo's reset, tests): the truncate
    guards of the append-only tables are lifted for this transaction, which a
    superuser may do for the session and the tables' owner (a member of
    ``agent_assist_owner``) for the tables; an application login may neither.
    """
    if not tables:
        return
    superuser = conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    guarded = [t for t in tables if t in GUARDED_TABLES]
    if superuser:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        for table in guarded:
            conn.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER USER'))
    conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    if not superuser:
        for table in guarded:
            conn.execute(text(f'ALTER TABLE "{table}" ENABLE TRIGGER USER'))


def describe_url(url: str) -> str:
    """A short, password-free description for the status bar (never raises)."""
    try:
        parsed = parse_db_url(url)
    except DatabaseError:
        return hide_password(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite: {parsed.database or ':memory:'}"
    host = parsed.host or "localhost"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"PostgreSQL: {user}{host}{port}/{parsed.database}"


class Database:
    """One database: its engine, its sessions, and who this installation is."""

    def __init__(self, url: str, *, migrate: bool | None = None) -> None:
        """Open ``url``; ``migrate`` says whether the schema may be created or upgraded.

        ``None`` (the default) upgrades a desktop's own SQLite file but never a
        shared server: a PostgreSQL schema that is behind is an error telling
        the agent to ask IT for ``agent-assist db upgrade``. ``True`` upgrades
        any database (``db upgrade``, imports, the demo); ``False`` never does.
        """
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._origin: str | None = None
        self._origin_lock = threading.Lock()
        if migrate is None:
            migrate = self.dialect == "sqlite"
            self.ensure_schema(upgrade_allowed=migrate)
        elif migrate:
            self.ensure_schema()

    def ensure_schema(self, *, upgrade_allowed: bool = True) -> None:
        """Create or upgrade the schema; a clear error when that cannot or may not happen."""
        try:
            current = current_revision(self.engine)
            head = head_revision()
            if current == head:
                from app.store.backup import forget_backups

                forget_backups(self)
                return
            if not upgrade_allowed:
                raise DatabaseError(
                    _(
                        "the database {database} has schema version {current}, this program "
                        "needs {head}: ask IT to run 'agent-assist db upgrade'"
                    ).format(database=describe_url(self.url), current=current or "–", head=head)
                )
            from app.store.backup import upgrade_with_backup

            upgrade_with_backup(self, current, head)
        except OperationalError as exc:
            raise DatabaseError(
                _("cannot open the database {database}: {reason}").format(
                    database=describe_url(self.url), reason=exc.orig
                )
            ) from exc

    def description(self) -> str:
        return describe_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @property
    def origin(self) -> str:
        """This installation's id, written into every history entry it creates."""
        with self._origin_lock:
            if self._origin is None:
                self._origin = self._read_or_create_origin()
            return self._origin

    def _read_or_create_origin(self) -> str:
        from app.store.models import AppMeta

        query = select(AppMeta.value).where(AppMeta.key == "origin")
        try:
            with self.transaction() as session:
                value = session.scalar(query)
                if value is None:
                    value = uuid.uuid4().hex
                    session.add(AppMeta(key="origin", value=value))
                return value
        except IntegrityError:
            # Another process created it between our read and our insert: use theirs.
            with self.transaction() as session:
                stored = session.scalar(query)
            if stored is None:
                raise
            return stored

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table("customers")

    def dispose(self) -> None:
        self.engine.dispose()
