"""The keyboard shortcuts, as a two-column table: keys and what they do.

Key names follow the UI language as Qt writes them ("Strg+F" in German);
keys that are words ("Enter", "Up/Down") are translated like every other text.
"""

from __future__ import annotations

from app.i18n import _
from app.ui.common import bind_retranslate
from app.ui.qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QKeySequence,
    QShowEvent,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def native(*sequences: str) -> str:
    """Key sequences as the platform and the UI language name them, joined by commas."""
    fmt = QKeySequence.SequenceFormat.NativeText
    return ", ".join(QKeySequence(keys).toString(fmt) for keys in sequences)


def shortcut_rows(window: QWidget | None = None) -> list[tuple[str, str]]:
    """(keys, what they do), in the UI language.

    Besides the keys that work inside the lists and the script, every action of
    ``window`` with a shortcut is listed, so a new menu entry is never missing.
    """
    rows = [
        (native("Ctrl+F"), _("Find a customer")),
        (_("Up/Down"), _("Move through the search results")),
        (_("Enter"), _("Open the selected customer / show a history entry in full")),
        (native("Esc"), _("Back to the search box (again: clear it)")),
        (native("Ctrl+H"), _("Go to the history")),
        (native("Ctrl+T"), _("Go to “What to do now”")),
        (native("Ctrl+N"), _("Add a note")),
        (native("Ctrl+Return"), _("Save the note")),
        (native("F5"), _("Reload the customer")),
        (_("Enter / Space"), _("Open the focused item of “What to do now” in the script")),
        (native("Ctrl+Return", "Alt+Right"), _("Script: complete the step and go on")),
        (native("Alt+Left"), _("Script: previous step (what you typed is kept)")),
        (native("Esc"), _("Script: back to the customer")),
        (
            native("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"),
            _("Worklists: fair use, reminders, onboarding, complaints"),
        ),
        (native("Ctrl+,"), _("Settings")),
        (native("Ctrl+Q"), _("Quit")),
    ]
    listed = {piece for keys, _what in rows for piece in keys.split(", ")}
    for action in window.actions() if window is not None else ():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and keys not in listed:
            listed.add(keys)
            rows.append((keys, action.text().replace("&", "").rstrip("…").strip()))
    return rows


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut in a table that lines up in every language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.resize(720, 560)
        self.retranslate()
        bind_retranslate(self)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([_("Keys"), _("What it does")])
        rows = shortcut_rows(self.parentWidget())
        self.table.setRowCount(len(rows))
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        self.table.resizeRowsToContents()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # the columns have their real widths now
