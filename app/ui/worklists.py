"""Worklists: who needs what today, across all customers, in a window of its own.

One list per worklist the registered processes bring (Ctrl+1, Ctrl+2, ... here
and in the main window): this month's fair-use customers by stage, expiry
reminders due, onboarding tasks due or overdue, open complaints and claims.
The table keeps the order of :func:`app.services.worklists.worklist` (most
urgent first). Enter (or a
double click) on a row opens the customer in the main window with the
row's playbook in the guided panel; F5 reloads; Escape closes the window.
The shown list loads itself again when an operation changes cases or letters
(:mod:`app.ui.changes`), keeping the chosen row where it is still listed.

A list of a million customers' base is loaded off the GUI thread as rows made
only when read (:func:`app.services.worklists.worklist_rows`); the table asks
for them a page at a time as it scrolls (``canFetchMore``/``fetchMore``), and
a load superseded by a newer one is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.i18n import N_, _, format_date, ngettext
from app.processes import worklist_titles
from app.services.wording import row_words
from app.services.worklist_rows import RELEASE_SLICE, LazyRows, find_row, overdue_count
from app.ui.changes import Changes, on_changes
from app.ui.common import bind_retranslate, hint_label, row_table, std_icon
from app.ui.qt import (
    QColor,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QIcon,
    QKeySequence,
    QLabel,
    QModelIndex,
    QObject,
    QShortcut,
    QStyle,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.table_model import Index, RowRole, RowTableModel
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.services.todo_items import WorklistRow
    from app.store.db import Database


class _KindTitles(Mapping[str, str]):
    """Worklist kind -> its name (marked with ``N_``), in menu order (Ctrl+1, Ctrl+2, ...),
    as the registered processes bring them (:func:`app.processes.worklist_titles`)."""

    def __getitem__(self, kind: str) -> str:
        return worklist_titles()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(worklist_titles())

    def __len__(self) -> int:
        return len(worklist_titles())


KIND_TITLES: Mapping[str, str] = _KindTitles()
COLUMNS = (N_("Customer"), N_("Name"), N_("What"), N_("Due"), N_("Overdue"))
OVERDUE_COLOUR = QColor("#b3261e")
#: Rows the table shows more each time it scrolls to the end of those it has.
PAGE = 200
#: Rows made (and worded) kept at most; older ones are made again when read again.
MADE = 2000


@dataclass(frozen=True)
class WorklistData:
    kind: str
    rows: Sequence[WorklistRow]
    overdue: int
    #: Where the row chosen before the load is now, if it is still listed.
    keep: int | None = None


def worklist_rows(db: Database, kind: str, today: date | None) -> Sequence[WorklistRow]:
    """The service's rows, imported on the worker (the processes' code and the store load
    there, not while the window is built)."""
    from app.services.worklists import worklist_rows

    return worklist_rows(db, kind, today)


def load_worklist(
    db: Database, kind: str, today: date | None, keep: tuple[Any, Any] | None = None
) -> WorklistData:
    """The rows of one worklist, and where the row ``keep`` (customer id, target) is now
    (worker thread)."""
    from app.services.playbooks import load_all

    load_all()  # the rows are worded from the playbooks on the GUI thread
    rows = worklist_rows(db, kind, today)
    found = find_row(rows, *keep) if keep is not None else None
    for row in rows[:1]:  # the wording's first use (locale data) here, not on the GUI thread
        row_words(row)
        format_date(row.due)
    return WorklistData(kind, rows, overdue_count(rows), found)


def release_rows(rows: Sequence[WorklistRow]) -> None:
    """Free a long list of rows nobody else reads on a worker, a slice at a time
    (:meth:`~app.services.worklist_rows.LazyRows.release`): freeing 350,000 rows at once
    on the GUI thread held the window for 30–90 ms."""
    if isinstance(rows, LazyRows) and len(rows) > RELEASE_SLICE:
        Op(None, _release, rows).run()


def _release(rows: LazyRows[Any]) -> None:
    """Free ``rows`` (worker thread), telling the cycle collector (:mod:`app.ui.gc_guard`)."""
    from app.ui.gc_guard import old_objects_freed

    old_objects_freed()
    rows.release()
    old_objects_freed()


class WorklistModel(RowTableModel["WorklistRow"]):
    """The rows of one worklist, in the service's order, shown a page at a time."""

    columns = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows = ()
        self._shown = 0
        self._made: dict[int, WorklistRow] = {}
        self._warning: QIcon | None = None

    def set_rows(self, rows: Sequence[WorklistRow], show: int = 0) -> None:
        """All of the list's rows (kept as they are: made when read); the first page (or
        up to row ``show``) is shown. The list shown before is released on a worker
        (:func:`release_rows`)."""
        old = self.rows
        self.beginResetModel()
        self.rows = rows
        self._made = {}
        self._shown = min(len(rows), max(PAGE, (show // PAGE + 1) * PAGE))
        self.endResetModel()
        if old is not rows:
            release_rows(old)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self.rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(PAGE, len(self.rows) - self._shown)
        if more > 0:
            self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
            self._shown += more
            self.endInsertRows()

    def row_at(self, row: int) -> WorklistRow | None:
        if not 0 <= row < self._shown:
            return None
        made = self._made.get(row)
        if made is None:
            if len(self._made) >= MADE:
                self._made.clear()
            made = self._made[row] = self.rows[row]
        return made

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._shown

    def cell(self, row: WorklistRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.customer_no
            if column == 1:
                return row.customer_name
            if column == 2:
                return row_words(row)
            if column == 3:
                return format_date(row.due)
            return _("Overdue") if row.overdue else ""
        if role == Qt.ItemDataRole.DecorationRole and column == 4 and row.overdue:
            return self._warning
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue and column in (3, 4):
            return OVERDUE_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_words(row) + "\n" + _("Enter opens the customer with the guided script")
        return None


class WorklistWindow(QWidget):
    """One worklist at a time; Enter on a row opens it in the main window."""

    #: (customer id, OpenTarget) of the row the agent chose.
    open_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("worklistWindow")
        self.db: Database | None = None
        self.today: date | None = None
        self.kind = next(iter(KIND_TITLES))
        self._seq = 0
        self._state: tuple[str, str] = ("idle", "")
        self._overdue = 0

        self.selector = QComboBox(self)
        self.selector.setObjectName("worklistKind")
        for kind in KIND_TITLES:
            self.selector.addItem("", kind)
        self.selector.currentIndexChanged.connect(
            lambda i: self.show_kind(self.selector.itemData(i))
        )
        self.selector_label = QLabel(self)
        self.selector_label.setBuddy(self.selector)
        self.model = WorklistModel(self)
        self.model._warning = std_icon(self, QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.table = row_table(self, self.model, "worklistTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(0)  # sized to the rows in view, not every row shown
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._open_index)
        self.status = hint_label()
        self.status.setObjectName("worklistStatus")

        top = QHBoxLayout()
        top.addWidget(self.selector_label)
        top.addWidget(self.selector, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        for n, kind in enumerate(KIND_TITLES, start=1):
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, lambda kind=kind: self.show_kind(kind))
        QShortcut(QKeySequence("F5"), self, self.reload)
        QShortcut(QKeySequence("Esc"), self, self.close)
        self.resize(820, 560)
        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if (changes.cases or changes.letters) and self.isVisible():
            self.reload()

    def set_database(self, db: Database | None, today: date | None = None) -> None:
        if db is not self.db:
            self._seq += 1  # a load from the other database is dropped
            self.model.set_rows(())
            self._overdue = 0
        self.db, self.today = db, today

    def show_kind(self, kind: str) -> None:
        """Show (and load) the worklist ``kind``; the table gets the focus."""
        if kind not in KIND_TITLES:
            return
        self.kind = kind
        self.selector.blockSignals(True)
        self.selector.setCurrentIndex(list(KIND_TITLES).index(kind))
        self.selector.blockSignals(False)
        self.show()
        self.raise_()
        self.activateWindow()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._update_title()
        self.reload()

    def reload(self) -> None:
        if self.db is None:
            return
        self._seq += 1
        seq = self._seq
        self._set_state("loading")
        chosen = self.model.row_at(self.table.currentIndex().row())
        keep = (chosen.customer_id, chosen.target) if chosen is not None else None
        Op(self, load_worklist, self.db, self.kind, self.today, keep).success(
            lambda data: self._loaded(seq, data)
        ).failure(lambda exc: self._failed(seq, exc)).run()

    def _failed(self, seq: int, exc: BaseException) -> None:
        if seq == self._seq:
            self._set_state("error", describe_error(exc))

    def _loaded(self, seq: int, data: WorklistData) -> None:
        if seq != self._seq:
            release_rows(data.rows)
            return
        at = data.keep or 0
        # From the top: the columns are sized to the rows in view, and a view still
        # scrolled down the old list would find none there and size them to every row.
        self.table.scrollToTop()
        self.model.set_rows(data.rows, show=at)
        self._overdue = data.overdue
        if data.rows:
            self.table.setCurrentIndex(self.model.index(at, 0))
        self._set_state("loaded")

    def _open_index(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None:
            self.open_requested.emit(row.customer_id, row.target)

    def retranslate(self) -> None:
        for i, title in enumerate(KIND_TITLES.values()):
            self.selector.setItemText(i, f"{i + 1}. {_(title)}  (Ctrl+{i + 1})")
        self.selector_label.setText(_("&Worklist:"))
        self.table.setAccessibleName(_("Worklist"))
        self.model.retranslate()
        self._update_title()
        self._set_state(*self._state)

    def _update_title(self) -> None:
        self.setWindowTitle(
            _("Worklist: {name}").format(name=_(KIND_TITLES.get(self.kind, self.kind)))
        )

    def _set_state(self, state: str, message: str = "") -> None:
        self._state = (state, message)
        if state == "loading":
            text = _("Loading…")
        elif state == "error":
            text = message
        elif state == "loaded":
            count = len(self.model.rows)
            overdue = self._overdue
            text = ngettext("{count} row", "{count} rows", count).format(count=count)
            if overdue:
                text += " · " + ngettext("{count} overdue", "{count} overdue", overdue).format(
                    count=overdue
                )
            if count:
                text += " · " + _("Enter opens the customer with the guided script")
            else:
                text = _("Nobody on this worklist today.")
        else:
            text = ""
        self.status.setProperty("role", "error" if state == "error" else "hint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)


__all__ = ["KIND_TITLES", "RowRole", "WorklistModel", "WorklistWindow"]
