"""The supervisor's history browser: every customer's history, filtered, paged, exported.

Only a user who may see the history across customers (``Action.REPORTS``:
supervisors and administrators) browses it. Pages come from
:mod:`app.store.history_query` (keyset pages, newest first); the filter
choices are cheap lookups (one index seek per distinct value); the export
streams every entry the filter selects in keyset batches to CSV (UTF-8 with
a byte order mark, for Excel) or XLSX (XlsxWriter's constant-memory mode),
so its memory stays bounded whatever the size. The export writes to a
``.part`` file beside the target and renames it when done: a stopped or
failed export leaves no file.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from app.i18n import _
from app.services.errors import ServiceError, ValidationError
from app.services.permissions import Action, require
from app.store import history_query as hq
from app.store.db import Database
from app.store.history_query import Cursor, HistoryFilter, HistoryRow, Page
from app.store.repositories import Partners
from app.store.search import SearchCancel

__all__ = [
    "Cursor",
    "ExportResult",
    "FilterChoices",
    "HistoryFilter",
    "HistoryRow",
    "HistoryTooSlowError",
    "Page",
    "browse_page",
    "export_history",
    "export_rows",
    "filter_choices",
]

FORMATS = ("csv", "xlsx")
#: Entries fetched per statement while exporting.
EXPORT_BATCH = 2000
#: The most rows an XLSX sheet holds below its header.
XLSX_MAX_ROWS = 1_048_575


class HistoryTooSlowError(ServiceError):
    """A free-text search over too much of the history: narrow it down."""


@dataclass(frozen=True)
class PartnerChoice:
    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class FilterChoices:
    """What the filter bar offers."""

    agents: tuple[str, ...]
    partners: tuple[PartnerChoice, ...]
    processes: tuple[str, ...]
    stages: tuple[str, ...]
    kinds: tuple[str, ...]
    #: Every (process, stage) pair the history holds: a stage is chosen within its process.
    process_stages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExportResult:
    """How an export ended: the rows written, and whether it was stopped (then no file)."""

    rows: int
    stopped: bool
    path: Path


def _too_slow() -> HistoryTooSlowError:
    return HistoryTooSlowError(
        _(
            "Searching the whole history with this filter takes too long: "
            "almost no entry matches it. Choose a shorter period or other filters, "
            "then search again."
        )
    )


def browse_page(
    db: Database,
    flt: HistoryFilter,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int = hq.PAGE_SIZE,
    cancel: SearchCancel | None = None,
) -> Page:
    """A page of the history ``flt`` selects, newest first (:func:`history_query.page`).

    ``cancel`` lets the window stop the query on the server when the filter
    changed meanwhile.
    """
    require(db, Action.REPORTS)
    with db.session() as session:
        if cancel is not None:
            cancel.attach(session)
        try:
            return hq.page(session, flt, after=after, before=before, limit=limit)
        except hq.QueryTimeoutError:
            raise _too_slow() from None
        finally:
            if cancel is not None:
                cancel.detach()


def filter_choices(db: Database) -> FilterChoices:
    """The agents, partners, processes, stages and kinds the history holds."""
    require(db, Action.REPORTS)
    with db.session() as session:
        conn = session.connection()
        partners = tuple(PartnerChoice(p.id, p.code, p.name) for p in Partners(session).all())
        return FilterChoices(
            agents=tuple(hq.distinct_values(conn, "author")),
            partners=partners,
            processes=tuple(hq.distinct_values(conn, "process")),
            stages=tuple(hq.distinct_values(conn, "stage")),
            kinds=tuple(hq.distinct_values(conn, "kind")),
            process_stages=tuple(hq.process_stages(conn)),
        )


def columns() -> list[str]:
    """The export's header row, in the UI language."""
    return [
        _("Time (UTC)"),
        _("Customer no."),
        _("Customer"),
        _("Partner"),
        _("Agent"),
        _("Process"),
        _("Stage"),
        _("Kind"),
        _("Text"),
        _("Entry id"),
        _("Customer id"),
    ]


