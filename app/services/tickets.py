"""Tickets to partners: the queue, one ticket with its customer's context, the answer.

A guided step opens a ticket to the customer's partner (a playbook effect
``type: ticket``; fair-use stage 2 and 3, a downgrade refused within the 90 days).
The partner (role ``partner``) answers its own partner's tickets here; agents,
supervisors and administrators see every partner's tickets, answers included.

* The **queue** lists the tickets not closed, overdue first, then by due date.
  The due date is the ticket's date (in the operator's time zone) plus the
  ``partner_answers`` deadline of the rule file of the process that opens that
  kind of ticket (``resources/rules/*.toml``); an open ticket past it is
  overdue. One query (tickets, their customer and partner, the number of
  answers), sorted and limited on the server.
* An **answer** is an append-only :class:`TicketFeedback`, a history entry
  ``ticket_answer`` on the customer and the case (hash-chained like every
  entry) and the ticket's status (open -> answered), in one transaction. A
  ticket whose deadline row ``asks_agreement`` (the stage-3 decision) needs
  agree or disagree; any other ticket takes none.
* A ticket's **reason** is worded by the playbook that opens it: the title of
  the flow with the ticket effect of that kind.
"""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from app.domain.rule_tables import PartnerAnswer
from app.domain.ruleset import RuleSet
from app.i18n import N_, _, format_date, language_name, ui_language
from app.services.customers import format_msisdn
from app.services.errors import NotFoundError, ValidationError
from app.services.identity import Identity, signature
from app.services.permissions import (
    Action,
    PermissionDenied,
    check_customer,
    partner_scope,
    require,
)
from app.services.ticket_query import QueueQuery, answer_deadlines, local_date
from app.store.db import Database
from app.store.models import (
    Case,
    HistoryEntry,
    PartnerTicket,
    Role,
    TicketFeedback,
    TicketStatus,
)
from app.store.repositories import UnitOfWork
from app.store.repositories_tickets import Tickets

#: The longest answer a partner can write (characters, after trimming).
ANSWER_MAX_LENGTH = 4000
#: The most rows the queue hands back at once (the window says when there are more).
QUEUE_LIMIT = 2000
#: History entry kind of a partner's answer.
ANSWER_KIND = "ticket_answer"

STATUS_WORDS: dict[TicketStatus, str] = {
    TicketStatus.OPEN: N_("open"),
    TicketStatus.ANSWERED: N_("answered"),
    TicketStatus.CLOSED: N_("closed"),
}

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- what callers get back -------------------------------------------------------------


@dataclass(frozen=True)
class TicketRow:
    """One ticket of the queue (or of a customer's tickets)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    customer_no: str
    customer_name: str
    partner_code: str
    partner_name: str
    kind: str
    subject: str
    created_at: datetime
    due: date | None
    overdue: bool
    status: TicketStatus
    answers: int
    asks_agreement: bool

    @property
    def reason(self) -> str:
        """The ticket's kind in words, in the UI language."""
        return reason_words(self.kind)

    @property
    def status_words(self) -> str:
        return status_words(self.status)


@dataclass(frozen=True)
class TicketAnswer:
    """One answer on a ticket, as recorded (never changed)."""

    id: uuid.UUID
    author: str
    created_at: datetime
    agrees: bool | None
    text: str


@dataclass(frozen=True)
class TicketDetail:
    """A ticket with its answers and the customer's context its partner may see."""

    row: TicketRow
    body: str
    case_id: uuid.UUID | None
    answers: tuple[TicketAnswer, ...]
    msisdn: str
    language: str
    tariff: str | None
    #: The case's facts relevant to the question, worded: (label, value).
    facts: tuple[tuple[str, str], ...]
    #: The rule that gives the due date (None: no deadline for this kind).
    due_rule_id: str | None


@dataclass(frozen=True)
class CustomerTicket:
    """A ticket on the customer view: the row and its answers."""

    row: TicketRow
    answers: tuple[TicketAnswer, ...]


# --- words ------------------------------------------------------------------------------


