"""The history across customers, filtered and paged newest first (the supervisor's browser).

Entries are ordered by ``(created_at DESC, id DESC)`` and paged by keyset:
a page asks for the entries before (older than) or after (newer than) a
:class:`Cursor`, never with ``OFFSET``, so the thousandth page costs what the
first does.

Every filter but the free text has its own index ending in
``(created_at, id)`` (migration 0007): the filter columns ``partner_id``,
``process`` and ``stage`` are copied onto the entry when it is written.
Process and stage together have one more, ``(process, stage, created_at,
id)`` (migration 0010): a stage is chosen within its process, and a pair that
(almost) nothing matches is one seek instead of a read of every entry of the
process.
A page reads one index in order and stops after ``limit + 1`` matches; other
filters given with it are checked on the rows it reads. The agent's, the
process's, the stage's and the pair's indexes carry the other filter columns
after ``(created_at, id)`` (migration 0011): a combination walking one of them
is checked in the index and only a match is read from the table
(:func:`page_statement`). Which index serves a filter is the engine's choice
from its statistics, checked with ``EXPLAIN`` in the tests.

The free text is a case-insensitive substring match (``LIKE '%…%'`` on the
lower-cased text: SQLite lowers ASCII letters only) checked on the rows the
other filters select. It has no index: a rare word over the whole history
reads every entry. So does a combination of filters that (almost) nothing
matches, over the whole range of its best index (in the index alone, but
for a partner with a kind). Every page therefore runs under a
time limit (:data:`TIMEOUT_MS`) and raises :class:`QueryTimeoutError` when it
is reached; the caller asks for a narrower range.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.store.models import Customer, HistoryEntry, Partner

#: A page stops after this long (ms): a text search or a combination of
#: filters that matches almost nothing.
TIMEOUT_MS = 5000
#: Entry text longer than this is cut in pages (the export writes it whole).
PAGE_TEXT_CHARS = 300
#: Entries per page unless asked otherwise.
PAGE_SIZE = 100


class QueryTimeoutError(RuntimeError):
    """A page took longer than :data:`TIMEOUT_MS`."""


@dataclass(frozen=True)
class HistoryFilter:
    """What the browser shows: every given criterion must hold (``None``: any)."""

    #: From this moment (inclusive) ...
    since: datetime | None = None
    #: ... up to this moment (exclusive).
    until: datetime | None = None
    #: The author's login.
    author: str | None = None
    #: The customer's partner: its id, or its code.
    partner: uuid.UUID | str | None = None
    process: str | None = None
    stage: str | None = None
    kind: str | None = None
    #: Words the entry's text contains (case-insensitive).
    text: str | None = None

    def cleaned(self) -> HistoryFilter:
        """Blank strings as ``None``, the text trimmed."""
        values: dict[str, Any] = {}
        for name in ("author", "process", "stage", "kind", "text", "partner"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = value.strip() or None
            values[name] = value
        return replace(self, **values)


@dataclass(frozen=True)
class Cursor:
    """A position in the order ``(created_at DESC, id DESC)``: an entry's key."""

    created_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class HistoryRow:
    """One entry as the browser shows it."""

    entry_id: uuid.UUID
    created_at: datetime
    customer_id: uuid.UUID
    customer_no: str
    customer_name: str
    partner_code: str
    author: str
    process: str | None
    stage: str | None
    kind: str
    text: str

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.created_at, self.entry_id)


@dataclass(frozen=True)
class Page:
    """Entries newest first, and where the pages around them start."""

    rows: tuple[HistoryRow, ...]
    #: Pass as ``after`` for the next (older) page; ``None``: this is the last.
    next: Cursor | None
    #: Pass as ``before`` for the previous (newer) page; ``None``: this is the first.
    previous: Cursor | None


def _connection(target: Session | Connection) -> Connection:
    return target.connection() if isinstance(target, Session) else target


