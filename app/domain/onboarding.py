"""New-customer onboarding, days 0-90 after activation.

Day 0 is the activation date; the stage is the first row of the stage table
whose days contain today's day, and the table's catch-all (``completed``)
follows day 90. Every task of the program is listed, by due date
(activation + due day), and status: done, overdue (today is past the due date
and it is not done) or open. VIP-only tasks are listed when the customer has a
VIP rating. VIP deadlines: an account manager is assigned within 3 days of the
rating and makes first contact within 7 days of the assignment; either is
overdue when today is past its deadline and it has not happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from app.domain.errors import RuleInputError
from app.domain.rule_tables import OnboardingRules, OnboardingStage

TaskStatus = Literal["done", "open", "overdue"]
ASSIGN_MANAGER = "assign_manager"
FIRST_CONTACT = "first_contact"


@dataclass(frozen=True, slots=True)
class OnboardingCase:
    activation_date: date
    today: date
    vip_rated: date | None = None
    manager_assigned: date | None = None
    manager_first_contact: date | None = None
    done: Iterable[str] = ()


@dataclass(frozen=True, slots=True)
class TaskState:
    id: str
    stage: str
    due: date
    status: TaskStatus


@dataclass(frozen=True, slots=True)
class VipState:
    assign_due: date | None
    first_contact_due: date | None
    overdue: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OnboardingDecision:
    day: int
    stage: str
    vip: VipState
    tasks: tuple[TaskState, ...]
    rule_ids: tuple[str, ...]
    ruleset_version: str


def stage_for_day(day: int, rules: OnboardingRules) -> OnboardingStage:
    """The first stage whose days contain ``day``; the last row is the catch-all."""
    for row in rules.stages:
        if row.first_day is None or row.last_day is None or row.first_day <= day <= row.last_day:
            return row
    raise AssertionError("the stage table ends with a catch-all")  # pragma: no cover


def _check(case: OnboardingCase, rules: OnboardingRules) -> frozenset[str]:
    if case.today < case.activation_date:
        raise RuleInputError("today", "Today cannot be before the activation date.")
    if case.manager_assigned is not None:
        if case.vip_rated is None:
            raise RuleInputError("manager_assigned", "A manager is assigned to VIPs only.")
        if case.manager_assigned < case.vip_rated:
            raise RuleInputError(
                "manager_assigned", "The manager cannot be assigned before the VIP rating."
            )
    if case.manager_first_contact is not None:
        if case.manager_assigned is None:
            raise RuleInputError(
                "manager_first_contact", "First contact needs an assigned manager."
            )
        if case.manager_first_contact < case.manager_assigned:
            raise RuleInputError(
                "manager_first_contact", "First contact cannot be before the assignment."
            )
    done = tuple(case.done)
    for index, task_id in enumerate(done):
        if task_id not in rules.task_ids:
            raise RuleInputError(f"done.{index}", f"Unknown onboarding task {task_id!r}.")
    return frozenset(done)


def evaluate(case: OnboardingCase, rules: OnboardingRules) -> OnboardingDecision:
    """Day, stage, task statuses and VIP deadlines for ``case`` on ``case.today``."""
    done = _check(case, rules)
    today = case.today
    day = (today - case.activation_date).days
    stage = stage_for_day(day, rules)
    rule_ids = [stage.rule_id]
    is_vip = case.vip_rated is not None

    tasks: list[TaskState] = []
    for task in rules.tasks:
        if task.target == "vip" and not is_vip:
            continue
        due = case.activation_date + timedelta(days=task.due_day)
        status: TaskStatus
        if task.id in done:
            status = "done"
        elif today > due:
            status = "overdue"
        else:
            status = "open"
        tasks.append(TaskState(task.id, task.stage, due, status))
    tasks.sort(key=lambda t: t.due)  # stable: the rule file's order within a day
    if any(t.status == "overdue" for t in tasks):
        rule_ids.append(rules.task_status.overdue_rule_id)

    vip = rules.vip
    assign_due = first_contact_due = None
    overdue: list[str] = []
    if case.vip_rated is not None:
        assign_due = case.vip_rated + timedelta(days=vip.assign_days)
        rule_ids.append(vip.assign_rule_id)
        if case.manager_assigned is None and today > assign_due:
            overdue.append(ASSIGN_MANAGER)
    if case.manager_assigned is not None:
        first_contact_due = case.manager_assigned + timedelta(days=vip.first_contact_days)
        rule_ids.append(vip.first_contact_rule_id)
        if case.manager_first_contact is None and today > first_contact_due:
            overdue.append(FIRST_CONTACT)

    return OnboardingDecision(
        day=day,
        stage=stage.id,
        vip=VipState(assign_due, first_contact_due, tuple(overdue)),
        tasks=tuple(tasks),
        rule_ids=tuple(rule_ids),
        ruleset_version=rules.version,
    )
