"""Goodwill credit: the counterfactual bill, worked example from the source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain import goodwill
from app.domain.ruleset import RuleSet


def test_source_example(rules: RuleSet) -> None:
    d = goodwill.evaluate(
        Decimal("5.00"),
        Decimal("100.00"),
        [
            goodwill.DisputedMonth(date(2010, 1, 1), Decimal("67.38"), Decimal("13.28")),
            goodwill.DisputedMonth(date(2010, 2, 1), Decimal("100.00"), Decimal("173.82")),
        ],
        rules.goodwill,
    )
    assert [(m.actual, m.counterfactual, m.credit) for m in d.months] == [
        (Decimal("100.00"), Decimal("100.00"), Decimal("0.00")),
        (Decimal("273.82"), Decimal("105.00"), Decimal("168.82")),
    ]
    assert d.total_credit == Decimal("168.82")
    assert d.rule_ids == ("goodwill.credit.counterfactual_bill", "goodwill.credit.sum_of_months")


def test_no_minimum_spend_means_zero(rules: RuleSet) -> None:
    d = goodwill.evaluate(
        Decimal("5"),
        None,
        [goodwill.DisputedMonth(date(2026, 1, 1), Decimal("0"), Decimal("0.01"))],
        rules.goodwill,
    )
    assert d.months[0].actual == Decimal("0.01")
    assert d.months[0].counterfactual == Decimal("5.00")
    assert d.months[0].credit == Decimal("0.00")
    assert d.total_credit == Decimal("0.00")


def test_minimum_spend_above_both_bills(rules: RuleSet) -> None:
    d = goodwill.evaluate(
        Decimal("5"),
        Decimal("50"),
        [goodwill.DisputedMonth(date(2026, 1, 1), Decimal("10"), Decimal("30"))],
        rules.goodwill,
    )
    assert (d.months[0].actual, d.months[0].counterfactual, d.months[0].credit) == (
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("0.00"),
    )


def test_months_kept_in_input_order_and_summed(rules: RuleSet) -> None:
    months = [
        goodwill.DisputedMonth(date(2026, 3, 1), Decimal("10"), Decimal("20.10")),
        goodwill.DisputedMonth(date(2026, 1, 1), Decimal("10"), Decimal("20.20")),
    ]
    d = goodwill.evaluate(Decimal("5"), None, months, rules.goodwill)
    assert [m.month for m in d.months] == [date(2026, 3, 1), date(2026, 1, 1)]
    assert d.total_credit == Decimal("30.30")
