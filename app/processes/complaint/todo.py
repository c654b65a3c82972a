"""Complaints in "what to do now": one item per open complaint case.

The route is the case's fact ``route``, else the engine's for the case's facts
(null when the facts do not say enough yet). Due is the case's due date, else
the day it was opened plus ``follow_up.due_days`` of the complaint rule file.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from app.domain import complaints
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet
from app.processes.base import TodoContext
from app.processes.complaint.guide import step_of_route
from app.services.todo_items import OfOneCase, TodoItem
from app.store.models import Case, Process


@dataclass(frozen=True)
class ComplaintItem(OfOneCase):
    case_id: uuid.UUID
    route: str | None
    due: date
    overdue: bool
    subject: str | None = None
    flow: str | None = None
    category: str | None = None
    #: The step the case stands at (None: where its run stands, or the flow's start).
    step: str | None = None
    step_done: bool = False
    process: ClassVar[str] = "complaint"

    def to_json(self) -> dict[str, Any]:
        return self.case_json(route=self.route)


def complaint_route(facts: Mapping[str, Any], customer_value: int, rules: RuleSet) -> str | None:
    """The case's recorded route, else the engine's for its facts (None: not enough facts)."""
    route = facts.get("route")
    if isinstance(route, str) and route:
        return route
    category = facts.get("category")
    if not isinstance(category, str):
        return None
    retention = facts.get("retention")
    blocker = facts.get("blocker")
    value = facts.get("customer_value", customer_value)
    try:
        decision = complaints.evaluate(
            complaints.ComplaintCase(
                category=category,
                customer_value=value if isinstance(value, int) else customer_value,
                mass_incident=bool(facts.get("mass_incident", False)),
                first_line_resolved=bool(facts.get("first_line_resolved", False)),
                second_line_normal=bool(facts.get("second_line_normal", True)),
                retention=retention if retention in ("succeeded", "impossible") else None,
                blocker=blocker if isinstance(blocker, int) else None,
            ),
            rules.complaint,
        )
    except RuleInputError:
        return None
    return decision.route


def complaint_item(
    *,
    case_id: uuid.UUID,
    subject: str | None,
    facts: Mapping[str, Any],
    script_state: Mapping[str, Any] | None,
    due: date | None,
    opened_at: datetime,
    customer_value: int,
    today: date,
    rules: RuleSet,
    default_flow: str | None = None,
) -> ComplaintItem:
    """The item of one open complaint case."""
    if due is None:
        opened = opened_at.astimezone().date() if opened_at.tzinfo else opened_at.date()
        due = opened + timedelta(days=rules.complaint.follow_up.due_days)
    running = (script_state or {}).get("flow")
    flow = running or default_flow
    category = facts.get("category")
    recorded = facts.get("route")
    step, step_done = (None, False) if running else step_of_route(recorded)
    return ComplaintItem(
        case_id=case_id,
        route=complaint_route(facts, customer_value, rules),
        due=due,
        overdue=due < today,
        subject=subject,
        flow=flow if isinstance(flow, str) else None,
        category=category if isinstance(category, str) else None,
        step=step,
        step_done=step_done,
    )


def complaint_entry_flow() -> str | None:
    """The first flow of the complaint playbook: where a case without a script starts."""
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for

    try:
        return playbook_for("complaint").flows[0].id
    except (PlaybookError, KeyError):
        return None


def case_item(
    case: Case, customer_value: int, today: date, rules: RuleSet, entry_flow: str | None
) -> ComplaintItem:
    """The item of the open complaint ``case``."""
    return complaint_item(
        case_id=case.id,
        subject=case.subject,
        facts=case.facts or {},
        script_state=case.script_state,
        due=case.due,
        opened_at=case.opened_at,
        customer_value=customer_value,
        today=today,
        rules=rules,
        default_flow=entry_flow,
    )


def todo(ctx: TodoContext) -> list[TodoItem]:
    """An item per open complaint case of the customer."""
    cases = [case for case in ctx.open_cases if case.process == Process.COMPLAINT]
    entry_flow = complaint_entry_flow() if cases else None
    value = ctx.customer.customer_value
    return [case_item(case, value, ctx.today, ctx.rules, entry_flow) for case in cases]


def covers_case(case: Any, items: Sequence[TodoItem]) -> bool:
    """Every open complaint case has an item of its own."""
    return True
