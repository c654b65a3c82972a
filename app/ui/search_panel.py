"""Finding a customer: a search box with results as you type.

Each keystroke restarts a short timer; when it fires, the search runs in the
background, and only the newest search's results are shown (an older, slower
search finishing late is dropped, and stopped on the server as the agent
types on: :class:`~app.ui.latest.Latest`).
Enter opens the selected result — or, when the results are not in yet, the
first result as soon as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.i18n import _, ngettext
from app.store.search import SearchCancel
from app.ui.common import WordsDelegate, bind_retranslate, hint_label, item_pen, say
from app.ui.latest import Latest
from app.ui.qt import (
    QAbstractItemView,
    QAbstractListModel,
    QEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListView,
    QModelIndex,
    QObject,
    QRect,
    QSize,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.table_model import Index
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.services.customers import CustomerHit
    from app.store.db import Database
    from app.ui.qt import QPainter, QStyleOptionViewItem

#: Milliseconds of quiet typing before a search starts.
DEBOUNCE_MS = 150
RESULT_LIMIT = 50

HitRole = Qt.ItemDataRole.UserRole + 1


def search_customers(*args: Any, **kwargs: Any) -> list[CustomerHit]:
    """The search service, imported on the worker that first searches (the store and
    SQLAlchemy load there, not while the window is built)."""
    from app.services.customers import search_customers

    return search_customers(*args, **kwargs)


def hit_details(hit: CustomerHit) -> str:
    """``C-10001 · +41 79 123 45 67 · Kabelnetz Nordwest AG``."""
    return " · ".join(p for p in (hit.customer_no, hit.msisdn_display, hit.partner_name) if p)


class SearchResultsModel(QAbstractListModel):
    """The hits of the latest search, two lines each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[CustomerHit] = []

    def set_hits(self, hits: list[CustomerHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> CustomerHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = f"{hit.name}  ★ {_('VIP')}" if hit.vip else hit.name
            return f"{name}\n{hit_details(hit)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Customer {number}, {msisdn}").format(
                number=hit.customer_no, msisdn=hit.msisdn_display
            )
        if role == HitRole:
            return hit
        return None


class SearchResultDelegate(WordsDelegate):
    """Name in bold on the first line, number, phone and partner in grey below, elided."""

    PADDING = 4
    object_role = HitRole

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        name = QFont(option.font)
        name.setBold(True)
        return name, QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        name_font, detail_font = self._fonts(option)
        height = QFontMetrics(name_font).lineSpacing() + QFontMetrics(detail_font).lineSpacing()
        return QSize(100, height + 2 * self.PADDING)

    def paint_words(
        self, painter: QPainter, option: QStyleOptionViewItem, hit: CustomerHit
    ) -> None:
        name_font, detail_font = self._fonts(option)
        rect = option.rect.adjusted(self.PADDING + 2, self.PADDING, -self.PADDING, -self.PADDING)
        name_height = QFontMetrics(name_font).lineSpacing()
        name = f"{hit.name}  ★ {_('VIP')}" if hit.vip else hit.name
        details = hit_details(hit)
        painter.setFont(name_font)
        painter.setPen(item_pen(option))
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), name_height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            QFontMetrics(name_font).elidedText(name, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.setFont(detail_font)
        painter.setPen(item_pen(option, muted=True))
        details = QFontMetrics(detail_font).elidedText(
            details, Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(
            QRect(rect.left(), rect.top() + name_height, rect.width(), rect.height() - name_height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            details,
        )


class SearchPanel(QWidget):
    """Search box, result list and a line saying what happened."""

    #: The agent chose a customer to open (its id).
    customer_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db: Database | None = None
        #: The searches: only the newest one's results show; it is pending until they do.
        self._searches = Latest()
        self._shown_query = ""
        self._open_when_ready = False
        self._state: tuple[str, dict[str, Any]] = ("idle", {})

        self.edit = QLineEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.model = SearchResultsModel(self)
        self.results = QListView(self)
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setItemDelegate(SearchResultDelegate(self.results))
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setUniformItemSizes(True)
        self.results.setAlternatingRowColors(True)
        self.status = hint_label()
        self.status.setObjectName("searchStatus")

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._start_search)
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.returnPressed.connect(self.open_current)
        self.results.activated.connect(self._open_index)

        self.heading = QLabel(self)
        self.heading.setProperty("role", "section")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.setEnabled(False)
        self.retranslate()
        bind_retranslate(self)

    # -- public ---------------------------------------------------------------

    def set_database(self, db: Database | None) -> None:
        self._db = db
        self.setEnabled(db is not None)
        if self.edit.text().strip():
            self._start_search()

    def focus_search(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def search_now(self, text: str) -> None:
        """Type ``text`` into the box and search without waiting for the timer."""
        self.edit.setText(text)
        self._start_search()

    def select_customer(self, customer_id: object) -> None:
        """Mark the opened customer in the results, when it is listed."""
        for row in range(self.model.rowCount()):
            hit = self.model.hit(row)
            if hit is not None and hit.id == customer_id:
                self.results.setCurrentIndex(self.model.index(row, 0))
                return

    def open_current(self) -> None:
        """Open the selected result; the first one when the results are still coming."""
        query = self.edit.text().strip()
        if not query:
            return
        in_flight = self._searches.pending
        if self.timer.isActive() or (not in_flight and self._shown_query != query):
            self._open_when_ready = True
            self._start_search()
            return
        if in_flight:
            self._open_when_ready = True
            return
        index = self.results.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        self._open_index(index)

    def retranslate(self) -> None:
        self.heading.setText(_("Find a customer"))
        self.edit.setPlaceholderText(_("Customer number, phone number or name"))
        self.edit.setToolTip(_("Search (Ctrl+F); Enter opens the selected customer"))
        self.results.setAccessibleName(_("Search results"))
        self._show_state(*self._state)

    # -- searching --------------------------------------------------------------

    def _on_text_changed(self, text: str) -> None:
        self._open_when_ready = False
        # The search still running is stale: stopped on the server, its end not shown.
        self._searches.drop()
        if not text.strip():
            self.timer.stop()
            self._shown_query = ""
            self.model.set_hits([])
            self._show_state("idle", {})
            return
        self.timer.start()

    def _start_search(self) -> None:
        self.timer.stop()
        query = self.edit.text().strip()
        if self._db is None or not query:
            return
        self._show_state("searching", {})
        cancel = SearchCancel()  # a newer search stops this one on the server
        Op(self, search_customers, self._db, query, RESULT_LIMIT, cancel).latest(
            self._searches, stop=cancel.cancel
        ).success(lambda hits: self._on_results(query, hits)).failure(self._on_failed).run()

    def _on_results(self, query: str, hits: list[CustomerHit]) -> None:
        self._shown_query = query
        self.model.set_hits(hits)
        if hits:
            self.results.setCurrentIndex(self.model.index(0, 0))
            self._show_state("found", {"count": len(hits)})
        else:
            self._show_state("none", {"query": query})
        if self._open_when_ready:
            self._open_when_ready = False
            if hits:
                self._open_index(self.model.index(0, 0))

    def _on_failed(self, exc: BaseException) -> None:
        self._open_when_ready = False
        self.model.set_hits([])
        self._show_state("error", {"message": describe_error(exc)})

    def _show_state(self, state: str, args: dict[str, Any]) -> None:
        self._state = (state, args)
        if state == "idle":
            text = _("Type a customer number, a phone number in any notation, or a name.")
        elif state == "searching":
            text = _("Searching…")
        elif state == "found":
            count = args["count"]
            text = ngettext("{count} customer", "{count} customers", count).format(count=count)
            if count >= RESULT_LIMIT:
                text = _("The first {count} customers; type more to narrow down.").format(
                    count=count
                )
        elif state == "none":
            text = _("No customer matches “{query}”.").format(query=args["query"])
        else:
            text = args["message"]
        say(self.status, text, error=state == "error")

    # -- opening ------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row()) if index.isValid() else None
        if hit is not None:
            self.customer_chosen.emit(hit.id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up and Down in the search box move through the results."""
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                return self._move_selection(key)
        return super().eventFilter(watched, event)

    def _move_selection(self, key: int) -> bool:  # QKeyEvent.key(): a Qt.Key value
        rows = self.model.rowCount()
        if not rows:
            return False
        steps: dict[int, int] = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10}
        step = steps.get(key, -10)
        current = self.results.currentIndex().row()
        row = min(max(current + step, 0), rows - 1) if current >= 0 else 0
        self.results.setCurrentIndex(self.model.index(row, 0))
        return True