def export_cells(row: HistoryRow) -> list[str]:
    """One entry as the export writes it (text whole, time in UTC)."""
    return [
        row.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        row.customer_no,
        row.customer_name,
        row.partner_code,
        row.author,
        row.process or "",
        row.stage or "",
        row.kind,
        row.text,
        str(row.entry_id),
        str(row.customer_id),
    ]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell Excel shows as text: one starting like a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_rows(db: Database, flt: HistoryFilter) -> Iterator[HistoryRow]:
    """Every entry ``flt`` selects, newest first, whole texts, in keyset batches."""
    require(db, Action.REPORTS)
    with db.session() as session:
        conn = session.connection()
        flt = flt.cleaned()
        query = hq.entry_query(conn, flt, text_chars=None)
        if query is None:
            return
        after: Cursor | None = None
        while True:
            batch = query.where(*hq.bounds(flt, after, None))
            try:
                with hq.text_search(conn, flt.text is not None):
                    statement = hq.page_statement(conn, flt, batch, True, EXPORT_BATCH)
                    found = conn.execute(statement).all()
            except hq.QueryTimeoutError:
                raise _too_slow() from None
            if not found:
                return
            rows = hq.describe(conn, found)
            yield from rows
            if len(found) < EXPORT_BATCH:
                return
            after = rows[-1].cursor


def export_history(
    db: Database,
    flt: HistoryFilter,
    path: Path,
    fmt: str,
    progress: Callable[[int], bool] | None = None,
) -> ExportResult:
    """Write every entry ``flt`` selects to ``path`` as ``fmt`` (``csv`` or ``xlsx``).

    ``progress(rows written so far)`` is called after every batch; when it
    returns False the export stops and leaves no file.
    """
    require(db, Action.REPORTS)
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValidationError(_("Export as CSV or XLSX."), field="format")
    path = Path(path)
    part = path.with_name(path.name + ".part")
    writer = _write_csv if fmt == "csv" else _write_xlsx
    try:
        count, stopped = writer(part, export_rows(db, flt), progress)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    if stopped:
        part.unlink(missing_ok=True)
        return ExportResult(count, True, path)
    os.replace(part, path)
    return ExportResult(count, False, path)


Progress = Callable[[int], bool] | None


def _tick(progress: Progress, count: int) -> bool:
    """Report progress every batch; True to go on."""
    return progress is None or count % EXPORT_BATCH != 0 or progress(count) is not False


def _write_csv(part: Path, rows: Iterator[HistoryRow], progress: Progress) -> tuple[int, bool]:
    count = 0
    with part.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns())
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in export_cells(row)])
            count += 1
            if not _tick(progress, count):
                return count, True
    if progress is not None and progress(count) is False:
        return count, True
    return count, False


def _write_xlsx(part: Path, rows: Iterator[HistoryRow], progress: Progress) -> tuple[int, bool]:
    import xlsxwriter

    book: Any = xlsxwriter.Workbook(str(part), {"constant_memory": True})
    stopped = False
    count = 0
    try:
        sheet = book.add_worksheet(_("History")[:31])
        bold = book.add_format({"bold": True})
        header: Sequence[str] = columns()
        for col, name in enumerate(header):
            sheet.write_string(0, col, name, bold)
        sheet.freeze_panes(1, 0)
        for row in rows:
            if count >= XLSX_MAX_ROWS:
                raise ValidationError(
                    _(
                        "The filter selects more entries than an XLSX sheet holds "
                        "({limit}). Export as CSV or choose a shorter period."
                    ).format(limit=f"{XLSX_MAX_ROWS:,}"),
                    field="format",
                )
            count += 1
            for col, cell in enumerate(export_cells(row)):
                sheet.write_string(count, col, cell)
            if not _tick(progress, count):
                stopped = True
                break
        if not stopped and progress is not None and progress(count) is False:
            stopped = True
    finally:
        book.close()
    return count, stopped
