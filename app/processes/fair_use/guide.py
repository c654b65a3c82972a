"""The fair-use guide: the facts of one customer's fair-use month, from the rules engine.

A fair-use case's subject is the month (``YYYY-MM``). Its flows are the stage
contacts (``stage_1``, ``stage_2``, ``stage_3``) and ``partner_feedback``, the
partner's answer on the stage-3 decision. Every fact comes from
:func:`app.domain.fair_use.evaluate`, given the customer's usage records (the
months over the limits), the Mobile-TV and combo products and, from stage 3
on, the decision entered by the agent and the partner's answer. The stage-3
decision is kept on the case (``facts["decision"]``) so the partner's answer,
days later, is judged against it; the partner's latest answer on the decision
ticket prefills that answer (facts ``ticket_agrees`` and ``ticket_comment``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.case_state import CaseChange
from app.domain.errors import RuleInputError
from app.domain.fair_use import FairUseCase, FairUseDecision, MeasureDecision, evaluate
from app.domain.playbook_schema import Playbook, Step
from app.i18n import _, format_decimal, format_month
from app.letters.operator import OperatorConfigError, load_operator
from app.processes.base import CaseFacts, Facts, GuideContext
from app.processes.common import Worded, fact_label, option_label
from app.processes.facts_once import facts_once
from app.processes.fair_use.tickets import close_decision_tickets, month_decision_answer
from app.processes.tariffs import chosen_tariff, find_tariff, tariff_choices
from app.services.errors import ValidationError
from app.services.playbooks import playbook_for

#: Flow id -> the stage it is written for.
FLOW_STAGES = {"stage_1": 1, "stage_2": 2, "stage_3": 3}
PARTNER_FEEDBACK = "partner_feedback"
#: The step of ``partner_feedback`` that records the partner's answer.
PARTNER_ANSWER_STEP = "partner_answer"
PRODUCT_FACTS = ("mobile_tv", "combo", "internet", "aio")


def month_of(subject: str | None, today: date) -> date:
    """The case's month (first day); the current month when the subject is not a month."""
    try:
        year, month = (subject or "").split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return today.replace(day=1)


def month_value(month: date) -> Worded:
    """``2026-03``, worded "March 2026" / "März 2026" / "март 2026" / "2026年3月"."""
    return Worded(
        month.strftime("%Y-%m"),
        lambda language: format_month(month, language),
    )


def _megabytes(value: int | None) -> Worded | None:
    if value is None:
        return None
    return Worded(str(value), lambda language: f"{format_decimal(value, language)} MB")


def service_phone(country: str | None = None) -> str | None:
    """The customer-service number printed on letters (``resources/letters/operator.toml``):
    that of the operator's company in ``country`` (the partner's), if it has one."""
    try:
        return load_operator("en", None, country).phone or None
    except OperatorConfigError:
        return None


def stored_decision(ctx: GuideContext) -> dict[str, Any] | None:
    """The stage-3 decision of this month: on this case, or on another case of the month."""
    if ctx.case.facts.get("decision"):
        return dict(ctx.case.facts["decision"])
    for case in ctx.uow.cases.of_subject(ctx.customer.id, ctx.case.process, ctx.case.subject):
        if case.facts.get("decision"):
            return dict(case.facts["decision"])
    return None


