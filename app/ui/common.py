"""Small helpers every screen uses: re-translation, icons, chips, layouts that never clip,
keys, date fields, status lines and the painting of list items."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from app.i18n import _, ngettext, on_language_changed
from app.resources import resource_path
from app.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QApplication,
    QColor,
    QDateEdit,
    QIcon,
    QKeySequence,
    QLabel,
    QLayout,
    QLayoutItem,
    QListView,
    QPainter,
    QPaintEvent,
    QPalette,
    QPoint,
    QRect,
    QShortcut,
    QSize,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QTableView,
    QWidget,
    isValid,
)

if TYPE_CHECKING:
    from app.ui.table_model import Index

APP_ICON_FILE = "agent-assist.svg"

#: The application's look, beyond the platform style: chips and headers.
STYLE_SHEET = """
QLabel[chip="true"] {
    background: #e7effd; color: #1746a2; border: 1px solid #c9daf8;
    border-radius: 10px; padding: 2px 10px;
}
QLabel[chip="vip"] {
    background: #fff4d6; color: #7a5200; border: 1px solid #f0d48a;
    border-radius: 10px; padding: 2px 10px; font-weight: bold;
}
QLabel[chip="muted"] {
    background: #f1f3f5; color: #4a5360; border: 1px solid #dde1e6;
    border-radius: 10px; padding: 2px 10px;
}
QLabel[role="hint"] { color: #5f6b7a; }
QLabel[role="error"] { color: #b3261e; }
QLabel[role="section"] { font-weight: bold; color: #1f2933; }
QToolButton#startButton::menu-indicator { image: none; width: 0px; }
"""


class Retranslatable(Protocol):
    def retranslate(self) -> None: ...


def bind_retranslate(widget: QWidget) -> None:
    """Call ``widget.retranslate()`` whenever the UI language changes, while it exists."""

    def listener(_language: str) -> None:
        if isValid(widget):
            widget.retranslate()  # type: ignore[attr-defined]
        else:
            unregister()

    unregister = on_language_changed(listener)
    widget.destroyed.connect(lambda *_args: unregister())


def app_icon() -> QIcon:
    """The application's own icon (a headset), shipped as SVG."""
    return QIcon(str(resource_path("icons", APP_ICON_FILE)))


def std_icon(widget: QWidget, pixmap: QStyle.StandardPixmap) -> QIcon:
    """One of the platform style's standard icons."""
    return widget.style().standardIcon(pixmap)


def chip(text: str, kind: str = "true", tooltip: str = "") -> QLabel:
    """A rounded label for a product, a flag or a state."""
    label = QLabel(text)
    label.setProperty("chip", kind)
    if tooltip:
        label.setToolTip(tooltip)
    return label


def hint_label(text: str = "") -> QLabel:
    """Grey explanatory text, e.g. an empty state."""
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def say(label: QLabel, text: str, error: bool = False) -> None:
    """Show ``text`` in a hint label: red for an error, grey otherwise."""
    label.setProperty("role", "error" if error else "hint")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)


class PlaceholderListView(QListView):
    """A list view that says something useful while it is empty (and stays focusable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = ""

    def placeholder(self) -> str:
        return self._placeholder

    def set_placeholder(self, text: str) -> None:
        if text != self._placeholder:
            self._placeholder = text
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if self._placeholder and (model is None or model.rowCount(self.rootIndex()) == 0):
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(16, 16, -16, -16)
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
            painter.drawText(rect, int(flags | Qt.TextFlag.TextWordWrap), self._placeholder)
            painter.end()


class FlowLayout(QLayout):
    """Widgets side by side, wrapping onto the next line where the room ends.

    Chips and buttons in a narrow column stay visible instead of being cut off:
    the layout is only as wide as its widest item and grows in height.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


def row_table(parent: QWidget, model: QAbstractTableModel, name: str) -> QTableView:
    """A read-only table of rows, one selected at a time, as the lists across customers
    show them (worklists, tickets, history, reports): Tab leaves it, Enter activates a row."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    return table


def add_keys(
    widget: QWidget,
    keys: Mapping[str, Callable[[], object]],
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
) -> None:
    """Shortcuts of ``widget``: ``add_keys(self, {"F5": self.reload, "Esc": self.close})``."""
    for key, slot in keys.items():
        QShortcut(QKeySequence(key), widget, slot, context)


def date_edit(
    parent: QWidget, name: str, display_format: str = "", popup: bool = True
) -> QDateEdit:
    """A date field named ``name`` (``display_format`` "yyyy-MM": a month), with a calendar
    to pick from when ``popup``."""
    edit = QDateEdit(parent)
    edit.setObjectName(name)
    if display_format:
        edit.setDisplayFormat(display_format)
    edit.setCalendarPopup(popup)
    return edit


def list_status(state: str, message: str, loaded: Callable[[], str], loading: str = "") -> str:
    """The status line under a list: ``loading`` ("Loading…") while it loads, the error
    ``message``, what ``loaded()`` says once it is in, nothing before."""
    if state == "loading":
        return loading or _("Loading…")
    if state == "error":
        return message
    return loaded() if state == "loaded" else ""


def with_overdue(text: str, overdue: int) -> str:
    """``text`` and, when some are overdue, how many: ``12 rows · 3 overdue``."""
    if not overdue:
        return text
    return (
        text + " · " + ngettext("{count} overdue", "{count} overdue", overdue).format(count=overdue)
    )


class WordsDelegate(QStyledItemDelegate):
    """Paints a list item's words itself (:meth:`paint_words`) over the item's background,
    selection and focus as the style draws them; an item without the object of
    :attr:`object_role` is painted as usual."""

    #: The role whose data (the row's object) the words are made of.
    object_role: int = Qt.ItemDataRole.UserRole + 1

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(self.object_role)
        if item is None:
            super().paint(painter, option, index)
            return
        panel = QStyleOptionViewItem(option)
        self.initStyleOption(panel, index)
        panel.text = ""
        widget = panel.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, panel, painter, widget)
        painter.save()
        try:
            self.paint_words(painter, option, item)
        finally:
            painter.restore()

    def paint_words(self, painter: QPainter, option: QStyleOptionViewItem, item: Any) -> None:
        """Paint ``item``'s words into ``option.rect`` (the painter is restored after)."""


def item_pen(option: QStyleOptionViewItem, muted: bool = False) -> QColor:
    """The colour of words in a list item: the selection's on a selected item, else the
    text's (``muted``: the grey of secondary words)."""
    if option.state & QStyle.StateFlag.State_Selected:
        role = QPalette.ColorRole.HighlightedText
    else:
        role = QPalette.ColorRole.PlaceholderText if muted else QPalette.ColorRole.Text
    return option.palette.color(role)
