"""``onboarding``: the onboarding tasks and VIP deadlines due per month, and how they went.

Every customer with an activation date has the rule file's tasks
(``onboarding.toml``: VIP-only tasks for customers with a VIP rating), each
due on day 0 + ``due_day``; a VIP-rated customer also has the two VIP
deadlines (stage ``vip``): the account manager's assignment, due
``assign_days`` after the VIP rating, done on the onboarding case's fact
``manager_assigned``; the manager's first contact, due ``first_contact_days``
after that assignment, done on ``manager_first_contact``. Like the to-do list,
the report counts a VIP deadline only while the customer is in the program
(due by day 0 + the last stage's ``last_day``, day 90). A task is done on
the (UTC) day of the first history entry of process ``onboarding`` with the
task's id as its action.

One row per month and stage, the month being that of the due date:

* ``tasks_due`` - tasks and deadlines due in the month;
* ``done_on_time`` - of those, done on or before the due date;
* ``done_late`` - done after the due date;
* ``overdue`` - not done, and the due date is before the day the report is
  made. (The rest are not done and not yet due.)
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.orm import Session

from app.i18n import N_
from app.services.reports.base import Chart, Period, Report, Row, literal_table
from app.services.reports.sql import add_days, date_text, day_of
from app.store.models import Case, Customer, HistoryEntry

COLUMNS = ("month", "stage", "tasks_due", "done_on_time", "done_late", "overdue")
PROCESS = "onboarding"
VIP_STAGE = "vip"


def _counts(due: Any, done: Any, today: str) -> list[Any]:
    return [
        func.count(),
        func.sum(case((and_(done.is_not(None), done <= due), 1), else_=0)),
        func.sum(case((and_(done.is_not(None), done > due), 1), else_=0)),
        func.sum(case((and_(done.is_(None), due < today), 1), else_=0)),
    ]


def _tasks(session: Session, period: Period, partner: uuid.UUID | None) -> Any:
    from app.services.rules import load_ruleset

    rules = load_ruleset().onboarding
    table = literal_table(
        ("task", "stage", "due_day", "vip_only"),
        [(t.id, t.stage, int(t.due_day), 1 if t.target == "vip" else 0) for t in rules.tasks],
    )
    days = [int(t.due_day) for t in rules.tasks]
    # Only the activations some task of the range can stem from (indexed).
    activated = (
        Customer.activation_date >= period.first - timedelta(days=max(days, default=0)),
        Customer.activation_date <= period.last_day - timedelta(days=min(days, default=0)),
    )
    action = HistoryEntry.payload["action"].as_string()
    done = (
        select(
            HistoryEntry.customer_id.label("customer_id"),
            action.label("action"),
            func.min(day_of(HistoryEntry.created_at)).label("day"),
        )
        .where(
            HistoryEntry.customer_id.in_(select(Customer.id).where(*activated)),
            HistoryEntry.payload["process"].as_string() == PROCESS,
            action.is_not(None),
        )
        .group_by(HistoryEntry.customer_id, action)
        .subquery()
    )
    due = add_days(Customer.activation_date, table.c.due_day)
    month = func.substr(due, 1, 7)  # one object: the same SQL in SELECT and GROUP BY
    stmt = (
        select(
            month,
            table.c.stage,
            *_counts(due, done.c.day, period.today.isoformat()),
        )
        .select_from(Customer)
        .join(table, true())
        .outerjoin(done, and_(done.c.customer_id == Customer.id, done.c.action == table.c.task))
        .where(
            Customer.activation_date.is_not(None),
            *activated,
            # VIP tasks for VIP-rated customers only.
            (table.c.vip_only == 0) | Customer.vip_rated.is_not(None),
            due >= period.start_day,
            due <= period.end_day,
        )
        .group_by(month, table.c.stage)
    )
    if partner is not None:
        stmt = stmt.where(Customer.partner_id == partner)
    return session.execute(stmt)


def _vip(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Any]:
    from app.services.rules import load_ruleset

    rules = load_ruleset().onboarding
    vip = rules.vip
    program = max((s.last_day for s in rules.stages if s.last_day is not None), default=0)
    facts = (
        select(
            Case.customer_id.label("customer_id"),
            func.max(Case.facts["manager_assigned"].as_string()).label("assigned"),
            func.max(Case.facts["manager_first_contact"].as_string()).label("contacted"),
        )
        .where(Case.process == PROCESS)
        .group_by(Case.customer_id)
        .subquery()
    )
    today = period.today.isoformat()
    deadlines = (
        (add_days(Customer.vip_rated, literal(int(vip.assign_days))), date_text(facts.c.assigned)),
        (
            add_days(facts.c.assigned, literal(int(vip.first_contact_days))),
            date_text(facts.c.contacted),
        ),
    )
    for due, done in deadlines:
        month = func.substr(due, 1, 7)
        stmt = (
            select(month, *_counts(due, done, today))
            .select_from(Customer)
            .outerjoin(facts, facts.c.customer_id == Customer.id)
            .where(
                # Within the onboarding program (indexed): as the to-do list shows them.
                Customer.activation_date >= period.first - timedelta(days=int(program)),
                Customer.activation_date <= period.last_day,
                Customer.vip_rated.is_not(None),
                due.is_not(None),
                due >= period.start_day,
                due <= period.end_day,
                due <= add_days(Customer.activation_date, literal(int(program))),
            )
            .group_by(month)
        )
        if partner is not None:
            stmt = stmt.where(Customer.partner_id == partner)
        for key, *counts in session.execute(stmt):
            yield (key, VIP_STAGE, *counts)


def rows(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    from app.services.rules import load_ruleset

    order = {s.id: i for i, s in enumerate(load_ruleset().onboarding.stages)}
    order[VIP_STAGE] = len(order)
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for month, stage, *counts in [
        *_tasks(session, period, partner),
        *_vip(session, period, partner),
    ]:
        cells = table[(month, stage)]
        for i, count in enumerate(counts):
            cells[i] += int(count or 0)
    for month, stage in sorted(table, key=lambda key: (key[0], order.get(key[1], 99), key[1])):
        yield (month, stage, *table[(month, stage)])


REPORT = Report(
    name="onboarding",
    title=N_("Onboarding: tasks due, done on time, done late, overdue"),
    columns=COLUMNS,
    query=rows,
    chart=Chart("stage", ("done_on_time", "done_late", "overdue")),
)
