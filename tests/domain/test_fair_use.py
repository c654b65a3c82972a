"""Fair-use escalation: stages, measures, the Mobile-TV/combo exception, partner disagreement."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import fair_use
from app.domain.calendar import previous_month
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def case(month: date, exceeded: list[date], **kwargs: object) -> fair_use.FairUseCase:
    return fair_use.FairUseCase(month, exceeded, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("month", "exceeded", "stage", "count"),
    [
        (JAN, [JAN, FEB, MAR], 1, 1),  # PROCESSES.md worked example
        (FEB, [JAN, FEB, MAR], 2, 2),
        (MAR, [JAN, FEB, MAR], 3, 3),
        (MAR, [JAN, MAR], 1, 1),  # a month within the limits resets
        (APR, [JAN, FEB, MAR], 0, 0),
        (MAR, [], 0, 0),
        (MAR, [MAR, MAR, FEB], 2, 2),  # duplicates count once
        (FEB, [FEB, MAR, APR], 1, 1),  # later months are ignored
        (date(2026, 1, 1), [date(2025, 11, 1), date(2025, 12, 1), JAN], 3, 3),  # year boundary
    ],
)
def test_stage(rules: RuleSet, month: date, exceeded: list[date], stage: int, count: int) -> None:
    d = fair_use.evaluate(case(month, exceeded), rules.fair_use)
    assert (d.stage, d.consecutive_months) == (stage, count)
    assert d.actions == rules.fair_use.actions_by_stage[stage]
    assert d.measure is None
    assert d.ruleset_version == "2026.1"
    assert "fair_use.stage.consecutive_months" in d.rule_ids


def test_actions_per_stage(rules: RuleSet) -> None:
    by_stage = rules.fair_use.actions_by_stage
    assert by_stage[0] == ()
    assert by_stage[1] == ("sms_1", "history_entry")
    assert by_stage[2] == ("sms_2", "history_entry", "partner_ticket_contact")
    assert by_stage[3] == (
        "review_products",
        "decide_measure",
        "partner_ticket_decision",
        "letter_to_partner",
        "execute_measure",
    )


def test_twelve_months_stage_capped(rules: RuleSet) -> None:
    months = [date(2025, m, 1) for m in range(1, 13)]
    d = fair_use.evaluate(case(date(2025, 12, 1), months), rules.fair_use)
    assert (d.stage, d.consecutive_months) == (3, 12)


@pytest.mark.parametrize(
    ("measure", "month", "decided", "effective"),
    [
        ("migration", MAR, date(2026, 3, 12), date(2026, 4, 1)),  # PROCESSES.md
        ("termination", MAR, date(2026, 3, 12), date(2026, 3, 31)),  # PROCESSES.md
        ("migration", date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1)),
        ("termination", date(2028, 2, 1), date(2028, 2, 3), date(2028, 2, 29)),  # leap year
        ("termination", MAR, date(2026, 4, 2), date(2026, 4, 30)),  # decided the month after
    ],
)
def test_measure_effective_dates(
    rules: RuleSet, measure: str, month: date, decided: date, effective: date
) -> None:
    months = [month, previous_month(month), previous_month(previous_month(month))]
    decision = fair_use.MeasureDecision(decided, measure, True)
    d = fair_use.evaluate(case(month, months, decision=decision), rules.fair_use)
    assert d.measure == fair_use.MeasureOutcome(measure, True, effective)
    assert d.bill_overuse_to_partner_from is None and d.report_to_controlling is False


@pytest.mark.parametrize(
    ("mobile_tv", "combo", "allowed"),
    [(True, True, False), (True, False, True), (False, True, True), (False, False, True)],
)
def test_mobile_tv_combo_exception(
    rules: RuleSet, mobile_tv: bool, combo: bool, allowed: bool
) -> None:
    decision = fair_use.MeasureDecision(date(2026, 3, 12), "termination")
    d = fair_use.evaluate(
        case(MAR, [JAN, FEB, MAR], mobile_tv=mobile_tv, combo=combo, decision=decision),
        rules.fair_use,
    )
    assert d.termination_allowed is allowed
    assert d.measure is not None and d.measure.allowed is allowed
    assert (d.measure.effective_date is None) is not allowed
    assert ("fair_use.exception.mobile_tv_combo" in d.rule_ids) is not allowed
    migration = fair_use.evaluate(
        case(
            MAR,
            [JAN, FEB, MAR],
            mobile_tv=mobile_tv,
            combo=combo,
            decision=fair_use.MeasureDecision(date(2026, 3, 12), "migration"),
        ),
        rules.fair_use,
    )
    assert migration.measure is not None and migration.measure.allowed


@pytest.mark.parametrize(
    ("agrees", "bill_from", "report"),
    [(True, None, False), (None, None, False), (False, date(2026, 3, 12), True)],
)
def test_partner_agreement(
    rules: RuleSet, agrees: bool | None, bill_from: date | None, report: bool
) -> None:
    decision = fair_use.MeasureDecision(date(2026, 3, 12), "migration", agrees)
    d = fair_use.evaluate(case(MAR, [JAN, FEB, MAR], decision=decision), rules.fair_use)
    assert d.bill_overuse_to_partner_from == bill_from
    assert d.report_to_controlling is report


def test_decision_errors(rules: RuleSet) -> None:
    decision = fair_use.MeasureDecision(date(2026, 2, 12), "migration")
    with pytest.raises(RuleInputError) as caught:
        fair_use.evaluate(case(FEB, [JAN, FEB], decision=decision), rules.fair_use)
    assert caught.value.field == "decision"
    with pytest.raises(RuleInputError) as caught:
        fair_use.evaluate(
            case(MAR, [JAN, FEB, MAR], decision=fair_use.MeasureDecision(MAR, "warning")),
            rules.fair_use,
        )
    assert caught.value.field == "decision.measure"
    with pytest.raises(RuleInputError) as caught:
        fair_use.evaluate(
            case(
                MAR,
                [JAN, FEB, MAR],
                decision=fair_use.MeasureDecision(date(2026, 2, 28), "migration"),
            ),
            rules.fair_use,
        )
    assert caught.value.field == "decision.date"
