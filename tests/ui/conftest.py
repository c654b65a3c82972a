"""Fixtures for the window tests: the app's QApplication setup, a window on a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.store.db import Database
from app.ui.worker import Op, pending_ops


@pytest.fixture
def gui_app(qapp):
    """pytest-qt's QApplication, set up like the real one (fonts, icon, style)."""
    from app.ui.app import create_application

    return create_application()


@pytest.fixture
def sync_ops() -> Iterator[None]:
    """Background work runs inline, so a test sees its outcome right away."""
    Op.synchronous = True
    yield
    Op.synchronous = False


@pytest.fixture
def window(gui_app, qtbot, sqlite_db: Database):
    """The main window on a migrated SQLite database, shown and active."""
    from app.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.set_database(sqlite_db)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)


def type_text(widget, text: str) -> None:
    """Type ``text`` into ``widget`` key by key, including characters QTest cannot name."""
    from app.ui.qt import QApplication, QEvent, QKeyEvent, Qt

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)
