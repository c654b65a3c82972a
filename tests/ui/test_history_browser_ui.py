"""A supervisor browses the history of all customers: filters, scrolls, opens, exports, verifies.

The window loads pages in the background as the table scrolls; what it shows
and what it exports equal what the filter selects (a brute-force look at
every entry). An export runs in the background with a progress dialog whose
Stop leaves no file. The logins are real (``AGENT_ASSIST_USER`` with a
``users`` row on the SQLite file).
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from app.services import identity
from app.store.db import Database
from app.store.models import User
from app.store.repositories import UnitOfWork
from app.ui import history_browser as ui
from app.ui.history_browser import HistoryBrowserWindow
from app.ui.worker import pending_ops
from tests.history_browser_data import brute_force, seed
from tests.test_history_browser_service import expected_cells, read_csv, read_xlsx

pytestmark = pytest.mark.gui


def _login(base: Database, role: str) -> Database:
    login = f"browse.{role}"
    with UnitOfWork(base) as uow:
        uow.add(User(login=login, display_name=f"Test {role}", role=role))
        uow.commit()
    db = Database(base.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(identity.ENV_USER, login)
        identity.current(db)
    return db


@pytest.fixture
def browsing(gui_app, qtbot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ui, "PAGE", 10)
    expected = seed(sqlite_db, entries=200)
    db = _login(sqlite_db, "supervisor")
    window = HistoryBrowserWindow()
    qtbot.addWidget(window)
    window.set_database(db, date(2026, 3, 15))
    window.show()
    qtbot.waitUntil(lambda: bool(window.model.rows) and window.agent.count() > 1, timeout=10_000)
    yield window, expected
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
    db.dispose()


def _scroll_to_end(qtbot, window: HistoryBrowserWindow) -> None:
    """Scroll down until the model has nothing more to fetch."""
    for _ in range(100):
        qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)
        if window.model.next is None:
            return
        window.table.scrollToBottom()
        qtbot.wait(20)
    raise AssertionError("the table never reached the end")


def _choose(combo, value: str) -> None:
    index = combo.findData(value)
    assert index > 0, value
    combo.setCurrentIndex(index)


def test_a_supervisor_filters_scrolls_and_exports_what_the_filter_selects(
    qtbot, browsing, tmp_path: Path
) -> None:
    window, expected = browsing
    want_all = brute_force(expected, window.current_filter())
    shown = [r.entry_id for r in window.model.rows]  # a page or more, as the view filled
    assert len(shown) >= 10 and shown == [e.id for e in want_all[: len(shown)]]

    _choose(window.partner, "KNU-A")
    _choose(window.kind, "note")
    qtbot.waitUntil(lambda: not window.model.loading and bool(window.model.rows), timeout=10_000)
    flt = window.current_filter()
    assert (flt.partner, flt.kind) == ("KNU-A", "note")
    _scroll_to_end(qtbot, window)
    want = brute_force(expected, flt)
    assert len(want) > 10  # more than one page: the table fetched as it scrolled
    assert [r.entry_id for r in window.model.rows] == [e.id for e in want]
    assert str(len(want)) in window.status.text()

    window.text.setText("roaming")
    qtbot.keyClick(window.text, ui.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)
    _scroll_to_end(qtbot, window)
    flt = window.current_filter()
    want = brute_force(expected, flt)
    assert want and [r.entry_id for r in window.model.rows] == [e.id for e in want]

    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"export.{fmt}"
        window.export_to(path, fmt)
        qtbot.waitUntil(lambda path=path: path.exists() and window._export is None, timeout=20_000)
        rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
        assert rows[1:] == [expected_cells(e, fmt == "csv") for e in want]
        assert "exported" in window.status.text()


def test_enter_on_a_row_opens_its_customer(qtbot, browsing) -> None:
    window, _expected = browsing
    opened: list[object] = []
    window.open_requested.connect(opened.append)
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(3, 0))
    qtbot.keyClick(window.table, ui.Qt.Key.Key_Return)
    assert opened == [window.model.rows[3].customer_id]


def test_a_changed_filter_drops_the_old_filters_pages(qtbot, browsing) -> None:
    window, expected = browsing
    _choose(window.agent, "anna")
    _choose(window.agent, "beat")  # before anna's page came back
    qtbot.waitUntil(lambda: not window.model.loading and pending_ops() == 0, timeout=10_000)
    _scroll_to_end(qtbot, window)
    want = brute_force(expected, window.current_filter())
    assert {r.author for r in window.model.rows} == {"beat"}
    assert [r.entry_id for r in window.model.rows] == [e.id for e in want]


def test_stop_ends_an_export_without_a_file(
    qtbot, browsing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _expected = browsing
    from app.services import history_browser as hb

    monkeypatch.setattr(hb, "EXPORT_BATCH", 10)
    gate = threading.Event()
    original = hb.export_rows

    def slow_rows(db: Database, flt: object):  # waits after the first batch until Stop
        for n, row in enumerate(original(db, flt)):  # type: ignore[arg-type]
            if n == 10:
                gate.wait(10)
            yield row

    monkeypatch.setattr(hb, "export_rows", slow_rows)
    out = tmp_path / "out"
    out.mkdir()
    window.export_to(out / "stopped.csv", "csv")
    qtbot.waitUntil(lambda: window._export is not None and window._export.dialog.isVisible())
    dialog = window._export.dialog
    assert dialog.objectName() == "historyExportProgress"
    stop = dialog.findChild(ui.QPushButton)
    assert stop is not None and "Stop" in stop.text()
    qtbot.mouseClick(stop, ui.Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: window._export is None, timeout=10_000)
    assert list(out.iterdir()) == []
    assert "no file" in window.status.text()


def test_verify_history_shows_the_outcome(qtbot, browsing) -> None:
    window, expected = browsing
    qtbot.mouseClick(window.verify_button, ui.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "every entry matches" in window.verify_result.text(), timeout=20_000)
    assert str(len(expected)) in window.verify_result.text()
    box = window.findChild(ui.QMessageBox, "historyVerifyBox")
    assert box is not None and "every entry matches" in box.text()
    box.close()


def test_an_agent_sees_why_the_browser_is_empty(qtbot, gui_app, sqlite_db: Database) -> None:
    seed(sqlite_db, entries=10)
    db = _login(sqlite_db, "agent")
    try:
        window = HistoryBrowserWindow()
        qtbot.addWidget(window)
        window.set_database(db, date(2026, 3, 15))
        qtbot.waitUntil(lambda: "may not" in window.status.text(), timeout=10_000)
        assert window.model.rows == []
        qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
    finally:
        db.dispose()


def test_a_failed_page_is_said_and_not_retried_on_every_scroll(
    qtbot, browsing, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _expected = browsing
    from app.services import history_browser as hb

    calls: list[object] = []

    def too_slow(*args: object, **kwargs: object) -> hb.Page:
        calls.append(args)
        raise hb.HistoryTooSlowError("Searching the text of the whole history takes too long.")

    monkeypatch.setattr(hb, "browse_page", too_slow)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)  # the pages before

    def scrolled_to_the_error() -> bool:
        window.table.scrollToBottom()
        return "too long" in window.status.text()

    qtbot.waitUntil(scrolled_to_the_error, timeout=10_000)
    for _ in range(5):
        window.table.scrollToBottom()
        qtbot.wait(20)
    assert len(calls) == 1
    assert not window.model.canFetchMore()


def test_processes_and_stages_are_worded_not_shown_as_ids(qtbot, browsing) -> None:
    window, _expected = browsing
    _choose(window.process, "fair_use")
    qtbot.waitUntil(lambda: not window.model.loading and bool(window.model.rows), timeout=10_000)
    shown = {window.model.index(r, 5).data() for r in range(window.model.rowCount())}
    assert shown == {ui.process_words("fair_use")} and "fair_use" not in shown
    assert window.process.currentText() == ui.process_words("fair_use")
    stages = {window.model.index(r, 6).data() for r in range(window.model.rowCount())}
    assert stages and not any("_" in s for s in stages)


def test_entry_kinds_are_worded_in_the_table_and_the_filter(qtbot, browsing) -> None:
    from app.ui.labels import HISTORY_KINDS, kind_label

    window, _expected = browsing
    qtbot.waitUntil(lambda: not window.model.loading and bool(window.model.rows), timeout=10_000)
    shown = {window.model.index(r, 7).data() for r in range(window.model.rowCount())}
    stored = {window.model.row_at(r).kind for r in range(window.model.rowCount())}
    assert shown == {kind_label(kind) for kind in stored}
    assert not shown & set(HISTORY_KINDS), shown  # "step", "note": never the stored code
    choices = [window.kind.itemText(i) for i in range(1, window.kind.count())]
    assert choices and not set(choices) & set(HISTORY_KINDS), choices


def _stage_items(window: HistoryBrowserWindow) -> list[str]:
    return [window.stage.itemText(i) for i in range(1, window.stage.count())]


def test_the_stage_filter_lists_the_chosen_process_stages_only(qtbot, browsing) -> None:
    window, expected = browsing
    pairs = sorted({(e.process, e.stage) for e in expected if e.process and e.stage})
    processes = sorted({p for p, _s in pairs})
    assert len(processes) > 1
    # No process chosen: every process's stages, each worded with its process.
    listed = _stage_items(window)
    assert len(listed) == len(pairs)
    for text, (process, _stage) in zip(listed, pairs, strict=True):
        assert text.startswith(ui.process_words(process) + " – "), text
    # A process chosen: only its stages, worded without it.
    _choose(window.process, "fair_use")
    own = [p for p in pairs if p[0] == "fair_use"]
    assert 0 < len(own) < len(pairs)
    assert len(_stage_items(window)) == len(own)
    prefix = ui.process_words("fair_use") + " – "
    assert not any(t.startswith(prefix) for t in _stage_items(window)), _stage_items(window)
    window.stage.setCurrentIndex(len(own))
    assert window.current_filter().process == "fair_use"
    assert window.current_filter().stage == own[-1][1]
    qtbot.waitUntil(lambda: not window.model.loading and pending_ops() == 0, timeout=10_000)
    _scroll_to_end(qtbot, window)
    want = brute_force(expected, window.current_filter())
    assert want and [r.entry_id for r in window.model.rows] == [e.id for e in want]


def test_a_stage_chosen_among_all_chooses_its_process(qtbot, browsing) -> None:
    window, expected = browsing
    pairs = sorted({(e.process, e.stage) for e in expected if e.process and e.stage})
    process, stage = next(p for p in pairs if p[0] == "complaint")
    window.stage.setCurrentIndex(pairs.index((process, stage)) + 1)
    assert window.process.currentData() == process
    assert window.chosen_stage() == (process, stage)
    assert len(_stage_items(window)) == len([p for p in pairs if p[0] == process])
    qtbot.waitUntil(lambda: not window.model.loading and pending_ops() == 0, timeout=10_000)
    _scroll_to_end(qtbot, window)
    want = brute_force(expected, window.current_filter())
    assert {(r.process, r.stage) for r in window.model.rows} == {(process, stage)}
    assert [r.entry_id for r in window.model.rows] == [e.id for e in want]
    _choose(window.process, "fair_use")  # another process: the same stage, if it has it
    assert window.chosen_stage() in {("fair_use", stage), None}
