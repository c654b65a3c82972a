"""Subscription and device-plan contract rules.

A customer cancels with notice (3 months) to a month's end; a partner may
cancel at once and choose whether the notice months are still billed.
Cancelling a subscription ends its device plan on the request date, and the
plan's remaining amount (financed amount - instalment x instalments billed,
never below 0) is charged that day. Upgrades and downgrades take effect on the
1st of the next month; a downgrade within 90 days of an upgrade's effective
date is refused (the earliest allowed date is the first 1st-of-month on or
after that day) and goes by ticket. A device plan can be cancelled 120 days
after activation at the earliest, checked against the day it would end, unless
the partner overrides. Activation mid-month charges base fee and AiO discount
pro rata (days left in the month, both included, over days in the month) and
rounds allowances down to whole units. A new device plan charges its down
payment and ends the old plan, whose remaining amount is due the same day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.domain.calendar import add_months, apply_anchor, days_in_month, days_in_month_from
from app.domain.errors import RuleInputError
from app.domain.money import round_down_units, round_money
from app.domain.rule_tables import ContractRules

Action = Literal[
    "cancel",
    "partner_cancel",
    "upgrade",
    "downgrade",
    "cancel_device_plan",
    "activate",
    "activate_device_plan",
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]
Day = date  # for fields declared after a field named ``date``


@dataclass(frozen=True, slots=True)
class DevicePlan:
    activated: date
    down_payment: Decimal
    financed_amount: Decimal
    instalment: Decimal
    instalments_billed: int

    def remaining(self) -> Decimal:
        """What is still owed: financed amount - instalment x instalments billed (>= 0)."""
        return max(Decimal(0), self.financed_amount - self.instalment * self.instalments_billed)


@dataclass(frozen=True, slots=True)
class Subscription:
    monthly_fee: Decimal | None = None
    aio_discount: Decimal = Decimal(0)
    allowances: Mapping[str, int] = field(default_factory=dict)
    last_upgrade_effective: date | None = None


@dataclass(frozen=True, slots=True)
class ContractRequest:
    action: Action
    date: date
    subscription: Subscription | None = None
    device_plan: DevicePlan | None = None
    new_device_plan: DevicePlan | None = None
    bill_notice_period: bool = False
    partner_override: bool = False
    end_date: Day | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    kind: str
    amount: Decimal
    due: date


@dataclass(frozen=True, slots=True)
class ContractDecision:
    allowed: bool
    effective_date: date | None
    earliest_allowed_date: date | None
    needs_ticket: bool
    billed_until: date | None
    device_plan_end: date | None
    charges: tuple[Charge, ...]
    allowances: Mapping[str, int]
    rule_ids: tuple[str, ...]
    ruleset_version: str


@dataclass
class _Draft:
    """The decision while it is being built."""

    allowed: bool = True
    effective_date: date | None = None
    earliest_allowed_date: date | None = None
    needs_ticket: bool = False
    billed_until: date | None = None
    device_plan_end: date | None = None
    charges: list[Charge] = field(default_factory=list)
    allowances: dict[str, int] = field(default_factory=dict)
    rule_ids: list[str] = field(default_factory=list)

    def charge(self, kind: str, amount: Decimal | Fraction, due: date) -> None:
        rounded = round_money(amount)
        if rounded:  # a charge of 0.00 is left out
            self.charges.append(Charge(kind, rounded, due))


def customer_cancel_date(request: date, rules: ContractRules) -> date:
    """When a customer cancellation requested on ``request`` takes effect."""
    return apply_anchor(add_months(request, rules.cancel.notice_months), rules.cancel.effective)


def pro_rata_factor(activation: date) -> Fraction:
    """Days from ``activation`` to the month's end (both included) / days in the month."""
    return Fraction(days_in_month_from(activation), days_in_month(activation))


def evaluate(request: ContractRequest, rules: ContractRules) -> ContractDecision:
    """Decide ``request`` under ``rules``."""
    draft = _Draft()
    handler = _HANDLERS.get(request.action)
    if handler is None:
        raise RuleInputError("action", f"Unknown action {request.action!r}.")
    handler(request, rules, draft)
    draft.charges.sort(key=lambda c: (c.due, c.kind))
    return ContractDecision(
        allowed=draft.allowed,
        effective_date=draft.effective_date,
        earliest_allowed_date=draft.earliest_allowed_date,
        needs_ticket=draft.needs_ticket,
        billed_until=draft.billed_until,
        device_plan_end=draft.device_plan_end,
        charges=tuple(draft.charges),
        allowances=draft.allowances,
        rule_ids=tuple(dict.fromkeys(draft.rule_ids)),
        ruleset_version=rules.version,
    )


