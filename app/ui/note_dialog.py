"""Writing a free-text note into a customer's history, and reading a long entry.

Ctrl+Enter saves, Escape cancels. Saving runs in the background; if it
fails, the dialog stays open with the text untouched and says why.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from app.i18n import _
from app.services.customers import NOTE_MAX_LENGTH, HistoryItem, add_note, clean_note_text
from app.services.errors import ValidationError
from app.ui.changes import Changes
from app.ui.common import bind_retranslate
from app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPlainTextEdit,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.timeline_delegate import entry_heading
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.store.db import Database


class NoteDialog(QDialog):
    """Add a note to one customer's history."""

    #: The note was recorded (the new history item).
    saved = Signal(object)

    def __init__(
        self, parent: QWidget | None, db: Database, customer_id: uuid.UUID, customer_name: str
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteDialog")
        self._db = db
        self._customer_id = customer_id
        self._customer_name = customer_name
        self._saving = False

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("noteEdit")
        self.edit.setTabChangesFocus(True)
        self.counter = QLabel(self)
        self.counter.setObjectName("noteCounter")
        self.counter.setProperty("role", "hint")
        self.error = QLabel(self)
        self.error.setObjectName("noteError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save)
        self.edit.textChanged.connect(self._update_counter)

        bottom = QHBoxLayout()
        bottom.addWidget(self.counter)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self.resize(560, 320)
        self.edit.setFocus()
        self.retranslate()
        bind_retranslate(self)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Note for {name}").format(name=self._customer_name))
        self.intro.setText(
            _(
                "The note is added to the history with your name and the time; "
                "it cannot be changed afterwards. Ctrl+Enter saves, Escape cancels."
            )
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.edit.setPlaceholderText(_("What did the customer ask, what was agreed?"))
        self._update_counter()

    def save(self) -> None:
        if self._saving:
            return
        text = self.edit.toPlainText()
        try:
            clean_note_text(text)
        except ValidationError as exc:
            self._show_error(str(exc))
            return
        self._set_saving(True)
        Op(self, add_note, self._db, self._customer_id, text).success(self._on_saved).failure(
            self._on_failed
        ).changes(Changes.of([self._customer_id], history=True, notes=True)).run()

    def reject(self) -> None:
        if not self._saving:
            super().reject()

    def _on_saved(self, item: HistoryItem) -> None:
        self._set_saving(False)
        self.saved.emit(item)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        self._show_error(describe_error(exc))

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.edit.setFocus()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.edit.setReadOnly(saving)
        self.buttons.setEnabled(not saving)

    def _update_counter(self) -> None:
        length = len(self.edit.toPlainText().strip())
        self.counter.setText(
            _("{length} / {limit} characters").format(length=length, limit=NOTE_MAX_LENGTH)
        )
        self.counter.setProperty("role", "error" if length > NOTE_MAX_LENGTH else "hint")
        self.counter.style().unpolish(self.counter)
        self.counter.style().polish(self.counter)


class EntryDialog(QDialog):
    """One history entry in full, read-only (the timeline shows only a few lines)."""

    def __init__(self, parent: QWidget | None, item: HistoryItem) -> None:
        super().__init__(parent)
        self.setObjectName("entryDialog")
        self._item = item
        self.heading = QLabel(self)
        self.heading.setProperty("role", "section")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(item.text)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 360)
        self.retranslate()
        bind_retranslate(self)

    def retranslate(self) -> None:
        self.setWindowTitle(_("History entry"))
        self.heading.setText(entry_heading(self._item))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
