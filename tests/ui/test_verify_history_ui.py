"""A supervisor (and an administrator) checks the history's hash chains from the window.

Customer > Verify the history… runs the check in the background with the busy
bar shown, then says in a message box that every entry matches, or names the
first entry that does not and why. An agent does not see the action, and the
service refuses it (PermissionDenied). The logins are real: ``AGENT_ASSIST_USER``
with a ``users`` row on the SQLite file.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import select

from app.services import history_check, identity
from app.services.history_check import check_history
from app.services.permissions import Action, PermissionDenied
from app.store.db import Database
from app.store.models import HistoryEntry, User
from app.store.repositories import UnitOfWork
from app.ui.main_window import MainWindow
from app.ui.worker import pending_ops
from tests.ui.factories import add_history, seed_people

pytestmark = pytest.mark.gui


def _login(base: Database, role: str) -> Database:
    """``base``'s file opened by a user with ``role`` (its own ``Database``; dispose it)."""
    login = f"verify.{role}"
    with UnitOfWork(base) as uow:
        uow.add(User(login=login, display_name=f"Test {role}", role=role))
        uow.commit()
    db = Database(base.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(identity.ENV_USER, login)
        identity.current(db)  # resolved once per database object
    return db


@pytest.fixture
def filled(sqlite_db: Database) -> tuple[Database, list[uuid.UUID]]:
    """Demo-like customers with history entries (chained where they are written)."""
    people = seed_people(sqlite_db)
    for customer_id in people.values():
        add_history(sqlite_db, customer_id, 4)
    with sqlite_db.transaction() as session:
        ids = list(
            session.execute(
                select(HistoryEntry.id).order_by(HistoryEntry.chain_seq, HistoryEntry.created_at)
            ).scalars()
        )
    return sqlite_db, ids


def _tamper(db: Database, entry_id: uuid.UUID) -> None:
    """Lift the append-only guard and rewrite one entry's text, as someone with the file could."""
    path = db.engine.url.database
    assert path
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER IF EXISTS history_entries_no_update")
        conn.execute(
            "UPDATE history_entries SET text = 'the customer agreed' WHERE id = ?",
            (entry_id.hex,),
        )
        conn.commit()
    finally:
        conn.close()


def _window(qtbot, db: Database) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_database(db)
    window.show()
    qtbot.waitUntil(lambda: window.identity is not None)
    return window


def _verify_menu_has(window: MainWindow) -> bool:
    return any(
        action is window.act_verify_history and action.isVisible()
        for action in window.menu_review.actions()
    )


def _outcome(qtbot, window: MainWindow) -> str:
    qtbot.waitUntil(lambda: window.verify_box is not None and window.verify_box.isVisible())
    box = window.verify_box
    assert box is not None
    text = f"{box.text()}\n{box.informativeText()}"
    box.close()
    return text


def test_a_supervisor_checks_the_history_in_the_background(
    qtbot, gui_app, filled, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, ids = filled
    db = _login(base, "supervisor")
    try:
        window = _window(qtbot, db)
        assert _verify_menu_has(window)
        assert "&" in window.act_verify_history.text()

        threads: list[threading.Thread] = []

        def watched(checked: Database) -> history_check.HistoryCheck:
            threads.append(threading.current_thread())
            return check_history(checked)

        monkeypatch.setattr(history_check, "check_history", watched)
        window.act_verify_history.trigger()
        # Busy until the outcome is back; the action waits meanwhile.
        assert not window.busy_bar.isHidden()
        assert not window.act_verify_history.isEnabled()
        text = _outcome(qtbot, window)
        assert threads and threads[0] is not threading.main_thread()
        assert f"{len(ids)} history entries in 1 chain(s): every entry matches" in text
        assert window.busy_bar.isHidden()
        assert window.act_verify_history.isEnabled()
        qtbot.waitUntil(lambda: pending_ops() == 0)
    finally:
        db.dispose()


def test_a_changed_entry_is_named(qtbot, gui_app, sync_ops, filled) -> None:
    base, ids = filled
    changed = ids[5]
    _tamper(base, changed)
    db = _login(base, "supervisor")
    try:
        window = _window(qtbot, db)
        window.act_verify_history.trigger()
        text = _outcome(qtbot, window)
        assert f"entry {changed} does not match: its content does not match its hash" in text
        assert "C-1000" in text or "C-2000" in text  # whose entry it is, by customer number
        assert "import" in text  # who recorded it
        assert window.verify_box is not None
        assert window.busy_bar.isHidden()
    finally:
        db.dispose()


@pytest.mark.parametrize(("role", "sees"), [("admin", True), ("agent", False), ("partner", False)])
def test_only_who_may_check_sees_the_action(qtbot, gui_app, sync_ops, filled, role, sees) -> None:
    base, _ids = filled
    db = _login(base, role)
    try:
        window = _window(qtbot, db)
        assert _verify_menu_has(window) is sees
        if sees:
            window.act_verify_history.trigger()
            assert "every entry matches" in _outcome(qtbot, window)
    finally:
        db.dispose()


def test_the_service_refuses_an_agent(filled) -> None:
    base, _ids = filled
    db = _login(base, "agent")
    try:
        with pytest.raises(PermissionDenied) as refused:
            check_history(db)
        assert refused.value.action is Action.REPORTS
        assert "verify.agent" in str(refused.value)
    finally:
        db.dispose()


def test_the_command_says_what_the_window_says(filled, capsys) -> None:
    from app.cli import main

    base, ids = filled
    _tamper(base, ids[2])
    assert main(["history", "verify", "--db", base.url]) == 1
    line = capsys.readouterr().out.strip()
    assert line == (
        f"{len(ids)} history entries in 1 chain(s): entry {ids[2]} does not match: "
        "its content does not match its hash"
    )
