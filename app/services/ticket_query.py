"""The ticket queue's query and the partner's answer deadlines it computes on the server.

A ticket's answer is due on its date (in the operator's time zone) plus the
``partner_answers`` deadline of the rule file of the process that opens that
kind of ticket; an open ticket past that day is overdue. The queue sorts on
the tickets alone (overdue first, then the due date, tickets without a
deadline last), cuts to the limit, and only then joins the customers and
partners and counts the answers, so its cost stays with the tickets not closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, null, or_, select

from app.domain.rule_tables import PartnerAnswer
from app.domain.ruleset import RULE_FILES, RuleSet
from app.store.models import Customer, Partner, PartnerTicket, TicketFeedback, TicketStatus


def answer_deadlines(rules: RuleSet) -> dict[str, PartnerAnswer]:
    """Ticket kind -> its answer deadline, from every rule file's ``partner_answers``."""
    found: dict[str, PartnerAnswer] = {}
    for file in RULE_FILES:
        for row in getattr(getattr(rules, file.removesuffix(".toml")), "partner_answers", ()):
            found[row.ticket] = row
    return found


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in the operator's (this computer's) time zone."""
    return moment.astimezone().date() if moment.tzinfo else moment.date()


def due_date(created_at: datetime, kind: str, rules: RuleSet) -> date | None:
    """When the answer on a ticket of ``kind`` opened at ``created_at`` is due."""
    deadline = answer_deadlines(rules).get(kind)
    if deadline is None:
        return None
    return local_date(created_at) + timedelta(days=deadline.due_days)


def _day_start(day: date) -> datetime:
    """The first moment of ``day`` in the operator's time zone, in UTC."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


class QueueQuery:
    """The queue's query: the due date and the overdue flag computed on the server."""

    def __init__(self, dialect: str, deadlines: dict[str, PartnerAnswer], today: date) -> None:
        self.deadlines = deadlines
        days = {kind: row.due_days for kind, row in deadlines.items()}
        self.days: ColumnElement[Any] = (
            case(*((PartnerTicket.kind == k, literal(d)) for k, d in days.items()), else_=null())
            if days
            else null()
        )
        if dialect == "postgresql":
            self.due_key: ColumnElement[Any] = PartnerTicket.created_at + func.make_interval(
                0, 0, 0, self.days
            )
        else:
            self.due_key = func.julianday(PartnerTicket.created_at) + self.days
        # Overdue: still open and opened before the first moment of (today - due_days).
        late = [
            and_(
                PartnerTicket.kind == k, PartnerTicket.created_at < _day_start(today - timedelta(d))
            )
            for k, d in days.items()
        ]
        self.overdue: ColumnElement[Any] = (
            case((and_(PartnerTicket.status == TicketStatus.OPEN, or_(*late)), 1), else_=0)
            if late
            else literal(0)
        )
        self.answers = (
            select(func.count(TicketFeedback.id))
            .where(TicketFeedback.ticket_id == PartnerTicket.id)
            .correlate(PartnerTicket)
            .scalar_subquery()
        )

    def query(self, where: list[ColumnElement[bool]], limit: int) -> Any:
        """The first ``limit`` tickets matching ``where`` in queue order: sorted and cut on
        the tickets alone, then joined to their customer and partner and counted."""
        no_due = case((self.days.is_(None), 1), else_=0)
        first = (
            select(
                PartnerTicket.id.label("tid"),
                self.overdue.label("overdue"),
                no_due.label("no_due"),
                self.due_key.label("due_key"),
            )
            .where(*where)
            .order_by(
                self.overdue.desc(),
                no_due,
                self.due_key,
                PartnerTicket.created_at,
                PartnerTicket.id,
            )
            .limit(limit)
            .subquery()
        )
        return (
            select(
                PartnerTicket.id,
                PartnerTicket.customer_id,
                Customer.customer_no,
                Customer.name,
                Partner.code,
                Partner.name,
                PartnerTicket.kind,
                PartnerTicket.subject,
                PartnerTicket.created_at,
                PartnerTicket.status,
                first.c.overdue,
                self.answers.label("answers"),
            )
            .join(first, first.c.tid == PartnerTicket.id)
            .join(Customer, Customer.id == PartnerTicket.customer_id)
            .join(Partner, Partner.id == PartnerTicket.partner_id)
            .order_by(
                first.c.overdue.desc(),
                first.c.no_due,
                first.c.due_key,
                PartnerTicket.created_at,
                PartnerTicket.id,
            )
        )
