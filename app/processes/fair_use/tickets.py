"""Fair use and the partner's tickets: the answer on the stage-3 decision, and what a
partner may see of the case behind a ticket.

The stage-3 step ``partner_ticket_decision`` opens a ticket of kind
:data:`DECISION_TICKET` on the month's case. The partner answers it in the ticket
queue (:mod:`app.services.tickets`); the latest answer then prefills the
``partner_feedback`` flow (facts ``ticket_agrees`` and ``ticket_comment``) and puts
an item on the agent's to-do list until that flow is done.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.domain.calendar import apply_anchor
from app.domain.ruleset import RuleSet
from app.i18n import format_date, format_month, ui_language
from app.processes.common import option_label
from app.services.playbooks import playbook_for
from app.store.models import Case, Process, TicketStatus
from app.store.repositories import Cases
from app.store.repositories_tickets import Tickets

#: The kind of ticket the stage-3 decision opens (``resources/playbooks/fair_use.yaml``).
DECISION_TICKET = "fair_use_decision"


@dataclass(frozen=True)
class DecisionAnswer:
    """The partner's latest answer on the decision ticket of one fair-use case."""

    case_id: uuid.UUID
    ticket_id: uuid.UUID
    agrees: bool | None
    text: str
    author: str
    answered_at: datetime


def decision_answers(
    session: Session, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, DecisionAnswer]:
    """Case id -> the latest answer on its decision ticket (cases without one left out).

    One query over the tickets of ``case_ids`` (indexed by case) and their answers
    (indexed by ticket).
    """
    if not case_ids:
        return {}
    rows = Tickets(session).answers_of_cases(case_ids, DECISION_TICKET)
    latest: dict[uuid.UUID, DecisionAnswer] = {}
    for case_id, ticket_id, agrees, text, author, created_at in rows:
        if case_id is None:
            continue
        latest[case_id] = DecisionAnswer(case_id, ticket_id, agrees, text, author, created_at)
    return latest


def month_decision_answer(
    session: Session, customer_id: uuid.UUID, subject: str | None
) -> DecisionAnswer | None:
    """The latest answer on a decision ticket of the customer's fair-use month ``subject``."""
    case_ids = Cases(session).ids_of_subject(customer_id, Process.FAIR_USE, subject)
    answers = sorted(decision_answers(session, case_ids).values(), key=lambda a: a.answered_at)
    return answers[-1] if answers else None


def ticket_facts(case: Case, rules: RuleSet, language: str | None = None) -> list[tuple[str, str]]:
    """What a partner may see of a fair-use case, worded: the month, the stage and the
    stage-3 decision (measure, decision date, effective date, new plan, justification)."""
    language = language or ui_language()
    playbook = playbook_for("fair_use")

    def label(key: str) -> str:
        text = playbook.facts.get(key)
        return text.get(language) if text is not None else key

    facts: list[tuple[str, str]] = []
    month = _month(case.subject)
    if month is not None:
        facts.append((label("month"), format_month(month, language, in_sentence=False)))
    if case.stage:
        facts.append((label("stage"), str(case.stage)))
    decision: Any = (case.facts or {}).get("decision")
    if not isinstance(decision, dict):
        return facts
    measure = decision.get("measure")
    decided = _date(decision.get("date"))
    if isinstance(measure, str):
        facts.append(
            (label("measure"), option_label(playbook, "measure", measure).format_for(language))
        )
    if decided is not None:
        facts.append((label("decision_date"), format_date(decided, language)))
        rule = rules.fair_use.measures_by_id.get(str(measure))
        if rule is not None:
            effective = apply_anchor(decided, rule.effective)
            facts.append((label("effective_date"), format_date(effective, language)))
    if decision.get("new_tariff"):
        facts.append((label("new_tariff"), str(decision["new_tariff"])))
    if decision.get("justification"):
        facts.append((label("justification"), str(decision["justification"])))
    return facts


def _month(subject: str | None) -> date | None:
    try:
        year, month = (subject or "").split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def close_decision_tickets(session: Session, customer_id: uuid.UUID, subject: str | None) -> None:
    """Close the decision tickets of the customer's fair-use month ``subject`` (the agent
    has recorded the partner's answer; nothing more is asked of the partner)."""
    tickets = Tickets(session).not_closed_of_subject(
        customer_id, Process.FAIR_USE, subject, DECISION_TICKET
    )
    for ticket in tickets:
        ticket.status = TicketStatus.CLOSED
