"""The contract guide's reads and writes of subscriptions and device plans.

Reading: the device plan a run is about, the answers as dates and amounts,
the purchase and instalment agreement's facts. Writing (when a step with an
``action`` is completed): the subscription's cancellation or upgrade date,
the change recorded on the case, device plans ended and created. Every date
and amount written here is the rules engine's (handed in as facts), never
computed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.domain import contracts
from app.domain.calendar import first_of_next_month
from app.i18n import _
from app.processes.base import GuideContext
from app.processes.tariffs import chosen_tariff
from app.services.errors import ValidationError

if TYPE_CHECKING:  # the stored rows the repositories give
    from app.store.models import DevicePlan, Subscription


def date_answer(answers: Mapping[str, Any], key: str) -> date | None:
    raw = answers.get(key)
    return date.fromisoformat(str(raw)) if raw else None


def amount_answer(answers: Mapping[str, Any], key: str) -> Decimal | None:
    raw = answers.get(key)
    return Decimal(str(raw)) if raw not in (None, "") else None


def current_plan(ctx: GuideContext, subscription: Subscription) -> DevicePlan | None:
    """The plan this run is about: the one remembered on the case, else the active one
    (of this subscription first; an orphaned active plan of the customer otherwise)."""
    if "plan_no" in ctx.case.facts:
        plan_no = ctx.case.facts["plan_no"]
        return ctx.uow.subscriptions.device_plan(plan_no) if plan_no else None
    active = list(ctx.uow.subscriptions.active_device_plans(ctx.customer.id))
    active.sort(key=lambda p: (p.subscription_id != subscription.id, p.activated))
    return active[0] if active else None


def domain_plan(plan: DevicePlan) -> contracts.DevicePlan:
    return contracts.DevicePlan(
        activated=plan.activated,
        down_payment=plan.down_payment,
        financed_amount=plan.financed_amount,
        instalment=plan.instalment,
        instalments_billed=plan.instalments_billed,
    )


def new_plan(answers: Mapping[str, Any], today: date) -> contracts.DevicePlan | None:
    """The plan entered in a ``new_device_plan`` run, once its amounts are answered."""
    financed = amount_answer(answers, "financed_amount")
    instalment = amount_answer(answers, "instalment")
    if financed is None or instalment is None:
        return None
    return contracts.DevicePlan(
        activated=date_answer(answers, "activation_date") or today,
        down_payment=amount_answer(answers, "down_payment") or Decimal("0.00"),
        financed_amount=financed,
        instalment=instalment,
        instalments_billed=0,
    )


def schedule(plan: contracts.DevicePlan, limit: int) -> list[dict[str, Any]]:
    """The instalments month by month, each with what remains after it (the
    rules' remaining amount after that many instalments); at most ``limit`` + 1."""
    rows: list[dict[str, Any]] = []
    month = first_of_next_month(plan.activated)
    before = plan.remaining()
    while before > 0 and len(rows) <= limit:
        after = contracts.DevicePlan(
            plan.activated, plan.down_payment, plan.financed_amount, plan.instalment, len(rows) + 1
        ).remaining()
        rows.append(
            {"number": len(rows) + 1, "month": month, "amount": before - after, "remaining": after}
        )
        month = first_of_next_month(month)
        before = after
    return rows


def agreement_facts(ctx: GuideContext, subscription: Subscription) -> dict[str, Any]:
    """The purchase and instalment agreement's facts (``device_plan_agreement``)."""
    answers = ctx.answers
    plan = new_plan(answers, ctx.today)
    if plan is None:
        return {}
    rows = schedule(plan, ctx.rules.contract.device_plan.max_instalments)
    partner = ctx.partner.name
    return {
        "subscription": {"tariff": subscription.tariff, "monthly_fee": subscription.monthly_fee},
        "device": {"name": answers.get("device_name") or "", "serial": None},
        "plan": {
            "plan_no": answers.get("new_plan_no") or "",
            "contract_date": plan.activated,
            "price": plan.down_payment + plan.financed_amount,
            "down_payment": plan.down_payment,
            "financed_amount": plan.financed_amount,
            "instalment": plan.instalment,
            "instalments": len(rows),
            "first_instalment": rows[0]["month"] if rows else first_of_next_month(plan.activated),
        },
        "schedule": rows,
        "shop": {
            "name": answers.get("shop_name") or partner,
            "place": answers.get("shop_place") or "",
        },
    }


# --- checks when the request is taken -------------------------------------------------


def check_request(ctx: GuideContext, subscription: Subscription, plan: DevicePlan | None) -> None:
    """Refuse a request the subscription's state rules out, naming why."""
    flow = ctx.state.flow
    answers = ctx.answers
    if subscription.cancelled_effective is not None:
        raise ValidationError(
            _(
                "The subscription {tariff} is already cancelled, effective {date}; "
                "it cannot be changed any more."
            ).format(tariff=subscription.tariff, date=subscription.cancelled_effective.isoformat())
        )
    tariff = (
        chosen_tariff(ctx, answers.get("new_tariff")) if flow in ("upgrade", "downgrade") else None
    )
    fee = tariff.monthly_fee if tariff else None
    if flow == "upgrade" and fee is not None and fee < subscription.monthly_fee:
        raise ValidationError(
            _(
                "New monthly fee: {fee} is less than today's {current}; that is a downgrade — "
                "use the downgrade script."
            ).format(fee=fee, current=subscription.monthly_fee),
            field="new_tariff",
        )
    if flow == "downgrade" and fee is not None and fee > subscription.monthly_fee:
        raise ValidationError(
            _(
                "New monthly fee: {fee} is more than today's {current}; that is an upgrade — "
                "use the upgrade script."
            ).format(fee=fee, current=subscription.monthly_fee),
            field="new_tariff",
        )
    if flow == "new_device_plan":
        _check_new_plan(ctx)


def _check_new_plan(ctx: GuideContext) -> None:
    answers = ctx.answers
    plan_no = str(answers.get("new_plan_no") or "")
    if ctx.uow.subscriptions.device_plan(plan_no) is not None:
        raise ValidationError(
            _("Plan number: {plan_no} belongs to another device plan already.").format(
                plan_no=plan_no
            ),
            field="new_plan_no",
        )
    entered = new_plan(answers, ctx.today)
    limit = ctx.rules.contract.device_plan.max_instalments
    if entered is not None and len(schedule(entered, limit)) > limit:
        raise ValidationError(
            _(
                "Instalment: {instalment} would take more than {limit} months to pay "
                "{financed}; check the amounts."
            ).format(
                instalment=entered.instalment,
                limit=limit,
                financed=entered.financed_amount,
            ),
            field="instalment",
        )


# --- carrying out an action --------------------------------------------------------------


def _day(values: Mapping[str, Any], key: str) -> date | None:
    value = values.get(key)
    return date.fromisoformat(str(value)) if value is not None else None


def _end_plan(ctx: GuideContext, plan: DevicePlan | None, day: date | None) -> None:
    if plan is not None and day is not None:
        ctx.uow.subscriptions.end_device_plan(plan, day)


def record_action(
    ctx: GuideContext, action: str, subscription: Subscription, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Write what ``action`` changes, from the decision's facts; return what it records on
    the case."""
    plan = current_plan(ctx, subscription)
    decided = {
        "action": action,
        "request_date": _iso(_day(values, "request_date")),
        "allowed": values.get("allowed"),
        "effective_date": _iso(_day(values, "effective_date")),
    }
    if not values.get("allowed") and not (action == "downgrade" and values.get("change_effective")):
        raise ValidationError(_("The contract rules refuse this request; it cannot be recorded."))
    if action in ("cancel", "partner_cancel"):
        ctx.uow.subscriptions.cancel(subscription, _day(values, "effective_date"))
        _end_plan(ctx, plan, _day(values, "device_plan_end"))
        decided["billed_until"] = _iso(_day(values, "billed_until"))
        decided["device_plan_end"] = _iso(_day(values, "device_plan_end"))
    elif action in ("upgrade", "downgrade"):
        effective = _day(values, "change_effective")
        if action == "upgrade":
            ctx.uow.subscriptions.upgraded(subscription, effective)
        decided["scheduled_change"] = {
            "kind": action,
            "from_tariff": subscription.tariff,
            "from_monthly_fee": str(subscription.monthly_fee),
            "tariff": values.get("new_tariff"),
            "monthly_fee": str(values.get("new_monthly_fee")),
            "effective": _iso(effective),
        }
    elif action == "cancel_device_plan":
        _end_plan(ctx, plan, _day(values, "device_plan_end"))
        decided["device_plan_end"] = _iso(_day(values, "device_plan_end"))
    elif action == "activate_device_plan":
        _activate(ctx, subscription, plan, values)
        decided["device_plan_end"] = _iso(_day(values, "device_plan_end"))
        decided["new_plan_no"] = ctx.answers.get("new_plan_no")
    return {k: v for k, v in decided.items() if v is not None}


def _activate(
    ctx: GuideContext,
    subscription: Subscription,
    old: DevicePlan | None,
    values: Mapping[str, Any],
) -> None:
    entered = new_plan(ctx.answers, ctx.today)
    assert entered is not None  # the request step's amounts are required
    _end_plan(ctx, old, _day(values, "device_plan_end"))
    ctx.uow.subscriptions.add_device_plan(
        subscription,
        plan_no=str(ctx.answers["new_plan_no"]),
        device=str(ctx.answers.get("device_name") or "")[:200] or None,
        activated=entered.activated,
        down_payment=entered.down_payment,
        financed_amount=entered.financed_amount,
        instalment=entered.instalment,
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
