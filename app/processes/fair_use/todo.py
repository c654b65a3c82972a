"""Fair use in "what to do now": the month's stage while an action of it is open.

Month M is the latest month with a fair-use record, if it is the month of
``today`` or the one before (records of later months are ignored: the list is
as of ``today``). The stage is the engine's for M; the item is listed while the
stage is at least 1 and an action of that stage is not done for M. An action is
done when a history entry's payload has process ``fair_use``, subject M and that
action. Due today, never overdue.

A month's case kept open for the partner's answer on the stage-3 decision gets
an item of its own once the partner has answered on the decision ticket
(:class:`PartnerAnswerItem`): it opens the ``partner_feedback`` flow, prefilled
with that answer. Due today, never overdue.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from app.domain import fair_use
from app.domain.calendar import month_start, previous_month
from app.domain.ruleset import RuleSet
from app.processes.base import TodoContext
from app.processes.common import month_key, parse_month_key
from app.processes.fair_use.guide import PARTNER_FEEDBACK
from app.processes.fair_use.tickets import decision_answers
from app.services.todo_items import OpenTarget, TodoItem
from app.store import records


@dataclass(frozen=True)
class FairUseItem:
    month: str
    stage: int
    due: date
    overdue: bool
    #: The stage's actions not yet done for the month, in the rule file's order.
    actions: tuple[str, ...]
    process: ClassVar[str] = "fair_use"

    @property
    def item_id(self) -> str:
        return self.month

    @property
    def target(self) -> OpenTarget:
        step = self.actions[0] if self.actions else None
        return OpenTarget(self.process, stage_flow(self.stage), self.month, step=step)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "month": self.month,
            "stage": self.stage,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class PartnerAnswerItem:
    """The partner has answered on the month's stage-3 decision: continue the case."""

    case_id: uuid.UUID
    month: str
    #: The partner's latest answer: agrees (True), disagrees (False).
    agrees: bool | None
    text: str
    due: date
    #: The case's stage (the decision's, "3").
    stage: str | None = None
    overdue: bool = False
    process: ClassVar[str] = "fair_use"

    @property
    def item_id(self) -> str:
        return f"answer:{self.case_id}"

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(self.process, PARTNER_FEEDBACK, self.month, self.case_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "case_id": str(self.case_id),
            "subject": self.month,
            "stage": self.stage,
            "month": self.month,
            "partner_answer": {"agrees": self.agrees, "text": self.text},
            "due": self.due.isoformat(),
            "overdue": self.overdue,
        }


def stage_flow(stage: int) -> str:
    """The playbook flow of a fair-use stage (``stage_3``)."""
    return f"stage_{stage}"


def fair_use_item(
    records: Mapping[str, bool],
    done: Iterable[tuple[str, str]],
    today: date,
    rules: RuleSet,
    *,
    mobile_tv: bool = False,
    combo: bool = False,
) -> FairUseItem | None:
    """The fair-use item from the customer's records (month -> exceeded).

    ``done`` holds (subject, action) pairs from the history.
    """
    this_month = month_start(today)
    months = {m: ex for key, ex in records.items() if (m := parse_month_key(key)) is not None}
    known = [m for m in months if m <= this_month]
    if not known:
        return None
    latest = max(known)
    if latest not in (this_month, previous_month(this_month)):
        return None
    decision = fair_use.evaluate(
        fair_use.FairUseCase(
            month=latest,
            exceeded_months=[m for m in known if months[m]],
            mobile_tv=mobile_tv,
            combo=combo,
        ),
        rules.fair_use,
    )
    if decision.stage < 1:
        return None
    subject = month_key(latest)
    done_here = {action for subj, action in done if subj == subject}
    open_actions = tuple(a for a in decision.actions if a not in done_here)
    if not open_actions:
        return None
    return FairUseItem(subject, decision.stage, today, False, open_actions)


def todo(ctx: TodoContext) -> list[TodoItem]:
    """The customer's fair-use item, if one is due."""
    ids = [ctx.customer.id]
    session = ctx.uow.session
    products = set(ctx.customer.products or ())
    item = fair_use_item(
        records.fair_use_records(session, ids).get(ctx.customer.id, {}),
        records.fair_use_done(session, ids).get(ctx.customer.id, set()),
        ctx.today,
        ctx.rules,
        mobile_tv="mobile_tv" in products,
        combo="combo" in products,
    )
    items: list[TodoItem] = [] if item is None else [item]
    return items + answered_decisions(ctx)


def answered_decisions(ctx: TodoContext) -> list[TodoItem]:
    """An item per open fair-use case waiting for the partner's answer that has one."""
    waiting = {
        case.id: case
        for case in ctx.open_cases
        if case.process == "fair_use" and (case.facts or {}).get("decision")
    }
    answers = decision_answers(ctx.uow.session, list(waiting))
    return [
        PartnerAnswerItem(
            case_id,
            str(waiting[case_id].subject),
            a.agrees,
            a.text,
            ctx.today,
            stage=waiting[case_id].stage,
        )
        for case_id, a in answers.items()
    ]


def covers_case(case: Any, items: Sequence[TodoItem]) -> bool:
    """The month's item stands for the month's case; a partner's answer for its case."""
    return any(
        (isinstance(item, FairUseItem) and item.month == case.subject)
        or (isinstance(item, PartnerAnswerItem) and item.case_id == case.id)
        for item in items
    )
