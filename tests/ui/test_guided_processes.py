"""The shipped playbooks, driven through the window with the keyboard alone.

Each test opens a showcase customer of the demo database (built once per
session, copied per test), goes to "What to do now" (Ctrl+T), opens the item
with Enter (or starts a flow from "Start a process" with Space and Enter),
answers every step with keys and Ctrl+Enter until the run is finished, and
then checks the history entries in the database: who, when, what, and the
rule ids. A process whose playbook is not shipped yet is skipped.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import current_user_name
from app.domain.playbook_schema import PlaybookError
from app.services.playbooks import playbook_for
from app.store.db import Database
from app.store.models import Case, Customer, HistoryEntry, Letter, PartnerTicket, SmsMessage, Task
from app.store.repositories import UnitOfWork
from app.ui.input_widgets import ChoiceComboInput, DateInput, TextInput, YesNoInput
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QMenu, Qt, QTimer
from app.ui.todo_panel import TodoRow
from app.ui.worker import pending_ops

pytestmark = pytest.mark.gui

REFERENCE = date(2026, 3, 18)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.services.demo import create_demo, minimum_customers

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_demo(f"sqlite:///{path}", reference=REFERENCE, customers=minimum_customers())
    return path


@pytest.fixture
def demo_db(_demo_template: Path, tmp_path: Path):
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_demo_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def demo_window(gui_app, qtbot, demo_db: Database, sync_ops):
    win = MainWindow()
    qtbot.addWidget(win)
    win.today = REFERENCE
    win.set_database(demo_db)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)


def _focus():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(_focus(), key, modifier)


def _type(qtbot, text: str) -> None:
    qtbot.keyClicks(_focus(), text)


def open_by_keyboard(qtbot, window: MainWindow, customer_no: str) -> None:
    """Ctrl+F, the number, Enter; then Ctrl+T to "What to do now"."""
    _key(qtbot, Qt.Key.Key_F, CTRL)
    _type(qtbot, customer_no)
    _key(qtbot, Qt.Key.Key_Return)
    assert window.overview is not None and window.overview.customer_no == customer_no
    _key(qtbot, Qt.Key.Key_T, CTRL)


def start_from_menu(qtbot, window: MainWindow, action_name: str) -> None:
    """Space on "Start a process", then the flow's entry with the arrow keys and Enter."""
    todo = window.customer_view.todo
    todo.start_button.setFocus()
    menu = todo.start_menu
    names = [a.objectName() for a in menu.actions()]
    assert action_name in names, names

    chosen: list[str] = []

    def choose() -> None:
        popup = QApplication.activePopupWidget()
        assert isinstance(popup, QMenu)
        for _ in range(len(names) - names.index(action_name)):
            qtbot.keyClick(popup, Qt.Key.Key_Up)  # from the bottom, wrapping round
        assert popup.activeAction().objectName() == action_name
        qtbot.keyClick(popup, Qt.Key.Key_Return)
        chosen.append(action_name)

    QTimer.singleShot(100, choose)
    assert todo.start_button.hasFocus(), _focus()
    _key(qtbot, Qt.Key.Key_Space)  # the menu pops up from the event loop
    qtbot.waitUntil(lambda: chosen == [action_name])
    window.activateWindow()  # what the window system does when the popup has gone
    qtbot.waitUntil(lambda: window.isActiveWindow() and QApplication.focusWidget() is not None)


def type_date(qtbot, widget: DateInput, day: date) -> None:
    """Arrive in the field as with Tab (its first part selected) and type the digits."""
    edit = widget.edit
    edit.setFocus(Qt.FocusReason.TabFocusReason)
    fmt = edit.displayFormat()
    digits = fmt.replace("yyyy", f"{day.year:04}").replace("MM", f"{day.month:02}")
    digits = "".join(c for c in digits.replace("dd", f"{day.day:02}") if c.isdigit())
    qtbot.keyClicks(edit, digits)
    assert widget.value() == day.isoformat(), (widget.value(), fmt, digits)


def step_entries(db: Database, customer_no: str, since: datetime) -> list[HistoryEntry]:
    with UnitOfWork(db) as uow:
        rows = uow.session.scalars(
            select(HistoryEntry)
            .join(Customer, Customer.id == HistoryEntry.customer_id)
            .where(
                Customer.customer_no == customer_no,
                HistoryEntry.kind == "step",
                HistoryEntry.created_at >= since,
            )
            .order_by(HistoryEntry.created_at)
        ).all()
        uow.session.expunge_all()
        return list(rows)


