"""Each role logs in and sees in the window exactly what MULTIUSER.md's table allows.

The login is real: on SQLite the OS login named by ``AGENT_ASSIST_USER``
with a ``users`` row, on PostgreSQL the role's own login role.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from app.services import identity
from app.store.db import Database
from app.store.models import Partner, User
from app.store.repositories import UnitOfWork
from app.ui.main_window import MainWindow
from tests.store.test_guards import Logins, _login_url
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui

#: role: (may record, sees the worklists, customers a search for "C-" finds)
SEES = {
    "agent": (True, True, 3),
    "partner": (False, False, 1),
    "supervisor": (True, True, 3),
    "admin": (False, True, 3),
}
ROLE_WORDS = {
    "agent": "agent",
    "partner": "partner",
    "supervisor": "supervisor",
    "admin": "administrator",
}


@pytest.fixture
def logins(pg_db: Database) -> Iterator[Logins]:
    made = Logins(pg_db)
    yield made
    made.drop()


def _login(request: pytest.FixtureRequest, engine: str, role: str) -> Database:
    base: Database = request.getfixturevalue("sqlite_db" if engine == "sqlite" else "pg_db")
    seed_people(base)
    with base.transaction() as session:
        partner_id = session.query(Partner.id).filter(Partner.code == "KNU-NW").scalar()
    partner = partner_id if role == "partner" else None
    if engine == "sqlite":
        login = f"ui.{role}"
        with UnitOfWork(base) as uow:
            uow.add(User(login=login, display_name=f"Test {role}", role=role, partner_id=partner))
            uow.commit()
        db = Database(base.url)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(identity.ENV_USER, login)
            identity.current(db)
    else:
        login = request.getfixturevalue("logins").add(role, partner)
        db = Database(_login_url(base, login))
    request.addfinalizer(db.dispose)
    return db


@pytest.mark.parametrize("role", list(SEES))
@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_each_role_sees_what_it_may(
    request: pytest.FixtureRequest, qtbot, gui_app, sync_ops, engine: str, role: str
) -> None:
    db = _login(request, engine, role)
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_database(db)
    window.show()
    who = identity.current(db)
    assert window.identity == who

    # The status bar names who is working and their role.
    label = window.user_label.text()
    assert who.login in label and ROLE_WORDS[role] in label

    record, worklists, found = SEES[role]
    assert window.act_note.isVisible() is record
    assert window.act_letters.isVisible() is record
    assert window.act_batch_letters.isVisible() is record
    assert all(a.isVisible() is worklists for a in window.act_worklists)
    # Every role has the ticket queue (a partner: its own tickets, to answer them).
    assert window.act_tickets.isVisible()
    assert window.menu_worklists.menuAction().isVisible()
    review = role in ("supervisor", "admin")
    assert window.menu_review.menuAction().isVisible() is review
    assert window.act_history_browser.isVisible() is review
    assert window.act_reports.isVisible() is review

    window.search.search_now("C-")
    qtbot.waitUntil(lambda: window.search.model.rowCount() == found)
    numbers = {window.search.model.hit(r).customer_no for r in range(found)}
    assert numbers == ({"C-10001"} if role == "partner" else {"C-10001", "C-10003", "C-20001"})

    window.search.open_current()
    qtbot.waitUntil(lambda: window.overview is not None)
    assert window.timeline.add_button.isVisibleTo(window) is record
    todo = window.customer_view.todo
    qtbot.waitUntil(lambda: todo.data is not None or todo._state != "loading")
    if todo.start_menu.actions():
        assert todo.start_button.isVisibleTo(window) is record
    # Ctrl+N does nothing for a role that may not record.
    window.new_note()
    assert (window.note_dialog is not None) is record
    if window.note_dialog is not None:
        window.note_dialog.reject()


def test_an_unknown_login_is_told_in_words(
    qtbot, gui_app, sync_ops, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.qt import QMessageBox

    identity.current(sqlite_db)  # the OS login owns the file
    monkeypatch.setenv(identity.ENV_USER, f"nobody{uuid.uuid4().hex[:4]}")
    db = Database(sqlite_db.url)
    try:
        window = MainWindow()
        qtbot.addWidget(window)
        window.set_database(db)
        boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        assert boxes and "agent-assist users add nobody" in boxes[0].text()
        assert window.identity is None
        for box in boxes:
            box.close()
    finally:
        db.dispose()
