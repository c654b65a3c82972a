"""Onboarding in "what to do now": listed during the program while a task is open or a
VIP deadline is pending.

Listed while the engine's stage is not the catch-all after the program (day
0-90). A task is done when a history entry's payload has process
``onboarding`` and the task id as action; VIP dates are the customer's rating
and the onboarding case's facts ``manager_assigned`` /
``manager_first_contact``. Due is the earliest open task's due date (with no
open task, the earliest pending VIP deadline); overdue when that is before
``today`` or a VIP deadline is overdue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from app.domain import onboarding
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet
from app.processes.base import TodoContext
from app.processes.common import parse_iso_date
from app.services.todo_items import OpenTarget, TodoItem
from app.store import records

log = logging.getLogger(__name__)

#: The subject of a customer's onboarding case.
ONBOARDING_SUBJECT = "onboarding"


@dataclass(frozen=True)
class OnboardingTaskItem:
    id: str
    stage: str
    due: date
    status: str  # "open" | "overdue"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "due": self.due.isoformat(), "status": self.status}


@dataclass(frozen=True)
class VipDeadline:
    """A VIP deadline that has not been met yet (``assign_manager`` / ``first_contact``)."""

    id: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class OnboardingItem:
    stage: str
    day: int
    due: date
    overdue: bool
    tasks: tuple[OnboardingTaskItem, ...]
    vip_overdue: tuple[str, ...]
    vip_pending: tuple[VipDeadline, ...] = ()
    process: ClassVar[str] = "onboarding"

    @property
    def item_id(self) -> str:
        return self.stage

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(self.process, self.stage, ONBOARDING_SUBJECT)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "stage": self.stage,
            "day": self.day,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "tasks": [t.to_json() for t in self.tasks],
            "vip_overdue": list(self.vip_overdue),
        }


def onboarding_decision(
    activation_date: date | None,
    today: date,
    rules: RuleSet,
    *,
    vip_rated: date | None = None,
    case_facts: Mapping[str, Any] | None = None,
    done: Iterable[str] = (),
) -> onboarding.OnboardingDecision | None:
    """The engine's onboarding decision, or None outside days 0-90 (or without activation)."""
    if activation_date is None or today < activation_date:
        return None
    facts = case_facts or {}
    assigned = parse_iso_date(facts.get("manager_assigned"))
    contacted = parse_iso_date(facts.get("manager_first_contact"))
    done_tasks = tuple(sorted(set(done) & rules.onboarding.task_ids))
    try:
        decision = onboarding.evaluate(
            onboarding.OnboardingCase(
                activation_date, today, vip_rated, assigned, contacted, done_tasks
            ),
            rules.onboarding,
        )
    except RuleInputError as exc:
        # VIP dates that contradict each other (e.g. assigned before a newer
        # rating): the deadlines start again from the rating.
        log.warning("onboarding facts ignored: %s", exc)
        decision = onboarding.evaluate(
            onboarding.OnboardingCase(activation_date, today, vip_rated, None, None, done_tasks),
            rules.onboarding,
        )
    if decision.stage == rules.onboarding.stages[-1].id:  # the catch-all after the program
        return None
    return decision


def vip_pending(
    decision: onboarding.OnboardingDecision, facts: Mapping[str, Any]
) -> list[VipDeadline]:
    """The VIP deadlines not met yet: assignment, then first contact."""
    pending: list[VipDeadline] = []
    vip = decision.vip
    if vip.assign_due is not None and parse_iso_date(facts.get("manager_assigned")) is None:
        pending.append(
            VipDeadline(
                onboarding.ASSIGN_MANAGER, vip.assign_due, onboarding.ASSIGN_MANAGER in vip.overdue
            )
        )
    if (
        vip.first_contact_due is not None
        and parse_iso_date(facts.get("manager_first_contact")) is None
    ):
        pending.append(
            VipDeadline(
                onboarding.FIRST_CONTACT,
                vip.first_contact_due,
                onboarding.FIRST_CONTACT in vip.overdue,
            )
        )
    return pending


def onboarding_item(
    decision: onboarding.OnboardingDecision | None,
    today: date,
    case_facts: Mapping[str, Any] | None = None,
) -> OnboardingItem | None:
    """The onboarding item while tasks are open or VIP deadlines pending."""
    if decision is None:
        return None
    tasks = tuple(
        OnboardingTaskItem(t.id, t.stage, t.due, t.status)
        for t in decision.tasks
        if t.status != "done"
    )
    pending = tuple(vip_pending(decision, case_facts or {}))
    if not tasks and not pending:
        return None
    due = min(t.due for t in tasks) if tasks else min(p.due for p in pending)
    return OnboardingItem(
        stage=decision.stage,
        day=decision.day,
        due=due,
        overdue=due < today or bool(decision.vip.overdue),
        tasks=tasks,
        vip_overdue=decision.vip.overdue,
        vip_pending=pending,
    )


def todo(ctx: TodoContext) -> list[TodoItem]:
    """The customer's onboarding item, while the program has something open."""
    ids = [ctx.customer.id]
    session = ctx.uow.session
    facts = records.onboarding_facts(session, ids).get(ctx.customer.id, {})
    decision = onboarding_decision(
        ctx.customer.activation_date,
        ctx.today,
        ctx.rules,
        vip_rated=ctx.customer.vip_rated,
        case_facts=facts,
        done=records.onboarding_done(session, ids).get(ctx.customer.id, set()),
    )
    item = onboarding_item(decision, ctx.today, facts)
    return [] if item is None else [item]


def covers_case(case: Any, items: Sequence[TodoItem]) -> bool:
    """The onboarding item stands for the onboarding case."""
    return any(isinstance(item, OnboardingItem) for item in items)
