"""Every to-do item of every demo customer, opened from the window as an agent would.

For each showcase customer of the demo database: open the customer, go to
"What to do now", and for each row press Enter, check that the guided panel
shows the flow and the step the item names (a fair-use item its first open
action, a complaint at the second line its retention step, a case waiting for
an answer its finished run), press Escape and go on; then open the next
customer. Nothing may raise (pytest-qt fails the test on an exception in a
slot), no subject may get a second open case, and the panel may keep no
reference to a deleted widget.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from shiboken6 import isValid
from sqlalchemy import select

from app.services.playbooks import playbook_for
from app.services.run_start import step_named
from app.services.todo import todo_for
from app.store.db import Database
from app.store.models import Case, CaseState, Customer
from app.store.repositories import UnitOfWork
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QEvent, Qt
from app.ui.worker import pending_ops

pytestmark = pytest.mark.gui

#: The day of the issue's walk-through (C-10005 at "Carry out the measure", ...).
REFERENCE = date(2026, 12, 6)


@pytest.fixture(scope="module")
def _walk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.services.demo import create_demo, minimum_customers

    path = tmp_path_factory.mktemp("walk") / "demo.sqlite3"
    create_demo(f"sqlite:///{path}", reference=REFERENCE, customers=minimum_customers())
    return path


@pytest.fixture
def walk_db(_walk_template: Path, tmp_path: Path):
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_walk_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def walk_window(gui_app, qtbot, walk_db: Database, sync_ops):
    win = MainWindow()
    qtbot.addWidget(win)
    win.today = REFERENCE
    win.set_database(walk_db)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)


def _customers(db: Database) -> list[tuple[str, object]]:
    with UnitOfWork(db) as uow:
        rows = uow.session.execute(
            select(Customer.customer_no, Customer.id).order_by(Customer.customer_no)
        ).all()
    return [(no, cid) for no, cid in rows]


def _doubled_subjects(db: Database) -> list[tuple[object, str, str | None]]:
    with UnitOfWork(db) as uow:
        cases = uow.session.scalars(select(Case).where(Case.state == CaseState.OPEN)).all()
        counts = Counter((c.customer_id, c.process, c.subject) for c in cases)
    return [key for key, n in counts.items() if n > 1]


def _no_dead_widget(window: MainWindow) -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    panel = window.guided
    held = [*panel.inputs.values(), *panel.errors.values(), *window.customer_view.todo.rows]
    assert all(isValid(widget) for widget in held), "a reference to a deleted widget"


def _expected_step(target) -> tuple[str | None, bool]:
    """(step id, finished) the guided panel must show for ``target``."""
    flow = playbook_for(target.process).flow(target.flow)
    if target.step_done:
        return None, True
    return step_named(flow, target.step) or flow.steps[0].id, False


def test_every_to_do_item_of_every_demo_customer_opens_where_it_stands(
    qtbot, walk_window: MainWindow, walk_db: Database
) -> None:
    window = walk_window
    todo = window.customer_view.todo
    walked = 0
    for customer_no, customer_id in _customers(walk_db):
        items = todo_for(walk_db, customer_no, REFERENCE).items
        if not items:
            continue
        window.open_customer(customer_id)
        qtbot.waitUntil(lambda no=customer_no: todo.data is not None and todo.customer_no == no)
        assert len(todo.rows) == len(items), customer_no
        for index, item in enumerate(items):
            todo_for(walk_db, customer_no, REFERENCE)  # the list is unchanged by looking
            row = todo.rows[index]
            row.setFocus(Qt.FocusReason.TabFocusReason)
            qtbot.keyClick(row, Qt.Key.Key_Return)
            where = f"{customer_no} item {index + 1} ({item.process}: {row.title.text()})"
            view = window.guided.view
            assert window.guided.isVisible() and view is not None, where
            assert view.flow_id == item.target.flow, where
            step, finished = _expected_step(item.target)
            if finished:
                assert view.finished, where
            elif view.done == 0 or item.target.step:
                # a run that had not begun starts at the named step (else at the flow's start)
                assert view.step_id == step and not view.finished, (where, view.step_id)
            if item.process == "fair_use" and not finished:
                assert view.step_title in row.details.text(), where
            assert _doubled_subjects(walk_db) == [], where
            _no_dead_widget(window)
            focus = QApplication.focusWidget()
            assert focus is not None and window.guided.isAncestorOf(focus), where
            qtbot.keyClick(focus, Qt.Key.Key_Escape)
            assert not window.guided.isVisible(), where
            assert window.customer_id == customer_id, where
            _no_dead_widget(window)
            walked += 1
    assert walked >= 20  # every showcase process has items
    # What the issue walked: after Escape the next customer opens, Enter opens its item.
    window.open_customer(dict(_customers(walk_db))["C-10001"])
    assert window.overview is not None and window.overview.customer_no == "C-10001"
    qtbot.waitUntil(lambda: todo.customer_no == "C-10001" and bool(todo.rows))
    qtbot.keyClick(todo.rows[0], Qt.Key.Key_Return)
    assert window.guided.view is not None and window.guided.view.step_id == "send_sms_1"


def test_goodwill_is_reachable_from_the_window(
    qtbot, walk_window: MainWindow, walk_db: Database
) -> None:
    """C-10009's open goodwill case is in "What to do now" (overdue), and a goodwill request
    can be started for each of the customer's bundles."""
    window = walk_window
    todo = window.customer_view.todo
    window.open_customer(dict(_customers(walk_db))["C-10009"])
    qtbot.waitUntil(lambda: todo.data is not None and todo.customer_no == "C-10009")
    assert todo.rows and todo.rows[0].overdue
    assert todo.rows[0].target.flow == "goodwill"
    names = [action.objectName() for action in todo.start_menu.actions()]
    assert any(name.startswith("start_expiry_goodwill_B-") for name in names), names
    qtbot.keyClick(todo.rows[0], Qt.Key.Key_Return)
    view = window.guided.view
    assert view is not None and view.flow_id == "goodwill" and view.step_id == "listen"
    assert _doubled_subjects(walk_db) == []
