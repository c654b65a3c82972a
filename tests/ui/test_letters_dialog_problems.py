"""The letters dialog with a letter that cannot be made: a sentence, no Issue, no red left over.

Classes of defect: a developer string in the status line, "Issue" enabled on
a letter whose preview failed, an error colour that stays on the next
(successful) message, and a Date column pushed out of view.
"""

from __future__ import annotations

import uuid

import pytest

from app.i18n import set_ui_language
from app.store.db import Database
from app.store.models import Letter
from app.ui.letters_dialog import LettersDialog
from tests.ui.test_letters_dialog import _customer, _request, _select

pytestmark = pytest.mark.gui


@pytest.fixture
def broken(sqlite_db: Database) -> tuple[Database, uuid.UUID, uuid.UUID, uuid.UUID]:
    """A requested welcome letter and a requested one whose frozen facts were damaged."""
    set_ui_language("en")
    customer_id = _customer(sqlite_db)
    good = _request(sqlite_db, customer_id, "welcome")
    bad = _request(sqlite_db, customer_id, "goodwill_credit")
    with sqlite_db.transaction() as session:
        row = session.get(Letter, bad)
        row.context = {key: value for key, value in row.context.items() if key != "goodwill"}
    return sqlite_db, customer_id, good, bad


def _is_error(dlg: LettersDialog) -> bool:
    return dlg.status.property("role") == "error"


def test_a_letter_whose_preview_fails_says_why_in_a_sentence_and_cannot_be_issued(
    gui_app, qtbot, sync_ops, broken
) -> None:
    db, customer_id, good, bad = broken
    dlg = LettersDialog(None, db, customer_id, "Käthi Gerber", author="mkeller")
    qtbot.addWidget(dlg)
    dlg.show()

    _select(dlg, bad)
    text = dlg.status.text()
    assert _is_error(dlg) and dlg.pdf is None
    assert "“Goodwill credit confirmation” cannot be issued" in text
    for developer in ("goodwill", "required but missing", "(de)", "_"):
        assert developer not in text, developer
    assert "goodwill" in dlg.status.toolTip()  # the cause, for whoever maintains it
    assert not dlg.issue_button.isEnabled()

    _select(dlg, good)  # the next letter's preview: plain again, and it can be issued
    assert dlg.pdf is not None and dlg.issue_button.isEnabled()
    assert not _is_error(dlg) and dlg.status.toolTip() == ""
    assert dlg.status.text().startswith("Preview")


def test_the_date_column_is_in_view(gui_app, qtbot, sync_ops, broken) -> None:
    db, customer_id, _good, _bad = broken
    set_ui_language("de")  # the longest document names
    try:
        dlg = LettersDialog(None, db, customer_id, "Käthi Gerber", author="mkeller")
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        header = dlg.table.horizontalHeader()
        viewport = dlg.table.viewport().width()
        for column in range(dlg.model.columnCount()):
            right = header.sectionViewportPosition(column) + header.sectionSize(column)
            assert header.sectionViewportPosition(column) >= 0 and right <= viewport, column
        date_column = 3
        index = dlg.model.index(0, date_column)
        hint = dlg.table.sizeHintForColumn(date_column)
        assert header.sectionSize(date_column) >= hint, index.data()
    finally:
        set_ui_language("en")


def test_the_batch_says_what_failed_in_red_and_the_next_message_is_plain(
    gui_app, qtbot, sync_ops, broken
) -> None:
    from app.ui.letters_batch import BatchLettersDialog

    db, _customer_id, _good, _bad = broken
    dlg = BatchLettersDialog(None, db, author="mkeller")
    qtbot.addWidget(dlg)
    dlg.show()
    labels: list[str] = []
    dlg._progressed.connect(lambda *_args: labels.append(dlg.progress.labelText()))
    dlg.find_button.click()
    assert dlg.count.property("role") != "error"
    dlg.issue_button.click()
    assert labels[-1] == "2 of 2 letters processed: 1 issued, 1 failed"
    text = dlg.count.text()
    assert text.startswith("1 issued, 1 failed.")
    assert "“Goodwill credit confirmation” cannot be issued" in text
    assert "required but missing" not in text and "goodwill" in dlg.count.toolTip()
    assert dlg.count.property("role") == "error"
    assert dlg.count.width() >= dlg.count.fontMetrics().horizontalAdvance(text.splitlines()[0])
    dlg.find_button.click()  # the failed one is still waiting: a plain message again
    assert dlg.count.text() == "1 letter is waiting to be issued."
    assert dlg.count.property("role") != "error" and dlg.count.toolTip() == ""


def test_a_failed_preview_of_a_letter_no_longer_chosen_is_not_shown(
    gui_app, qtbot, broken, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent moved on to another letter before the first one's preview failed:
    the letter shown says nothing of the other's failure."""
    import threading

    from app.ui import letters_dialog
    from app.ui.worker import pending_ops

    db, customer_id, good, bad = broken
    armed, gate = threading.Event(), threading.Event()
    real_preview = letters_dialog.preview_requested

    def slow_for_the_broken_one(db, letter_id, author):
        if letter_id == bad and armed.is_set():
            assert gate.wait(10)
        return real_preview(db, letter_id, author)

    monkeypatch.setattr(letters_dialog, "preview_requested", slow_for_the_broken_one)
    dlg = LettersDialog(None, db, customer_id, "Käthi Gerber", author="mkeller")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 2 and pending_ops() == 0, timeout=10_000)
    _select(dlg, good)
    qtbot.waitUntil(lambda: dlg.pdf is not None, timeout=10_000)
    armed.set()
    _select(dlg, bad)
    _select(dlg, good)
    qtbot.waitUntil(lambda: dlg.pdf is not None, timeout=10_000)
    gate.set()
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
    assert not _is_error(dlg) and dlg.status.text().startswith("Preview")
    assert dlg.issue_button.isEnabled()