class FairUseGuide:
    """Facts and process-specific records for ``resources/playbooks/fair_use.yaml``."""

    process = "fair_use"

    def facts(self, ctx: GuideContext) -> Facts:
        playbook = playbook_for(self.process)
        month = month_of(ctx.case.subject, ctx.today)
        records = ctx.uow.fair_use.of_customer(ctx.customer.id)
        exceeded = [month_of(r.month, ctx.today) for r in records if r.exceeded]
        record = next((r for r in records if r.month == month.strftime("%Y-%m")), None)
        products = list(ctx.customer.products or [])
        decision_input = self._decision(ctx)
        rules = ctx.rules.fair_use
        case = FairUseCase(
            month=month,
            exceeded_months=exceeded,
            mobile_tv="mobile_tv" in products,
            combo="combo" in products,
            decision=decision_input,
        )
        try:
            decision = evaluate(case, rules)
        except RuleInputError as exc:
            raise ValidationError(self._problem(exc, month), field=exc.field) from exc
        subscription = self._subscription(ctx)
        values: dict[str, Any] = {
            "month": month_value(month),
            "stage": decision.stage,
            "consecutive_months": decision.consecutive_months,
            "termination_allowed": decision.termination_allowed,
            "data_mb_used": _megabytes(record.data_mb_used if record else None),
            "limit_mb": _megabytes(record.limit_mb if record else None),
            "products": [fact_label(playbook, p) for p in products]
            or [fact_label(playbook, "no_products")],
            **{p: p in products for p in PRODUCT_FACTS},
            "service_phone": service_phone(ctx.partner.country),
            **subscription,
            "tariff_options": tariff_choices(ctx, current=subscription["tariff"]),
            **self._decided(ctx, playbook, decision, decision_input, exceeded, month),
            **self._ticket_answer(ctx),
        }
        return Facts(
            values=values, rule_ids=decision.rule_ids, ruleset_version=decision.ruleset_version
        )

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        """Refuse a flow that does not fit the month; keep the stage-3 decision on the case."""
        flow = ctx.state.flow
        month = month_of(ctx.case.subject, ctx.today)
        if flow in FLOW_STAGES:
            facts = facts_once(self, ctx)
            stage = int(facts.values["stage"])
            if stage != FLOW_STAGES[flow]:
                raise ValidationError(
                    _(
                        "{month}: this customer is at fair-use stage {stage}, "
                        "not {expected}; open the script for stage {stage}."
                    ).format(month=month.strftime("%Y-%m"), stage=stage, expected=FLOW_STAGES[flow])
                )
        if flow == PARTNER_FEEDBACK and stored_decision(ctx) is None:
            raise ValidationError(
                _(
                    "{month}: no stage-3 decision is recorded, so there is nothing to answer."
                ).format(month=month.strftime("%Y-%m"))
            )
        if flow == PARTNER_FEEDBACK and step.id == PARTNER_ANSWER_STEP:
            # The agent has taken the partner's answer over: the ticket leaves the queue.
            close_decision_tickets(ctx.uow.session, ctx.customer.id, ctx.case.subject)
        if step.action == "decide_measure":
            decided = self._decision(ctx)
            assert decided is not None  # the step's inputs are required
            tariff = chosen_tariff(ctx, answers.get("new_tariff"))
            if decided.measure != "migration":
                tariff = None
            return CaseChange(
                facts={
                    "decision": {
                        "measure": decided.measure,
                        "date": decided.date.isoformat(),
                        "justification": answers.get("justification"),
                        "new_tariff": tariff.name if tariff else None,
                        "new_monthly_fee": f"{tariff.monthly_fee:.2f}" if tariff else None,
                    },
                }
            )
        return None

    def answers_on_case(self, case: CaseFacts) -> dict[str, Any]:
        """The stage-3 decision kept on the case, as the answers of the step that took it
        (a run continued after that step, e.g. one the demo or an import left, needs them)."""
        decision = case.facts.get("decision")
        if not isinstance(decision, Mapping):
            return {}
        answers = {
            "measure": decision.get("measure"),
            "decision_date": decision.get("date"),
            "justification": decision.get("justification"),
            "new_tariff": decision.get("new_tariff"),
            "new_monthly_fee": decision.get("new_monthly_fee"),
        }
        return {key: value for key, value in answers.items() if value is not None}

    # --- pieces -------------------------------------------------------------------

    def _decision(self, ctx: GuideContext) -> MeasureDecision | None:
        """The decision as entered in this run (stage 3) or kept on the case (feedback)."""
        answers = ctx.answers
        if ctx.state.flow == "stage_3" and answers.get("measure"):
            raw_date = answers.get("decision_date")
            return MeasureDecision(
                date=date.fromisoformat(str(raw_date)) if raw_date else ctx.today,
                measure=str(answers["measure"]),
            )
        if ctx.state.flow == PARTNER_FEEDBACK:
            stored = stored_decision(ctx)
            if stored:
                agrees = answers.get("agrees")
                return MeasureDecision(
                    date=date.fromisoformat(stored["date"]),
                    measure=str(stored["measure"]),
                    partner_agrees=agrees if isinstance(agrees, bool) else None,
                )
        return None

    def _ticket_answer(self, ctx: GuideContext) -> dict[str, Any]:
        """The partner's latest answer on the month's decision ticket (what the
        ``partner_feedback`` flow is prefilled with); nothing in the other flows."""
        answer = None
        if ctx.state.flow == PARTNER_FEEDBACK:
            answer = month_decision_answer(ctx.uow.session, ctx.customer.id, ctx.case.subject)
        return {
            "ticket_agrees": answer.agrees if answer is not None else None,
            "ticket_comment": answer.text if answer is not None else None,
        }

    def _subscription(self, ctx: GuideContext) -> dict[str, Any]:
        subscription = ctx.uow.subscriptions.current(ctx.customer.id)
        if subscription is None:
            return {"tariff": None, "monthly_fee": None}
        return {"tariff": subscription.tariff, "monthly_fee": subscription.monthly_fee}

    def _decided(
        self,
        ctx: GuideContext,
        playbook: Playbook,
        decision: FairUseDecision,
        entered: MeasureDecision | None,
        exceeded: list[date],
        month: date,
    ) -> dict[str, Any]:
        """The decision's facts, and the ``decision`` record a letter is filled from."""
        stored = stored_decision(ctx) if ctx.state.flow == PARTNER_FEEDBACK else None
        answers = ctx.answers
        justification = answers.get("justification") or (stored or {}).get("justification")
        chosen = find_tariff(ctx, answers.get("new_tariff"))
        new_tariff: Any
        new_fee: Any
        if chosen is not None:  # from the catalogue: its name goes into the letters, and its fee
            new_tariff, new_fee = chosen.name, chosen.monthly_fee
        else:  # the partner's answer on a decision kept on the case
            new_tariff = answers.get("new_tariff") or (stored or {}).get("new_tariff")
            new_fee = answers.get("new_monthly_fee") or (stored or {}).get("new_monthly_fee")
        outcome = decision.measure
        values: dict[str, Any] = {
            "measure": option_label(playbook, "measure", outcome.measure) if outcome else None,
            "decision_date": entered.date if entered else None,
            "effective_date": outcome.effective_date if outcome else None,
            "justification": justification,
            "new_tariff": new_tariff,
            "partner_agrees": entered.partner_agrees if entered else None,
            "bill_overuse_to_partner_from": decision.bill_overuse_to_partner_from,
            "report_to_controlling": decision.report_to_controlling,
        }
        if outcome is not None and entered is not None:
            subscription = ctx.uow.subscriptions.current(ctx.customer.id)
            tariff = subscription.tariff if subscription else None
            values["decision"] = {
                "measure": outcome.measure,
                "date": entered.date,
                "effective_date": outcome.effective_date,
                "tariff": tariff,
                "current_tariff": tariff,
                "new_tariff": new_tariff,
                "new_monthly_fee": Decimal(new_fee) if new_fee else None,
                "justification": justification,
                "rule_ids": list(decision.rule_ids),
                "exceeded_months": [m.strftime("%Y-%m") for m in sorted(exceeded) if m <= month][
                    -decision.consecutive_months :
                ],
            }
        return values

    @staticmethod
    def _problem(exc: RuleInputError, month: date) -> str:
        if exc.field == "decision":
            return _(
                "{month}: a measure is decided at fair-use stage 3 only; "
                "this month is at a lower stage."
            ).format(month=month.strftime("%Y-%m"))
        if exc.field == "decision.date":
            return _("Decision date: it cannot be before the month {month}.").format(
                month=month.strftime("%Y-%m")
            )
        return _("Measure: choose migration or termination.")


GUIDE = FairUseGuide()
