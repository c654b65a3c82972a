"""The guided panel on a small playbook of its own: every input kind, validation,
back and forward with drafts, locked steps, the finished state — all by keyboard.

The playbook is written to a temporary folder as ``fair_use.yaml`` with a flow
of its own (``panel_test``), so the real fair-use guide supplies the facts and
rule ids (from the rules engine) while the panel logic is tested independent
of the shipped wording. The shipped playbooks are driven end to end in
``test_guided_processes.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.config import current_user_name
from app.services import playbooks
from app.services.todo_items import OpenTarget
from app.store.models import HistoryEntry, PartnerTicket, SmsMessage, Task
from app.store.repositories import UnitOfWork
from app.ui.input_widgets import ChoiceComboInput, ChoiceRadioInput, DateInput, YesNoInput
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QFont, QGroupBox, QLabel, QPushButton, Qt
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
TODAY = date.today()
SUBJECT = TODAY.strftime("%Y-%m")
RULE = "fair_use.stage.consecutive_months"


def L(en: str, de: str | None = None, ru: str | None = None, zh: str | None = None) -> dict:
    """A text in all four languages (the others derived from English unless given)."""
    return {"de": de or f"{en} [de]", "en": en, "ru": ru or f"{en} [ru]", "zh": zh or f"{en} [zh]"}


PLAYBOOK = {
    "meta": {
        "id": "fair_use",
        "process": "fair_use",
        "version": "test.1",
        "valid_from": "2026-01-01",
        "title": L("Panel test"),
    },
    "facts": {"stage": L("Stage", de="Stufe"), "month": L("Month", de="Monat")},
    "sms": {"hello": L("Hello {customer_name}", de="Grüezi {customer_name}, wir rufen zurück.")},
    "explanations": {RULE: L("Months in a row over the limits count", de="Monate in Folge")},
    "flows": [
        {
            "id": "panel_test",
            "title": L("Panel test flow", de="Ablauf zum Testen"),
            "steps": [
                {
                    "id": "greet",
                    "title": L("Greet the customer", de="Kunden begrüssen"),
                    "say": L(
                        "Hello {customer_name}, this is {agent_name}.",
                        de="Grüezi {customer_name}, hier ist {agent_name}.",
                    ),
                    "do": L("Check who you are speaking with."),
                    "show": ["stage", "month"],
                    "inputs": [
                        {"id": "reached", "type": "yes_no", "label": L("Customer reached")},
                        {
                            "id": "callback",
                            "type": "date",
                            "required": False,
                            "min_days": 0,
                            "max_days": 30,
                            "label": L("Call back on"),
                        },
                    ],
                    "effects": [
                        {
                            "type": "sms",
                            "template": "hello",
                            "when": {"input": "reached", "equals": False},
                        },
                        {"type": "history", "text": L("Greeted {customer_name}")},
                    ],
                    "next": [
                        {"when": {"input": "reached", "equals": False}, "goto": "end"},
                        {"goto": "details"},
                    ],
                },
                {
                    "id": "details",
                    "title": L("Details"),
                    "inputs": [
                        {
                            "id": "reason",
                            "type": "choice",
                            "label": L("Reason"),
                            "options": [
                                {"id": "price", "label": L("Price")},
                                {"id": "network", "label": L("Network")},
                                {"id": "other", "label": L("Other")},
                            ],
                        },
                        {
                            "id": "refund",
                            "type": "amount",
                            "min_amount": "0.00",
                            "max_amount": "50.00",
                            "label": L("Refund"),
                        },
                        {
                            "id": "comment",
                            "type": "text",
                            "required": False,
                            "max_length": 200,
                            "label": L("Comment"),
                        },
                        {
                            "id": "channel",
                            "type": "choice",
                            "required": False,
                            "label": L("Channel"),
                            "options": [
                                {"id": f"c{i}", "label": L(f"Channel {i}")} for i in range(8)
                            ],
                        },
                    ],
                    "effects": [
                        {
                            "type": "ticket",
                            "kind": "panel_test",
                            "subject": L("About {customer_name}"),
                            "body": L("Please call {customer_name} back."),
                        },
                        {
                            "type": "task",
                            "kind": "panel_follow_up",
                            "due_in_days": 3,
                            "title": L("Follow up {customer_name}"),
                        },
                    ],
                },
                {
                    "id": "wrap_up",
                    "title": L("Wrap up"),
                    "say": L("Thank you, goodbye.", de="Danke und auf Wiederhören."),
                    "effects": [{"type": "history", "text": L("Wrapped up")}],
                },
            ],
        }
    ],
}


@pytest.fixture
def panel_playbooks(tmp_path: Path):
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "fair_use.yaml").write_text(
        yaml.safe_dump(PLAYBOOK, allow_unicode=True), encoding="utf-8"
    )
    playbooks.use_playbooks_dir(folder)
    yield folder
    playbooks.use_playbooks_dir(None)


@pytest.fixture
def started(qtbot, window: MainWindow, sqlite_db, sync_ops, panel_playbooks):
    """Hans Müller (German) open, the test flow started in the guided panel."""
    ids = seed_people(sqlite_db)
    window.open_customer(ids["mueller"])
    window.start_guided(OpenTarget("fair_use", "panel_test", SUBJECT))
    assert window.guided.isVisible() and window.guided.view is not None
    return ids["mueller"]


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Press ``key`` on whatever has the focus (as a real keyboard would)."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    qtbot.keyClick(widget, key, modifier)


def _type(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def _steps(db, customer_id) -> list[HistoryEntry]:
    with UnitOfWork(db) as uow:
        rows = uow.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.customer_id == customer_id, HistoryEntry.kind == "step")
            .order_by(HistoryEntry.created_at)
        ).all()
        uow.session.expunge_all()
        return list(rows)


def test_a_run_by_keyboard_with_validation_drafts_and_locked_steps(
    qtbot, window: MainWindow, sqlite_db, started
) -> None:
    panel = window.guided
    began = datetime.now(UTC) - timedelta(seconds=1)

    # Step 1: the words to say, large, in the customer's language; the decision and why.
    assert panel.flow_title.text() == "Panel test flow"
    assert panel.step_count.text() == "Step 1 of 3"
    say_box = panel.findChild(QGroupBox, "sayBox")
    assert say_box.title() == "Say (German)"
    say = panel.findChild(QLabel, "sayText")
    assert say.text() == f"Grüezi Hans Müller, hier ist {current_user_name()}."
    assert say.font().pointSizeF() >= 15
    assert panel.findChild(QLabel, "doText").text() == "Check who you are speaking with."
    assert panel.findChild(QLabel, "fact_stage").text() == "0"
    assert (
        panel.findChild(QLabel, "reason_0").text().endswith("Months in a row over the limits count")
    )
    rule = panel.findChild(QLabel, "rule_0")
    assert rule.text() == RULE and rule.font().pointSizeF() < say.font().pointSizeF()
    assert not panel.back_button.isEnabled()

    # The focus is on the first input; Next without an answer names the input.
    yes_no = panel.inputs["reached"]
    assert isinstance(yes_no, YesNoInput) and yes_no.buttons[0].hasFocus()
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    error = panel.errors["reached"]
    assert error.isVisible() and error.text() == "Customer reached: an answer is required."
    assert _steps(sqlite_db, started) == []
    assert panel.view.step_id == "greet"

    _key(qtbot, Qt.Key.Key_Y)
    assert yes_no.value() is True and not error.isVisible()
    _key(qtbot, Qt.Key.Key_Tab)
    date_input = panel.inputs["callback"]
    assert isinstance(date_input, DateInput) and date_input.edit.hasFocus()
    assert date_input.value() is None  # optional and empty until the agent sets it
    _key(qtbot, Qt.Key.Key_Up)  # from empty: today
    assert date_input.value() == TODAY.isoformat()
    _key(qtbot, Qt.Key.Key_Return, CTRL)

    # Step 2: recorded, the history shows it at once, the status line says so.
    assert panel.view.step_id == "details"
    assert panel.step_count.text() == "Step 2 of 3"
    assert panel.status_line.text() == "✓ Greet the customer: Recorded in the history"
    assert window.timeline.model.item(0).text == "Greeted Hans Müller"
    reason = panel.inputs["reason"]
    assert isinstance(reason, ChoiceRadioInput) and reason.buttons[0].hasFocus()
    assert isinstance(panel.inputs["channel"], ChoiceComboInput)  # eight options
    _key(qtbot, Qt.Key.Key_2)
    assert reason.value() == "network"
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "80x")  # the letter is refused by the field
    assert panel.inputs["refund"].edit.text() == "80"
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.step_id == "details"
    assert panel.errors["refund"].text() == "Refund: the amount must be at most 50.00."
    assert panel.inputs["refund"].edit.hasFocus()
    panel.inputs["refund"].edit.clear()
    _type(qtbot, "12,5")
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "Wants a call after 6 pm")

    # Back: step 1 is recorded, read-only; forward again: the draft is still there.
    _key(qtbot, Qt.Key.Key_Left, ALT)
    assert panel.view.step_id == "greet" and panel.view.locked
    assert panel.findChild(QLabel, "lockedNote").isVisible()
    assert panel.inputs["reached"].value() is True
    assert not panel.inputs["reached"].isEnabled()
    assert panel.next_button.hasFocus()
    _key(qtbot, Qt.Key.Key_Right, ALT)
    assert panel.view.step_id == "details" and not panel.view.locked
    assert panel.status_line.text() == "Greet the customer: already recorded"
    assert panel.answers() == {
        "reason": "network",
        "refund": "12.5",
        "comment": "Wants a call after 6 pm",
        "channel": None,
    }
    assert len(_steps(sqlite_db, started)) == 1  # looking back records nothing
    _key(qtbot, Qt.Key.Key_Return, CTRL)

    assert panel.view.step_id == "wrap_up"
    assert panel.status_line.text() == (
        "✓ Details: Ticket to the partner opened · Follow-up task created"
    )
    assert panel.findChild(QLabel, "sayText").text() == "Danke und auf Wiederhören."
    assert panel.next_button.hasFocus()  # no inputs: Next has the focus
    _key(qtbot, Qt.Key.Key_Return, CTRL)

    # Finished: a summary and Close; Space on Close leaves the panel.
    assert panel.view.finished
    assert panel.step_count.text() == "Finished: 3 of 3 steps recorded"
    summary = panel.findChild(QGroupBox, "summaryBox")
    assert (
        summary is not None and "Panel test flow" in panel.findChild(QLabel, "summaryText").text()
    )
    assert panel.close_button.hasFocus() and not panel.next_button.isVisible()
    _key(qtbot, Qt.Key.Key_Space)
    assert not panel.isVisible() and window.search.isVisible()

    # The history: one entry per step, who, when, what, and the rule ids.
    entries = _steps(sqlite_db, started)
    assert [e.payload["step"] for e in entries] == ["greet", "details", "wrap_up"]
    for entry in entries:
        assert entry.author == current_user_name()
        assert entry.created_at.replace(tzinfo=UTC) >= began
        assert entry.payload["flow"] == "panel_test" and entry.payload["subject"] == SUBJECT
        assert RULE in entry.rule_ids and entry.ruleset_version
    assert entries[0].payload["answers"] == {"reached": True, "callback": TODAY.isoformat()}
    assert entries[1].payload["answers"] == {
        "reason": "network",
        "refund": "12.50",
        "comment": "Wants a call after 6 pm",
    }
    assert entries[2].text == "Wrapped up"
    with UnitOfWork(sqlite_db) as uow:
        ticket = uow.session.scalars(select(PartnerTicket)).one()
        assert ticket.kind == "panel_test" and "Hans Müller" in ticket.body
        task = uow.session.scalars(select(Task).where(Task.kind == "panel_follow_up")).one()
        assert task.due == TODAY + timedelta(days=3)


def test_a_branch_that_ends_the_flow_queues_the_sms_in_the_customers_language(
    qtbot, window: MainWindow, sqlite_db, started
) -> None:
    panel = window.guided
    _key(qtbot, Qt.Key.Key_N)
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.finished
    assert panel.status_line.text() == "✓ Greet the customer: SMS queued"
    with UnitOfWork(sqlite_db) as uow:
        sms = uow.session.scalars(select(SmsMessage)).one()
        assert sms.text == "Grüezi Hans Müller, wir rufen zurück." and sms.language == "de"
    (entry,) = _steps(sqlite_db, started)
    assert entry.payload["answers"] == {"reached": False}
    assert entry.payload["effects"][0]["type"] == "sms"


def test_escape_leaves_and_the_run_resumes_where_it_stood(
    qtbot, window: MainWindow, sqlite_db, started
) -> None:
    panel = window.guided
    _key(qtbot, Qt.Key.Key_Y)
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    _key(qtbot, Qt.Key.Key_3)  # "other"
    _key(qtbot, Qt.Key.Key_Escape)
    assert not panel.isVisible()
    assert window.customer_id == started  # still on the customer
    window.start_guided(OpenTarget("fair_use", "panel_test", SUBJECT))
    assert panel.view.step_id == "details" and panel.view.can_go_back
    assert panel.step_count.text() == "Step 2 of 3"
    assert len(_steps(sqlite_db, started)) == 1


def _alive(panel) -> bool:
    """Every widget the panel keeps a reference to still exists."""
    from shiboken6 import isValid

    return all(isValid(w) for w in (*panel.inputs.values(), *panel.errors.values()))


def test_leaving_a_step_with_inputs_keeps_no_dead_widget_and_the_window_opens_the_next_customer(
    qtbot, window: MainWindow, sqlite_db, started
) -> None:
    """Escape, then another customer: the step's widgets are deleted; the panel must not
    touch them again (it raised "already deleted" and the window stayed on the customer)."""
    from app.ui.qt import QEvent

    panel = window.guided
    assert "callback" in panel.inputs  # a date input, as in the stage-3 decision
    _key(qtbot, Qt.Key.Key_Escape)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert _alive(panel) and panel.inputs == {} and panel.errors == {}
    with UnitOfWork(sqlite_db) as uow:
        other = uow.customers.by_no("C-10003")
        assert other is not None
        other_id = other.id
    window.open_customer(other_id)
    assert window.customer_id == other_id and not panel.isVisible()
    window.retranslate()
    panel.retranslate()
    assert _alive(panel)
    window.start_guided(OpenTarget("fair_use", "panel_test", SUBJECT))
    assert panel.view is not None and panel.view.step_id == "greet" and _alive(panel)


def test_the_step_is_worded_again_when_the_ui_language_changes(
    qtbot, window: MainWindow, started
) -> None:
    from app.i18n import set_ui_language

    panel = window.guided
    _key(qtbot, Qt.Key.Key_Y)
    set_ui_language("de")
    assert panel.findChild(QLabel, "stepTitle").text() == "Kunden begrüssen"
    assert panel.findChild(QGroupBox, "sayBox").title().endswith("(Deutsch)")
    assert panel.inputs["reached"].value() is True  # what was typed survives
    assert panel.inputs["callback"].edit.displayFormat() == "dd.MM.yyyy"


def test_a_closed_case_cannot_change_and_says_so(qtbot, window: MainWindow, started) -> None:
    panel = window.guided
    view = panel.view
    _key(qtbot, Qt.Key.Key_N)
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert panel.view.finished
    panel.view = view  # a stale window still showing the first step
    panel.next_step()
    assert panel.error_line.text() == "This case is closed; add a new history entry instead."


def test_the_finished_run_keeps_fonts_readable(window: MainWindow, started) -> None:
    """The panel's own texts are not smaller than the application's font."""
    base = QFont(QApplication.font()).pointSizeF()
    title = window.guided.findChild(QLabel, "stepTitle")
    assert title.font().pointSizeF() > base and title.font().bold()
    assert isinstance(window.guided.findChild(QPushButton, "nextButton"), QPushButton)
