"""Issuing all requested letters of a month (and one document, or all) from the window.

The letters are rendered on every core by :func:`app.services.letters.issue_batch`;
a window-modal progress dialog follows them as they are issued and its Stop
button ends the batch after the letter in hand (the rest stay requested).
The batch reports the customers whose letters it issued (:mod:`app.ui.changes`),
so an open customer's screens and letters refresh themselves.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

# The progress dialog is beyond app.ui.qt's set.
from PySide6.QtWidgets import QProgressDialog

from app.config import current_user_name
from app.i18n import _, ngettext
from app.services.letters import (
    DOCUMENTS,
    BatchResult,
    LetterError,
    LetterInfo,
    document_name,
    issue_batch,
    requested_letters,
)
from app.ui.changes import Changes, change_bus
from app.ui.common import bind_retranslate
from app.ui.letters_actions import batch_action
from app.ui.qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.store.db import Database


class BatchLettersDialog(QDialog):
    """Issue all requested letters of a month (and one document, or all)."""

    _progressed = Signal(int, int, int)

    def __init__(self, parent: QWidget | None, db: Database, author: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchLettersDialog")
        self._db = db
        self._author = author or current_user_name()
        self.pending: list[LetterInfo] = []
        self.batch_result: BatchResult | None = None
        self._cancelled = False
        self._failures = 0
        self.progress: QProgressDialog | None = None

        self.month = QDateEdit(self)
        self.month.setObjectName("batchMonth")
        self.month.setDisplayFormat("yyyy-MM")
        self.month.setCalendarPopup(True)
        today = date.today()
        self.month.setDate(QDate(today.year, today.month, 1))
        self.document = QComboBox(self)
        self.document.setObjectName("batchDocument")
        self.count = QLabel(self)
        self.count.setObjectName("batchCount")
        self.count.setWordWrap(True)
        self.find_button = QPushButton(self)
        self.find_button.setObjectName("findButton")
        self.find_button.clicked.connect(self.find_letters)
        self.issue_button = QPushButton(self)
        self.issue_button.setObjectName("issueAllButton")
        self.issue_button.clicked.connect(self.issue_all)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        self.month.dateChanged.connect(lambda _d: self._forget())
        self.document.currentIndexChanged.connect(lambda _i: self._forget())

        self.month_label, self.document_label = QLabel(self), QLabel(self)
        self.month_label.setBuddy(self.month)
        self.document_label.setBuddy(self.document)
        self.form = QFormLayout()
        self.form.addRow(self.month_label, self.month)
        self.form.addRow(self.document_label, self.document)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        row = QHBoxLayout()
        row.addWidget(self.find_button)
        row.addWidget(self.issue_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.count)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._progressed.connect(self._on_progress)
        self.retranslate()
        bind_retranslate(self)
        self.setMinimumWidth(520)  # room for a failed letter's sentence
        self._forget()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Issue letters of a month"))
        self.month_label.setText(_("&Requested in"))
        self.document_label.setText(_("&Document"))
        chosen = self.document.currentData()
        self.document.blockSignals(True)
        self.document.clear()
        self.document.addItem(_("All documents"), None)
        for key in sorted(DOCUMENTS, key=document_name):
            self.document.addItem(document_name(key), key)
        self.document.setCurrentIndex(max(0, self.document.findData(chosen)))
        self.document.blockSignals(False)
        self.find_button.setText(_("Find letters"))
        self.issue_button.setText(_("Issue all"))

    def _month(self) -> str:
        return self.month.date().toString("yyyy-MM")

    def _forget(self) -> None:
        self.pending = []
        self.issue_button.setEnabled(False)

    def find_letters(self) -> None:
        Op(
            self,
            requested_letters,
            self._db,
            document=self.document.currentData(),
            month=self._month(),
        ).success(self._found).failure(lambda exc: self._say(describe_error(exc), error=True)).run()

    def _found(self, letters: list[LetterInfo]) -> None:
        self.pending = letters
        self.issue_button.setEnabled(bool(letters))
        self._say(
            ngettext(
                "{n} letter is waiting to be issued.",
                "{n} letters are waiting to be issued.",
                len(letters),
            ).format(n=len(letters))
        )

    def issue_all(self) -> None:
        if not self.pending:
            return
        ids = [letter.id for letter in self.pending]
        self._cancelled = False
        self._failures = 0
        self.batch_result = None
        progress = QProgressDialog(_("Issuing letters…"), _("Stop"), 0, len(ids), self)
        progress.setObjectName("batchProgress")
        progress.setWindowTitle(_("Issue letters of a month"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self.cancel)
        progress.setValue(0)
        self.progress = progress
        self.issue_button.setEnabled(False)
        self.find_button.setEnabled(False)
        Op(
            self,
            issue_batch,
            self._db,
            ids,
            self._author,
            self._report,
            should_stop=self._should_stop,
        ).success(self._done).failure(self._batch_failed).changes(_issued_changes).run()

    def cancel(self) -> None:
        self._cancelled = True

    def _should_stop(self) -> bool:
        return self._cancelled

    def _report(
        self, done: int, total: int, _letter_id: uuid.UUID, _error: LetterError | None
    ) -> None:
        """Called on the worker thread after each letter; the signal crosses to the GUI."""
        self._failures += _error is not None
        self._progressed.emit(done, total, self._failures)

    def _on_progress(self, done: int, total: int, failed: int) -> None:
        if self.progress is not None:
            self.progress.setLabelText(
                _("{done} of {total} letters processed: {issued} issued, {failed} failed").format(
                    done=done, total=total, issued=done - failed, failed=failed
                )
            )
            self.progress.setValue(done)

    def _finish(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.find_button.setEnabled(True)
        self.pending = []

    def _done(self, result: BatchResult) -> None:
        self._finish()
        self.batch_result = result
        text = _("{issued} issued, {failed} failed.").format(
            issued=len(result.issued), failed=len(result.failed)
        )
        if result.cancelled:
            text += " " + _("Stopped before the end; the other letters stay requested.")
        if result.failed:
            text += "\n" + "\n".join(f"{error}" for _id, error in result.failed[:5])
        details = "\n".join(error.detail or "" for _id, error in result.failed[:5])
        self._say(text, error=bool(result.failed), detail=details)

    def _batch_failed(self, exc: BaseException) -> None:
        # Letters issued before the failure stay issued: their customers may have changed.
        customers = [letter.customer_id for letter in self.pending]
        change_bus().report(Changes.of(customers, letters=True, history=True), self)
        self._finish()
        self._say(describe_error(exc), error=True)

    def _say(self, text: str, *, error: bool = False, detail: str = "") -> None:
        """The outcome line: red when something failed, plain otherwise; the dialog
        grows to show all of it."""
        self.count.setText(text)
        self.count.setToolTip(detail)
        self.count.setProperty("role", "error" if error else None)
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)
        self.adjustSize()


def _issued_changes(result: BatchResult) -> Changes:
    """What a batch changed: the letters and history of the customers it issued to."""
    customers = [info.customer_id for info in result.issued]
    return Changes.of(customers, letters=True, history=True) if customers else Changes()


def open_batch(parent: QWidget | None, db: Database) -> BatchLettersDialog:
    """Show the dialog that issues a month's letters (non-modal, deleted when closed)."""
    dialog = BatchLettersDialog(parent, db)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


__all__ = ["BatchLettersDialog", "batch_action", "open_batch"]
