"""``reminders``: expiry reminders due per month, sent, and sent late.

Every bundle has the reminders of the rule file (``expiry.toml``: a month and
a week before its end date; due on ``end date - months_before months -
days_before days``, months clamped to the month's end). A reminder is sent on
the (UTC) day of the first history step of the expiry playbook's ``reminder``
flow for it (payload subject ``<bundle_no>:<reminder>`` of that customer),
which queues its SMS.

One row per month in which reminders were due (the due date's month):

* ``due`` - reminders due in the month, the month reminder included even when
  it was not sent before the week reminder superseded it (it was due then);
* ``sent`` - of those, sent at all (on time or late);
* ``sent_late`` - of those, sent on a day after the due date.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from app.domain.calendar import add_months
from app.i18n import N_
from app.services.reports.base import Chart, Period, Report, Row
from app.services.reports.sql import add_days, add_months_clamped, day_of
from app.store.models import Bundle, Customer, HistoryEntry

COLUMNS = ("month", "due", "sent", "sent_late")
PROCESS = "expiry"
FLOW = "reminder"


def _sent(bundles: Any) -> Any:
    """(customer, subject, first day sent) of the reminder steps in the history of the
    customers with one of ``bundles`` (a query of customer ids)."""
    payload = HistoryEntry.payload
    subject = payload["subject"].as_string()
    return (
        select(
            HistoryEntry.customer_id.label("customer_id"),
            subject.label("subject"),
            func.min(day_of(HistoryEntry.created_at)).label("day"),
        )
        .where(
            HistoryEntry.customer_id.in_(bundles),
            payload["process"].as_string() == PROCESS,
            payload["flow"].as_string() == FLOW,
        )
        .group_by(HistoryEntry.customer_id, subject)
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
        month = func.substr(due, 1, 7)  # one object: the same SQL in SELECT and GROUP BY
        stmt = (
            select(
                month,
                func.count(),
                func.sum(case((day.is_not(None), 1), else_=0)),
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
