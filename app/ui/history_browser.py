"""The supervisor's history browser: every customer's history in one table, newest first.

A filter bar (period, agent, partner, process, stage, kind, words of the
text) selects the entries; the table fetches them a page at a time as it
scrolls (``canFetchMore``/``fetchMore``), each page loaded off the GUI thread
(:class:`~app.ui.worker.Op`) by keyset from
:func:`app.services.history_browser.browse_page`. A changed filter drops the
loads of the old one (and stops its query on the server). Enter or a double
click on a row opens its customer (:attr:`HistoryBrowserWindow.open_requested`).
Export… writes what the filter selects to CSV or XLSX in the background, with
a progress dialog whose Stop leaves no file. Verify history checks the hash
chains (:func:`app.services.history_check.check_history`) and says the outcome.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QProgressDialog

from app.i18n import N_, _, format_datetime, ngettext
from app.services import history_browser as hb
from app.services.history_browser import Cursor, FilterChoices, HistoryFilter, HistoryRow, Page
from app.store.search import SearchCancel
from app.ui.common import add_keys, bind_retranslate, date_edit, hint_label, list_status, row_table
from app.ui.history_loading import Words, load_choices, load_page
from app.ui.history_loading import process_words as process_words
from app.ui.labels import kind_label
from app.ui.latest import Latest
from app.ui.qt import (
    QComboBox,
    QDate,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QModelIndex,
    QObject,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.table_model import Index, RowTableModel
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.store.db import Database
    from app.ui.qt import QDateEdit

COLUMNS = (
    N_("Time"),
    N_("Customer no."),
    N_("Customer"),
    N_("Partner"),
    N_("Agent"),
    N_("Process"),
    N_("Stage"),
    N_("Kind"),
    N_("Text"),
)
#: Entries per page loaded as the table scrolls.
PAGE = 200
#: The date edits' "no limit" value (shown as a dash).
NO_DATE = QDate(2000, 1, 1)


class HistoryModel(RowTableModel[HistoryRow]):
    """The entries loaded so far, newest first; asks for the next page at the end."""

    columns = COLUMNS
    #: The view scrolled to the end: load the page after this cursor.
    more_wanted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []
        self.next: Cursor | None = None
        self.loading = False
        self.words: Words = {}

    def reset(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.next = None
        self.loading = False
        self.endResetModel()

    def add_page(self, page: Page, words: Words | None = None) -> None:
        self.loading = False
        self.words.update(words or {})
        if page.rows:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self.next = page.next

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.next is not None and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self.loading = True
            self.more_wanted.emit(self.next)

    def cell(self, row: HistoryRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 8:
            return row.text
        return None

    def cells(self, row: HistoryRow) -> list[str]:
        process, stage = self.words.get((row.process, row.stage), (row.process, row.stage))
        return [
            format_datetime(row.created_at.astimezone()),
            row.customer_no,
            row.customer_name,
            row.partner_code,
            row.author,
            process or "",
            stage or "",
            kind_label(row.kind),
            row.text.replace("\n", " "),
        ]


@dataclass
class _Export:
    """A running export: its stop flag and its progress dialog."""

    stop: threading.Event
    dialog: QProgressDialog


class _Progress(QObject):
    """Carries the export's row count from the worker thread to the GUI thread."""

    counted = Signal(int)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _local_midnight_utc(day: date) -> datetime:
    local = datetime.combine(day, time(0)).astimezone()  # this desktop's zone
    return local.astimezone(UTC)