def status_words(status: TicketStatus | str) -> str:
    """A ticket status in words ("answered")."""
    message = STATUS_WORDS.get(TicketStatus(status))
    return _(message) if message else str(status)


def reason_words(kind: str, language: str | None = None) -> str:
    """A ticket kind as the playbook that opens it words it (its flow's title)."""
    found = _ticket_flow(kind)
    if found is None:
        return kind.replace("_", " ")
    from app.services.playbooks import playbook_for

    process, flow = found
    return playbook_for(process).flow(flow).title.get(language or ui_language())


@lru_cache(maxsize=64)
def _ticket_flow(kind: str) -> tuple[str, str] | None:
    """(process, flow) of the playbook flow with a ticket effect of ``kind``."""
    from app.domain.playbook_schema import PlaybookError, TicketEffect
    from app.processes import processes
    from app.services.playbooks import playbook_for

    for spec in processes():
        try:
            playbook = playbook_for(spec.name)
        except (KeyError, PlaybookError):
            continue
        for flow in playbook.flows:
            for step in flow.steps:
                if any(isinstance(e, TicketEffect) and e.kind == kind for e in step.effects):
                    return spec.name, flow.id
    return None


# --- the queue ----------------------------------------------------------------------------


def ticket_queue(
    db: Database,
    today: date | None = None,
    *,
    partner_code: str | None = None,
    overdue_only: bool = False,
    limit: int = QUEUE_LIMIT,
) -> list[TicketRow]:
    """The tickets not closed, overdue first, then by due date (then oldest first).

    A partner's login sees its own partner's tickets only (``partner_code`` is
    then ignored); everyone else sees all, or ``partner_code``'s.
    """
    me = require(db, Action.OPEN_CUSTOMERS)
    today = today or date.today()
    from app.services.rules import load_ruleset

    deadlines = answer_deadlines(load_ruleset())
    columns = QueueQuery(db.dialect, deadlines, today)
    scope = partner_scope(me)
    with UnitOfWork(db) as uow:
        partner_id = scope
        if scope is None and partner_code:
            partner = uow.partners.by_code(partner_code)
            if partner is None:
                raise NotFoundError(
                    _("There is no partner with the code {code}.").format(code=partner_code)
                )
            partner_id = partner.id
        rows = uow.tickets.queue(
            columns, partner_id=partner_id, overdue_only=overdue_only, limit=limit
        )
        return [_queue_row(r, deadlines) for r in rows]


def _queue_row(r: Any, deadlines: dict[str, PartnerAnswer]) -> TicketRow:
    deadline = deadlines.get(r[6])
    return TicketRow(
        id=r[0],
        customer_id=r[1],
        customer_no=r[2],
        customer_name=r[3],
        partner_code=r[4],
        partner_name=r[5],
        kind=r[6],
        subject=r[7],
        created_at=r[8],
        due=local_date(r[8]) + timedelta(deadline.due_days) if deadline else None,
        overdue=bool(r[10]),
        status=TicketStatus(r[9]),
        answers=int(r[11] or 0),
        asks_agreement=bool(deadline and deadline.asks_agreement),
    )


# --- one ticket ---------------------------------------------------------------------------


def ticket_detail(db: Database, ticket_id: uuid.UUID, today: date | None = None) -> TicketDetail:
    """The ticket, its answers, and what its partner may see of the customer and case."""
    me = require(db, Action.OPEN_CUSTOMERS)
    with UnitOfWork(db) as uow:
        ticket = _visible_ticket(uow, me, ticket_id)
        return _detail(uow, ticket, today or date.today())


