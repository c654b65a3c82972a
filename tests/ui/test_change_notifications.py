"""Change notifications: operations report what they changed, screens refresh themselves.

Each test does the same operation twice: once with the change bus silenced
(nothing else may refresh the screens: no hand-wired call is left), once with
it on (the screens that show the changed data refresh, the others do not).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import yaml

from app.services import playbooks
from app.services.letters import letters_of_customer
from app.services.todo_items import OpenTarget
from app.store.db import Database
from app.ui.changes import Changes, change_bus, on_changes
from app.ui.letters_batch import BatchLettersDialog, batch_action
from app.ui.letters_dialog import LettersDialog, letters_action
from app.ui.main_window import MainWindow
from app.ui.note_dialog import NoteDialog
from app.ui.qt import QAction, QApplication, QEvent, QObject, QPushButton, QWidget
from app.ui.worker import Op
from app.ui.worklists import WorklistWindow
from tests.ui.factories import add_history, seed_people
from tests.ui.test_guided_panel import PLAYBOOK
from tests.ui.test_letters_dialog import _customer, _request

pytestmark = pytest.mark.gui

SUBJECT = date.today().strftime("%Y-%m")


class Recorder(QObject):
    """Every report of the bus, as (changes, initiator)."""

    def __init__(self) -> None:
        super().__init__()
        self.reports: list[tuple[Changes, object]] = []
        on_changes(self.record)

    def record(self, changes: Changes, initiator: object) -> None:
        self.reports.append((changes, initiator))


@pytest.fixture
def reports(gui_app) -> Iterator[list[tuple[Changes, object]]]:
    recorder = Recorder()
    yield recorder.reports
    recorder.deleteLater()


@contextmanager
def silenced_bus() -> Iterator[None]:
    """No screen hears of any change meanwhile."""
    change_bus().blockSignals(True)
    try:
        yield
    finally:
        change_bus().blockSignals(False)


@pytest.fixture
def panel_playbooks(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "fair_use.yaml").write_text(
        yaml.safe_dump(PLAYBOOK, allow_unicode=True), encoding="utf-8"
    )
    playbooks.use_playbooks_dir(folder)
    yield folder
    playbooks.use_playbooks_dir(None)


# -- the pieces -------------------------------------------------------------------------


def test_changes_say_what_and_whom() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert not Changes() and not Changes.of([a])  # customers alone are no change
    note = Changes.of([a], history=True, notes=True)
    assert note and note.touches(a) and not note.touches(b) and not note.touches(None)
    both = note | Changes.of([b], letters=True)
    assert both.customers == {a, b} and both.history and both.notes and both.letters
    assert not both.cases


def test_an_op_reports_its_changes_after_success_only(gui_app, sync_ops, reports) -> None:
    owner = QWidget()
    customer = uuid.uuid4()
    order: list[str] = []
    Op(owner, lambda: 7).success(lambda _r: order.append("success")).changes(
        lambda result: Changes.of([customer], cases=result == 7)
    ).run()
    assert reports == [(Changes.of([customer], cases=True), owner)]
    assert order == ["success"]

    def boom() -> None:
        raise ValueError("no")

    Op(owner, boom).failure(lambda _exc: None).changes(Changes(history=True)).run()
    Op(owner, lambda: 1).changes(Changes()).run()  # nothing changed: nothing said
    assert len(reports) == 1
    # The owner closed meanwhile: its callbacks are dropped, the change is still told.
    gone = QWidget()
    op = Op(gone, lambda: 1).success(lambda _r: order.append("late")).changes(Changes(letters=True))
    gone.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    op.run()
    assert order == ["success"] and reports[-1][0] == Changes(letters=True)


def test_the_letters_dialog_needs_no_main_window(gui_app, qtbot, sync_ops, sqlite_db) -> None:
    customer_id = _customer(sqlite_db)
    _request(sqlite_db, customer_id, "welcome")
    host = QWidget()
    qtbot.addWidget(host)
    said: list[str] = []
    shown: list[tuple[Database, uuid.UUID, str] | None] = [None]
    action = letters_action(host, lambda: shown[0], lambda: said.append("none"))
    assert action.shortcut().toString() == "Ctrl+L" and action.text() == "&Letters…"
    action.trigger()
    assert said == ["none"] and host.findChild(LettersDialog) is None
    shown[0] = (sqlite_db, customer_id, "Käthi Gerber")
    action.trigger()
    dialog = host.findChild(LettersDialog)
    assert dialog is not None and dialog.model.rowCount() == 1
    dialog.close()
    batch = batch_action(host, lambda: sqlite_db)
    batch.trigger()
    assert host.findChild(BatchLettersDialog).isVisible()
    # Neither module needs the window, nor each other.
    code = (
        "import sys, app.ui.letters_dialog, app.ui.letters_batch\n"
        "assert 'app.ui.main_window' not in sys.modules\n"
        "import app.ui.letters_batch as b, app.ui.letters_dialog as d\n"
        "assert not hasattr(d, 'open_batch') and not hasattr(b, 'LettersDialog')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- the screens ------------------------------------------------------------------------


def _state(window: MainWindow) -> tuple[int, object, int]:
    """What the screens show: history rows, the overview object, to-do loads."""
    return (
        window.timeline.model.rowCount(),
        window.customer_view.overview,
        window.customer_view.todo._loads.started,
    )


def _step(panel, answers: dict[str, object]) -> None:
    for input_id, value in answers.items():
        panel.inputs[input_id].set_value(value)
    panel.next_step()


def test_a_recorded_step_refreshes_the_screens_through_the_signal(
    qtbot, window: MainWindow, sqlite_db, sync_ops, panel_playbooks, reports
) -> None:
    ids = seed_people(sqlite_db)
    customer = ids["mueller"]
    window.open_customer(customer)
    window.start_guided(OpenTarget("fair_use", "panel_test", SUBJECT))
    panel = window.guided
    before = _state(window)
    count = window.customer_view.overview.history_count

    with silenced_bus():
        _step(panel, {"reached": True})
    assert panel.view.step_id == "details"  # recorded
    assert _state(window) == before  # and nothing refreshed by hand

    _step(panel, {"reason": "price", "refund": "5"})
    assert panel.view.step_id == "wrap_up"
    assert reports == [(Changes.of([customer], history=True, cases=True, letters=True), panel)]
    rows, overview, todo_seq = _state(window)
    assert rows > before[0] and window.timeline.view.currentIndex().row() == 0
    assert overview is not before[1] and overview.history_count > count
    assert f"{overview.history_count} entries" in window.timeline.heading.text()
    assert todo_seq > before[2]
    assert window.guided.isVisible()  # the script stays open

    # Going back to a recorded step and forward again records nothing: nothing is told.
    panel.go_back()
    panel.next_step()
    assert len(reports) == 1


def test_a_note_refreshes_the_history_through_the_signal(
    qtbot, window: MainWindow, sqlite_db, sync_ops, reports
) -> None:
    ids = seed_people(sqlite_db)
    add_history(sqlite_db, ids["mueller"], 3)
    window.open_customer(ids["mueller"])
    before = _state(window)

    def note(text: str) -> None:
        window.new_note()
        dialog = window.note_dialog
        dialog.edit.setPlainText(text)
        dialog.save()
        assert not dialog.isVisible()

    with silenced_bus():
        note("Erste Notiz")
    assert _state(window) == before

    note("Zweite Notiz")
    assert [c for c, _who in reports] == [Changes.of([ids["mueller"]], history=True, notes=True)]
    assert isinstance(reports[0][1], NoteDialog)
    assert window.timeline.model.rowCount() == 5
    assert window.timeline.model.item(0).text == "Zweite Notiz"
    assert window.timeline.view.currentIndex().row() == 0
    assert "5 entries" in window.timeline.heading.text()
    assert window.customer_view.todo._loads.started == before[2]  # a note changes nothing to do


def test_a_note_for_another_customer_refreshes_nothing(
    qtbot, window: MainWindow, sqlite_db, sync_ops
) -> None:
    ids = seed_people(sqlite_db)
    window.open_customer(ids["mueller"])
    before = _state(window)
    change_bus().report(Changes.of([ids["wang"]], history=True, cases=True, letters=True))
    assert _state(window) == before


def test_a_single_letter_refreshes_the_open_customer(
    qtbot, window: MainWindow, sync_ops, reports
) -> None:
    db = window.db
    customer_id = _customer(db)
    first, second = (_request(db, customer_id, "welcome") for _ in range(2))
    window.open_customer(customer_id)
    window.findChild(QAction, "actLetters").trigger()
    dialog = window.findChild(LettersDialog)
    before = _state(window)

    def issue(letter_id: uuid.UUID) -> None:
        row = next(i for i, letter in enumerate(dialog.model.letters) if letter.id == letter_id)
        dialog.table.selectRow(row)
        dialog.issue_button.click()
        assert dialog.current is not None and dialog.current.status == "issued"

    with silenced_bus():
        issue(first)
    assert _state(window) == before

    issue(second)
    assert [c for c, _who in reports] == [Changes.of([customer_id], letters=True, history=True)]
    rows, overview, todo_seq = _state(window)
    assert rows == before[0] + 2 and overview is not before[1] and todo_seq > before[2]
    assert window.timeline.model.item(0).kind == "letter"
    dialog.close()


def test_a_letter_batch_refreshes_the_open_customer_and_its_letters(
    qtbot, window: MainWindow, sync_ops, reports
) -> None:
    db = window.db
    customer_id = _customer(db)
    window.open_customer(customer_id)
    letters = LettersDialog(None, db, customer_id, "Käthi Gerber")  # no main window
    qtbot.addWidget(letters)
    batch = BatchLettersDialog(None, db, author="batch")
    qtbot.addWidget(batch)
    batch.document.setCurrentIndex(batch.document.findData("goodwill_credit"))

    def issue_all() -> None:
        _request(db, customer_id, "goodwill_credit")
        letters.reload()
        batch.findChild(QPushButton, "findButton").click()
        batch.issue_button.click()
        assert batch.batch_result is not None and len(batch.batch_result.issued) == 1

    before = _state(window)
    with silenced_bus():
        issue_all()
    assert _state(window) == before
    assert [letter.status for letter in letters.model.letters] == ["requested"]

    issue_all()
    assert [c for c, who in reports if who is batch] == [
        Changes.of([customer_id], letters=True, history=True)
    ]
    rows, overview, todo_seq = _state(window)
    assert rows == before[0] + 2 and overview is not before[1] and todo_seq > before[2]
    statuses = {i.id: i.status for i in letters_of_customer(db, customer_id)}
    assert sorted(letter.status for letter in letters.model.letters) == sorted(statuses.values())
    assert set(statuses.values()) == {"issued"}


def test_the_worklist_reloads_when_cases_change_while_it_is_shown(
    gui_app, qtbot, sync_ops, sqlite_db
) -> None:
    worklists = WorklistWindow()
    qtbot.addWidget(worklists)
    worklists.set_database(sqlite_db)
    seq = worklists._seq
    change_bus().report(Changes(cases=True))  # not shown: nothing to reload
    assert worklists._seq == seq
    worklists.show_kind("complaints")
    seq = worklists._seq
    change_bus().report(Changes(history=True, notes=True))  # a note is on no worklist
    assert worklists._seq == seq
    change_bus().report(Changes(cases=True))
    assert worklists._seq == seq + 1


def test_a_new_agent_name_is_said_at_once_in_the_open_script(
    qtbot, window: MainWindow, sqlite_db, sync_ops, panel_playbooks, reports, monkeypatch
) -> None:
    from app import config
    from app.ui.qt import QLabel
    from app.ui.settings_dialog import SettingsDialog

    monkeypatch.delenv(config.ENV_AGENT_NAME, raising=False)
    ids = seed_people(sqlite_db)
    window.open_customer(ids["mueller"])
    window.start_guided(OpenTarget("fair_use", "panel_test", SUBJECT))
    window.guided.inputs["reached"].set_value(True)
    dialog = SettingsDialog(window)
    dialog.name.setText("Anna Keller")
    dialog.save()
    assert [c for c, _who in reports] == [Changes(settings=True)]
    say = window.guided.findChild(QLabel, "sayText")
    assert say.text() == "Grüezi Hans Müller, hier ist Anna Keller."
    assert window.guided.inputs["reached"].value() is True  # what was typed is kept


def test_choosing_a_language_is_told_as_a_change(gui_app, reports) -> None:
    from app.i18n import ui_language
    from app.ui.language_menu import choose_language

    before = ui_language()
    try:
        choose_language("ru")
        assert [c for c, _who in reports] == [Changes(language=True)]
    finally:
        choose_language(before)
