"""The worklists window: Ctrl+1..Ctrl+4, the service's order, Enter opens the playbook."""

from __future__ import annotations

import pytest

from app.i18n import format_date, set_ui_language
from app.services.worklists import KINDS, worklist
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QIcon, Qt
from app.ui.worklists import KIND_TITLES, WorklistWindow
from tests.ui import test_guided_processes as shared

# The demo database and window of the guided-process tests (fixtures).
_demo_template = shared._demo_template
demo_db = shared.demo_db
demo_window = shared.demo_window
REFERENCE = shared.REFERENCE

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


def _worklist_window(qtbot, window: MainWindow) -> WorklistWindow:
    wl = window.worklist_window
    assert wl is not None and wl.isVisible()
    wl.activateWindow()
    qtbot.waitUntil(wl.isActiveWindow)
    return wl


def _column(wl: WorklistWindow, column: int) -> list[str]:
    return [wl.model.index(r, column).data() for r in range(wl.model.rowCount())]


def test_each_worklist_by_shortcut_in_the_services_order(qtbot, demo_window, demo_db) -> None:
    assert list(KIND_TITLES) == list(KINDS)
    qtbot.keyClick(demo_window.search.edit, Qt.Key.Key_1, CTRL)
    wl = _worklist_window(qtbot, demo_window)
    for n, kind in enumerate(KINDS, start=1):
        qtbot.keyClick(wl.table, getattr(Qt.Key, f"Key_{n}"), CTRL)
        assert wl.kind == kind and wl.table.hasFocus()
        expected = worklist(demo_db, kind, REFERENCE)
        assert expected, f"the demo has nobody on {kind}"
        assert _column(wl, 0) == [r.customer_no for r in expected]
        assert _column(wl, 1) == [r.customer_name for r in expected]
        assert wl.windowTitle() == f"Worklist: {KIND_TITLES[kind]}"
        assert wl.status.text().startswith(f"{len(expected)} row")
        for row, item in enumerate(expected):
            overdue = wl.model.index(row, 4)
            assert (overdue.data() == "Overdue") is item.overdue
            icon = overdue.data(Qt.ItemDataRole.DecorationRole)
            assert isinstance(icon, QIcon) if item.overdue else icon is None
    headers = [wl.model.headerData(c, Qt.Orientation.Horizontal, 0) for c in range(5)]
    assert headers == ["Customer", "Name", "What", "Due", "Overdue"]


def test_fair_use_rows_name_the_stage_and_onboarding_rows_the_task(
    qtbot, demo_window, demo_db
) -> None:
    demo_window.show_worklist("fair-use")
    wl = _worklist_window(qtbot, demo_window)
    rows = {wl.model.index(r, 0).data(): wl.model.index(r, 2).data() for r in range(3)}
    assert rows["C-10003"] == "Fair use March 2026, stage 3"
    qtbot.keyClick(wl.table, Qt.Key.Key_3, CTRL)
    whats = _column(wl, 2)
    assert any(w.startswith("Onboarding: ") for w in whats)
    assert not any("_" in w for w in whats), whats  # task ids are worded
    due = worklist(demo_db, "onboarding", REFERENCE)[0].due
    assert wl.model.index(0, 3).data() == format_date(due)
    set_ui_language("de")  # dates follow the agent's language
    assert wl.model.index(0, 3).data() == f"{due.day:02}.{due.month:02}.{due.year}"


def test_enter_on_a_row_opens_the_customer_with_its_playbook(qtbot, demo_window, demo_db) -> None:
    qtbot.keyClick(demo_window.search.edit, Qt.Key.Key_1, CTRL)
    wl = _worklist_window(qtbot, demo_window)
    target = _column(wl, 0).index("C-10003")
    for _ in range(target):
        qtbot.keyClick(wl.table, Qt.Key.Key_Down)
    assert wl.table.currentIndex().row() == target
    qtbot.keyClick(wl.table, Qt.Key.Key_Return)
    assert demo_window.overview is not None and demo_window.overview.customer_no == "C-10003"
    panel = demo_window.guided
    assert panel.isVisible() and panel.view.flow_id == "stage_3"
    assert panel.view.step_id == "decide_measure"  # where the case stands, not step 1 again
    demo_window.activateWindow()
    qtbot.waitUntil(demo_window.isActiveWindow)
    assert panel.isAncestorOf(QApplication.focusWidget())  # ready for the keyboard


def test_escape_closes_the_worklist_and_f5_reloads(qtbot, demo_window, demo_db) -> None:
    demo_window.show_worklist("complaints")
    wl = _worklist_window(qtbot, demo_window)
    count = wl.model.rowCount()
    qtbot.keyClick(wl.table, Qt.Key.Key_F5)
    assert wl.model.rowCount() == count
    qtbot.keyClick(wl.table, Qt.Key.Key_Escape)
    assert not wl.isVisible()
