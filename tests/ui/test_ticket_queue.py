"""The ticket queue window: a partner logs in, answers a stage-3 decision with "disagree"
and sees the status change; an agent sees every partner's tickets and opens the customer."""

from __future__ import annotations

from datetime import date

import pytest

from app.i18n import set_ui_language
from app.services import identity, todo
from app.store.db import Database
from app.store.models import HistoryEntry, TicketFeedback, TicketStatus, User
from app.store.repositories import UnitOfWork
from app.ui.changes import change_bus
from app.ui.qt import Qt
from app.ui.ticket_queue import TicketQueueWindow
from tests.test_tickets import TODAY, _stage_3, _ticket, _world

pytestmark = pytest.mark.gui


def _as(base: Database, login: str, role: str, partner=None) -> Database:
    """``base`` opened as ``login`` (AGENT_ASSIST_USER and a users row, as on a desktop)."""
    with UnitOfWork(base) as uow:
        uow.add(User(login=login, display_name=login, role=role, partner_id=partner))
        uow.commit()
    db = Database(base.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(identity.ENV_USER, login)
        identity.current(db)
    return db


def _column(window: TicketQueueWindow, column: int) -> list[str]:
    return [window.model.index(r, column).data() for r in range(window.model.rowCount())]


def test_a_partner_answers_a_decision_with_disagree(
    qtbot, gui_app, sync_ops, sqlite_db: Database
) -> None:
    set_ui_language("en")
    world = _world(sqlite_db)
    case_id = _stage_3(sqlite_db, world.customers["A"])
    _ticket(sqlite_db, world.customers["B"], world.partners["B"], "fair_use_contact", TODAY)
    db = _as(sqlite_db, "knu.a", "partner", world.partners["A"])
    seen = []
    change_bus().operation_did_execute.connect(lambda changes, _who: seen.append(changes))

    window = TicketQueueWindow()
    qtbot.addWidget(window)
    window.set_database(db, TODAY)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # only the own partner's ticket, no partner filter for a partner
    assert _column(window, 1) == ["C-A1"]
    assert _column(window, 5) == ["Fair use stage 3: decision and measure"]
    assert _column(window, 3) == ["open"]
    assert not window.partner.isVisible()
    assert window.detail is not None and window.detail.row.asks_agreement
    assert "Effective from: 01/04/2026" in window.context.text()
    assert window.form.isVisible() and window.agree.isVisible()
    assert not window.agree.isChecked() and not window.disagree.isChecked()
    assert not window.send.isEnabled()

    # Enter on the row goes to the answer; text alone is not enough for a decision
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.text.hasFocus()
    qtbot.keyClicks(window.text, "Der Kunde nutzt das Handy nur als Internet zu Hause.")
    assert not window.send.isEnabled()
    assert window.form_hint.text() == "Choose Agree or Disagree."
    window.disagree.click()
    assert window.send.isEnabled()
    qtbot.mouseClick(window.send, Qt.MouseButton.LeftButton)

    assert _column(window, 3) == ["answered"]
    assert _column(window, 4) == ["1"]
    assert "disagrees — Der Kunde nutzt" in window.answers_label.text()
    assert not window.disagree.isChecked() and window.text.toPlainText() == ""
    assert any(c.history and c.touches(world.customers["A"]) for c in seen)
    with UnitOfWork(sqlite_db) as uow:
        [feedback] = uow.session.query(TicketFeedback).all()
        assert feedback.agrees is False and feedback.author == "knu.a"
        assert uow.session.query(HistoryEntry).filter_by(kind="ticket_answer").count() == 1
    # the agent's to-do list has the answer
    items = todo.todo_for_customer(sqlite_db, world.customers["A"], TODAY).items
    assert any(getattr(i, "case_id", None) == case_id and i.agrees is False for i in items)
    db.dispose()


def test_an_agent_sees_every_partner_filters_and_opens_the_customer(
    qtbot, gui_app, sync_ops, sqlite_db: Database
) -> None:
    set_ui_language("en")
    world = _world(sqlite_db)
    late = _ticket(
        sqlite_db, world.customers["B"], world.partners["B"], "fair_use_contact", date(2026, 3, 1)
    )
    _ticket(sqlite_db, world.customers["A"], world.partners["A"], "fair_use_decision", TODAY)
    db = _as(sqlite_db, "anna", "agent")
    window = TicketQueueWindow()
    qtbot.addWidget(window)
    window.set_database(db, TODAY)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert _column(window, 1) == ["C-B1", "C-A1"]  # overdue first
    assert _column(window, 0)[0] == "08/03/2026 (overdue)"
    assert window.model.rows[0].id == late and window.model.rows[0].overdue
    assert "1 overdue" in window.status.text()
    assert window.partner.isVisible() and not window.form.isVisible()

    window.overdue_only.click()
    assert _column(window, 1) == ["C-B1"]
    window.overdue_only.click()
    window.partner.setCurrentIndex(window.partner.findData("KNU-A"))
    assert _column(window, 1) == ["C-A1"]

    opened = []
    window.open_requested.connect(opened.append)
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(0, 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert opened == [world.customers["A"]]
    assert window.model.rows[0].status == TicketStatus.OPEN
    db.dispose()
