"""What the ticket services ask the database about partner tickets, named for the answer.

The queue's statement itself is built by :mod:`app.services.ticket_query`
(its due dates and overdue flag are computed on the server); this module
only applies the queue's conditions and runs it. The rest are the customer's
tickets with their answers and the fair-use decision tickets of a case or month.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.orm import Session

from app.store.models import (
    Case,
    Customer,
    Partner,
    PartnerTicket,
    Process,
    TicketFeedback,
    TicketStatus,
)


class QueueStatement(Protocol):
    """The queue's statement builder (:class:`app.services.ticket_query.QueueQuery`)."""

    overdue: ColumnElement[Any]

    def query(self, where: list[ColumnElement[bool]], limit: int) -> Any: ...


class Tickets:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, ticket_id: uuid.UUID) -> PartnerTicket | None:
        return self.session.get(PartnerTicket, ticket_id)

    def queue(
        self,
        statement: QueueStatement,
        *,
        partner_id: uuid.UUID | None = None,
        overdue_only: bool = False,
        limit: int,
    ) -> Sequence[Row[Any]]:
        """The tickets not closed (of ``partner_id``; only the overdue ones), in queue order."""
        where: list[ColumnElement[bool]] = [PartnerTicket.status != TicketStatus.CLOSED]
        if partner_id is not None:
            where.append(PartnerTicket.partner_id == partner_id)
        if overdue_only:
            where.append(statement.overdue == 1)
        return self.session.execute(statement.query(where, max(1, limit))).all()

    def of_customer(
        self, customer_id: uuid.UUID
    ) -> Sequence[Row[PartnerTicket, str, str, str, str]]:
        """(ticket, customer no, customer name, partner code, partner name) of every ticket
        of the customer, newest first."""
        return self.session.execute(
            select(PartnerTicket, Customer.customer_no, Customer.name, Partner.code, Partner.name)
            .join(Customer, Customer.id == PartnerTicket.customer_id)
            .join(Partner, Partner.id == PartnerTicket.partner_id)
            .where(PartnerTicket.customer_id == customer_id)
            .order_by(PartnerTicket.created_at.desc(), PartnerTicket.id)
        ).all()

    def answers_to(self, ticket_ids: Collection[uuid.UUID]) -> Sequence[TicketFeedback]:
        """The answers on these tickets, oldest first."""
        return self.session.scalars(
            select(TicketFeedback)
            .where(TicketFeedback.ticket_id.in_(list(ticket_ids)))
            .order_by(TicketFeedback.created_at, TicketFeedback.id)
        ).all()

    def answers_to_ticket(self, ticket_id: uuid.UUID) -> Sequence[TicketFeedback]:
        """The answers on one ticket, oldest first."""
        return self.session.scalars(
            select(TicketFeedback)
            .where(TicketFeedback.ticket_id == ticket_id)
            .order_by(TicketFeedback.created_at, TicketFeedback.id)
        ).all()

    # --- the fair-use decision tickets --------------------------------------------------

    def answers_of_cases(
        self, case_ids: Collection[uuid.UUID], kind: str
    ) -> Sequence[Row[uuid.UUID | None, uuid.UUID, bool | None, str, str, datetime]]:
        """(case id, ticket id, agrees, text, author, created at) of every answer on a
        ticket of ``kind`` of these cases, oldest first."""
        return self.session.execute(
            select(
                PartnerTicket.case_id,
                PartnerTicket.id,
                TicketFeedback.agrees,
                TicketFeedback.text,
                TicketFeedback.author,
                TicketFeedback.created_at,
            )
            .join(TicketFeedback, TicketFeedback.ticket_id == PartnerTicket.id)
            .where(PartnerTicket.case_id.in_(list(case_ids)), PartnerTicket.kind == kind)
            .order_by(TicketFeedback.created_at, TicketFeedback.id)
        ).all()

    def not_closed_of_subject(
        self, customer_id: uuid.UUID, process: Process, subject: str | None, kind: str
    ) -> Sequence[PartnerTicket]:
        """The tickets of ``kind`` not closed on the customer's cases of ``process`` about
        ``subject``."""
        return self.session.scalars(
            select(PartnerTicket)
            .join(Case, Case.id == PartnerTicket.case_id)
            .where(
                Case.customer_id == customer_id,
                Case.process == process,
                Case.subject == subject,
                PartnerTicket.kind == kind,
                PartnerTicket.status != TicketStatus.CLOSED,
            )
        ).all()