def answer_ticket(
    db: Database,
    ticket_id: uuid.UUID,
    text: str,
    agrees: bool | None,
    *,
    today: date | None = None,
) -> TicketDetail:
    """Record the partner's answer: feedback, history entry and status in one transaction."""
    me = require(db, Action.ANSWER_TICKETS)
    body = clean_answer_text(text)
    from app.services.rules import load_ruleset

    deadlines = answer_deadlines(load_ruleset())
    author = signature(db)
    origin = db.origin  # read (or created) before the transaction: writing it inside locks SQLite
    with UnitOfWork(db) as uow:
        ticket = uow.tickets.get(ticket_id)
        if ticket is None or (me.role is Role.PARTNER and ticket.partner_id != me.partner_id):
            # On the server another partner's ticket is not even visible: same refusal.
            raise PermissionDenied(
                _("{login} may answer only the tickets of its own partner.").format(login=me.login),
                Action.ANSWER_TICKETS,
            )
        check_customer(me, ticket.partner_id, Action.ANSWER_TICKETS)
        if ticket.status == TicketStatus.CLOSED:
            raise ValidationError(_("This ticket is closed; it takes no more answers."))
        deadline = deadlines.get(ticket.kind)
        if deadline is not None and deadline.asks_agreement:
            if agrees is None:
                raise ValidationError(
                    _("Choose whether the partner agrees or disagrees with the decision."),
                    "agrees",
                )
        elif agrees is not None:
            raise ValidationError(
                _("This ticket asks for no agreement; answer with text only."), "agrees"
            )
        partner = uow.partners.get(ticket.partner_id)
        feedback = TicketFeedback(ticket_id=ticket.id, author=author, agrees=agrees, text=body)
        uow.add(feedback)
        uow.history.append(
            HistoryEntry(
                customer_id=ticket.customer_id,
                case_id=ticket.case_id,
                author=author,
                kind=ANSWER_KIND,
                text=_answer_words(partner.name if partner else "", ticket.subject, agrees, body),
                payload={
                    "ticket_id": str(ticket.id),
                    "ticket_kind": ticket.kind,
                    "agrees": agrees,
                    "text": body,
                },
                origin=origin,
            )
        )
        if ticket.status == TicketStatus.OPEN:
            ticket.status = TicketStatus.ANSWERED
        uow.flush()
        detail = _detail(uow, ticket, today or date.today())
        uow.commit()
        return detail


