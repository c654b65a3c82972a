"""Goodwill credit for unintended out-of-bundle charges (the counterfactual bill).

Per disputed month: actual = max(minimum spend, other charges + out-of-bundle
data); counterfactual = max(minimum spend, other charges + package fee), the
bill had the package stayed active; credit = max(0, actual - counterfactual).
The suggestion is the sum over the months. Without a minimum spend the rule
file's default (0.00) applies. Amounts are exact; rounding happens only when
a figure is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.money import round_money
from app.domain.rule_tables import GoodwillRules


@dataclass(frozen=True, slots=True)
class DisputedMonth:
    month: date
    other_charges: Decimal
    out_of_bundle_data: Decimal


@dataclass(frozen=True, slots=True)
class MonthCredit:
    month: date
    actual: Decimal
    counterfactual: Decimal
    credit: Decimal


@dataclass(frozen=True, slots=True)
class GoodwillDecision:
    """Per-month figures in input order and the suggested total, rounded to the cent."""

    months: tuple[MonthCredit, ...]
    total_credit: Decimal
    rule_ids: tuple[str, ...]
    ruleset_version: str


def evaluate(
    package_fee: Decimal,
    minimum_spend: Decimal | None,
    months: Iterable[DisputedMonth],
    rules: GoodwillRules,
) -> GoodwillDecision:
    """The suggested goodwill credit for the disputed ``months``."""
    rule = rules.credit
    floor_spend = rule.default_minimum_spend if minimum_spend is None else minimum_spend
    fee = package_fee if rule.counterfactual_includes_package_fee else Decimal(0)
    rows: list[MonthCredit] = []
    total = Decimal(0)
    for item in months:
        actual = max(floor_spend, item.other_charges + item.out_of_bundle_data)
        counterfactual = max(floor_spend, item.other_charges + fee)
        credit = max(rule.floor, actual - counterfactual)
        total += credit
        rows.append(
            MonthCredit(
                item.month, round_money(actual), round_money(counterfactual), round_money(credit)
            )
        )
    return GoodwillDecision(
        months=tuple(rows),
        total_credit=round_money(total),
        rule_ids=(rule.rule_id, rule.total_rule_id),
        ruleset_version=rules.version,
    )
