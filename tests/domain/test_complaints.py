"""Complaint routing and claim eligibility."""

from __future__ import annotations

import itertools

import pytest

from app.domain import complaints
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet

ALL_CATEGORIES = {
    "shop.dissatisfaction",
    "shop.incompetence",
    "shop.improper_service",
    "shop.confidentiality",
    "contact_centre.improper_service",
    "contact_centre.incompetence",
    "contact_centre.confidentiality",
    "dealer.incompetence",
    "dealer.improper_service",
    "dealer.confidentiality",
    "billing_system.slow_service",
    "billing_system.migration",
    "billing_system.balance_desync",
    "billing_system.block_positive_balance",
    "billing_system.no_block_negative_balance",
    "billing_system.charge_while_blocked",
    "other.self_service",
    "other.tariff_change",
}


def route(rules: RuleSet, **kwargs: object) -> complaints.ComplaintDecision:
    base: dict[str, object] = {"category": "billing_system.balance_desync", "customer_value": 3}
    base.update(kwargs)
    return complaints.evaluate(complaints.ComplaintCase(**base), rules.complaint)  # type: ignore[arg-type]


def test_category_ids(rules: RuleSet) -> None:
    assert set(rules.complaint.channel_of_category) == ALL_CATEGORIES


def expected_route(
    category: str,
    value: int,
    mass: bool,
    resolved: bool,
    normal: bool,
    retention: str | None,
) -> str:
    """RULES_API.md's routing paragraph, written out independently."""
    if mass:
        return "mass_incident"
    if resolved:
        return "consultation"
    if normal and retention is None:
        return "second_line"
    if normal and retention == "succeeded":
        return "retained"
    eligible = category.split(".")[0] in {"shop", "contact_centre", "dealer"} or value >= 3
    return "claim" if eligible else "consultation"


@pytest.mark.parametrize(
    ("category", "value", "mass", "resolved", "normal", "retention"),
    list(
        itertools.product(
            [
                "shop.incompetence",
                "dealer.confidentiality",
                "billing_system.migration",
                "other.self_service",
            ],
            [1, 2, 3, 4],
            [False, True],
            [False, True],
            [False, True],
            [None, "succeeded", "impossible"],
        )
    ),
)
def test_routing_table(
    rules: RuleSet,
    category: str,
    value: int,
    mass: bool,
    resolved: bool,
    normal: bool,
    retention: str | None,
) -> None:
    d = route(
        rules,
        category=category,
        customer_value=value,
        mass_incident=mass,
        first_line_resolved=resolved,
        second_line_normal=normal,
        retention=retention,
        blocker=2 if retention == "impossible" else None,
    )
    assert d.route == expected_route(category, value, mass, resolved, normal, retention)
    assert d.claim is (d.route == "claim")
    assert d.rule_ids and d.ruleset_version == "2026.1"


def test_not_eligible_records_rule(rules: RuleSet) -> None:
    d = route(rules, customer_value=2, retention="impossible", blocker=1)
    assert d.route == "consultation"
    assert "complaint.eligibility.not_eligible" in d.rule_ids


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category": "shop"}, "category"),
        ({"category": "billing.balance_desync"}, "category"),
        ({"customer_value": 0}, "customer_value"),
        ({"customer_value": 5}, "customer_value"),
        ({"retention": "impossible"}, "blocker"),
        ({"retention": "impossible", "blocker": 5}, "blocker"),
        ({"retention": "maybe"}, "retention"),
        ({"second_line_normal": False, "retention": "impossible"}, "blocker"),
    ],
)
def test_invalid_cases(rules: RuleSet, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        route(rules, **kwargs)
    assert caught.value.field == field
