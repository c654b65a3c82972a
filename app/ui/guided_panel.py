"""The guided panel: one playbook step at a time, beside the customer's data.

From top to bottom: the flow's title with a progress bar ("Step 2 of 5"),
the step's title, the words to say in the customer's language (large, in a
frame naming the language), what to do, the inputs, the decision with *why*
(the rules behind it in plain words, their ids small and grey), and Back /
Next. Everything works from the keyboard: the focus lands on the first input
of each step, Ctrl+Enter (or Alt+Right) completes it, Alt+Left goes back
with what was typed kept as a draft, Alt+PgDown/PgUp scroll a long step. A
step completed before shows its answers read-only, marked "Recorded". Every
service call runs in the background; Next and Back wait for the previous
call to finish. A recorded step reports what it changed (the customer's
history, cases and letters: :mod:`app.ui.changes`); the other screens refresh
themselves from that.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.services.errors import ValidationError
from app.ui.changes import Changes, on_changes
from app.ui.common import add_keys, bind_retranslate, hint_label
from app.ui.guided_step import STEP_STYLE, StepBody, scaled, text_label
from app.ui.input_widgets import InputWidget
from app.ui.latest import Latest
from app.ui.qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.services.run_view import RunView
    from app.services.todo_items import OpenTarget
    from app.store.db import Database


# The run services load the processes, their playbooks and the store: they are imported
# on the worker that first calls one, not while the window is built.


def open_run(*args: Any, **kwargs: Any) -> RunView:
    from app.services.runs import open_run

    return open_run(*args, **kwargs)


def show_run(*args: Any, **kwargs: Any) -> RunView:
    from app.services.runs import show_run

    return show_run(*args, **kwargs)


def complete_step(*args: Any, **kwargs: Any) -> RunView:
    from app.services.runs import complete_step

    return complete_step(*args, **kwargs)


def go_back(*args: Any, **kwargs: Any) -> RunView:
    from app.services.runs import go_back

    return go_back(*args, **kwargs)


def _step_changes(view: RunView) -> Changes:
    """What recording a step changes: the customer's history and cases, and the
    letters a step may request."""
    return Changes.of([view.customer_id], history=True, cases=True, letters=True)


class GuidedPanel(QWidget):
    """Runs one playbook flow for the open customer."""

    #: A step was completed (the RunView after it): history, to-do list and overview changed.
    step_recorded = Signal(object)
    #: The agent leaves the panel (Escape, or Close on a finished run).
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidedPanel")
        self.setStyleSheet(STEP_STYLE)
        self.db: Database | None = None
        #: The day the services decide for (None: today); tests fix it.
        self.today: date | None = None
        self.view: RunView | None = None
        self.inputs: dict[str, InputWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.session_log: list[tuple[str, tuple[str, ...]]] = []
        self._calls = Latest()
        self._busy = False
        self._state = "empty"
        self._message = ""
        self._status = ""

        self.flow_title = text_label(name="flowTitle")
        scaled(self.flow_title, 1.25, bold=True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("stepProgress")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.step_count = hint_label()
        self.step_count.setObjectName("stepCount")
        header = QVBoxLayout()
        header.setSpacing(4)
        header.addWidget(self.flow_title)
        header.addWidget(self.progress)
        header.addWidget(self.step_count)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.status_line = text_label(name="statusLine")
        self.error_line = text_label(name="errorLine")
        self.error_line.setProperty("role", "error")
        self.keys_hint = hint_label()
        self.back_button = QPushButton(self)
        self.back_button.setObjectName("backButton")
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("closeButton")
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.next_step)
        self.close_button.clicked.connect(self.leave_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(header)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.status_line)
        layout.addWidget(self.error_line)
        layout.addLayout(buttons)
        layout.addWidget(self.keys_hint)

        keys: dict[str, Callable[[], object]] = {
            "Ctrl+Return": self.next_step,
            "Ctrl+Enter": self.next_step,
            "Alt+Right": self.next_step,
            "Alt+Left": self.go_back,
            "Alt+PgDown": lambda: self._scroll(1),
            "Alt+PgUp": lambda: self._scroll(-1),
        }
        add_keys(self, keys, Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_body(QWidget())
        self.retranslate()
        bind_retranslate(self)
        on_changes(self._on_changes)

    # -- public ---------------------------------------------------------------------

    def set_database(self, db: Database | None) -> None:
        self.db = db
        self.clear()

    def clear(self) -> None:
        """No run: the panel is empty (and the window hides it)."""
        self._calls.drop()
        self.view = None
        self.session_log = []
        self._busy = False
        self._state = "empty"
        self._status = ""
        self._show_body(QWidget())
        self.retranslate()

    def open_target(self, customer_id: uuid.UUID, target: OpenTarget) -> None:
        """Start or resume the flow ``target`` names for the customer."""
        if self.db is None:
            return
        if target.flow is None:
            self._fail(_("There is no guided script for this yet."))
            return
        self.session_log = []
        self._status = ""
        self._call(
            open_run,
            self.db,
            customer_id,
            target.process,
            target.flow,
            subject=target.subject,
            case_id=target.case_id,
            step=target.step,
            step_done=target.step_done,
            on_request=target.on_request,
            today=self.today,
        )

    def open_case(self, case_id: uuid.UUID) -> None:
        """Show the run of an existing case where it stands."""
        if self.db is not None:
            self.session_log = []
            self._call(show_run, self.db, case_id, today=self.today)

    def answers(self) -> dict[str, Any]:
        """The inputs' current values, as the service expects them."""
        return {input_id: widget.value() for input_id, widget in self.inputs.items()}

    def next_step(self) -> None:
        """Complete the current step (Ctrl+Enter); on a finished run, leave."""
        view = self.view
        if view is None or self._busy or self.db is None:
            return
        if view.finished:
            self.leave_requested.emit()
            return
        answers = {} if view.locked else self.answers()
        title, locked = view.step_title, view.locked
        self._call(
            complete_step,
            self.db,
            view.case_id,
            answers,
            today=self.today,
            then=lambda new: self._after_step(title, locked, new),
            changes=None if locked else _step_changes,
        )

    def go_back(self) -> None:
        """Back to the previous step (Alt+Left); what was typed here is kept."""
        view = self.view
        if view is None or self._busy or self.db is None or not view.can_go_back:
            return
        drafts = {} if view.locked else self.answers()
        self._status = ""
        self._call(go_back, self.db, view.case_id, drafts, today=self.today)

    def focus_first(self) -> None:
        """The first open input, else Next (or Close on a finished run)."""
        view = self.view
        if view is not None and not view.locked:
            for widget in self.inputs.values():
                widget.take_focus()
                return
        button = self.close_button if view is not None and view.finished else self.next_button
        if button.isVisible():
            button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _scroll(self, direction: int) -> None:
        """Alt+PgDown / Alt+PgUp: scroll the step (to the decision and why) without the mouse."""
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(bar.value() + direction * bar.pageStep())

    # -- language ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.back_button.setText(_("◀  Back"))
        self.back_button.setToolTip(_("Previous step (Alt+Left); what you typed here is kept"))
        self.next_button.setText(_("Next  ▶"))
        self.next_button.setToolTip(_("Complete this step and record it (Ctrl+Enter)"))
        self.close_button.setText(_("Close"))
        self.close_button.setToolTip(_("Back to the customer (Escape)"))
        self.keys_hint.setText(
            _(
                "Ctrl+Enter: next · Alt+Left: back · Tab: next field · "
                "Alt+PgDown/PgUp: scroll · Escape: leave the script"
            )
        )
        self.setAccessibleName(_("Guided script"))
        for widget in self.inputs.values():
            widget.retranslate()
        if not self._reword():
            self._update_chrome()

    def _reword(self) -> bool:
        """The texts of the step are worded by the service: ask again, keep what was typed."""
        if self.view is None or self._busy or self.db is None:
            return False
        typed = self.answers()
        self._call(show_run, self.db, self.view.case_id, today=self.today, keep=typed, focus=False)
        return True

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.settings:  # the agent's name is in the words to say
            self._reword()

    # -- calling the services ---------------------------------------------------------------

    def _call(
        self,
        fn: Callable[..., RunView],
        *args: Any,
        then: Callable[[RunView], None] | None = None,
        keep: dict[str, Any] | None = None,
        focus: bool = True,
        changes: Callable[[RunView], Changes] | None = None,
        **kwargs: Any,
    ) -> None:
        self._set_busy(True)
        self.error_line.clear()
        self._clear_field_errors()

        def done(view: RunView) -> None:
            self._busy = False
            (then or (lambda v: self.show_view(v, keep=keep, focus=focus)))(view)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._failed(exc)

        # Only the newest call's outcome shows (an older one ending late is dropped).
        op = Op(self, fn, *args, **kwargs).latest(self._calls).success(done).failure(failed)
        op.finished(lambda: self._set_busy(False))
        if changes is not None:
            op.changes(changes)
        op.run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _after_step(self, title: str, was_locked: bool, view: RunView) -> None:
        if was_locked:
            self._status = _("{step}: already recorded").format(step=title)
        else:
            things = " · ".join(view.recorded) if view.recorded else _("Recorded in the history")
            self._status = f"✓ {title}: {things}"
            self.session_log.append((title, view.recorded))
            self.step_recorded.emit(view)
        self.show_view(view)

    def _failed(self, exc: BaseException) -> None:
        message = describe_error(exc)
        field = exc.field if isinstance(exc, ValidationError) else None
        if field in self.errors:
            self.errors[field].setText(message)
            self.errors[field].show()
            self.inputs[field].take_focus()
        elif self.view is None:
            self._fail(message)
        else:
            self.error_line.setText(message)
        self._update_buttons()

    def _fail(self, message: str) -> None:
        self.view = None
        self._state = "error"
        self._message = message
        self._show_body(QWidget())
        self._update_chrome()

    def _clear_field_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    # -- showing a step ---------------------------------------------------------------------

    def show_view(
        self, view: RunView, keep: dict[str, Any] | None = None, focus: bool = True
    ) -> None:
        """Show ``view`` (``keep``: values typed before, kept over a re-wording)."""
        self.view = view
        self._state = "run"
        self._build(view)
        if keep and not view.locked:
            for input_id, value in keep.items():
                if input_id in self.inputs:
                    self.inputs[input_id].set_value(value)
        self._update_chrome()
        if focus:
            self.focus_first()

    def _update_chrome(self) -> None:
        view = self.view
        self.status_line.setText(self._status)
        self.status_line.setVisible(bool(self._status))
        self.error_line.setVisible(True)
        if view is None:
            self.flow_title.setText(
                self._message if self._state == "error" else _("No guided script open")
            )
            self.flow_title.setProperty("role", "error" if self._state == "error" else "")
            self.progress.hide()
            self.step_count.clear()
        else:
            self.flow_title.setProperty("role", "")
            self.flow_title.setText(view.flow_title)
            self.progress.show()
            self.progress.setRange(0, max(view.total, 1))
            self.progress.setValue(view.done)
            if view.finished:
                count = _("Finished: {done} of {total} steps recorded")
            elif view.locked:
                count = _("{done} of {total} steps recorded; this one is done")
            else:
                count = _("Step {step} of {total}")
            self.step_count.setText(
                count.format(step=min(view.done + 1, view.total), done=view.done, total=view.total)
            )
        self.flow_title.style().unpolish(self.flow_title)
        self.flow_title.style().polish(self.flow_title)
        self._update_buttons()

    def _update_buttons(self) -> None:
        view = self.view
        running = view is not None and not view.finished
        self.next_button.setVisible(running)
        self.back_button.setVisible(running)
        self.close_button.setVisible(view is None or view.finished)
        self.next_button.setEnabled(running and not self._busy)
        self.back_button.setEnabled(running and not self._busy and bool(view and view.can_go_back))
        self.keys_hint.setVisible(running)

    def _show_body(self, body: QWidget) -> None:
        """Replace the step's widgets; ``inputs`` and ``errors`` always name the shown ones
        (never those of a body that is being deleted)."""
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()  # may hold the widget whose key press got us here
        if isinstance(body, StepBody):
            self.inputs, self.errors = body.inputs, body.errors
        else:
            self.inputs, self.errors = {}, {}
        self.scroll_area.setWidget(body)

    def _build(self, view: RunView) -> None:
        self._show_body(StepBody(view, self.session_log))
