"""The schema of each process's rule file (``resources/rules/<process>.toml``).

Tables are ordered and read top to bottom: the first row that matches wins,
and the last row of a matching table is an explicit catch-all. Cross-field
checks (a task naming an unknown stage, a missing catch-all ...) report the
key they concern.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, model_validator

from app.domain.calendar import Anchor
from app.domain.rule_schema import (
    Days,
    Ident,
    RuleAmount,
    RuleFile,
    RuleId,
    RuleTableError,
    Strict,
    unique,
)

Title = Annotated[str, Field(min_length=1)]

# --- fair use ------------------------------------------------------------------


class FairUseAction(Strict):
    id: Ident
    title: Title


class FairUseStage(Strict):
    stage: Annotated[int, Field(ge=0)]
    rule_id: RuleId
    actions: list[FairUseAction]


class StageCount(Strict):
    rule_id: RuleId
    cap: Annotated[int, Field(ge=1, le=12)]
    decision_stage: Annotated[int, Field(ge=1)]


class Measure(Strict):
    id: Ident
    rule_id: RuleId
    effective: Anchor
    title: Title


class CustomerProducts(Strict):
    mobile_tv: bool | None = None
    combo: bool | None = None


class MeasureException(Strict):
    rule_id: RuleId
    when: CustomerProducts = CustomerProducts()
    forbids: list[Ident]


class PartnerDisagrees(Strict):
    rule_id: RuleId
    bill_overuse_to_partner: bool
    report_to_controlling: bool


class PartnerAnswer(Strict):
    """When the partner's answer on a ticket of kind ``ticket`` is due: opened + ``due_days``;
    ``asks_agreement``: the answer must say whether the partner agrees (a decision)."""

    ticket: Ident
    rule_id: RuleId
    due_days: Days
    asks_agreement: bool = False


class FairUseRules(RuleFile):
    stage: StageCount
    stages: list[FairUseStage]
    measures: Annotated[list[Measure], Field(min_length=1)]
    exceptions: Annotated[list[MeasureException], Field(min_length=1)]
    partner_disagrees: PartnerDisagrees
    #: The partner's answer deadline per ticket kind this process opens.
    partner_answers: list[PartnerAnswer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> FairUseRules:
        for index, row in enumerate(self.stages):
            if row.stage != index:
                raise RuleTableError(f"stages.{index}.stage", f"expected stage {index} here")
        if len(self.stages) != self.stage.cap + 1:
            raise RuleTableError(
                "stages", f"needs one row for every stage 0 to {self.stage.cap} (stage.cap)"
            )
        if self.stage.decision_stage > self.stage.cap:
            raise RuleTableError("stage.decision_stage", "must not exceed stage.cap")
        unique(self.measures, "id", "measures")
        unique(self.partner_answers, "ticket", "partner_answers")
        known = {m.id for m in self.measures}
        for index, exception in enumerate(self.exceptions):
            for j, forbidden in enumerate(exception.forbids):
                if forbidden not in known:
                    raise RuleTableError(
                        f"exceptions.{index}.forbids.{j}", f"unknown measure {forbidden!r}"
                    )
            is_catch_all = exception.when == CustomerProducts()
            if is_catch_all != (index == len(self.exceptions) - 1):
                raise RuleTableError(
                    f"exceptions.{index}.when",
                    "the last row, and only the last, must be the catch-all (no conditions)",
                )
        return self

    @cached_property
    def actions_by_stage(self) -> dict[int, tuple[str, ...]]:
        return {row.stage: tuple(a.id for a in row.actions) for row in self.stages}

    @cached_property
    def measures_by_id(self) -> dict[str, Measure]:
        return {m.id: m for m in self.measures}


# --- expiry reminders ----------------------------------------------------------


class Reminder(Strict):
    id: Ident
    rule_id: RuleId
    months_before: Annotated[int, Field(ge=0, le=120)]
    days_before: Days
    title: Title


class Supersede(Strict):
    rule_id: RuleId
    enabled: bool


class ExpiryRules(RuleFile):
    reminders: Annotated[list[Reminder], Field(min_length=1)]
    supersede: Supersede

    @model_validator(mode="after")
    def _check(self) -> ExpiryRules:
        unique(self.reminders, "id", "reminders")
        return self

    @cached_property
    def reminder_ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.reminders)


# --- goodwill ------------------------------------------------------------------


class CreditRule(Strict):
    rule_id: RuleId
    default_minimum_spend: RuleAmount
    floor: RuleAmount
    counterfactual_includes_package_fee: bool
    total_rule_id: RuleId


class ConsumerRightsDay(Strict):
    """A yearly day on which complaints are sensitive (15 March in China), and the
    window before it in which it counts as near (the day itself included)."""

    rule_id: RuleId
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]
    days_before: Annotated[int, Field(ge=0, le=365)]

    def next_on_or_after(self, today: date) -> date:
        this_year = date(today.year, self.month, self.day)
        return this_year if this_year >= today else date(today.year + 1, self.month, self.day)

    def is_near(self, today: date) -> bool:
        return (self.next_on_or_after(today) - today).days <= self.days_before


class GoodwillRules(RuleFile):
    credit: CreditRule
    consumer_rights_day: ConsumerRightsDay | None = None

    @model_validator(mode="after")
    def _check(self) -> GoodwillRules:
        if self.credit.default_minimum_spend < 0:
            raise RuleTableError("credit.default_minimum_spend", "must not be negative")
        day = self.consumer_rights_day
        if day is not None:
            try:
                date(2001, day.month, day.day)  # a year without 29 February
            except ValueError:
                raise RuleTableError(
                    "consumer_rights_day.day",
                    f"{day.month:02d}-{day.day:02d} is not a day of every year",
                ) from None
        return self


# --- contract ------------------------------------------------------------------


class CancelRule(Strict):
    rule_id: RuleId
    notice_months: Annotated[int, Field(ge=0, le=120)]
    effective: Anchor


class PartnerCancelRule(Strict):
    rule_id: RuleId
    notice_billed_rule_id: RuleId
    notice_not_billed_rule_id: RuleId


class ChangeRule(Strict):
    rule_id: RuleId
    effective: Anchor


class DowngradeLock(Strict):
    rule_id: RuleId
    days: Days
    earliest: Anchor


class DevicePlanRules(Strict):
    ends_with_subscription_rule_id: RuleId
    remaining_due_rule_id: RuleId
    one_active_rule_id: RuleId
    down_payment_rule_id: RuleId
    minimum_days: Days
    minimum_rule_id: RuleId
    partner_override_rule_id: RuleId
    #: The longest instalment plan taken: more instalments are a typing error.
    max_instalments: int = Field(default=120, ge=1, le=600)


class ActivationRule(Strict):
    rule_id: RuleId
    allowances_rule_id: RuleId
    allowances_rounding: Literal["down"]


class Tariff(Strict):
    """A price plan the operator sells: what an agent may move a customer to."""

    id: Ident
    #: The market (ISO 3166 alpha-2 of the partner) the plan is sold in; its
    #: fee is in that market's currency.
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    monthly_fee: RuleAmount


class ContractRules(RuleFile):
    cancel: CancelRule
    partner_cancel: PartnerCancelRule
    upgrade: ChangeRule
    downgrade: ChangeRule
    downgrade_lock: DowngradeLock
    device_plan: DevicePlanRules
    activation: ActivationRule
    #: The tariff catalogue: the plans an up- or downgrade or a fair-use
    #: migration may choose, per market, with their monthly fee.
    tariffs: list[Tariff] = Field(default_factory=list)
    #: The partner's answer deadline per ticket kind this process opens.
    partner_answers: list[PartnerAnswer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_tariffs(self) -> ContractRules:
        unique(self.tariffs, "id", "tariffs")
        unique(self.partner_answers, "ticket", "partner_answers")
        seen: set[tuple[str, str]] = set()
        for index, tariff in enumerate(self.tariffs):
            if tariff.monthly_fee < 0:
                raise RuleTableError(f"tariffs.{index}.monthly_fee", "must not be negative")
            if (tariff.country, tariff.name) in seen:
                raise RuleTableError(
                    f"tariffs.{index}.name", f"{tariff.name!r} is listed twice for {tariff.country}"
                )
            seen.add((tariff.country, tariff.name))
        return self

    def tariffs_of(self, country: str) -> list[Tariff]:
        """The plans sold in ``country``, cheapest first."""
        return sorted(
            (t for t in self.tariffs if t.country == country), key=lambda t: (t.monthly_fee, t.id)
        )


# --- onboarding ----------------------------------------------------------------


class OnboardingStage(Strict):
    id: Ident
    rule_id: RuleId
    first_day: Days | None = None
    last_day: Days | None = None
    title: Title


class OnboardingTask(Strict):
    id: Ident
    stage: Ident
    target: Literal["all", "vip"]
    channel: Literal["guide", "sms", "spoken"]
    due_day: Days
    title: Title


class VipDeadlines(Strict):
    assign_days: Days
    assign_rule_id: RuleId
    first_contact_days: Days
    first_contact_rule_id: RuleId


class TaskStatusRules(Strict):
    done_rule_id: RuleId
    overdue_rule_id: RuleId


class OnboardingRules(RuleFile):
    stages: Annotated[list[OnboardingStage], Field(min_length=2)]
    tasks: list[OnboardingTask]
    vip: VipDeadlines
    task_status: TaskStatusRules

    @model_validator(mode="after")
    def _check(self) -> OnboardingRules:
        unique(self.stages, "id", "stages")
        unique(self.tasks, "id", "tasks")
        next_day = 0
        last = len(self.stages) - 1
        for index, row in enumerate(self.stages):
            key = f"stages.{index}"
            if index == last:
                if row.first_day is not None or row.last_day is not None:
                    raise RuleTableError(key, "the last stage is the catch-all: no days")
                break
            if row.first_day is None or row.last_day is None:
                raise RuleTableError(key, "needs first_day and last_day")
            if row.first_day != next_day:
                raise RuleTableError(f"{key}.first_day", f"expected {next_day} (no gaps)")
            if row.last_day < row.first_day:
                raise RuleTableError(f"{key}.last_day", "is before first_day")
            next_day = row.last_day + 1
        bounded = {row.id: row for row in self.stages[:-1]}
        for index, task in enumerate(self.tasks):
            stage = bounded.get(task.stage)
            if stage is None:
                raise RuleTableError(f"tasks.{index}.stage", f"unknown stage {task.stage!r}")
            if not stage.first_day <= task.due_day <= stage.last_day:  # type: ignore[operator]
                raise RuleTableError(
                    f"tasks.{index}.due_day",
                    f"must lie within stage {stage.id!r} (days {stage.first_day}-{stage.last_day})",
                )
        return self

    @cached_property
    def task_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.tasks)


# --- complaints ----------------------------------------------------------------

Route = Literal["mass_incident", "consultation", "second_line", "retained", "claim"]


class Category(Strict):
    id: Ident
    title: Title


class Channel(Strict):
    id: Ident
    rule_id: RuleId
    claim_values: Annotated[list[int], Field(min_length=1)]
    categories: Annotated[list[Category], Field(min_length=1)]


class Blocker(Strict):
    id: int
    title: Title


class RouteWhen(Strict):
    mass_incident: bool | None = None
    first_line_resolved: bool | None = None
    second_line_normal: bool | None = None
    retention: Literal["none", "succeeded", "impossible"] | None = None


class RoutingRow(Strict):
    rule_id: RuleId
    when: RouteWhen = RouteWhen()
    route: Route


class NotEligible(Strict):
    rule_id: RuleId
    route: Route


class CustomerValues(Strict):
    values: Annotated[list[int], Field(min_length=1)]


class ComplaintFollowUp(Strict):
    """When an open complaint without a due date of its own is due: opened + ``due_days``."""

    rule_id: RuleId
    due_days: Days


class ComplaintRules(RuleFile):
    customer: CustomerValues
    blockers: Annotated[list[Blocker], Field(min_length=1)]
    channels: Annotated[list[Channel], Field(min_length=1)]
    routing: Annotated[list[RoutingRow], Field(min_length=1)]
    not_eligible: NotEligible
    follow_up: ComplaintFollowUp

    @model_validator(mode="after")
    def _check(self) -> ComplaintRules:
        unique(self.channels, "id", "channels")
        unique(self.blockers, "id", "blockers")
        values = set(self.customer.values)
        for index, channel in enumerate(self.channels):
            unique(channel.categories, "id", f"channels.{index}.categories")
            for j, value in enumerate(channel.claim_values):
                if value not in values:
                    raise RuleTableError(
                        f"channels.{index}.claim_values.{j}",
                        f"{value} is not one of customer.values",
                    )
        for index, row in enumerate(self.routing):
            is_catch_all = row.when == RouteWhen()
            if is_catch_all != (index == len(self.routing) - 1):
                raise RuleTableError(
                    f"routing.{index}.when",
                    "the last row, and only the last, must be the catch-all (no conditions)",
                )
        return self

    @cached_property
    def channel_of_category(self) -> dict[str, Channel]:
        """Full category id (``channel.category``) -> its channel."""
        return {f"{ch.id}.{cat.id}": ch for ch in self.channels for cat in ch.categories}

    @cached_property
    def blocker_ids(self) -> frozenset[int]:
        return frozenset(b.id for b in self.blockers)