def clean_answer_text(text: str) -> str:
    """The answer as it will be stored, or a ValidationError saying what is wrong."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ValidationError(_("The answer is empty; write what the partner says."), "text")
    if len(body) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            _("The answer has {length} characters; at most {limit} are allowed.").format(
                length=len(body), limit=ANSWER_MAX_LENGTH
            ),
            "text",
        )
    if _CONTROL_CHARS.search(body):
        raise ValidationError(_("The answer contains control characters."), "text")
    return body


def _answer_words(partner: str, subject: str, agrees: bool | None, text: str) -> str:
    if agrees is True:
        verdict = _("{partner} agrees with the decision.").format(partner=partner)
    elif agrees is False:
        verdict = _("{partner} disagrees with the decision.").format(partner=partner)
    else:
        verdict = _("{partner} answered.").format(partner=partner)
    return _('Answer on the ticket "{subject}": {verdict} {text}').format(
        subject=subject, verdict=verdict, text=text
    )


# --- the customer's tickets (customer view) -----------------------------------------------


def customer_tickets(
    session: Session, customer_id: uuid.UUID, today: date, rules: RuleSet
) -> tuple[CustomerTicket, ...]:
    """Every ticket of the customer with its answers, newest first, in one query."""
    deadlines = answer_deadlines(rules)
    tickets = Tickets(session)
    rows = tickets.of_customer(customer_id)
    if not rows:
        return ()
    answers: dict[uuid.UUID, list[TicketAnswer]] = {}
    for feedback in tickets.answers_to([r[0].id for r in rows]):
        answers.setdefault(feedback.ticket_id, []).append(_answer(feedback))
    return tuple(
        CustomerTicket(
            _row(ticket, no, name, code, pname, len(answers.get(ticket.id, ())), deadlines, today),
            tuple(answers.get(ticket.id, ())),
        )
        for ticket, no, name, code, pname in rows
    )


# --- helpers ------------------------------------------------------------------------------


def _visible_ticket(uow: UnitOfWork, me: Identity, ticket_id: uuid.UUID) -> PartnerTicket:
    ticket = uow.tickets.get(ticket_id)
    if ticket is None or (me.role is Role.PARTNER and ticket.partner_id != me.partner_id):
        raise NotFoundError(_("This ticket does not exist or is not one of your partner's."))
    check_customer(me, ticket.partner_id)
    return ticket


def _detail(uow: UnitOfWork, ticket: PartnerTicket, today: date) -> TicketDetail:
    from app.services.rules import load_ruleset

    rules = load_ruleset()
    deadlines = answer_deadlines(rules)
    customer = uow.customers.get(ticket.customer_id)
    partner = uow.partners.get(ticket.partner_id)
    assert customer is not None and partner is not None
    feedback = uow.tickets.answers_to_ticket(ticket.id)
    row = _row(
        ticket,
        customer.customer_no,
        customer.name,
        partner.code,
        partner.name,
        len(feedback),
        deadlines,
        today,
    )
    subscription = uow.subscriptions.current(customer.id)
    case_row = uow.cases.get(ticket.case_id) if ticket.case_id else None
    deadline = deadlines.get(ticket.kind)
    return TicketDetail(
        row=row,
        body=ticket.body,
        case_id=ticket.case_id,
        answers=tuple(_answer(f) for f in feedback),
        msisdn=format_msisdn(customer.msisdn),
        language=language_name(customer.language, ui_language()) if customer.language else "",
        tariff=subscription.tariff if subscription is not None else None,
        facts=tuple(_case_facts(case_row, rules)) if case_row is not None else (),
        due_rule_id=deadline.rule_id if deadline else None,
    )


def _case_facts(case_row: Case, rules: RuleSet) -> list[tuple[str, str]]:
    """The case's facts a partner may see, as its process words them (its ``tickets``
    module's ``ticket_facts``), else its stage."""
    try:
        module = importlib.import_module(f"app.processes.{case_row.process}.tickets")
    except ImportError:
        module = None
    facts: Callable[[Case, RuleSet], list[tuple[str, str]]] | None = getattr(
        module, "ticket_facts", None
    )
    return facts(case_row, rules) if facts is not None else []


def _row(
    ticket: PartnerTicket,
    customer_no: str,
    customer_name: str,
    partner_code: str,
    partner_name: str,
    answers: int,
    deadlines: dict[str, PartnerAnswer],
    today: date,
) -> TicketRow:
    deadline = deadlines.get(ticket.kind)
    due = local_date(ticket.created_at) + timedelta(deadline.due_days) if deadline else None
    return TicketRow(
        id=ticket.id,
        customer_id=ticket.customer_id,
        customer_no=customer_no,
        customer_name=customer_name,
        partner_code=partner_code,
        partner_name=partner_name,
        kind=ticket.kind,
        subject=ticket.subject,
        created_at=ticket.created_at,
        due=due,
        overdue=ticket.status == TicketStatus.OPEN and due is not None and due < today,
        status=TicketStatus(ticket.status),
        answers=answers,
        asks_agreement=bool(deadline and deadline.asks_agreement),
    )


def _answer(feedback: TicketFeedback) -> TicketAnswer:
    return TicketAnswer(
        id=feedback.id,
        author=feedback.author,
        created_at=feedback.created_at,
        agrees=feedback.agrees,
        text=feedback.text,
    )


def due_words(row: TicketRow) -> str:
    """The due date as the queue shows it ("–" without a deadline)."""
    return format_date(row.due) if row.due is not None else "–"


def partner_choices(db: Database) -> list[tuple[str, str]]:
    """(code, name) of the partners whose tickets the user may filter by (none for a
    partner's login, which sees its own partner's only), by name."""
    me = require(db, Action.OPEN_CUSTOMERS)
    if partner_scope(me) is not None:
        return []
    with UnitOfWork(db) as uow:
        partners = uow.partners.all()
        return sorted(((p.code, p.name) for p in partners), key=lambda p: (p[1], p[0]))
