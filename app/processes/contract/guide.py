"""The contract guide: subscription and device-plan requests, decided by the contract rules.

A contract case is one request taken on the phone; its subject is chosen by
the caller (``"<flow>:<request date>"`` by convention). Flows: ``cancel``
(customer cancellation with notice), ``partner_cancel`` (the partner's
immediate cancellation), ``upgrade``, ``downgrade`` (with the refused-downgrade
route), ``cancel_device_plan`` and ``new_device_plan``. Every decision comes
from :func:`app.domain.contracts.evaluate`, given the customer's current
subscription, its active device plan and the answers so far.

What the guide writes when a step with an ``action`` is completed:

* ``cancel`` / ``partner_cancel``: ``Subscription.cancelled_effective``; the
  device plan ends (status ended, ``ended`` = the request date).
* ``upgrade`` / ``downgrade``: a change takes effect on a later 1st of the
  month, so the subscription's tariff and fee stay as they are (the billing
  system switches them on the day); the change is recorded on the case
  (``facts["scheduled_change"]``) and in the history, and an upgrade sets
  ``Subscription.last_upgrade_effective``, which the downgrade lock reads.
* ``cancel_device_plan``: the plan ends (status ended, ``ended`` = end date,
  also when that date is still ahead).
* ``activate_device_plan``: the new plan is created (active, linked to the
  current subscription) and the old one ends the same day.

The plan a run is about is remembered on the case (``facts["plan_no"]``) when
its first step is completed, so the facts stay the same after the run ended
or replaced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.domain import contracts
from app.domain.case_state import CaseChange
from app.domain.contracts import Charge, ContractDecision, ContractRequest, evaluate
from app.domain.errors import RuleInputError
from app.domain.playbook_schema import Playbook, Step
from app.i18n import _, format_date, format_money
from app.processes.base import Facts, GuideContext
from app.processes.common import Worded, fact_label, long_date
from app.processes.contract.records import (
    agreement_facts,
    amount_answer,
    check_request,
    current_plan,
    date_answer,
    domain_plan,
    new_plan,
    record_action,
)
from app.processes.facts_once import facts_once
from app.processes.tariffs import find_tariff, tariff_choices
from app.services.customers import currency_for_country
from app.services.errors import ValidationError
from app.services.playbooks import playbook_for

if TYPE_CHECKING:  # the stored rows the repositories give
    from app.store.models import DevicePlan, Subscription

#: Flow id -> the rules engine's action.
FLOW_ACTIONS = {
    "cancel": "cancel",
    "partner_cancel": "partner_cancel",
    "upgrade": "upgrade",
    "downgrade": "downgrade",
    "cancel_device_plan": "cancel_device_plan",
    "new_device_plan": "activate_device_plan",
}
#: The first step of every flow: the request is taken and checked there.
REQUEST_STEPS = ("request",)


def worded_charge(playbook: Playbook, charge: Charge, currency: str) -> Worded:
    """ "Restbetrag Geräteplan: CHF 570.00 (15.01.2026)", the kind worded by the playbook."""

    def words(language: str) -> str:
        label = fact_label(playbook, charge.kind).format_for(language)
        amount = format_money(charge.amount, currency, language)
        return f"{label}: {amount} ({format_date(charge.due, language)})"

    return Worded(f"{charge.kind}:{charge.amount}:{charge.due.isoformat()}", words)


class ContractGuide:
    """Facts and process-specific records for ``resources/playbooks/contract.yaml``."""

    process = "contract"

    def facts(self, ctx: GuideContext) -> Facts:
        playbook = playbook_for(self.process)
        subscription = ctx.uow.subscriptions.current(ctx.customer.id)
        if subscription is None:
            raise ValidationError(
                _(
                    "Customer {customer_no} has no subscription: there is no contract to "
                    "change, and a device plan never exists without one."
                ).format(customer_no=ctx.customer.customer_no)
            )
        plan = current_plan(ctx, subscription)
        request = self._request(ctx, subscription, plan)
        values = self._base(ctx, subscription, plan, request)
        if request is None:  # the new plan's amounts are not entered yet
            return Facts(values=values)
        try:
            decision = evaluate(request, ctx.rules.contract)
        except RuleInputError as exc:
            raise ValidationError(self._problem(exc), field=exc.field) from exc
        rule_ids = list(decision.rule_ids)
        values.update(self._decided(ctx, playbook, request, decision))
        if request.action == "upgrade":
            values["earliest_downgrade"] = long_date(self._earliest_downgrade(ctx, decision))
            rule_ids.append(ctx.rules.contract.downgrade_lock.rule_id)
        values.update(self._letters(ctx, subscription, plan, values))
        return Facts(
            values=values,
            rule_ids=tuple(dict.fromkeys(rule_ids)),
            ruleset_version=decision.ruleset_version,
        )

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        """Check the request when it is taken; carry out the step's action."""
        subscription = ctx.uow.subscriptions.current(ctx.customer.id)
        assert subscription is not None  # facts() refused the run otherwise
        change = CaseChange()
        if step.id in REQUEST_STEPS:
            plan = current_plan(ctx, subscription)
            check_request(ctx, subscription, plan)
            change = CaseChange(facts={"plan_no": plan.plan_no if plan else None})
        if step.action:
            decided = record_action(ctx, step.action, subscription, facts_once(self, ctx).values)
            change = change.then(CaseChange(facts=decided))
        return change

    # --- the request ------------------------------------------------------------------

    def _request(
        self, ctx: GuideContext, subscription: Subscription, plan: DevicePlan | None
    ) -> ContractRequest | None:
        answers = ctx.answers
        action = FLOW_ACTIONS.get(ctx.state.flow)
        if action is None:
            raise ValidationError(
                _("The contract script has no request {flow}.").format(flow=ctx.state.flow)
            )
        request = ContractRequest(
            action=action,  # type: ignore[arg-type]  # one of contracts.ACTIONS
            date=date_answer(answers, "request_date") or ctx.today,
            subscription=contracts.Subscription(
                monthly_fee=subscription.monthly_fee,
                aio_discount=subscription.aio_discount or Decimal(0),
                last_upgrade_effective=subscription.last_upgrade_effective,
            ),
            device_plan=domain_plan(plan) if plan else None,
            bill_notice_period=answers.get("bill_notice_period") is True,
            partner_override=answers.get("partner_override") is True,
            end_date=date_answer(answers, "end_date"),
        )
        if action == "activate_device_plan":
            entered = new_plan(answers, ctx.today)
            if entered is None:
                return None
            request = replace(request, date=entered.activated, new_device_plan=entered)
        return request

    def _earliest_downgrade(self, ctx: GuideContext, upgrade: ContractDecision) -> date | None:
        """When a downgrade after this upgrade is possible at the earliest: the rules'
        answer to a downgrade asked for on the upgrade's effective date."""
        if upgrade.effective_date is None:
            return None
        probe = ContractRequest(
            action="downgrade",
            date=upgrade.effective_date,
            subscription=contracts.Subscription(last_upgrade_effective=upgrade.effective_date),
        )
        return evaluate(probe, ctx.rules.contract).earliest_allowed_date

    # --- facts --------------------------------------------------------------------------

    def _base(
        self,
        ctx: GuideContext,
        subscription: Subscription,
        plan: DevicePlan | None,
        request: ContractRequest | None,
    ) -> dict[str, Any]:
        answers = ctx.answers
        new_tariff, new_monthly_fee = self._new_tariff(ctx)
        return {
            "request_date": long_date(request.date if request else None)
            or long_date(date_answer(answers, "request_date") or ctx.today),
            "tariff": subscription.tariff,
            "monthly_fee": subscription.monthly_fee,
            "last_upgrade_effective": long_date(subscription.last_upgrade_effective),
            "cancelled_effective": subscription.cancelled_effective,
            "has_device_plan": plan is not None,
            "plan_no": plan.plan_no if plan else None,
            "activated": plan.activated if plan else None,
            "financed_amount": plan.financed_amount if plan else None,
            "instalment": plan.instalment if plan else None,
            "instalments_billed": plan.instalments_billed if plan else None,
            "tariff_options": self._tariff_options(ctx, subscription),
            "new_tariff": new_tariff,
            "new_monthly_fee": new_monthly_fee,
            "bill_notice_period": answers.get("bill_notice_period"),
            "partner_override": answers.get("partner_override"),
            "end_date": date_answer(answers, "end_date"),
            "justification": answers.get("justification"),
            "reason": answers.get("reason"),
            "new_plan_no": answers.get("new_plan_no"),
            "device_name": answers.get("device_name"),
            "new_financed_amount": amount_answer(answers, "financed_amount"),
            "new_instalment": amount_answer(answers, "instalment"),
        }

    @staticmethod
    def _tariff_options(ctx: GuideContext, subscription: Subscription) -> list[Worded]:
        """The catalogue's plans for an upgrade (not cheaper) or a downgrade (not dearer)."""
        current = subscription.monthly_fee
        if ctx.state.flow == "upgrade":
            return tariff_choices(ctx, current=subscription.tariff, accept=lambda f: f >= current)
        if ctx.state.flow == "downgrade":
            return tariff_choices(ctx, current=subscription.tariff, accept=lambda f: f <= current)
        return []

    @staticmethod
    def _new_tariff(ctx: GuideContext) -> tuple[str | None, Decimal | None]:
        """The chosen plan's name and fee, from the catalogue (a request taken before
        the catalogue keeps what was typed)."""
        answer = ctx.answers.get("new_tariff")
        tariff = find_tariff(ctx, answer)
        if tariff is not None:
            return tariff.name, tariff.monthly_fee
        legacy = str(answer) if answer else None
        return legacy, amount_answer(ctx.answers, "new_monthly_fee")

    def _decided(
        self,
        ctx: GuideContext,
        playbook: Playbook,
        request: ContractRequest,
        decision: ContractDecision,
    ) -> dict[str, Any]:
        currency = currency_for_country(ctx.partner.country)
        amounts = {c.kind: c.amount for c in decision.charges}
        remaining = amounts.get("device_plan_remaining")
        if remaining is None and decision.device_plan_end is not None:
            remaining = Decimal("0.00")  # a plan paid off: the rules leave out a 0.00 charge
        scheduled = decision.effective_date
        if request.action == "downgrade" and ctx.answers.get("route") == "schedule":
            scheduled = decision.earliest_allowed_date
        return {
            "allowed": decision.allowed,
            "needs_ticket": decision.needs_ticket,
            "effective_date": long_date(decision.effective_date),
            "earliest_allowed_date": long_date(decision.earliest_allowed_date),
            "billed_until": long_date(decision.billed_until),
            "device_plan_end": long_date(decision.device_plan_end),
            "device_plan_remaining": remaining,
            "down_payment": amounts.get("down_payment")
            or (Decimal("0.00") if request.new_device_plan else None),
            "change_effective": long_date(scheduled),
            "charges": [worded_charge(playbook, c, currency) for c in decision.charges],
        }

    def _letters(
        self,
        ctx: GuideContext,
        subscription: Subscription,
        plan: DevicePlan | None,
        values: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Nested facts a letter is filled from (frozen into the letter request)."""

        def day(key: str) -> date | None:
            value = values.get(key)
            return date.fromisoformat(str(value)) if value is not None else None

        flow = ctx.state.flow
        request_date = day("request_date")
        out: dict[str, Any] = {}
        if flow in ("cancel", "partner_cancel"):
            nothing_more = flow == "partner_cancel" and values.get("bill_notice_period") is not True
            out["cancellation"] = {
                "kind": "customer" if flow == "cancel" else "partner_immediate",
                "request_date": request_date,
                "effective_date": day("effective_date"),
                "billed_until": None if nothing_more else day("billed_until"),
                "tariff": subscription.tariff,
            }
            out["device_plan"] = (
                {
                    "plan_no": plan.plan_no,
                    "device": plan.device,
                    "cancelled_on": day("device_plan_end"),
                    "remaining_amount": values.get("device_plan_remaining"),
                }
                if plan is not None and values.get("device_plan_end") is not None
                else None
            )
        if flow in ("upgrade", "downgrade") and values.get("new_tariff"):
            out["change"] = {
                "kind": flow,
                "request_date": request_date,
                "effective_date": day("change_effective"),
                "old_tariff": subscription.tariff,
                "new_tariff": values.get("new_tariff"),
                "old_monthly_fee": subscription.monthly_fee,
                "new_monthly_fee": values.get("new_monthly_fee"),
                "earliest_downgrade": day("earliest_downgrade"),
            }
        if flow == "new_device_plan":
            out.update(agreement_facts(ctx, subscription))
        return out

    @staticmethod
    def _problem(exc: RuleInputError) -> str:
        if exc.field == "end_date":
            return _("End date: the device plan cannot end before the request date.")
        if exc.field == "device_plan":
            return _("This customer has no active device plan to cancel.")
        return _("The contract rules cannot decide this request: {problem}").format(
            problem=str(exc)
        )


GUIDE = ContractGuide()