class HistoryBrowserWindow(QWidget):
    """Every customer's history, filtered, paged as it scrolls, exported, verified."""

    #: The customer id of the row the supervisor opened.
    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("historyBrowser")
        self.db: Database | None = None
        self.today: date | None = None
        #: The loads of the filter shown (a changed filter drops and stops the old one's).
        self._loads = Latest()
        self._filter = HistoryFilter()
        self._export: _Export | None = None
        self._status = ("idle", "")
        #: Every (process, stage) pair, their words, and the pairs the stage filter lists.
        self._pairs: tuple[tuple[str, str], ...] = ()
        self._words: Words = {}
        self._stage_pairs: list[tuple[str, str]] = []

        self.date_from = self._date_edit("historyFrom")
        self.date_to = self._date_edit("historyTo")
        self.agent = self._combo("historyAgent")
        self.partner = self._combo("historyPartner")
        self.process = self._combo("historyProcess")
        self.stage = self._combo("historyStage")
        self.kind = self._combo("historyKind")
        self.text = QLineEdit(self)
        self.text.setObjectName("historyText")
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.reload)
        self.labels = {name: QLabel(self) for name in ("from", "to", "text")}
        self.labels["from"].setBuddy(self.date_from)
        self.labels["to"].setBuddy(self.date_to)
        self.labels["text"].setBuddy(self.text)
        self.search_button = QPushButton(self)
        self.search_button.setObjectName("historySearch")
        self.search_button.clicked.connect(self.reload)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("historyExport")
        self.export_button.clicked.connect(self.ask_export)
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("historyVerify")
        self.verify_button.clicked.connect(self.verify)

        self.model = HistoryModel(self)
        self.model.more_wanted.connect(self._load_more)
        self.table = row_table(self, self.model, "historyTable")
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._open_index)
        self.status = hint_label()
        self.status.setObjectName("historyStatus")
        self.verify_result = hint_label()
        self.verify_result.setObjectName("historyVerifyResult")

        # Changing a choice searches at once; a date waits a moment for the next keystroke.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(400)
        self._debounce.timeout.connect(self.reload)
        for combo in (self.agent, self.partner, self.kind):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.process.currentIndexChanged.connect(self._process_chosen)
        self.stage.currentIndexChanged.connect(self._stage_chosen)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self._debounce.start())

        first = QHBoxLayout()
        first.addWidget(self.labels["from"])
        first.addWidget(self.date_from)
        first.addWidget(self.labels["to"])
        first.addWidget(self.date_to)
        for combo in (self.agent, self.partner, self.process, self.stage, self.kind):
            first.addWidget(combo, 1)
        second = QHBoxLayout()
        second.addWidget(self.labels["text"])
        second.addWidget(self.text, 1)
        second.addWidget(self.search_button)
        second.addWidget(self.export_button)
        second.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.verify_result)
        add_keys(self, {"F5": self.reload, "Esc": self.close})
        self.resize(1100, 640)
        self.retranslate()
        bind_retranslate(self)

    # --- building ---------------------------------------------------------------

    def _date_edit(self, name: str) -> QDateEdit:
        edit = date_edit(self, name)
        edit.setMinimumDate(NO_DATE)
        edit.setDate(NO_DATE)
        return edit

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem("", None)
        return combo

    def retranslate(self) -> None:
        self.setWindowTitle(_("History of all customers"))
        self.labels["from"].setText(_("&From"))
        self.labels["to"].setText(_("&To"))
        self.labels["text"].setText(_("Te&xt contains"))
        for edit in (self.date_from, self.date_to):
            edit.setSpecialValueText(_("any day"))
        for combo, text in (
            (self.agent, _("All agents")),
            (self.partner, _("All partners")),
            (self.process, _("All processes")),
            (self.stage, _("All stages")),
            (self.kind, _("All kinds")),
        ):
            combo.setItemText(0, text)
        self.text.setPlaceholderText(_("words in the entry, e.g. roaming"))
        self.search_button.setText(_("&Search"))
        self.export_button.setText(_("&Export…"))
        self.verify_button.setText(_("&Verify history"))
        self.model.retranslate()
        self._show_status()

    # --- the database and the filter -------------------------------------------

    def set_database(self, db: Database, today: date) -> None:
        """Browse ``db``'s history; ``today`` is the day the window counts from."""
        self.db, self.today = db, today
        self.date_to.setMaximumDate(QDate(today.year, today.month, today.day).addYears(1))
        Op(self, load_choices, db).success(self._choices_loaded).failure(
            lambda exc: self._set_status("error", describe_error(exc))
        ).run()
        self.reload()

    def _choices_loaded(self, loaded: tuple[FilterChoices, Words]) -> None:
        choices, words = loaded
        fill = (
            (self.agent, [(a, a) for a in choices.agents]),
            (self.partner, [(f"{p.code} – {p.name}", p.code) for p in choices.partners]),
            (self.process, [(words[(p, None)][0], p) for p in choices.processes]),
            (self.kind, [(kind_label(k), k) for k in choices.kinds]),
        )
        for combo, items in fill:
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for text, value in items:
                combo.addItem(text, value)
            found = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(0, found))
            combo.blockSignals(False)
        chosen_stage = self.chosen_stage()
        self._pairs, self._words = choices.process_stages, words
        self._fill_stages(chosen_stage)

    def chosen_stage(self) -> tuple[str, str] | None:
        """The (process, stage) the stage filter shows, ``None``: all stages."""
        data = self.stage.currentData()
        return self._stage_pairs[data] if isinstance(data, int) else None

    def _fill_stages(self, keep: tuple[str, str] | None) -> None:
        """List the chosen process's stages (with no process: every process's, each
        worded with its process) and show ``keep`` if listed, else all stages."""
        process = self.process.currentData()
        self._stage_pairs = [p for p in self._pairs if process is None or p[0] == process]
        self.stage.blockSignals(True)
        while self.stage.count() > 1:
            self.stage.removeItem(1)
        for i, pair in enumerate(self._stage_pairs):
            process_text, stage_text = self._words.get(pair, pair)
            if process is None:
                stage_text = _("{process} – {stage}").format(process=process_text, stage=stage_text)
            self.stage.addItem(stage_text, i)
        shown = self._stage_pairs.index(keep) + 1 if keep in self._stage_pairs else 0
        self.stage.setCurrentIndex(shown)
        self.stage.blockSignals(False)

    def _process_chosen(self, _index: int) -> None:
        """Another process: its stages only; the same stage stays chosen if it has it."""
        keep = self.chosen_stage()
        process = self.process.currentData()
        if keep is not None and process is not None:
            keep = (process, keep[1])
        self._fill_stages(keep)
        self.reload()

    def _stage_chosen(self, _index: int) -> None:
        """A stage of another process than the one shown (from the list of all
        stages): its process becomes the chosen one."""
        pair = self.chosen_stage()
        if pair is not None and pair[0] != self.process.currentData():
            self.process.blockSignals(True)
            self.process.setCurrentIndex(max(0, self.process.findData(pair[0])))
            self.process.blockSignals(False)
            self._fill_stages(pair)
        self.reload()

    def current_filter(self) -> HistoryFilter:
        """The filter the bar shows."""
        start = self.date_from.date()
        end = self.date_to.date()
        since = None if start == NO_DATE else _local_midnight_utc(_day(start))
        until = (
            None
            if end == NO_DATE
            else _local_midnight_utc(_day(end) + timedelta(days=1))  # the whole day
        )
        pair = self.chosen_stage()  # a stage implies its process
        return HistoryFilter(
            since=since,
            until=until,
            author=self.agent.currentData(),
            partner=self.partner.currentData(),
            process=pair[0] if pair else self.process.currentData(),
            stage=pair[1] if pair else None,
            kind=self.kind.currentData(),
            text=self.text.text().strip() or None,
        )

    def reload(self) -> None:
        """Show the first page of what the filter bar selects (dropping older loads)."""
        self._debounce.stop()
        if self.db is None:
            return
        self._filter = self.current_filter()
        self.model.reset()
        self._start_load(None)

    def _load_more(self, after: Cursor) -> None:
        self._start_load(after)

    def _start_load(self, after: Cursor | None) -> None:
        if self.db is None:
            return
        cancel = SearchCancel()  # a new filter stops the old one's query on the server
        self.model.loading = True
        self._set_status("loading")
        Op(self, load_page, self.db, self._filter, after, PAGE, cancel).latest(
            self._loads, join=after is not None, stop=cancel.cancel
        ).success(lambda loaded: self._loaded(*loaded)).failure(self._failed).run()

    def _loaded(self, page: Page, words: Words) -> None:
        first = not self.model.rows
        self.model.add_page(page, words)
        if first and page.rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.resizeColumnsToContents()
        self._set_status("loaded")

    def _failed(self, exc: BaseException) -> None:
        self.model.loading = False
        self.model.next = None  # no retry on every scroll: F5 or Search loads again
        self._set_status("error", describe_error(exc))

    def _set_status(self, state: str, detail: str = "") -> None:
        self._status = (state, detail)
        self._show_status()

    def _show_status(self) -> None:
        self.status.setText(list_status(*self._status, loaded=self._shown_words))

    def _shown_words(self) -> str:
        count = len(self.model.rows)
        if count == 0:
            return _("No entry matches the filter.")
        text = ngettext("{n} entry shown", "{n} entries shown", count).format(n=count)
        if self.model.next is not None:
            text += " " + _("(more as you scroll)")
        return text

    def _open_index(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None:
            self.open_requested.emit(row.customer_id)

    # --- export -----------------------------------------------------------------

    def ask_export(self) -> None:
        """Ask where to export (CSV or XLSX), then export."""
        target, chosen = QFileDialog.getSaveFileName(
            self,
            _("Export the history"),
            str(Path.home() / "history.xlsx"),
            _("Excel workbook (*.xlsx)") + ";;" + _("CSV, UTF-8 (*.csv)"),
        )
        if not target:
            return
        path = Path(target)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in hb.FORMATS:
            fmt = "csv" if "csv" in chosen.lower() else "xlsx"
            path = path.with_name(path.name + "." + fmt)
        self.export_to(path, fmt)

    def export_to(self, path: Path, fmt: str) -> None:
        """Export what the filter selects to ``path`` in the background, with progress and Stop."""
        if self.db is None or self._export is not None:
            return
        stop = threading.Event()
        dialog = QProgressDialog(self)
        dialog.setObjectName("historyExportProgress")
        dialog.setWindowTitle(_("Export the history"))
        dialog.setLabelText(_("Writing {name}…").format(name=path.name))
        dialog.setCancelButtonText(_("&Stop"))
        dialog.setRange(0, 0)  # the total is not counted in advance (a count reads it all)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(stop.set)
        progress = _Progress(dialog)
        progress.counted.connect(
            lambda n: dialog.setLabelText(
                ngettext("{n} entry written…", "{n} entries written…", n).format(n=n)
            )
        )
        self._export = _Export(stop, dialog)
        self.export_button.setEnabled(False)

        def report(count: int) -> bool:  # worker thread: only signals and the flag
            progress.counted.emit(count)
            return not stop.is_set()

        dialog.show()
        Op(self, hb.export_history, self.db, self._filter, path, fmt, report).success(
            self._exported
        ).failure(self._export_failed).run()

    def _end_export(self) -> None:
        if self._export is not None:
            self._export.dialog.canceled.disconnect()
            self._export.dialog.close()
            self._export = None
        self.export_button.setEnabled(True)

    def _exported(self, result: hb.ExportResult) -> None:
        self._end_export()
        if result.stopped:
            self._set_status("loaded")
            self.status.setText(_("Export stopped; no file was written."))
        else:
            self.status.setText(
                ngettext(
                    "{n} entry exported to {path}", "{n} entries exported to {path}", result.rows
                ).format(n=result.rows, path=result.path)
            )

    def _export_failed(self, exc: BaseException) -> None:
        self._end_export()
        self._set_status("error", describe_error(exc))

    # --- verify -----------------------------------------------------------------

    def verify(self) -> None:
        """Check the history's hash chains in the background and say the outcome."""
        if self.db is None:
            return
        from app.services.history_check import check_history, check_words

        self.verify_button.setEnabled(False)
        self.verify_result.setText(_("Checking the history…"))

        def done(check: Any) -> None:
            self.verify_result.setText(check_words(check))
            box = QMessageBox(
                QMessageBox.Icon.Information if check.ok else QMessageBox.Icon.Warning,
                _("Verify history"),
                check_words(check),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("historyVerifyBox")
            box.open()

        Op(self, check_history, self.db).success(done).failure(
            lambda exc: self.verify_result.setText(describe_error(exc))
        ).finished(lambda: self.verify_button.setEnabled(True)).run()
