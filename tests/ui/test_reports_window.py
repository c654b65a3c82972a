"""The reports window: a supervisor runs each report, sees its rows and chart, exports it;
an agent is told they may not; a partner sees its own orphaned device plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import identity
from app.services.identity import Identity
from app.services.reports import REPORTS
from app.services.reports.charts import short_label
from app.store.db import Database
from app.store.models import Role
from app.ui.qt import Qt
from app.ui.reports_window import COLUMN_LABELS, ReportsWindow
from tests.test_reports import EXPECTED, FIRST, LAST, TODAY, World, build
from tests.test_reports_files import as_text, png_size, read_csv, read_xlsx, same

pytestmark = pytest.mark.gui


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def _window(qtbot, world: World, role: Role, **kw) -> ReportsWindow:
    identity.use(world.db, Identity(role.value, role.value.title(), role, **kw))
    win = ReportsWindow()
    qtbot.addWidget(win)
    win.set_database(world.db, TODAY)
    win.set_months(TODAY, FIRST, LAST)
    win.show()
    return win


def _run(qtbot, win: ReportsWindow, name: str) -> None:
    win.select(name)
    qtbot.mouseClick(win.run_button, Qt.MouseButton.LeftButton)


def _shown(win: ReportsWindow, role: int = Qt.ItemDataRole.DisplayRole) -> list[list[str]]:
    model = win.model
    return [
        [model.index(r, c).data(role) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _raw(win: ReportsWindow) -> list[list[str]]:
    """The cells as they read, a worded one by its tooltip (the raw value)."""
    tips = _shown(win, Qt.ItemDataRole.ToolTipRole)
    return [
        [tip if tip is not None else shown for shown, tip in zip(row, tip_row, strict=True)]
        for row, tip_row in zip(_shown(win), tips, strict=True)
    ]


def test_a_supervisor_runs_each_report_and_exports_it(
    qtbot, gui_app, sync_ops, world: World, tmp_path: Path
) -> None:
    win = _window(qtbot, world, Role.SUPERVISOR)
    assert win.first.date().toString("yyyy-MM") == FIRST
    for name, spec in REPORTS.items():
        _run(qtbot, win, name)
        assert win.data is not None and win.data.rows == EXPECTED[name], name
        assert win.model.rowCount() == len(EXPECTED[name])
        headers = [
            win.model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
            for c in range(win.model.columnCount())
        ]
        assert headers == [COLUMN_LABELS[c] for c in spec.columns]
        assert win.status.text().startswith(f"{len(EXPECTED[name])} row")
        # Numbers on screen are the report's numbers (grouped in the UI language's way);
        # worded ids and dates keep the raw value as their tooltip.
        for shown, row in zip(_raw(win), EXPECTED[name], strict=True):
            assert all(
                same(s.replace(",", ""), as_text(v)) for s, v in zip(shown, row, strict=True)
            )
        assert win.chart.isVisible() is (spec.chart is not None)
        assert win.png_button.isEnabled() is (spec.chart is not None)

        out = tmp_path / f"{name}.csv"
        win.export("csv", out)
        assert win.status.text() == f"Saved as {out}."
        table = read_csv(out)
        assert table[0] == list(spec.columns)
        assert table[1:] == [[as_text(v) for v in row] for row in EXPECTED[name]]
        book = tmp_path / f"{name}.xlsx"
        win.export("xlsx", book)
        sheet = read_xlsx(book)
        assert sheet[0] == table[0] and len(sheet) == len(table)
        if spec.chart is not None:
            png = tmp_path / f"{name}.png"
            win.save_chart(png)
            width, height = png_size(png)
            assert width > 100 and height > 100
            assert "<svg" in win.svg


def test_an_agent_is_told_they_may_not(qtbot, gui_app, sync_ops, world: World) -> None:
    win = _window(qtbot, world, Role.AGENT)
    _run(qtbot, win, "fair-use")
    assert win.model.rowCount() == 0 and win.data is None
    assert "may not" in win.status.text()
    assert win.status.property("role") == "error"
    assert not win.csv_button.isEnabled()


def test_a_partner_sees_its_own_orphaned_plans(qtbot, gui_app, sync_ops, world: World) -> None:
    win = _window(
        qtbot, world, Role.PARTNER, partner_id=world.partners["KNU-A"], partner_code="KNU-A"
    )
    _run(qtbot, win, "orphaned-device-plans")
    assert win.data is not None and win.data.rows == EXPECTED["orphaned-device-plans"][:1]
    _run(qtbot, win, "controlling")
    assert "may not" in win.status.text()


def test_enter_on_a_row_opens_its_customer(qtbot, gui_app, sync_ops, world: World) -> None:
    win = _window(qtbot, world, Role.SUPERVISOR)
    _run(qtbot, win, "controlling")
    win.table.setFocus()
    win.table.setCurrentIndex(win.model.index(1, 0))
    with qtbot.waitSignal(win.open_requested) as opened:
        qtbot.keyClick(win.table, Qt.Key.Key_Return)
    assert opened.args == [world.customers["F1"]]
    _run(qtbot, win, "fair-use")  # no customer column: nothing to open
    win.table.setCurrentIndex(win.model.index(0, 0))
    with qtbot.assertNotEmitted(win.open_requested):
        qtbot.keyClick(win.table, Qt.Key.Key_Return)


def _column(win: ReportsWindow, name: str, role: int = Qt.ItemDataRole.DisplayRole) -> list[str]:
    at = win.model.columns.index(name)
    return [row[at] for row in _shown(win, role)]


@pytest.mark.parametrize(
    ("language", "category", "stage", "measure", "day"),
    [
        (
            "en",
            "Migration problems",
            "Follow-up call-back (days 4–10)",
            "Migration to another price plan",
            "25/02/2026",
        ),
        (
            "de",
            "Probleme bei der Migration",
            "Rückruf (Tag 4–10)",
            "Migration auf einen anderen Preisplan",
            "25.02.2026",
        ),
    ],
)
def test_ids_and_dates_are_shown_in_words_of_the_ui_language(
    qtbot,
    gui_app,
    sync_ops,
    world: World,
    language: str,
    category: str,
    stage: str,
    measure: str,
    day: str,
) -> None:
    from app.i18n import set_ui_language, ui_language

    before = ui_language()
    win = _window(qtbot, world, Role.SUPERVISOR)
    try:
        set_ui_language(language)
        _run(qtbot, win, "complaints")
        assert _column(win, "category")[0] == category
        assert _column(win, "category", Qt.ItemDataRole.ToolTipRole)[0] == (
            "billing_system.migration"
        )
        assert _column(win, "month")[0] == "2026-01"  # months stay as they are
        assert short_label(category) in win.svg  # the chart's groups too
        assert "billing_system.migration" not in win.svg
        _run(qtbot, win, "onboarding")
        assert _column(win, "stage")[1] == stage
        assert _column(win, "stage", Qt.ItemDataRole.ToolTipRole)[1] == "follow_up"
        _run(qtbot, win, "controlling")
        assert _column(win, "decision_date")[0] == day
        assert _column(win, "decision_date", Qt.ItemDataRole.ToolTipRole)[0] == "2026-02-25"
        assert _column(win, "measure")[1] == measure
        assert _column(win, "measure", Qt.ItemDataRole.ToolTipRole)[1] == "migration"
        # Switching the language words the rows shown again.
        set_ui_language("de" if language == "en" else "en")
        assert _column(win, "measure")[1] != measure
        set_ui_language(language)
        assert _column(win, "measure")[1] == measure
    finally:
        set_ui_language(before)
