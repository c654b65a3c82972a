"""A customer's history as a timeline, newest first, loaded page by page.

:class:`TimelineModel` keeps only the entries fetched so far; when the view
scrolls near the end it asks ``canFetchMore``/``fetchMore``, and the next
older page (keyset cursor) is fetched in the background and appended. A
customer with ten thousand entries therefore opens as fast as one with ten.
When an operation adds to the shown customer's history (a note, a recorded
step, an issued letter: :mod:`app.ui.changes`), the panel loads the newest
page again and selects the newest entry.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from app.i18n import _, datetime_pattern, format_decimal, ngettext
from app.ui.changes import Changes, on_changes
from app.ui.common import PlaceholderListView, bind_retranslate, hint_label
from app.ui.qt import (
    QAbstractItemView,
    QAbstractListModel,
    QLabel,
    QListView,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.timeline_delegate import ItemRole, TimelineDelegate, entry_heading
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.services.customers import HistoryItem, HistoryPage
    from app.store.db import Database

PAGE_SIZE = 200
Index = QModelIndex | QPersistentModelIndex


def history_page(*args: Any, **kwargs: Any) -> HistoryPage:
    """One page of the history, read on the worker (the store loads there first); the
    language's date formats are loaded there too (babel reads them on first use, some
    15 ms the GUI thread would spend painting the first entries' headings)."""
    from app.services.customers import history_page

    datetime_pattern()
    return history_page(*args, **kwargs)


class TimelineModel(QAbstractListModel):
    """History entries of one customer, newest first, fetched on demand."""

    #: A page could not be loaded (message for the agent).
    load_failed = Signal(str)
    #: Loading started (True) or ended (False).
    loading_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self._db: Database | None = None
        self._customer_id: uuid.UUID | None = None
        self._items: list[HistoryItem] = []
        self._cursor: Any = None
        self._has_more = False
        self._loading = False
        self._generation = 0  # bumped on every customer change; older pages are dropped
        self.pages_loaded = 0

    # -- what is shown -------------------------------------------------------------

    def set_customer(self, db: Database | None, customer_id: uuid.UUID | None) -> None:
        """Show ``customer_id``'s history (None: nothing), fetching its newest page."""
        self.beginResetModel()
        self._generation += 1
        self._db = db
        self._customer_id = customer_id
        self._items = []
        self._cursor = None
        self._has_more = db is not None and customer_id is not None
        self._set_loading(False)
        self.pages_loaded = 0
        self.endResetModel()
        if self._has_more:
            self.fetchMore(QModelIndex())

    @property
    def db(self) -> Database | None:
        return self._db

    @property
    def customer_id(self) -> uuid.UUID | None:
        return self._customer_id

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def complete(self) -> bool:
        """Whether every entry of the customer has been fetched."""
        return not self._has_more and not self._loading

    def item(self, row: int) -> HistoryItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    # -- Qt model API ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.text
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{entry_heading(item)}: {item.text}"
        return None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or self._db is None or self._customer_id is None:
            return
        generation = self._generation
        self._set_loading(True)
        Op(self, history_page, self._db, self._customer_id, self._cursor, self.page_size).success(
            lambda page: self._append(generation, page)
        ).failure(lambda exc: self._failed(generation, exc)).run()

    # -- results ----------------------------------------------------------------------

    def _append(self, generation: int, page: HistoryPage) -> None:
        if generation != self._generation:
            return  # the customer changed while this page was loading
        known = {i.id for i in self._items[:50]} if self.pages_loaded == 0 else set()
        items = [i for i in page.items if i.id not in known]
        if items:
            first = len(self._items)
            self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
            self._items.extend(items)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._has_more = page.next_cursor is not None
        self.pages_loaded += 1
        self._set_loading(False)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._has_more = False  # stop asking; reopening the customer retries
        self._set_loading(False)
        self.load_failed.emit(describe_error(exc))

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)


class TimelinePanel(QWidget):
    """Heading with the entry count, the "Add note" button and the timeline list."""

    #: The agent asked to add a note (button or Ctrl+N via the window's action).
    add_note_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._count: int | None = None
        self._error = ""
        #: Select the newest entry once the reloaded first page is in.
        self._select_newest = False
        self.model = TimelineModel(self)
        self.view = PlaceholderListView(self)
        self.view.setObjectName("timeline")
        self.view.setModel(self.model)
        self.view.setItemDelegate(TimelineDelegate(self.view))
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        # A page's rows are measured 40 at a time, one part per turn of the event loop
        # (a whole page, and again when the scroll bar appears, held the GUI some 10 ms).
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(40)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)

        self.heading = QLabel(self)
        self.heading.setProperty("role", "section")
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("addNoteButton")
        self.add_button.clicked.connect(self.add_note_requested)
        self.add_button.setEnabled(False)
        self.status = hint_label()
        self.status.setObjectName("timelineStatus")

        top = QVBoxLayout(self)
        top.setContentsMargins(6, 6, 6, 6)
        top.addWidget(self.heading)
        top.addWidget(self.add_button)
        top.addWidget(self.view, 1)
        top.addWidget(self.status)

        self.model.modelReset.connect(self._update_state)
        self.model.rowsInserted.connect(self._update_state)
        self.model.rowsInserted.connect(self._show_newest)
        self.model.loading_changed.connect(lambda _loading: self._update_state())
        self.model.load_failed.connect(self._on_load_failed)
        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)

    def set_customer(
        self, db: Database | None, customer_id: uuid.UUID | None, count: int | None = None
    ) -> None:
        self._count = count
        self._error = ""
        self._select_newest = False
        self.add_button.setEnabled(customer_id is not None)
        self.model.set_customer(db, customer_id)
        self._update_state()

    def refresh(self) -> None:
        """Load the shown customer's history again; the newest entry gets selected."""
        if self.model.customer_id is None:
            return
        self._error = ""
        self._select_newest = True
        self.model.set_customer(self.model.db, self.model.customer_id)
        self._show_newest()
        self._update_state()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.history and changes.touches(self.model.customer_id):
            self.refresh()

    def _show_newest(self) -> None:
        if self._select_newest and self.model.rowCount():
            self._select_newest = False
            self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.scrollToTop()

    def set_count(self, count: int | None) -> None:
        self._count = count
        self._update_state()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add note…"))
        self.add_button.setToolTip(_("Add a note to the customer's history (Ctrl+N)"))
        self.view.setAccessibleName(_("History"))
        delegate = self.view.itemDelegate()
        if isinstance(delegate, TimelineDelegate):
            delegate.clear_cache()
        self.view.doItemsLayout()
        self._update_state()

    def _on_load_failed(self, message: str) -> None:
        self._error = message
        self._update_state()

    def _update_state(self) -> None:
        rows = self.model.rowCount()
        if self._count is None:
            self.heading.setText(_("History"))
        else:
            self.heading.setText(
                ngettext(
                    "History ({count} entry)", "History ({count} entries)", self._count
                ).format(count=format_decimal(self._count))
            )
        if self.model.customer_id is None:
            self.view.set_placeholder(_("The history of the open customer appears here."))
        elif self.model.loading:
            self.view.set_placeholder(_("Loading the history…"))
        elif self._error:
            self.view.set_placeholder(self._error)
        else:
            self.view.set_placeholder(_("No history yet. Press Ctrl+N to add a note."))
        if self._error:
            self.status.setProperty("role", "error")
            self.status.setText(self._error)
        else:
            self.status.setProperty("role", "hint")
            self.status.setText(_("Loading older entries…") if self.model.loading and rows else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
