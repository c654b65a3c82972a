"""What to do now: the customer's applicable processes, most urgent first.

One row per item of :func:`app.services.todo.todo_for`, in the service's
order (overdue first, then by due date). Each row names the process, its
stage and what is open, and its due date; an overdue row says so in words,
with a warning icon and a red edge. Enter or Space on a focused row (or a
click) opens its playbook in the guided panel; Up and Down move between
rows. "Start a process" offers the flows that begin with a call rather than
a due date: contract requests, a new complaint, a goodwill request about one
of the customer's bundles, the partner's answer on a fair-use decision.
The list loads itself again when an operation changes the customer's cases
or letters (:mod:`app.ui.changes`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, ngettext, ui_language
from app.services.todo_items import BUNDLE_FLOWS, started_target
from app.services.wording import due_words, item_words
from app.ui.changes import Changes, on_changes
from app.ui.common import bind_retranslate, hint_label, std_icon
from app.ui.labels import process_label
from app.ui.latest import Latest
from app.ui.qt import (
    QAction,
    QFocusEvent,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QMenu,
    QMouseEvent,
    QStyle,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.domain.playbook_schema import Localized
    from app.services.todo import OpenTarget, TodoList
    from app.store.db import Database

ROW_STYLE = """
QFrame#todoRow { border: 1px solid #d5dae1; border-radius: 6px; background: #ffffff; }
QFrame#todoRow[overdue="true"] { border-left: 5px solid #b3261e; background: #fdf3f2; }
QFrame#todoRow:focus { border: 2px solid #1746a2; background: #eef3fd; }
QLabel[role="overdue"] { color: #b3261e; font-weight: bold; }
QLabel[role="due"] { color: #3e4c59; }
"""


@dataclass(frozen=True)
class StartOption:
    """A flow the agent can start without a due item (a contract request, a complaint)."""

    process: str
    flow: str
    title: Localized
    #: What it is about (a bundle number), and how the menu names that.
    about: str | None = None
    about_words: str = ""


@dataclass(frozen=True)
class TodoData:
    todo: TodoList
    starts: tuple[StartOption, ...]


def load_todo(db: Database, customer_no: str, today: date | None) -> TodoData:
    """The to-do list and the flows one can start (worker thread): a flow about a
    bundle once per bundle of the customer."""
    from app.services.playbooks import load_all, startable_flows
    from app.services.todo import bundle_choices, todo_for

    load_all()  # the rows are worded from the playbooks on the GUI thread
    todo = todo_for(db, customer_no, today)
    starts: list[StartOption] = []
    bundles: tuple[tuple[str, str], ...] | None = None
    for process, flow in startable_flows():
        if (process, flow.id) not in BUNDLE_FLOWS:
            starts.append(StartOption(process, flow.id, flow.title))
            continue
        if bundles is None:
            bundles = bundle_choices(db, todo.customer_id)
        starts.extend(
            StartOption(process, flow.id, flow.title, bundle_no, f"{name} ({bundle_no})")
            for bundle_no, name in bundles
        )
    return TodoData(todo, tuple(starts))


def start_target(option: StartOption, today: date | None) -> OpenTarget:
    """Where a started flow runs (the subject conventions live in the service)."""
    return started_target(option.process, option.flow, today or date.today(), option.about)


class TodoRow(QFrame):
    """One item: a focusable row that opens its playbook with Enter, Space or a click."""

    activated = Signal(object)

    def __init__(self, target: OpenTarget, overdue: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todoRow")
        self.target = target
        self.overdue = overdue
        self.setProperty("overdue", "true" if overdue else "false")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.icon = QLabel(self)
        self.icon.setFixedWidth(24)
        if overdue:
            self.icon.setPixmap(
                std_icon(self, QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20)
            )
        self.title = QLabel(self)
        self.title.setObjectName("todoTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.due = QLabel(self)
        self.due.setObjectName("todoDue")
        self.due.setProperty("role", "overdue" if overdue else "due")
        self.details = QLabel(self)
        self.details.setObjectName("todoDetails")
        self.details.setWordWrap(True)
        self.details.setProperty("role", "hint")
        self.title.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.due)
        text.addWidget(self.details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 10, 6)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)

    def set_texts(self, title: str, details: str, due: str) -> None:
        self.title.setText(title)
        self.details.setText(details)
        self.due.setText(due)
        self.setAccessibleName(f"{title}. {due}. {details}")
        self.setToolTip(_("Enter opens the guided script"))

    def activate(self) -> None:
        self.activated.emit(self.target)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and not (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.activate()
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.focusNextPrevChild(key == Qt.Key.Key_Down)
        else:
            super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.activate()
        super().mouseReleaseEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.style().unpolish(self)
        self.style().polish(self)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.style().unpolish(self)
        self.style().polish(self)


class TodoPanel(QGroupBox):
    """The "What to do now" box of the customer view."""

    #: The agent chose an item or a flow to start (an OpenTarget).
    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todoPanel")
        self.setStyleSheet(ROW_STYLE)
        self.db: Database | None = None
        self.customer_no: str | None = None
        self.customer_id: uuid.UUID | None = None
        self.today: date | None = None
        self.data: TodoData | None = None
        self.rows: list[TodoRow] = []
        self._loads = Latest()
        self._state = "empty"
        self._message = ""
        #: Whether the user may start a process (their role records the work).
        self.can_start = True

        self.status = hint_label()
        self.status.setObjectName("todoStatus")
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(6)
        self.start_button = QToolButton(self)
        self.start_button.setObjectName("startButton")
        self.start_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.start_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.start_menu = QMenu(self.start_button)
        self.start_button.setMenu(self.start_menu)
        self.start_button.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.rows_layout)
        layout.addLayout(bottom)
        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)

    def set_can_start(self, allowed: bool) -> None:
        """Offer "Start a process" only to a user whose role records the work."""
        self.can_start = allowed
        if not allowed:
            self.start_button.hide()
        elif self.start_menu.actions():
            self.start_button.show()

    # -- loading -------------------------------------------------------------------------

    def load(self, db: Database, customer_no: str, today: date | None = None) -> None:
        """Load the list for the customer ``customer_no`` in the background."""
        if customer_no != self.customer_no:
            self._set_rows([])
            self.customer_id = None
        self.db, self.customer_no, self.today = db, customer_no, today
        self.refresh()

    def refresh(self) -> None:
        if self.db is None or self.customer_no is None:
            return
        if not self.rows:
            self._state = "loading"
            self._update_status()
        Op(self, load_todo, self.db, self.customer_no, self.today).latest(self._loads).success(
            self._loaded
        ).failure(self._failed).run()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if (changes.cases or changes.letters) and changes.touches(self.customer_id):
            self.refresh()

    def clear(self) -> None:
        self._loads.drop()
        self.db = self.customer_no = self.data = self.customer_id = None
        self._set_rows([])
        self._state = "empty"
        self.retranslate()

    def _loaded(self, data: TodoData) -> None:
        had_focus = any(row.hasFocus() for row in self.rows)
        self.data = data
        self.customer_id = data.todo.customer_id
        self._state = "loaded"
        self.retranslate()
        if had_focus:
            self.focus_first()

    def _failed(self, exc: BaseException) -> None:
        self._state = "error"
        self._message = describe_error(exc)
        self._update_status()

    # -- showing ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setTitle(_("What to do now"))
        self.start_button.setText(_("Start a process ▾"))
        self.start_button.setToolTip(
            _(
                "A contract request, a new complaint, a goodwill request after a package "
                "ended, the partner's answer on a decision"
            )
        )
        data = self.data
        if data is not None:
            rows = []
            for item in data.todo.items:
                row = TodoRow(item.target, item.overdue, self)
                title, details = item_words(item)
                row.set_texts(title, details, due_words(item.due, item.overdue, data.todo.date))
                row.activated.connect(self.open_requested.emit)
                rows.append(row)
            self._set_rows(rows)
            self._fill_start_menu(data.starts)
        self._update_status()

    def _set_rows(self, rows: list[TodoRow]) -> None:
        for row in self.rows:
            self.rows_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = rows
        for row in rows:
            self.rows_layout.addWidget(row)
            row.show()  # at once, not when the event loop comes round

    def _fill_start_menu(self, starts: tuple[StartOption, ...]) -> None:
        from app.processes import spec_of  # loaded on the worker with the to-do list

        self.start_menu.clear()
        language = ui_language()
        for option in starts:
            label = option.title.get(language)
            spec = spec_of(option.process)
            if spec is not None and spec.start_words:
                label = _(spec.start_words).format(flow=label)
            if option.about_words:
                label = f"{label} — {option.about_words}"
            action = QAction(f"{process_label(option.process)} — {label}", self.start_menu)
            name = f"start_{option.process}_{option.flow}"
            action.setObjectName(f"{name}_{option.about}" if option.about else name)
            action.triggered.connect(
                lambda _checked=False, option=option: self.open_requested.emit(
                    start_target(option, self.today)
                )
            )
            self.start_menu.addAction(action)
        self.start_button.setVisible(bool(starts) and self.can_start)

    def _update_status(self) -> None:
        role = "hint"
        if self._state == "loading":
            text = _("Looking up what is due…")
        elif self._state == "error":
            text, role = self._message, "error"
        elif self._state == "loaded" and not self.rows:
            text = _("Nothing is due for this customer today.")
        elif self._state == "loaded":
            overdue = sum(row.overdue for row in self.rows)
            text = ngettext("{count} item", "{count} items", len(self.rows)).format(
                count=len(self.rows)
            )
            if overdue:
                text += " · " + ngettext("{count} overdue", "{count} overdue", overdue).format(
                    count=overdue
                )
            text += " · " + _("Enter opens the guided script")
        else:
            text = ""
        self.status.setProperty("role", role)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)

    def focus_first(self) -> bool:
        """Focus the most urgent row; False when there is none."""
        if self.rows:
            self.rows[0].setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False
