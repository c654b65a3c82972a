"""The onboarding guide: day, stage, open tasks and VIP deadlines, from the rules engine.

One case per customer (subject ``onboarding``); its flows are the stages of
``resources/rules/onboarding.toml`` (``intake`` ... ``consolidation``). Every
fact comes from :func:`app.domain.onboarding.evaluate`, given the activation
date, the VIP rating, the account manager's dates (answers of this run, else
the onboarding case's facts ``manager_assigned`` / ``manager_first_contact``)
and the tasks the history records as done (the step's ``action``).

``next_step`` is the next step of the flow whose task is still open for this
customer: done tasks, VIP tasks of customers without a VIP rating and met VIP
deadlines are skipped, so the playbook's branches on it walk only through
what is left to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from app.domain.case_state import CaseChange
from app.domain.errors import RuleInputError
from app.domain.onboarding import (
    ASSIGN_MANAGER,
    FIRST_CONTACT,
    OnboardingCase,
    OnboardingDecision,
    evaluate,
)
from app.domain.playbook_schema import Playbook, Step
from app.i18n import _, format_decimal, ui_language
from app.processes.base import Facts, GuideContext
from app.processes.common import Worded, fact_label, long_date, parse_iso_date, worded
from app.processes.fair_use.guide import service_phone
from app.services.errors import ValidationError
from app.services.playbooks import playbook_for
from app.store import records as q

#: Steps reached only through another step's answer, never by ``next_step``.
BRANCH_ONLY = frozenset({"coach_number_change", "number_change_not_needed"})
#: Steps that open a task without carrying it out themselves (step -> task).
OPENS_TASK = {"number_change_check": "coach_number_change"}


def task_of(step: Step) -> str | None:
    """The task (or VIP action) a step stands for when routing, if any."""
    if step.id in OPENS_TASK:
        return OPENS_TASK[step.id]
    if step.id in BRANCH_ONLY:
        return None
    return step.action


def task_label(playbook: Playbook, task_id: str) -> Worded:
    """A task worded by the title of the step that carries it out."""
    for flow in playbook.flows:
        for step in flow.steps:
            if step.action == task_id:
                return worded(task_id, step.title)
    return worded(task_id, None)


def _allowance(playbook: Playbook, value: int | None, unit: str) -> Worded:
    """Included minutes or data: "300 min", "10 GB", or "unlimited" in words."""
    if value is None:
        return fact_label(playbook, "unlimited")
    if unit == "mb":
        amount, suffix = (value // 1024, "GB") if value and value % 1024 == 0 else (value, "MB")
        return Worded(str(value), lambda lang: f"{format_decimal(amount, lang)}\u00a0{suffix}")
    words = playbook.facts["unit_minutes"]
    return Worded(str(value), lambda lang: f"{format_decimal(value, lang)}\u00a0{words.get(lang)}")


class OnboardingGuide:
    """Facts and checks for ``resources/playbooks/onboarding.yaml``."""

    process = "onboarding"

    def facts(self, ctx: GuideContext) -> Facts:
        playbook = playbook_for(self.process)
        rules = ctx.rules.onboarding
        customer = ctx.customer
        recorded = self._recorded(ctx)
        assigned = self._date(ctx, recorded, "manager_assigned")
        contacted = self._date(ctx, recorded, "manager_first_contact")
        decision = self.decision(ctx, assigned, contacted)
        stage_ids = [s.id for s in rules.stages]
        flow_stage = ctx.state.flow if ctx.state.flow in stage_ids else decision.stage
        scope = set(stage_ids[: stage_ids.index(flow_stage) + 1])
        vip = customer.vip_rated is not None
        open_ids = {t.id for t in decision.tasks if t.status != "done"}
        if vip and assigned is None:
            open_ids.add(ASSIGN_MANAGER)
        if vip and contacted is None:
            open_ids.add(FIRST_CONTACT)
        subscription = ctx.uow.subscriptions.current(customer.id)
        manager_name = ctx.answers.get("manager_name") or recorded.get("manager_name")
        values: dict[str, Any] = {
            "day": decision.day,
            "stage": self._stage(playbook, decision.stage, rules.stages),
            "activation_date": long_date(customer.activation_date),
            "tariff": subscription.tariff if subscription else None,
            "monthly_fee": subscription.monthly_fee if subscription else None,
            "minutes_included": _allowance(
                playbook, subscription.minutes if subscription else None, "min"
            ),
            "data_included": _allowance(
                playbook, subscription.data_mb if subscription else None, "mb"
            ),
            "customer_value": customer.customer_value,
            "vip": vip,
            "vip_rated": long_date(customer.vip_rated),
            "assign_due": long_date(decision.vip.assign_due),
            "first_contact_due": long_date(decision.vip.first_contact_due),
            "vip_overdue": [task_label(playbook, t) for t in decision.vip.overdue] or None,
            "manager_assigned": long_date(assigned),
            "manager_name": manager_name,
            "manager_first_contact": long_date(contacted),
            "open_tasks": [
                task_label(playbook, t.id)
                for t in decision.tasks
                if t.status != "done" and t.stage in scope
            ]
            or None,
            "overdue_tasks": [
                task_label(playbook, t.id) for t in decision.tasks if t.status == "overdue"
            ]
            or None,
            "next_step": self._next_step(ctx, playbook, open_ids),
            "next_stage_date": self._next_stage_date(ctx, flow_stage),
            "service_phone": service_phone(ctx.partner.country),
        }
        rule_ids = list(decision.rule_ids)
        if any(t.status == "done" for t in decision.tasks):
            rule_ids.append(rules.task_status.done_rule_id)
        return Facts(
            values=values, rule_ids=tuple(rule_ids), ruleset_version=decision.ruleset_version
        )

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        """Refuse a stage's script before that stage has begun."""
        stage_ids = [s.id for s in ctx.rules.onboarding.stages]
        flow = ctx.state.flow
        decision = self.decision(ctx)
        if flow in stage_ids and stage_ids.index(flow) > stage_ids.index(decision.stage):
            first_day = ctx.rules.onboarding.stages[stage_ids.index(flow)].first_day
            raise ValidationError(
                _(
                    "Day {day}: this customer is in the {stage} stage; "
                    "the {flow} script starts on day {first}."
                ).format(
                    day=decision.day,
                    stage=_stage_title(decision.stage),
                    flow=_stage_title(flow),
                    first=first_day,
                )
            )
        return None

    # --- the engine ----------------------------------------------------------------

    def decision(
        self,
        ctx: GuideContext,
        assigned: date | None = None,
        contacted: date | None = None,
    ) -> OnboardingDecision:
        """The rules engine's onboarding decision for this customer today."""
        customer = ctx.customer
        if customer.activation_date is None:
            raise ValidationError(
                _("{name} has no activation date, so there is no onboarding.").format(
                    name=customer.name
                )
            )
        if assigned is None and contacted is None:
            recorded = self._recorded(ctx)
            assigned = self._date(ctx, recorded, "manager_assigned")
            contacted = self._date(ctx, recorded, "manager_first_contact")
        done = q.onboarding_done(ctx.uow.session, [customer.id]).get(customer.id, set())
        case = OnboardingCase(
            activation_date=customer.activation_date,
            today=ctx.today,
            vip_rated=customer.vip_rated,
            manager_assigned=assigned,
            manager_first_contact=contacted,
            done=tuple(sorted(done & ctx.rules.onboarding.task_ids)),
        )
        try:
            return evaluate(case, ctx.rules.onboarding)
        except RuleInputError as exc:
            raise ValidationError(self._problem(exc, case), field=exc.field) from exc

    # --- pieces ----------------------------------------------------------------------

    @staticmethod
    def _recorded(ctx: GuideContext) -> dict[str, Any]:
        """The facts of the customer's onboarding cases, this case's winning."""
        merged = q.onboarding_facts(ctx.uow.session, [ctx.customer.id]).get(ctx.customer.id, {})
        return {**merged, **{k: v for k, v in ctx.case.facts.items() if v is not None}}

    @staticmethod
    def _date(ctx: GuideContext, recorded: Mapping[str, Any], key: str) -> date | None:
        """A VIP date: this run's answer, else the one recorded on the case."""
        return parse_iso_date(ctx.answers.get(key)) or parse_iso_date(recorded.get(key))

    @staticmethod
    def _stage(playbook: Playbook, stage: str, stages: Any) -> Worded:
        """The stage worded by its flow's title (the rule file's title after day 90)."""
        try:
            return worded(stage, playbook.flow(stage).title)
        except KeyError:
            title = next((s.title for s in stages if s.id == stage), stage)
            return Worded(stage, lambda _language: title)

    @staticmethod
    def _next_step(ctx: GuideContext, playbook: Playbook, open_ids: set[str]) -> str | None:
        """The next step after the current one whose task is open (None: none is)."""
        current = ctx.state.current
        if current is None:
            return None
        steps = playbook.flow(ctx.state.flow).steps
        position = [s.id for s in steps].index(current)
        for step in steps[position + 1 :]:
            task = task_of(step)
            if task is not None and task in open_ids:
                return step.id
        return None

    @staticmethod
    def _next_stage_date(ctx: GuideContext, stage: str) -> Worded | None:
        """The day the stage after ``stage`` begins (None after the last one)."""
        stages = ctx.rules.onboarding.stages
        ids = [s.id for s in stages]
        if stage not in ids or ids.index(stage) + 1 >= len(ids):
            return None
        following = stages[ids.index(stage) + 1]
        if following.first_day is None or ctx.customer.activation_date is None:
            return None
        return long_date(ctx.customer.activation_date + timedelta(days=following.first_day))

    @staticmethod
    def _problem(exc: RuleInputError, case: OnboardingCase) -> str:
        if exc.field == "today":
            return _("Onboarding starts on the activation date, {date}.").format(
                date=case.activation_date.isoformat()
            )
        if exc.field == "manager_assigned":
            if case.vip_rated is None:
                return _("Assigned on: only VIP customers get an account manager.")
            return _("Assigned on: it cannot be before the VIP rating on {date}.").format(
                date=case.vip_rated.isoformat()
            )
        if exc.field == "manager_first_contact" and case.manager_assigned is not None:
            return _("First contact on: it cannot be before the assignment on {date}.").format(
                date=case.manager_assigned.isoformat()
            )
        return _("First contact on: an account manager must be assigned first.")


GUIDE = OnboardingGuide()


def _stage_title(stage: str) -> str:
    """A stage as the playbook titles its flow, in the agent's language."""
    try:
        return playbook_for("onboarding").flow(stage).title.get(ui_language())
    except KeyError:
        return stage