def assert_recorded(entries: list[HistoryEntry], process: str, since: datetime) -> None:
    """Who, when, what and why of every step entry."""
    assert entries
    for entry in entries:
        assert entry.author == current_user_name()
        assert entry.created_at.replace(tzinfo=UTC) >= since
        assert entry.payload["process"] == process and entry.payload["step"]
        assert entry.text
        assert entry.origin
    assert any(entry.rule_ids for entry in entries), "no rule ids behind any step"
    assert all(entry.ruleset_version for entry in entries if entry.rule_ids)


def _since() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=1)


# --- fair use ----------------------------------------------------------------------------


def test_fair_use_stage_1_by_keyboard(qtbot, demo_window: MainWindow, demo_db) -> None:
    since = _since()
    window = demo_window
    open_by_keyboard(qtbot, window, "C-10001")
    row = _focus()
    assert isinstance(row, TodoRow) and row.target.flow == "stage_1"
    assert row.title.text() == "Fair use — stage 1"
    _key(qtbot, Qt.Key.Key_Return)
    panel = window.guided
    assert panel.isVisible() and panel.view.flow_id == "stage_1"
    assert panel.step_count.text() == "Step 1 of 2"
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.status_line.text().endswith("SMS queued")
    assert window.timeline.model.item(0).kind == "step"  # the history shows it at once
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.finished
    _key(qtbot, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    assert window.customer_view.todo.rows == []  # nothing left for the month

    entries = step_entries(demo_db, "C-10001", since)
    assert [e.payload["action"] for e in entries] == ["sms_1", "history_entry"]
    assert_recorded(entries, "fair_use", since)
    assert all(e.payload["subject"] == "2026-03" for e in entries)
    assert "fair_use.stage.1.first_month" in entries[0].rule_ids
    with UnitOfWork(demo_db) as uow:
        sms = uow.session.scalars(select(SmsMessage).where(SmsMessage.created_at >= since)).one()
        assert sms.language == "de" and "Brändli" in sms.text


def test_fair_use_stage_3_decision_and_partner_disagrees_by_keyboard(
    qtbot, demo_window: MainWindow, demo_db
) -> None:
    since = _since()
    window = demo_window
    panel = window.guided
    open_by_keyboard(qtbot, window, "C-10003")
    assert _focus().target.flow == "stage_3"
    _key(qtbot, Qt.Key.Key_Return)
    # The products were reviewed before (the history says so): the case goes on at the
    # decision, the step the to-do item names, not again at step 1.
    assert panel.view.step_id == "decide_measure"
    assert panel.step_count.text() == "Step 2 of 5" and not panel.view.can_go_back
    assert panel.findChild(type(panel.flow_title), "fact_termination_allowed").text() == "no"

    # The Mobile-TV/combo exception: termination is not offered.
    measure = panel.inputs["measure"]
    assert [b.objectName() for b in measure.buttons] == ["option_migration"]
    _key(qtbot, Qt.Key.Key_1)
    _key(qtbot, Qt.Key.Key_Tab)  # the decision date stays empty: today
    _key(qtbot, Qt.Key.Key_Tab)
    # The new plan is chosen from the tariff catalogue, cheapest first, with its fee.
    tariffs = panel.inputs["new_tariff"]
    assert tariffs.buttons[0].objectName() == "option_ch_mobile_talk"
    assert "29.00" in tariffs.buttons[0].text()
    _key(qtbot, Qt.Key.Key_1)
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "Three months over the limits; migration keeps the customer.")
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    for step in ("partner_ticket_decision", "letter_to_partner", "execute_measure"):
        errors = {i: e.text() for i, e in panel.errors.items() if e.text()}
        assert panel.view.step_id == step, (panel.error_line.text(), errors, panel.answers())
        _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.finished
    _key(qtbot, Qt.Key.Key_Escape)

    # Days later, the partner disagrees: Controlling is told, the case closes.
    start_from_menu(qtbot, window, "start_fair_use_partner_feedback")
    assert panel.view is not None, panel.flow_title.text()
    assert panel.view.flow_id == "partner_feedback"
    _key(qtbot, Qt.Key.Key_N)
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "We do not agree.")
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.step_id == "report_controlling"
    assert panel.findChild(type(panel.flow_title), "fact_report_to_controlling").text() == "yes"
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.finished

    entries = step_entries(demo_db, "C-10003", since)
    assert [e.payload["step"] for e in entries] == [
        "decide_measure",
        "partner_ticket_decision",
        "letter_to_partner",
        "execute_measure",
        "partner_answer",
        "report_controlling",
    ]
    assert_recorded(entries, "fair_use", since)
    assert entries[0].payload["answers"]["measure"] == "migration"
    assert entries[0].payload["answers"]["new_tariff"] == "ch_mobile_talk"
    assert "new_monthly_fee" not in entries[0].payload["answers"]  # never typed
    assert any("exception" in rule for rule in entries[0].rule_ids), entries[0].rule_ids
    with UnitOfWork(demo_db) as uow:
        letters = uow.session.scalars(
            select(Letter.document).where(Letter.requested_at >= since)
        ).all()
        assert sorted(letters) == ["fair_use_migration", "fair_use_partner_note"]
        assert uow.session.scalars(
            select(PartnerTicket).where(PartnerTicket.kind == "fair_use_decision")
        ).all()
        assert uow.session.scalars(select(Task).where(Task.kind == "controlling_report")).one()
        case = uow.session.get(Case, panel.view.case_id)
        assert case.state.value == "closed"


