"""The letters dialog: preview, issue, save as, print; and issuing a month's letters."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from app.letters.samples import sample_context
from app.services.letters import issue_letter, letters_of_customer, open_issued, request_letter
from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Partner
from app.ui.letters_batch import BatchLettersDialog
from app.ui.letters_dialog import LettersDialog
from app.ui.qt import QLabel, QPushButton

pytestmark = pytest.mark.gui


def _customer(db: Database) -> uuid.UUID:
    with db.transaction() as session:
        partner = Partner(code="KNU-EM", name="Regio Kabel Emmental", country="CH")
        session.add(partner)
        session.flush()
        customer = Customer(
            customer_no="C-10007",
            msisdn="+41791234567",
            name="Käthi Gerber",
            language="de",
            partner_id=partner.id,
            products=[],
            street="Dorfstrasse 4",
            postcode="3550",
            city="Langnau im Emmental",
            country="CH",
        )
        session.add(customer)
        session.flush()
        return customer.id


def _request(db: Database, customer_id: uuid.UUID, document: str) -> uuid.UUID:
    context = sample_context(document, "de")
    for key in ("customer", "partner", "letter", "recipient"):
        context.pop(key)
    return request_letter(
        db, customer_id=customer_id, document=document, language="de", context=context, author="a"
    ).id


@pytest.fixture
def letters(sqlite_db: Database) -> tuple[Database, uuid.UUID, uuid.UUID, uuid.UUID]:
    """A customer with a requested welcome letter and an issued (two-page) device plan agreement."""
    customer_id = _customer(sqlite_db)
    requested = _request(sqlite_db, customer_id, "welcome")
    issued = _request(sqlite_db, customer_id, "device_plan_agreement")
    issue_letter(sqlite_db, issued, "skeller")
    return sqlite_db, customer_id, requested, issued


@pytest.fixture
def dialog(gui_app, qtbot, sync_ops, letters) -> LettersDialog:
    db, customer_id, _requested, _issued = letters
    dlg = LettersDialog(None, db, customer_id, "Käthi Gerber", author="mkeller")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _select(dlg: LettersDialog, letter_id: uuid.UUID) -> None:
    row = next(i for i, letter in enumerate(dlg.model.letters) if letter.id == letter_id)
    dlg.table.selectRow(row)
    assert dlg.current is not None and dlg.current.id == letter_id


def _pages(dlg: LettersDialog) -> list[QLabel]:
    return [w for w in dlg.page_box.findChildren(QLabel) if w.objectName().startswith("page")]


def test_lists_the_letters_and_previews_the_requested_one(dialog: LettersDialog, letters) -> None:
    _db, _cid, requested, _issued = letters
    assert dialog.model.rowCount() == 2
    assert {dialog.model.index(r, 2).data() for r in range(2)} == {"Requested", "Issued"}
    _select(dialog, requested)
    pages = _pages(dialog)
    assert len(pages) == len(dialog.pages) >= 1
    pixmap = pages[0].pixmap()
    assert not pixmap.isNull() and pixmap.height() > pixmap.width() > 500  # an A4 page
    assert dialog.issue_button.isEnabled()
    assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled()
    # Zoom renders the pages again, larger.
    width = pixmap.width()
    dialog.zoom_in.click()
    assert _pages(dialog)[0].pixmap().width() > width


def test_issue_records_the_letter_and_then_shows_the_archived_bytes(
    dialog: LettersDialog, letters
) -> None:
    db, customer_id, requested, _issued = letters
    _select(dialog, requested)
    dialog.issue_button.click()
    info = next(i for i in letters_of_customer(db, customer_id) if i.id == requested)
    assert info.status == "issued" and info.issued_by == "mkeller"
    assert dialog.current is not None and dialog.current.id == requested
    assert dialog.current.status == "issued"
    assert dialog.pdf == open_issued(db, requested)
    assert dialog.save_button.isEnabled() and not dialog.issue_button.isEnabled()
    with db.transaction() as session:
        entries = session.scalars(
            select(HistoryEntry).where(
                HistoryEntry.kind == "letter", HistoryEntry.author == "mkeller"
            )
        ).all()
    assert [e.payload["letter_id"] for e in entries] == [str(requested)]


def test_save_as_writes_the_archived_bytes(
    dialog: LettersDialog, letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _cid, _requested, issued = letters
    _select(dialog, issued)
    target = tmp_path / "out" / "vereinbarung"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PDF"))
    )
    dialog.save_button.click()
    saved = target.with_name("vereinbarung.pdf")
    assert saved.read_bytes() == open_issued(db, issued)
    assert str(saved) in dialog.status.text()


def test_print_paints_every_page(dialog: LettersDialog, letters, tmp_path: Path) -> None:
    db, _cid, _requested, issued = letters
    _select(dialog, issued)
    pages = len(PdfReader(io.BytesIO(open_issued(db, issued))).pages)
    assert pages == 2 == len(_pages(dialog))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    dialog.print_to(printer)
    printed = PdfReader(out)
    assert len(printed.pages) == pages
    box = printed.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4
    assert "2 pages" in dialog.status.text()


def test_a_tampered_archive_is_not_shown(dialog: LettersDialog, letters) -> None:
    from app.config import data_dir

    db, _cid, requested, issued = letters
    info = next(i for i in letters_of_customer(db, _cid) if i.id == issued)
    path = data_dir() / info.pdf_path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit changed in the archive
    path.write_bytes(bytes(data))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != info.sha256
    _select(dialog, requested)
    _select(dialog, issued)
    assert dialog.pdf is None and not _pages(dialog)
    assert "changed after it was issued" in dialog.status.text()
    assert not dialog.print_button.isEnabled()


def test_batch_issues_a_month_with_progress_and_can_stop(
    gui_app, qtbot, sync_ops, sqlite_db: Database
) -> None:
    customer_id = _customer(sqlite_db)
    ids = [_request(sqlite_db, customer_id, "goodwill_credit") for _ in range(4)]
    dlg = BatchLettersDialog(None, sqlite_db, author="batch")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.document.setCurrentIndex(dlg.document.findData("goodwill_credit"))
    dlg.findChild(QPushButton, "findButton").click()
    assert "4 letters" in dlg.count.text()
    seen: list[int] = []

    def stop_after_two(done: int, _total: int) -> None:
        seen.append(done)
        if done == 2:
            dlg.progress.findChild(QPushButton).click()  # the agent presses Stop

    dlg._progressed.connect(stop_after_two)
    dlg.issue_button.click()
    assert dlg.batch_result is not None and dlg.batch_result.cancelled
    assert seen == [1, 2] and len(dlg.batch_result.issued) == 2
    assert "Stopped before the end" in dlg.count.text()
    dlg._progressed.disconnect(stop_after_two)

    dlg.find_button.click()
    assert "2 letters" in dlg.count.text()
    dlg.issue_button.click()
    assert dlg.batch_result is not None and not dlg.batch_result.cancelled
    assert "2 issued, 0 failed" in dlg.count.text()
    # The dialog keeps QDialog.result() and QWidget.find() (callers and Qt rely on them).
    assert dlg.result() == 0 and dlg.find(dlg.winId()) is dlg
    statuses = {i.id: i.status for i in letters_of_customer(sqlite_db, customer_id)}
    assert [statuses[i] for i in ids] == ["issued"] * 4


def test_main_window_opens_the_letters_of_the_open_customer(window, qtbot, sync_ops) -> None:
    from app.ui.qt import QAction

    db = window.db
    customer_id = _customer(db)
    _request(db, customer_id, "welcome")
    act = window.findChild(QAction, "actLetters")
    assert act.shortcut().toString() == "Ctrl+L" and act in window.menu_customer.actions()
    batch = window.findChild(QAction, "actBatchLetters")
    assert batch in window.menu_worklists.actions()
    act.trigger()  # no customer open yet: nothing opens
    assert window.findChild(LettersDialog) is None
    window.open_customer(customer_id)
    act.trigger()
    dialog = window.findChild(LettersDialog)
    assert dialog is not None and dialog.isVisible() and dialog.model.rowCount() == 1
    assert "Käthi Gerber" in dialog.windowTitle()
    batch.trigger()
    assert window.findChild(BatchLettersDialog).isVisible()
    dialog.close()