def _partner_id(conn: Connection, partner: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(partner, uuid.UUID):
        return partner
    try:
        return uuid.UUID(partner)
    except ValueError:
        return conn.scalar(select(Partner.id).where(Partner.code == partner))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def entry_query(
    conn: Connection, flt: HistoryFilter, text_chars: int | None = PAGE_TEXT_CHARS
) -> Select[Any] | None:
    """The entries' columns with every filter but the time range (see :func:`bounds`);
    no order, no limit. ``None``: nothing can match."""
    h = HistoryEntry
    shown = h.text if text_chars is None else func.substr(h.text, 1, text_chars)
    query = select(
        h.id,
        h.created_at,
        h.customer_id,
        h.partner_id,
        h.author,
        h.process,
        h.stage,
        h.kind,
        shown.label("text"),
    )
    if flt.author is not None:
        query = query.where(h.author == flt.author)
    if flt.partner is not None:
        partner_id = _partner_id(conn, flt.partner)
        if partner_id is None:
            return None
        query = query.where(h.partner_id == partner_id)
    if flt.process is not None:
        query = query.where(h.process == flt.process)
    if flt.stage is not None:
        query = query.where(h.stage == flt.stage)
    if flt.kind is not None:
        query = query.where(h.kind == flt.kind)
    if flt.text is not None:
        pattern = f"%{_escape_like(flt.text.lower())}%"
        query = query.where(func.lower(h.text).like(pattern, escape="\\"))
    return query


def _keyset(cursor: Cursor, older: bool) -> Any:
    """Entries older (``older``) or newer than ``cursor``.

    Written as a bound on ``created_at`` that every index ending in
    ``(created_at, id)`` takes as its range, plus the tie-break on ``id``
    checked on the few rows at exactly ``cursor.created_at``: the row-value
    form ``(created_at, id) < (…)`` is left unused by SQLite's planner once a
    second filter joins."""
    h = HistoryEntry
    if older:
        return and_(
            h.created_at <= cursor.created_at,
            or_(h.created_at < cursor.created_at, h.id < cursor.id),
        )
    return and_(
        h.created_at >= cursor.created_at,
        or_(h.created_at > cursor.created_at, h.id > cursor.id),
    )


def bounds(flt: HistoryFilter, after: Cursor | None, before: Cursor | None) -> list[Any]:
    """The time range and the cursor as one bound per side.

    An index range takes one bound per side: given both ``until`` and a
    cursor, an engine may seek by ``until`` and read every row down to the
    cursor, so a deep page would cost its depth. Only the tighter bound of
    each side is kept.
    """
    h = HistoryEntry
    bounds: list[Any] = []
    if after is not None and (flt.until is None or after.created_at < flt.until):
        bounds.append(_keyset(after, older=True))
    elif flt.until is not None:
        bounds.append(h.created_at < flt.until)
    if before is not None and (flt.since is None or before.created_at >= flt.since):
        bounds.append(_keyset(before, older=False))
    elif flt.since is not None:
        bounds.append(h.created_at >= flt.since)
    return bounds


def ordered(query: Select[Any], older: bool = True) -> Select[Any]:
    """``query`` in the browser's order (``older``) or the reverse."""
    h = HistoryEntry
    if older:
        return query.order_by(h.created_at.desc(), h.id.desc())
    return query.order_by(h.created_at.asc(), h.id.asc())


def page_statement(
    conn: Connection, flt: HistoryFilter, query: Select[Any], older: bool, limit: int
) -> Select[Any]:
    """``query`` (filtered and bounded) in the browser's order, its first ``limit`` rows.

    On PostgreSQL (without a free text) the page's keys are found first, in a
    subquery that reads nothing but the index, and the rows are then looked up
    by primary key: PostgreSQL checks a filter on a column carried in the index
    (migration 0011) without reading the table row only in an index-only
    scan, and a combination that (almost) nothing matches walks many
    index entries per match. SQLite reads those columns from the index by
    itself and seeks the row of a match only."""
    if conn.dialect.name != "postgresql" or flt.text is not None:
        return ordered(query, older).limit(limit)
    h = HistoryEntry
    key_columns: Any = query.with_only_columns(h.id, h.created_at)
    keys = ordered(key_columns, older).limit(limit).subquery()
    rows = select(*query.selected_columns).join_from(keys, h, h.id == keys.c.id)
    # In the subquery's order: the join keeps it, no sort of the page.
    if older:
        return rows.order_by(keys.c.created_at.desc(), keys.c.id.desc())
    return rows.order_by(keys.c.created_at.asc(), keys.c.id.asc())


@contextmanager
def time_limit(conn: Connection, milliseconds: int | None) -> Iterator[None]:
    """Stop the statements run inside after ``milliseconds`` (``None``: no limit):
    PostgreSQL's ``statement_timeout`` for this transaction, a progress handler
    on SQLite. Raises :class:`QueryTimeoutError`."""
    if milliseconds is None:
        yield
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {int(milliseconds)}"))
        try:
            yield
        except OperationalError as exc:  # the transaction failed: the caller rolls back
            if "statement timeout" in str(exc.orig):
                raise QueryTimeoutError from exc
            raise
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        return
    raw: Any = conn.connection.dbapi_connection
    deadline = time.monotonic() + milliseconds / 1000
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 20_000)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc.orig):
            raise QueryTimeoutError from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


#: PostgreSQL plans a text search as one walk of the time index in order,
#: stopped at the page: it cannot estimate how many entries contain the words
#: and, guessing few, read and sorted the whole history in parallel (1.4-1.9 s
#: at 2 M entries); the walk's high estimated cost also started the JIT
#: compiler and parallel workers (0.3 s) for a few milliseconds of work.
_WALK_IN_ORDER = {
    "enable_seqscan": ("off", "on"),
    "enable_bitmapscan": ("off", "on"),
    "enable_sort": ("off", "on"),
    "jit": ("off", "on"),
    "max_parallel_workers_per_gather": ("0", "DEFAULT"),
}


