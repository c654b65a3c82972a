"""Creating, recognising and resetting demo databases.

A demo database carries the mark ``app_meta["demo"]`` (seed, reference date,
size). Resetting deletes the SQLite file (with its ``-wal``/``-shm``) or, on
PostgreSQL, truncates every table (the append-only triggers refuse DELETE, not
TRUNCATE); a database holding data but no mark is only ever replaced when the
caller says so explicitly.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url

from app.services.demo import DEFAULT_CUSTOMERS, DEFAULT_SEED, DEMO_MARK_KEY
from app.store.db import Database, DatabaseError, describe_url, make_engine, truncate_all
from app.store.models import Base, Customer
from app.store.repositories_import import DemoTables

#: Rows per INSERT batch.
CHUNK = 2000


class NotADemoDatabaseError(Exception):
    """The target holds data that is not demo data; it is left alone."""

    def __init__(self, target: DemoTarget) -> None:
        super().__init__(f"{target.description} holds data and is not a demo database")
        self.target = target


@dataclass(frozen=True)
class DemoTarget:
    """What is in the database a demo would be written to."""

    description: str
    customers: int
    has_data: bool
    #: The demo mark (JSON text) when it is a demo database, else None.
    demo_mark: str | None


@dataclass(frozen=True)
class DemoSummary:
    description: str
    seed: int
    reference: date
    #: (table, rows written), in insertion order.
    rows: tuple[tuple[str, int], ...]
    seconds: float
    #: (customer number, untranslated description) of the showcase customers.
    showcase: tuple[tuple[str, str], ...]

    @property
    def total_rows(self) -> int:
        return sum(n for _, n in self.rows)

    def count(self, table: str) -> int:
        return dict(self.rows).get(table, 0)


def minimum_customers() -> int:
    """The smallest demo: the showcase customers alone."""
    from app.services.demo.scenarios import SHOWCASE

    return len(SHOWCASE)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise DatabaseError("an in-memory SQLite database cannot hold a demo")
    return Path(parsed.database).expanduser()


def inspect_target(url: str) -> DemoTarget:
    """Look at ``url`` without creating or migrating anything."""
    description = describe_url(url)
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        return DemoTarget(description, 0, False, None)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(Customer.__tablename__):
                return DemoTarget(description, 0, False, None)
            tables = DemoTables(conn)
            customers = tables.customer_count()
            others = tables.partner_and_user_count()
            mark = tables.meta(DEMO_MARK_KEY)
    except Exception as exc:  # sqlalchemy.exc.OperationalError and friends
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"cannot open the database {description}: {exc}") from exc
    finally:
        engine.dispose()
    return DemoTarget(description, customers, bool(customers or others), mark)


def reset_database(url: str) -> None:
    """Remove every row: delete the SQLite file, or truncate all PostgreSQL tables."""
    path = _sqlite_file(url)
    if path is not None:
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            candidate.unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            present = set(inspect(conn).get_table_names())
            tables = [t.name for t in Base.metadata.sorted_tables if t.name in present]
            truncate_all(conn, tables)
    finally:
        engine.dispose()


def create_demo(
    url: str,
    *,
    seed: int = DEFAULT_SEED,
    reference: date | None = None,
    customers: int = DEFAULT_CUSTOMERS,
    replace_foreign: bool = False,
    now: datetime | None = None,
) -> DemoSummary:
    """Create the demo in ``url``, replacing what is there.

    No entry is later than ``now`` (default: the moment it is called), so the
    agent's own entries come after the demo's; a reference date after ``now``
    keeps its morning. A database with data but without the demo mark is refused
    (:class:`NotADemoDatabaseError`) unless ``replace_foreign`` is true.
    """
    now = now or datetime.now(UTC)
    reference = reference or now.astimezone().date()
    if customers < minimum_customers():
        raise ValueError(f"a demo needs at least {minimum_customers()} customers")
    target = inspect_target(url)
    if target.has_data and target.demo_mark is None and not replace_foreign:
        raise NotADemoDatabaseError(target)
    started = time.perf_counter()
    if target.has_data:
        reset_database(url)
    db = Database(url, migrate=True)
    try:
        with db.engine.begin() as conn:
            origin = DemoTables(conn).meta("origin")
        origin = origin or uuid.uuid5(uuid.NAMESPACE_URL, f"agent-assist/demo/{seed}").hex
        rows, showcase = build_rows(seed, reference, customers, origin, now)
        rows["app_meta"] = [
            {"key": "origin", "value": origin},
            {
                "key": DEMO_MARK_KEY,
                "value": json.dumps(
                    {"seed": seed, "date": reference.isoformat(), "customers": customers},
                    sort_keys=True,
                ),
            },
        ]
        counts = _write(db.engine, rows)
    finally:
        db.dispose()
    return DemoSummary(
        describe_url(url), seed, reference, counts, time.perf_counter() - started, showcase
    )


def ensure_demo_database(url: str) -> None:
    """Create the demo data in ``url`` if it has no customers yet (first use of ``--demo``)."""
    target = inspect_target(url)
    if target.customers == 0:
        create_demo(url)


def build_rows(
    seed: int, reference: date, customers: int, origin: str, now: datetime | None = None
) -> tuple[dict[str, list[dict[str, Any]]], tuple[tuple[str, str], ...]]:
    """All demo rows per table, and the showcase customers with their descriptions."""
    from app.services.demo.build import DemoBuilder
    from app.services.demo.population import add_incidents, fill_history, random_customer
    from app.services.demo.scenarios import SHOWCASE

    builder = DemoBuilder(seed, reference, origin, now)
    builder.add_partners_and_staff()
    add_incidents(builder)
    showcase = []
    for description, scenario in SHOWCASE:
        customer = scenario(builder)
        fill_history(builder, customer, 4, 16)
        showcase.append((customer.no, description))
    for _ in range(customers - len(SHOWCASE)):
        random_customer(builder)
    return builder.finish(), tuple(showcase)


def _write(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> tuple[tuple[str, int], ...]:
    """Bulk-insert ``rows`` in one transaction, parents before children."""
    counts: list[tuple[str, int]] = []
    with engine.begin() as conn:
        tables = DemoTables(conn)
        for table in Base.metadata.sorted_tables:
            batch = rows.get(table.name, [])
            if table.name == "app_meta":
                tables.clear(table)
            tables.insert_rows(table, batch, CHUNK)
            counts.append((table.name, len(batch)))
    return tuple(counts)