# --- every process: one full path --------------------------------------------------------

#: process -> (customer, how the flow is opened: "todo" or a Start-menu action name).
PATHS = {
    "expiry": ("C-10010", "todo"),
    "onboarding": ("C-10018", "todo"),
    "complaint": ("C-10025", "todo"),
    "contract": ("C-10016", "start_contract_cancel"),
}


def _answer(qtbot, panel, input_id: str, attempt: int, message: str) -> None:
    """Fill one input with the keyboard; a later attempt tries what the message asks for."""
    widget = panel.inputs[input_id]
    widget.take_focus()
    if isinstance(widget, YesNoInput):
        _key(qtbot, Qt.Key.Key_Y if attempt % 2 == 0 else Qt.Key.Key_N)
    elif isinstance(widget, ChoiceComboInput):
        for _ in range(attempt + 1):
            _key(qtbot, Qt.Key.Key_Down)
    elif hasattr(widget, "buttons"):
        _key(qtbot, getattr(Qt.Key, f"Key_{min(attempt, len(widget.buttons) - 1) + 1}"))
    elif isinstance(widget, DateInput):
        limit = next((w for w in message.split() if w[:4].isdigit() and "-" in w), None)
        day = date.fromisoformat(limit.rstrip(".")) if limit else REFERENCE
        type_date(qtbot, widget, day)
    elif isinstance(widget, TextInput):
        _type(qtbot, "Agreed with the customer.")
    else:
        widget.edit.selectAll()
        limit = next((w.rstrip(".") for w in message.split() if w[:1].isdigit()), "0.00")
        _type(qtbot, limit)


def run_to_the_end(qtbot, panel, max_steps: int = 30) -> int:
    """Answer every step and press Ctrl+Enter until the run is finished; the steps done."""
    for done in range(max_steps):
        view = panel.view
        if view.finished:
            return done
        if not view.locked:
            for input_id, widget in panel.inputs.items():
                if widget.value() is None:
                    _answer(qtbot, panel, input_id, 0, "")
        for attempt in range(1, 4):
            step = panel.view.step_id
            _key(qtbot, Qt.Key.Key_Return, CTRL)
            if panel.view.step_id != step or panel.view.finished:
                break
            failed = [i for i, label in panel.errors.items() if label.isVisible()]
            assert failed, f"step {step} refused: {panel.error_line.text()}"
            _answer(qtbot, panel, failed[0], attempt, panel.errors[failed[0]].text())
        else:
            pytest.fail(f"step {step} kept refusing: {panel.errors[failed[0]].text()}")
    pytest.fail("the run did not finish")


@pytest.mark.parametrize("process", list(PATHS))
def test_each_process_from_start_to_end_by_keyboard(
    qtbot, demo_window: MainWindow, demo_db, process: str
) -> None:
    try:
        playbook_for(process)
    except PlaybookError:
        pytest.skip(f"no {process} playbook shipped yet")
    customer_no, how = PATHS[process]
    since = _since()
    window = demo_window
    open_by_keyboard(qtbot, window, customer_no)
    if how == "todo":
        row = _focus()
        assert isinstance(row, TodoRow) and row.target.process == process
        _key(qtbot, Qt.Key.Key_Return)
    else:
        start_from_menu(qtbot, window, how)
    panel = window.guided
    assert panel.isVisible() and panel.view is not None, panel.flow_title.text()
    steps = run_to_the_end(qtbot, panel)
    entries = step_entries(demo_db, customer_no, since)
    assert len(entries) == steps
    assert_recorded(entries, process, since)