@contextmanager
def text_search(conn: Connection, searching: bool) -> Iterator[None]:
    """Run a page within :data:`TIMEOUT_MS`; with a free-text filter
    (``searching``) on PostgreSQL as a walk in the browser's order."""
    walk = searching and conn.dialect.name == "postgresql"
    if walk:
        for setting, (value, _back) in _WALK_IN_ORDER.items():
            conn.execute(text(f"SET LOCAL {setting} = {value}"))
    with time_limit(conn, TIMEOUT_MS):
        yield
    if walk:
        for setting, (_value, back) in _WALK_IN_ORDER.items():
            conn.execute(text(f"SET LOCAL {setting} = {back}"))


def page(
    target: Session | Connection,
    flt: HistoryFilter,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """A page of the entries ``flt`` selects, newest first.

    Without a cursor: the newest. ``after``: those older than ``after`` (the
    next page); ``before``: those newer than ``before`` (the previous page).
    """
    if after is not None and before is not None:
        raise ValueError("page: after or before, not both")
    conn = _connection(target)
    flt = flt.cleaned()
    query = entry_query(conn, flt)
    if query is None:
        return Page((), None, None)
    older = before is None
    query = query.where(*bounds(flt, after, before))
    with text_search(conn, flt.text is not None):
        found = list(conn.execute(page_statement(conn, flt, query, older, limit + 1)).all())
    more = len(found) > limit
    found = found[:limit]
    if not older:
        found.reverse()
    rows = describe(conn, found)
    if not rows:
        return Page((), None, None)
    if older:
        return Page(rows, rows[-1].cursor if more else None, rows[0].cursor if after else None)
    return Page(rows, rows[-1].cursor, rows[0].cursor if more else None)


def describe(conn: Connection, found: Sequence[Any]) -> tuple[HistoryRow, ...]:
    """Rows of :func:`entry_query` with their customer's number and name and partner's code
    (looked up by primary key for just these rows: the entries' index stays the plan)."""
    customer_ids = sorted({r.customer_id for r in found}, key=str)
    customers: dict[uuid.UUID, tuple[str, str]] = {}
    for start in range(0, len(customer_ids), 500):
        for cid, no, name in conn.execute(
            select(Customer.id, Customer.customer_no, Customer.name).where(
                Customer.id.in_(customer_ids[start : start + 500])
            )
        ):
            customers[cid] = (no, name)
    codes = partner_codes(conn)
    return tuple(
        HistoryRow(
            entry_id=r.id,
            created_at=r.created_at,
            customer_id=r.customer_id,
            customer_no=customers.get(r.customer_id, ("", ""))[0],
            customer_name=customers.get(r.customer_id, ("", ""))[1],
            partner_code=codes.get(r.partner_id, "") if r.partner_id else "",
            author=r.author,
            process=r.process,
            stage=r.stage,
            kind=r.kind,
            text=r.text,
        )
        for r in found
    )


def partner_codes(conn: Connection) -> dict[uuid.UUID, str]:
    """Every partner's code by id (a handful of rows)."""
    return {pid: code for pid, code in conn.execute(select(Partner.id, Partner.code))}


def distinct_values(conn: Connection, column_name: str) -> list[str]:
    """The distinct non-null values of an indexed filter column, each found by one
    index seek (a loose index scan as a recursive query), not by reading the table."""
    if column_name not in ("author", "process", "stage", "kind"):
        raise ValueError(column_name)
    statement = text(
        "WITH RECURSIVE v(x) AS ("
        f" SELECT (SELECT min({column_name}) FROM history_entries)"
        " UNION ALL"
        f" SELECT (SELECT min({column_name}) FROM history_entries WHERE {column_name} > v.x)"
        " FROM v WHERE v.x IS NOT NULL"
        ") SELECT x FROM v WHERE x IS NOT NULL"
    )
    return [str(v) for v in conn.execute(statement).scalars()]


def process_stages(conn: Connection) -> list[tuple[str, str]]:
    """The distinct (process, stage) pairs, by process and stage: per process, one seek
    per stage in the ``(process, stage, created_at, id)`` index (migration 0010)."""
    statement = text(
        "WITH RECURSIVE v(x) AS ("
        " SELECT (SELECT min(stage) FROM history_entries WHERE process = :p)"
        " UNION ALL"
        " SELECT (SELECT min(stage) FROM history_entries WHERE process = :p AND stage > v.x)"
        " FROM v WHERE v.x IS NOT NULL"
        ") SELECT x FROM v WHERE x IS NOT NULL"
    )
    return [
        (process, str(stage))
        for process in distinct_values(conn, "process")
        for stage in conn.execute(statement, {"p": process}).scalars()
    ]
