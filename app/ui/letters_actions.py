"""The window's letters actions: "Letters…" (Ctrl+L) and "Issue letters of a month…".

They are made with the window, before it shows, and import the letters dialogs
(:mod:`app.ui.letters_dialog`, :mod:`app.ui.letters_batch`, and with them the
rendering: Jinja2, YAML, the worker processes) only when first triggered, so
that the first screen does not wait for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.i18n import _, on_language_changed
from app.ui.qt import QAction, QKeySequence, QObject, Qt, QWidget, isValid

if TYPE_CHECKING:
    import uuid

    from app.store.db import Database


def _worded(action: QAction, text: Callable[[], str]) -> QAction:
    """Word ``action`` with ``text()`` now and whenever the language changes."""

    def retranslate(_language: str = "") -> None:
        if isValid(action):
            action.setText(text())
        else:
            unregister()

    unregister = on_language_changed(retranslate)
    action.destroyed.connect(lambda *_args: unregister())
    retranslate()
    return action


def letters_action(
    parent: QObject,
    customer: Callable[[], tuple[Database, uuid.UUID, str] | None],
    no_customer: Callable[[], None],
) -> QAction:
    """The "Letters…" action (Ctrl+L): the letters of the customer ``customer()``
    names (database, id, name), or ``no_customer()`` when none is open."""
    action = QAction(parent)
    action.setObjectName("actLetters")
    action.setShortcut(QKeySequence("Ctrl+L"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def show_letters() -> None:
        shown = customer()
        if shown is None:
            no_customer()
            return
        from app.ui.letters_dialog import open_letters

        db, customer_id, name = shown
        open_letters(parent if isinstance(parent, QWidget) else None, db, customer_id, name)

    action.triggered.connect(show_letters)
    return _worded(action, lambda: _("&Letters…"))


def batch_action(parent: QObject, database: Callable[[], Database | None]) -> QAction:
    """The "Issue letters of a month…" action, on the database ``database()`` names."""
    action = QAction(parent)
    action.setObjectName("actBatchLetters")

    def show_batch() -> None:
        db = database()
        if db is not None:
            from app.ui.letters_batch import open_batch

            open_batch(parent if isinstance(parent, QWidget) else None, db)

    action.triggered.connect(show_batch)
    return _worded(action, lambda: _("Issue letters of a &month…"))
