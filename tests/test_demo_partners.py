"""The demo's users of every role, and partner tickets waiting for an answer."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from app.services.demo import create_demo
from app.store.db import Database
from app.store.repositories import UnitOfWork
from tests.test_demo import REFERENCE, SMALL, _rows, _url, demo_url

__all__ = ["demo_url"]  # the shared 300-customer demo (a module fixture)


def test_the_demo_has_users_for_every_role(demo_url: str) -> None:
    from app.services.demo.names import PARTNERS

    users = _rows(
        demo_url,
        "SELECT u.login, u.display_name, u.role, p.code FROM users u "
        "LEFT JOIN partners p ON p.id = u.partner_id WHERE u.active",
    )
    roles = Counter(role for _login, _name, role, _code in users)
    assert roles["agent"] >= 2 and roles["supervisor"] >= 1 and roles["admin"] >= 1
    partner_logins = {code: login for login, _name, role, code in users if role == "partner"}
    assert set(partner_logins) == {p.code for p in PARTNERS}  # one login per partner
    for login, name, role, code in users:
        assert re.fullmatch(r"[a-z][a-z.]*[a-z]", login), login  # lower-case ASCII
        assert name and name != login and (code is None) == (role != "partner"), login


def test_each_partner_login_finds_only_its_own_customers(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import identity
    from app.services.customers import search_customers

    customers = _rows(
        demo_url,
        "SELECT c.customer_no, p.code FROM customers c JOIN partners p ON p.id = c.partner_id "
        "WHERE c.customer_no < 'C-10040'",
    )
    partners = _rows(
        demo_url,
        "SELECT u.login, p.code FROM users u JOIN partners p ON p.id = u.partner_id "
        "WHERE u.role = 'partner'",
    )
    assert len({code for _no, code in customers}) == len(partners)
    for login, code in [*partners, ("r.baumann", None)]:
        monkeypatch.setenv(identity.ENV_USER, login)
        db = Database(demo_url)
        try:
            assert identity.current(db).login == login
            found = {no for no, _code in customers if search_customers(db, no, limit=5)}
            assert found == {no for no, owner in customers if code in (None, owner)}, login
        finally:
            db.dispose()


def _waiting_tickets(
    rows: dict[str, list[dict[str, Any]]],
) -> list[tuple[str, str, date]]:
    """(partner code, kind, day opened) of every open ticket without an answer."""
    codes = {p["id"]: p["code"] for p in rows["partners"]}
    answered = {f["ticket_id"] for f in rows["ticket_feedback"]}
    return [
        (codes[t["partner_id"]], t["kind"], t["created_at"].date())
        for t in rows["partner_tickets"]
        if t["status"] == "open" and t["id"] not in answered
    ]


@pytest.mark.parametrize(
    "reference",
    [REFERENCE, date(2026, 3, 18), date(2026, 4, 1), date(2026, 3, 2), date(2027, 1, 3)],
)
def test_partner_tickets_wait_overdue_due_today_and_later(reference: date) -> None:
    """Stage-3 decision tickets without an answer: two overdue, one due today, two
    later (by the rule files' answer deadline); a stage-2 contact and a downgrade
    exception ticket wait too, and every partner has something to answer."""
    from app.services.demo.service import build_rows
    from app.services.demo.tickets import answer_due

    now = datetime.combine(reference, time(9, 0), UTC)
    rows, _showcase = build_rows(7, reference, SMALL, "o" * 32, now)
    waiting = _waiting_tickets(rows)
    decisions = [
        answer_due(kind, opened) for _code, kind, opened in waiting if kind == "fair_use_decision"
    ]
    assert sum(due < reference for due in decisions) >= 2
    assert sum(due == reference for due in decisions) == 1
    assert sum(due > reference for due in decisions) >= 2
    kinds = {kind for _code, kind, _opened in waiting}
    assert {"fair_use_contact", "downgrade_exception"} <= kinds
    assert {code for code, _kind, _opened in waiting} == {p["code"] for p in rows["partners"]}
    assert all(opened <= reference for _code, _kind, opened in waiting)


def test_partner_queues_show_their_own_tickets_overdue_due_today_and_later(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the ticket queue shows on the demo's day: to a supervisor every partner's
    decisions waiting (overdue, due today, later); to each partner its own tickets."""
    from app.services import identity
    from app.services.tickets import ticket_queue

    def queue(login: str) -> list[Any]:
        monkeypatch.setenv(identity.ENV_USER, login)
        db = Database(demo_url)
        try:
            return ticket_queue(db, REFERENCE)
        finally:
            db.dispose()

    decisions = [
        row
        for row in queue("r.baumann")
        if row.kind == "fair_use_decision" and row.answers == 0 and row.due is not None
    ]
    assert sum(row.overdue for row in decisions) >= 2
    assert [row.due for row in decisions].count(REFERENCE) == 1
    assert sum(row.due > REFERENCE for row in decisions) >= 2
    partners = _rows(
        demo_url,
        "SELECT u.login, p.code FROM users u JOIN partners p ON p.id = u.partner_id "
        "WHERE u.role = 'partner'",
    )
    for login, code in partners:
        rows = queue(login)
        assert rows and {row.partner_code for row in rows} == {code}, login


@pytest.mark.parametrize("reference", [date(2026, 12, 6), date(2026, 12, 22)])
def test_waiting_decisions_open_where_they_stand(tmp_path: Path, reference: date) -> None:
    """Early in a month a waiting decision is last month's (no decision precedes its
    month); every to-do item of the waiting customers opens its guided run."""
    from app.services import runs
    from app.services.demo import minimum_customers
    from app.services.todo import todo_for_customer

    url = _url(tmp_path / "w.sqlite3")
    create_demo(url, seed=7, reference=reference, customers=minimum_customers())
    db = Database(url)
    try:
        opened = 0
        for no in ("C-10030", "C-10031", "C-10032", "C-10033", "C-10034"):
            with UnitOfWork(db) as uow:
                customer = uow.customers.by_no(no)
                assert customer is not None
                customer_id = customer.id
            for item in todo_for_customer(db, customer_id, reference).items:
                target = item.target
                assert target.flow is not None
                view = runs.open_run(
                    db, customer_id, target.process, target.flow, subject=target.subject,
                    today=reference,
                )  # fmt: skip
                assert view.finished == target.step_done, (no, target)
                opened += 1
        assert opened >= 5
    finally:
        db.dispose()