def _end_device_plan(
    plan: DevicePlan | None, day: date, rule_id: str, rules: ContractRules, draft: _Draft
) -> None:
    """End ``plan`` (if any) on ``day`` and charge its remaining amount that day."""
    if plan is None:
        return
    draft.device_plan_end = day
    draft.rule_ids.append(rule_id)
    draft.charge("device_plan_remaining", plan.remaining(), day)
    draft.rule_ids.append(rules.device_plan.remaining_due_rule_id)


def _cancel(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    draft.effective_date = draft.billed_until = customer_cancel_date(req.date, rules)
    draft.rule_ids.append(rules.cancel.rule_id)
    _end_device_plan(
        req.device_plan, req.date, rules.device_plan.ends_with_subscription_rule_id, rules, draft
    )


def _partner_cancel(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    draft.effective_date = req.date
    draft.rule_ids.append(rules.partner_cancel.rule_id)
    if req.bill_notice_period:
        draft.billed_until = customer_cancel_date(req.date, rules)
        draft.rule_ids += [rules.partner_cancel.notice_billed_rule_id, rules.cancel.rule_id]
    else:
        draft.billed_until = req.date
        draft.rule_ids.append(rules.partner_cancel.notice_not_billed_rule_id)
    _end_device_plan(
        req.device_plan, req.date, rules.device_plan.ends_with_subscription_rule_id, rules, draft
    )


def _upgrade(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    draft.effective_date = apply_anchor(req.date, rules.upgrade.effective)
    draft.rule_ids.append(rules.upgrade.rule_id)


def _downgrade(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    wanted = apply_anchor(req.date, rules.downgrade.effective)
    draft.rule_ids.append(rules.downgrade.rule_id)
    upgraded = req.subscription.last_upgrade_effective if req.subscription else None
    if upgraded is not None:
        lock = rules.downgrade_lock
        draft.rule_ids.append(lock.rule_id)
        lock_end = upgraded + timedelta(days=lock.days)
        if wanted < lock_end:
            draft.allowed = False
            draft.earliest_allowed_date = apply_anchor(lock_end, lock.earliest)
            draft.needs_ticket = True
            return
    draft.effective_date = wanted


def _cancel_device_plan(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    plan = req.device_plan
    if plan is None:
        raise RuleInputError("device_plan", "There is no device plan to cancel.")
    if req.end_date is not None and req.end_date < req.date:
        raise RuleInputError("end_date", "The end date cannot be before the request date.")
    ends = req.end_date or req.date
    rule = rules.device_plan
    earliest = plan.activated + timedelta(days=rule.minimum_days)
    draft.rule_ids.append(rule.minimum_rule_id)
    if ends < earliest:
        if not req.partner_override:
            draft.allowed = False
            draft.earliest_allowed_date = earliest
            return
        draft.rule_ids.append(rule.partner_override_rule_id)
    draft.effective_date = ends
    draft.device_plan_end = ends
    draft.charge("device_plan_remaining", plan.remaining(), ends)
    draft.rule_ids.append(rule.remaining_due_rule_id)


def _activate(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    sub = req.subscription
    if sub is None:
        raise RuleInputError("subscription", "Activation needs the subscription.")
    if sub.monthly_fee is None:
        raise RuleInputError("subscription.monthly_fee", "Activation needs the monthly fee.")
    factor = pro_rata_factor(req.date)
    draft.effective_date = req.date
    draft.charge("base_fee", Fraction(sub.monthly_fee) * factor, req.date)
    draft.charge("aio_discount", -Fraction(sub.aio_discount) * factor, req.date)
    draft.rule_ids.append(rules.activation.rule_id)
    draft.allowances = {
        name: round_down_units(Fraction(units) * factor) for name, units in sub.allowances.items()
    }
    if draft.allowances:
        draft.rule_ids.append(rules.activation.allowances_rule_id)


def _activate_device_plan(req: ContractRequest, rules: ContractRules, draft: _Draft) -> None:
    plan = req.new_device_plan
    if plan is None:
        raise RuleInputError("new_device_plan", "Activating a device plan needs the new plan.")
    draft.effective_date = req.date
    draft.charge("down_payment", plan.down_payment, req.date)
    draft.rule_ids.append(rules.device_plan.down_payment_rule_id)
    _end_device_plan(req.device_plan, req.date, rules.device_plan.one_active_rule_id, rules, draft)


_HANDLERS = {
    "cancel": _cancel,
    "partner_cancel": _partner_cancel,
    "upgrade": _upgrade,
    "downgrade": _downgrade,
    "cancel_device_plan": _cancel_device_plan,
    "activate": _activate,
    "activate_device_plan": _activate_device_plan,
}
