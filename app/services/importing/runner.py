"""Running an import: stream the rows, batch them, keep each row whole.

Rows are read in batches (1,000 by default). Each batch is first written in
one go; should the database still refuse something the checks did not
foresee, the batch is taken back and written again row by row, each row in
its own savepoint, so that only the refused row is lost. A batch is
committed before the next is read, so memory stays flat on files of any
size. A dry run does all of this in one transaction and rolls it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.i18n import _
from app.services.importing.base import Context, Handler, Outcome, RowRejectedError
from app.services.importing.cells import CellError
from app.services.importing.contracts import Bundles, DevicePlans, FairUse, Subscriptions
from app.services.importing.csvfile import Row, read_header, read_rows
from app.services.importing.people import Customers, Partners
from app.store.db import Database

#: The kinds of file, in the order their data depends on each other.
HANDLERS: dict[str, type[Handler]] = {
    h.kind: h for h in (Partners, Customers, Subscriptions, DevicePlans, Bundles, FairUse)
}
KINDS: tuple[str, ...] = tuple(HANDLERS)
BATCH_SIZE = 1000


@dataclass(frozen=True)
class Problem:
    """Why (part of) a row was rejected."""

    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would have done)."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: Nothing was written: the counts say what an import would do.
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def text(self) -> str:
        counts = {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.dry_run:
            return _("dry run, nothing written: would import {imported}, update {updated}, "
                     "leave {unchanged} unchanged, reject {rejected}").format(**counts)  # fmt: skip
        return _("imported {imported}, updated {updated}, unchanged {unchanged}, "
                 "rejected {rejected}").format(**counts)  # fmt: skip


@dataclass
class _Counts:
    by_outcome: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    rejected: int = 0

    def summary(self, dry_run: bool = False) -> ImportSummary:
        return ImportSummary(
            imported=self.by_outcome[Outcome.IMPORTED],
            updated=self.by_outcome[Outcome.UPDATED],
            unchanged=self.by_outcome[Outcome.UNCHANGED],
            rejected=self.rejected,
            dry_run=dry_run,
        )


def columns_of(kind: str) -> tuple[list[str], list[str]]:
    """All columns and the required ones of a kind of file."""
    handler = HANDLERS[kind]
    return (
        [c.name for c in handler.columns],
        [c.name for c in handler.columns if c.required],
    )


def check_file(kind: str, path: Path) -> list[str]:
    """Raise :class:`ImportFileError` unless the file can be imported; its header."""
    known, required = columns_of(kind)
    return read_header(path, known, required)


def _sqlite_begins(session: Session) -> None:
    """Make SQLite start its transaction up front, so savepoints nest inside it.

    The sqlite3 driver only begins a transaction before a write; a SAVEPOINT
    issued earlier would stand on its own and its RELEASE would commit.
    """

    @event.listens_for(session, "after_begin")
    def _begin(_session: Session, _tx: Any, connection: Any) -> None:
        if connection.dialect.name == "sqlite":
            raw = connection.connection.dbapi_connection
            if not raw.in_transaction:
                connection.exec_driver_sql("BEGIN")


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


def run_import(
    db: Database,
    kind: str,
    path: Path,
    *,
    author: str,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    report: Callable[[Problem], None] | None = None,
) -> ImportSummary:
    """Import ``path`` as ``kind``; each rejected row's problems go to ``report``."""
    header = check_file(kind, path)
    handler_class = HANDLERS[kind]
    columns = {c.name: c for c in handler_class.columns}
    counts = _Counts()
    seen: dict[tuple[Any, ...], int] = {}
    origin = None if dry_run else db.origin
    session = db.session()
    _sqlite_begins(session)
    try:
        ctx = Context(session, kind, path.name, author, origin, dry_run=dry_run)
        handler = handler_class(ctx)
        if handler.surveys:
            handler.survey(_good_rows(read_rows(path, header), header, columns, handler_class.key))
        for batch in _batches(read_rows(path, header), batch_size):
            problems: list[Problem] = []
            good: list[tuple[int, dict[str, Any]]] = []
            for row in batch:
                values, row_problems = _parse(row, header, columns, handler_class.key, seen)
                if row_problems:
                    problems.extend(row_problems)
                    counts.rejected += 1
                else:
                    good.append((row.line, values))
            outcomes = _write(session, handler, good, per_row=False)
            if outcomes is None:
                outcomes = _write(session, handler, good, per_row=True)
                assert outcomes is not None
            for (line, _values), outcome in zip(good, outcomes, strict=True):
                if isinstance(outcome, Outcome):
                    counts.by_outcome[outcome] += 1
                else:
                    counts.rejected += 1
                    problems.extend(Problem(line, column, reason) for column, reason in outcome)
            if dry_run:
                session.flush()
            else:
                session.commit()
            session.expunge_all()
            if report is not None:
                for problem in sorted(problems, key=lambda p: p.line):
                    report(problem)
        session.rollback()
    finally:
        session.close()
    return counts.summary(dry_run)


def _good_rows(
    rows: Iterator[Row], header: list[str], columns: dict[str, Any], key: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, values) of every row whose cells are all good, for a handler's survey."""
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        values, problems = _parse(row, header, columns, key, seen)
        if not problems:
            yield row.line, values


def _parse(
    row: Row,
    header: list[str],
    columns: dict[str, Any],
    key: tuple[str, ...],
    seen: dict[tuple[Any, ...], int],
) -> tuple[dict[str, Any], list[Problem]]:
    """The row's values by column, or every problem with its cells."""
    if row.width != len(header):
        reason = _("has {cells} cells, the header has {columns} columns").format(
            cells=row.width, columns=len(header)
        )
        return {}, [Problem(row.line, "row", reason)]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in row.cells.items():
        try:
            values[name] = columns[name].value(raw)
        except CellError as exc:
            problems.append(Problem(row.line, name, str(exc)))
    if all(name in values for name in key):
        row_key = tuple(values[name] for name in key)
        first = seen.setdefault(row_key, row.line)
        if first != row.line:
            problems.append(
                Problem(
                    row.line,
                    key[-1],
                    _("the same {key} as line {line}: each record once per file").format(
                        key=" + ".join(key), line=first
                    ),
                )
            )
    return values, problems


RowResult = Outcome | list[tuple[str, str]]


def _write(
    session: Session, handler: Handler, rows: list[tuple[int, dict[str, Any]]], *, per_row: bool
) -> list[RowResult] | None:
    """Apply the batch; ``None`` when the database refused it as a whole."""
    if not rows:
        return []
    results: list[RowResult] = []
    ctx = handler.ctx
    ctx.pending.clear()
    batch = session.begin_nested()
    try:
        handler.prefetch([values for _line, values in rows])
        for line, values in rows:
            savepoint = session.begin_nested() if per_row else None
            try:
                outcome = handler.apply(line, values)
                if savepoint is not None:
                    ctx.write()
                    savepoint.commit()
                results.append(outcome)
            except RowRejectedError as exc:  # raised before anything was written
                if savepoint is not None:
                    savepoint.rollback()
                results.append(exc.problems)
            except DBAPIError as exc:
                if savepoint is None:
                    raise
                ctx.pending.clear()
                savepoint.rollback()
                reason = _("the database refused the row: {error}").format(
                    error=str(exc.orig).strip().splitlines()[0]
                )
                results.append([("row", reason)])
        ctx.write()
        batch.commit()
    except DBAPIError:
        if per_row:
            raise
        batch.rollback()
        session.expunge_all()
        return None
    return results
