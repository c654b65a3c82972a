"""``reminders``: expiry reminders due per month, sent, and sent late.

Every bundle has the reminders of the rule file (``expiry.toml``: a month and
a week before its end date; due on ``end date - months_before months -
days_before days``, months clamped to the month's end).

A reminder counts as sent when the records say so, as the to-do list and the
worklists take it: the bundle's ``reminders_sent`` holds it (the guided step,
imports and the demo mark it there), or the customer's history has a step of
the expiry playbook's ``reminder`` flow for it (payload subject
``<bundle_no>:<reminder>``; not the entry that closes a reminder superseded
by a later one), or an ``sms`` entry for it (payload ``{"bundle_id":
<bundle_no>, "reminder": <reminder>}``). It was sent on the (UTC) day of the
earliest such history entry, step or SMS; sent with no dated entry (only the
bundle's record says so) counts as sent, not late. Each reminder of a bundle
counts once, however many sources name it.

One row per month in which reminders were due (the due date's month):

* ``due`` - reminders due in the month, the month reminder included even when
  it was not sent before the week reminder superseded it (it was due then);
* ``sent`` - of those, sent at all (on time, late, or undated);
* ``sent_late`` - of those, sent on a day after the due date.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.domain.calendar import add_months
from app.i18n import N_
from app.processes.expiry.guide import SUPERSEDED
from app.services.reports.base import Chart, Period, Report, Row
from app.services.reports.sql import add_days, add_months_clamped, day_of, json_list_has
from app.store.models import Bundle, Customer, HistoryEntry

COLUMNS = ("month", "due", "sent", "sent_late")
PROCESS = "expiry"
FLOW = "reminder"


def _sent(customers: Any) -> Any:
    """(customer, subject ``<bundle_no>:<reminder>``, first day sent) of the reminder steps
    and reminder SMS in the history of ``customers`` (a query of customer ids)."""
    payload = HistoryEntry.payload
    day = day_of(HistoryEntry.created_at).label("day")
    step = payload["step"].as_string()
    steps = select(
        HistoryEntry.customer_id.label("customer_id"),
        payload["subject"].as_string().label("subject"),
        day,
    ).where(
        HistoryEntry.customer_id.in_(customers),
        payload["process"].as_string() == PROCESS,
        payload["flow"].as_string() == FLOW,
        or_(step.is_(None), step != SUPERSEDED),
    )
    bundle_no, reminder = payload["bundle_id"].as_string(), payload["reminder"].as_string()
    sms = select(
        HistoryEntry.customer_id.label("customer_id"),
        (bundle_no + ":" + reminder).label("subject"),
        day,
    ).where(
        HistoryEntry.customer_id.in_(customers),
        HistoryEntry.kind == "sms",
        bundle_no.is_not(None),
        reminder.is_not(None),
    )
    dated = union_all(steps, sms).subquery()
    return (
        select(dated.c.customer_id, dated.c.subject, func.min(dated.c.day).label("day"))
        .group_by(dated.c.customer_id, dated.c.subject)
        .subquery()
    )


def rows(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    from app.services.rules import load_ruleset

    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for reminder in load_ruleset().expiry.reminders:
        # Only the bundles a reminder of the range can belong to (indexed; loose by a few
        # days for the clamped months, the due date decides).
        ending = (
            Bundle.end_date >= period.first,
            Bundle.end_date
            <= add_months(period.last_day, int(reminder.months_before))
            + timedelta(days=int(reminder.days_before) + 4),
        )
        sent = _sent(select(Bundle.customer_id).where(*ending))
        due: Any = Bundle.end_date
        if reminder.months_before:
            due = add_months_clamped(due, -int(reminder.months_before))
        due = add_days(due, literal(-int(reminder.days_before)))
        day = sent.c.day
        marked = or_(json_list_has(Bundle.reminders_sent, literal(reminder.id)), day.is_not(None))
        month = func.substr(due, 1, 7)  # one object: the same SQL in SELECT and GROUP BY
        stmt = (
            select(
                month,
                func.count(),
                func.sum(case((marked, 1), else_=0)),
                func.sum(case((and_(day.is_not(None), day > due), 1), else_=0)),
            )
            .select_from(Bundle)
            .outerjoin(
                sent,
                and_(
                    sent.c.customer_id == Bundle.customer_id,
                    sent.c.subject == Bundle.bundle_no + ":" + reminder.id,
                ),
            )
            .where(*ending, due >= period.start_day, due <= period.end_day)
            .group_by(month)
        )
        if partner is not None:
            stmt = stmt.join(Customer, Customer.id == Bundle.customer_id).where(
                Customer.partner_id == partner
            )
        for key, *counts in session.execute(stmt):
            cells = table[key]
            for i, count in enumerate(counts):
                cells[i] += int(count or 0)
    for key in sorted(table):
        yield (key, *table[key])


REPORT = Report(
    name="reminders",
    title=N_("Expiry reminders: due, sent, sent late"),
    columns=COLUMNS,
    query=rows,
    chart=Chart("month", ("due", "sent", "sent_late")),
)
