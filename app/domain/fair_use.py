"""Fair-use escalation: the stage of a month and the stage-3 measure.

The stage for month M is the number of consecutive months over the limits
ending with M, capped (at 3); a month without a record, or within the limits,
resets the count. Months listed after M are ignored, duplicates are harmless.
At the decision stage the agent decides a measure: migration (effective the
1st of the next month) before termination (effective the month's last day).
A customer with Mobile-TV and a combo product is never terminated. When the
partner disagrees, the overuse is billed to the partner from the decision date
and the case goes to Controlling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.domain.calendar import apply_anchor, month_start, previous_month
from app.domain.errors import RuleInputError
from app.domain.rule_tables import CustomerProducts, FairUseRules, MeasureException

TERMINATION = "termination"


@dataclass(frozen=True, slots=True)
class MeasureDecision:
    """The agent's stage-3 decision as entered."""

    date: date
    measure: str
    partner_agrees: bool | None = None


@dataclass(frozen=True, slots=True)
class FairUseCase:
    """One customer and month: ``month`` and ``exceeded_months`` are any day in the month."""

    month: date
    exceeded_months: Iterable[date]
    mobile_tv: bool = False
    combo: bool = False
    decision: MeasureDecision | None = None


@dataclass(frozen=True, slots=True)
class MeasureOutcome:
    measure: str
    allowed: bool
    effective_date: date | None


@dataclass(frozen=True, slots=True)
class FairUseDecision:
    stage: int
    consecutive_months: int
    actions: tuple[str, ...]
    termination_allowed: bool
    measure: MeasureOutcome | None
    bill_overuse_to_partner_from: date | None
    report_to_controlling: bool
    rule_ids: tuple[str, ...]
    ruleset_version: str


def consecutive_months(month: date, exceeded: Iterable[date]) -> int:
    """How many months in a row, ending with ``month``, were over the limits."""
    over = {month_start(m) for m in exceeded}
    count = 0
    current = month_start(month)
    while current in over:
        count += 1
        current = previous_month(current)
    return count


def _exception_for(rules: FairUseRules, mobile_tv: bool, combo: bool) -> MeasureException:
    """The first exception row matching the customer's products (the last is a catch-all)."""
    for row in rules.exceptions:
        if _matches(row.when, mobile_tv, combo):
            return row
    raise AssertionError("the exception table ends with a catch-all")  # pragma: no cover


def _matches(when: CustomerProducts, mobile_tv: bool, combo: bool) -> bool:
    return (when.mobile_tv is None or when.mobile_tv == mobile_tv) and (
        when.combo is None or when.combo == combo
    )


def evaluate(case: FairUseCase, rules: FairUseRules) -> FairUseDecision:
    """Stage, actions and (at the decision stage) the measure for ``case``."""
    count = consecutive_months(case.month, case.exceeded_months)
    stage = min(count, rules.stage.cap)
    rule_ids = [rules.stage.rule_id, rules.stages[stage].rule_id]

    exception = _exception_for(rules, case.mobile_tv, case.combo)
    forbidden = set(exception.forbids)
    rule_ids.append(exception.rule_id)

    outcome: MeasureOutcome | None = None
    bill_from: date | None = None
    report = False
    decision = case.decision
    if decision is not None:
        if stage < rules.stage.decision_stage:
            raise RuleInputError(
                "decision",
                f"A measure is decided at stage {rules.stage.decision_stage}; "
                f"this month is at stage {stage}.",
            )
        measure = rules.measures_by_id.get(decision.measure)
        if measure is None:
            known = ", ".join(m.id for m in rules.measures)
            raise RuleInputError("decision.measure", f"The measure must be one of: {known}.")
        if decision.date < month_start(case.month):
            raise RuleInputError("decision.date", "The decision cannot precede the month.")
        allowed = measure.id not in forbidden
        effective = apply_anchor(decision.date, measure.effective) if allowed else None
        outcome = MeasureOutcome(measure.id, allowed, effective)
        rule_ids.append(measure.rule_id)
        if decision.partner_agrees is False:
            rule = rules.partner_disagrees
            bill_from = decision.date if rule.bill_overuse_to_partner else None
            report = rule.report_to_controlling
            rule_ids.append(rule.rule_id)

    return FairUseDecision(
        stage=stage,
        consecutive_months=count,
        actions=rules.actions_by_stage[stage],
        termination_allowed=TERMINATION not in forbidden and TERMINATION in rules.measures_by_id,
        measure=outcome,
        bill_overuse_to_partner_from=bill_from,
        report_to_controlling=report,
        rule_ids=tuple(rule_ids),
        ruleset_version=rules.version,
    )
