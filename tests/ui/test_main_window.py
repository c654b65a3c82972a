"""The main window end to end: search, open, add a note, keyboard, paging."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.store.db import Database
from app.store.models import HistoryEntry
from app.store.repositories import UnitOfWork
from app.ui.main_window import MainWindow
from app.ui.note_dialog import EntryDialog, NoteDialog
from app.ui.qt import QApplication, Qt
from app.ui.timeline import PAGE_SIZE
from tests.ui.conftest import type_text
from tests.ui.factories import add_history, seed_people

pytestmark = pytest.mark.gui


#: Real worker threads on a busy two-core machine: generous, the test only waits.
REAL_THREADS_TIMEOUT_MS = 30_000


def _search(qtbot, window: MainWindow, text: str, rows: int) -> None:
    window.search.edit.clear()
    type_text(window.search.edit, text)
    qtbot.waitUntil(lambda: window.search.model.rowCount() == rows)


def _note_dialog(qtbot, window: MainWindow) -> NoteDialog:
    dialogs = [d for d in window.findChildren(NoteDialog) if d.isVisible()]
    assert len(dialogs) == 1
    qtbot.waitUntil(dialogs[0].isActiveWindow)
    return dialogs[0]


def test_search_open_and_add_a_note(qtbot, window: MainWindow, sqlite_db: Database, sync_ops):
    ids = seed_people(sqlite_db)
    add_history(sqlite_db, ids["mueller"], 3)

    _search(qtbot, window, "Muller", 1)
    assert "Hans Müller" in window.search.model.index(0, 0).data()
    assert "+41 79 123 45 67" in window.search.model.index(0, 0).data()
    qtbot.keyClick(window.search.edit, Qt.Key.Key_Return)

    assert window.customer_id == ids["mueller"]
    view = window.customer_view
    assert view.overview is not None and view.overview.name == "Hans Müller"
    assert view.findChild(type(view.placeholder), "customerName").text() == "Hans Müller"
    assert "Hans Müller" in window.windowTitle()
    assert window.timeline.model.rowCount() == 3
    assert "3 entries" in window.timeline.heading.text()

    qtbot.keyClick(window.timeline.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = _note_dialog(qtbot, window)
    type_text(dialog.edit, "Kunde wünscht Rückruf am Montag")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert not dialog.isVisible()
    first = window.timeline.model.item(0)
    assert first is not None and first.text == "Kunde wünscht Rückruf am Montag"
    assert first.kind == "note"
    assert window.timeline.model.rowCount() == 4
    assert "4 entries" in window.timeline.heading.text()
    with UnitOfWork(sqlite_db) as uow:
        stored = uow.session.scalars(select(HistoryEntry).where(HistoryEntry.kind == "note")).one()
        assert stored.text == first.text and stored.author == first.author
        assert stored.author  # the configured agent or the login name


def test_note_dialog_keeps_text_and_says_what_is_wrong(qtbot, window, sqlite_db, sync_ops):
    ids = seed_people(sqlite_db)
    window.open_customer(ids["wang"])
    window.new_note()
    dialog = _note_dialog(qtbot, window)
    dialog.edit.setPlainText("长" * 4001)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert "4001 characters; at most 4000" in dialog.error.text()
    assert dialog.edit.toPlainText() == "长" * 4001
    assert window.timeline.model.rowCount() == 0
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    with UnitOfWork(sqlite_db) as uow:
        assert uow.history.count(ids["wang"]) == 0


def test_keyboard_find_open_back(qtbot, window: MainWindow, sqlite_db: Database, sync_ops):
    ids = seed_people(sqlite_db)
    window.search.results.setFocus()
    qtbot.waitUntil(window.search.results.hasFocus)

    qtbot.keyClick(window.search.results, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.edit.hasFocus()

    # Typing the exact number and pressing Enter at once opens it when the results arrive.
    qtbot.keyClicks(window.search.edit, "C-20001")
    qtbot.keyClick(window.search.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.customer_id == ids["smirnova"])
    assert window.timeline.view.hasFocus()
    assert window.customer_view.overview.name == "Ирина Смирнова"

    qtbot.keyClick(window.timeline.view, Qt.Key.Key_Escape)
    assert window.search.edit.hasFocus()
    assert window.search.edit.selectedText() == "C-20001"
    qtbot.keyClick(window.search.edit, Qt.Key.Key_Escape)
    assert window.search.edit.text() == ""
    assert window.search.edit.hasFocus()

    # Down moves through the results from the search box; Enter opens the selected one.
    _search(qtbot, window, "C-", 3)
    qtbot.keyClick(window.search.edit, Qt.Key.Key_Down)
    second = window.search.model.hit(1)
    qtbot.keyClick(window.search.edit, Qt.Key.Key_Return)
    assert window.customer_id == second.id


def test_enter_on_a_history_entry_shows_it_in_full(qtbot, window, sqlite_db, sync_ops):
    ids = seed_people(sqlite_db)
    add_history(sqlite_db, ids["wang"], 2)
    window.open_customer(ids["wang"])
    qtbot.keyClick(window.timeline.view, Qt.Key.Key_Return)
    (dialog,) = [d for d in window.findChildren(EntryDialog) if d.isVisible()]
    assert dialog.text.toPlainText() == "entry 1"
    assert "Import" in dialog.heading.text()


def test_history_of_ten_thousand_entries_opens_with_one_page(qtbot, window, sqlite_db, sync_ops):
    ids = seed_people(sqlite_db)
    add_history(sqlite_db, ids["mueller"], 10_000)
    started = time.perf_counter()
    window.open_customer(ids["mueller"])
    opened = time.perf_counter() - started
    model = window.timeline.model
    assert model.rowCount() == PAGE_SIZE
    assert model.item(0).text == "entry 9999"
    assert "10,000 entries" in window.timeline.heading.text()
    assert opened < 2.0, f"opening took {opened:.2f}s"

    # Scrolling to the end makes the view fetch the next page.
    window.timeline.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE_SIZE)
    assert model.item(PAGE_SIZE).text == f"entry {9999 - PAGE_SIZE}"

    while model.canFetchMore(window.timeline.view.rootIndex()):
        model.fetchMore(window.timeline.view.rootIndex())
    assert model.rowCount() == 10_000 and model.complete
    assert model.item(9999).text == "entry 0"


def test_timeline_pages_with_real_threads(qtbot, window, sqlite_db):
    ids = seed_people(sqlite_db)
    add_history(sqlite_db, ids["smirnova"], 3 * PAGE_SIZE + 5)
    window.open_customer(ids["smirnova"])
    model = window.timeline.model
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE, timeout=REAL_THREADS_TIMEOUT_MS)
    gui_thread = QApplication.instance().thread()
    assert model.thread() is gui_thread

    def scrolled_to_the_end() -> bool:
        # The agent keeps scrolling: the view lays a page out some rows at a time, so
        # the end it reached while it did was not yet the page's.
        window.timeline.view.scrollToBottom()
        return True

    for pages in (2, 3):
        # One scroll may fetch more than one page before the check runs.
        qtbot.waitUntil(
            lambda pages=pages: scrolled_to_the_end() and model.rowCount() >= pages * PAGE_SIZE,
            timeout=REAL_THREADS_TIMEOUT_MS,
        )
    qtbot.waitUntil(
        lambda: scrolled_to_the_end() and model.complete and model.rowCount() == 3 * PAGE_SIZE + 5,
        timeout=REAL_THREADS_TIMEOUT_MS,
    )
    texts = [model.item(r).text for r in range(model.rowCount())]
    assert len(set(texts)) == len(texts)


def test_opening_another_customer_drops_the_first_ones_pages(qtbot, window, sqlite_db):
    ids = seed_people(sqlite_db)
    add_history(sqlite_db, ids["mueller"], 50)
    add_history(sqlite_db, ids["wang"], 5)
    window.open_customer(ids["mueller"])
    window.open_customer(ids["wang"])
    qtbot.waitUntil(lambda: window.customer_view.overview is not None)
    qtbot.waitUntil(lambda: window.timeline.model.complete)
    assert window.customer_view.overview.name == "王芳"
    assert window.timeline.model.rowCount() == 5


def test_status_bar_names_the_database(window: MainWindow, sqlite_db: Database) -> None:
    assert window.db_label.text() == f"Database: {sqlite_db.description()}"
    assert "SQLite" in window.db_label.text()


def test_unknown_customer_shows_a_message_not_a_crash(window, sync_ops) -> None:
    import uuid

    window.open_customer(uuid.uuid4())
    assert window.customer_view.placeholder.text() == "The customer no longer exists."
    assert window.customer_view.overview is None


def test_changing_the_ui_language_reformats_the_open_customer(window, sqlite_db, sync_ops) -> None:
    from app.i18n import set_ui_language
    from app.ui.qt import QGroupBox, QLabel

    ids = seed_people(sqlite_db)
    window.open_customer(ids["mueller"])

    def texts() -> str:
        box = window.customer_view.findChild(QGroupBox, "bundlesBox")
        header = window.customer_view.content
        labels = box.findChildren(QLabel) + header.findChildren(QLabel)
        return " | ".join(label.text() for label in labels)

    assert "31/12/2026" in texts()
    assert "German" in texts()
    assert "CHF" in texts()
    set_ui_language("de")
    assert "31.12.2026" in texts()
    assert "Deutsch" in texts()
    set_ui_language("ru")
    assert "31.12.2026" in texts()


def test_every_menu_action_is_reachable_from_the_keyboard(qtbot, window: MainWindow) -> None:
    from app.ui.shortcuts_dialog import ShortcutsDialog

    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    assert len(menus) == 5  # file, customer, worklists, review, help
    mnemonics = [m.title()[m.title().index("&") + 1].lower() for m in menus]
    assert len(set(mnemonics)) == len(mnemonics), mnemonics
    for menu in menus:
        assert "&" in menu.title()
        for action in menu.actions():
            if action.isSeparator():
                continue
            assert "&" in action.text(), action.text()
    shortcuts = {a.objectName(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["actFind"] == "Ctrl+F"
    assert shortcuts["actBack"] == "Esc"
    assert shortcuts["actNote"] == "Ctrl+N"
    assert shortcuts["actShortcuts"] == "F1"
    assert shortcuts["actWorklist1"] == "Ctrl+1"
    assert shortcuts["actTickets"] == "Ctrl+Shift+T"
    assert shortcuts["actHistoryBrowser"] == "Ctrl+Shift+H"
    assert shortcuts["actReports"] == "Ctrl+Shift+R"

    qtbot.keyClick(window.search.edit, Qt.Key.Key_F1)
    box = window.findChild(ShortcutsDialog, "shortcutsDialog")
    assert box is not None and box.isVisible()
    keys = [box.table.item(row, 0).text() for row in range(box.table.rowCount())]
    assert "Ctrl+N" in keys
    box.close()
