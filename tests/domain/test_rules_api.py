"""The JSON adapter: documented shapes, and bad input for every field type."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.domain.ruleset import RuleSet
from app.services.rules_api import InputError, evaluate

PLAN = {
    "activated": "2025-10-03",
    "down_payment": "99.00",
    "financed_amount": "720.00",
    "instalment": "30.00",
    "instalments_billed": 5,
}
VALID: dict[str, dict[str, Any]] = {
    "contract": {
        "action": "activate",
        "date": "2026-04-16",
        "subscription": {
            "monthly_fee": "49.00",
            "aio_discount": "10.00",
            "allowances": {"data_mb": 10240, "minutes": 300},
            "last_upgrade_effective": None,
        },
        "device_plan": PLAN,
        "new_device_plan": None,
        "bill_notice_period": False,
        "partner_override": False,
        "end_date": None,
    },
    "fair-use": {
        "month": "2026-03",
        "exceeded_months": ["2026-01", "2026-02", "2026-03"],
        "mobile_tv": False,
        "combo": False,
        "decision": {"date": "2026-03-12", "measure": "migration", "partner_agrees": None},
    },
    "expiry": {
        "today": "2026-06-25",
        "bundles": [{"id": "b1", "end_date": "2026-06-30", "sent": ["month"]}],
    },
    "goodwill": {
        "package_fee": "5.00",
        "minimum_spend": "100.00",
        "months": [
            {"month": "2010-01", "other_charges": "67.38", "out_of_bundle_data": "13.28"},
            {"month": "2010-02", "other_charges": "100.00", "out_of_bundle_data": "173.82"},
        ],
    },
    "onboarding": {
        "activation_date": "2026-03-01",
        "today": "2026-03-09",
        "vip_rated": "2026-03-02",
        "manager_assigned": "2026-03-03",
        "manager_first_contact": None,
        "done": ["explain_tariff"],
    },
    "complaint": {
        "category": "billing_system.balance_desync",
        "customer_value": 3,
        "mass_incident": False,
        "first_line_resolved": False,
        "second_line_normal": True,
        "retention": None,
        "blocker": None,
    },
}


def with_value(process: str, path: str, value: object) -> dict[str, Any]:
    """The valid payload of ``process`` with ``path`` set (``...`` removes the key)."""
    payload = copy.deepcopy(VALID[process])
    *parents, last = path.split(".")
    target: Any = payload
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is ...:
        del target[last]
    else:
        target[last] = value
    return payload


def error_field(process: str, payload: object, rules: RuleSet) -> str:
    with pytest.raises(InputError) as caught:
        evaluate(process, payload, rules)
    assert caught.value.message.endswith(".")
    assert caught.value.as_json() == {
        "error": {"field": caught.value.field, "message": caught.value.message}
    }
    return caught.value.field


@pytest.mark.parametrize("process", VALID)
def test_valid_payloads_answer(process: str, rules: RuleSet) -> None:
    assert isinstance(evaluate(process, VALID[process], rules), dict)


def test_documented_outputs(rules: RuleSet) -> None:
    assert evaluate("complaint", VALID["complaint"], rules) == {
        "route": "second_line",
        "claim": False,
    }
    onboarding = evaluate("onboarding", VALID["onboarding"], rules)
    assert (onboarding["day"], onboarding["stage"]) == (8, "follow_up")
    assert onboarding["vip"] == {
        "assign_due": "2026-03-05",
        "first_contact_due": "2026-03-10",
        "overdue": [],
    }
    assert list(onboarding) == ["day", "stage", "vip", "tasks"]
    contract = evaluate("contract", VALID["contract"], rules)
    assert set(contract) == {
        "allowed",
        "effective_date",
        "earliest_allowed_date",
        "needs_ticket",
        "billed_until",
        "device_plan_end",
        "charges",
        "allowances",
        "rule_ids",
    }
    assert contract["device_plan_end"] is None  # activate leaves a device plan alone
    fair_use = evaluate("fair-use", VALID["fair-use"], rules)
    assert set(fair_use) == {
        "stage",
        "consecutive_months",
        "actions",
        "termination_allowed",
        "measure",
        "bill_overuse_to_partner_from",
        "report_to_controlling",
    }


@pytest.mark.parametrize("payload", [[], "x", 5, None, True, [{"month": "2026-01"}]])
def test_payload_must_be_an_object(payload: object, rules: RuleSet) -> None:
    assert error_field("goodwill", payload, rules) == ""


def test_unknown_process(rules: RuleSet) -> None:
    assert error_field("fair_use_2", {}, rules) == "process"


def test_unknown_keys_are_ignored(rules: RuleSet) -> None:
    payload = with_value("complaint", "comment", "ignored")
    assert evaluate("complaint", payload, rules)["route"] == "second_line"


@pytest.mark.parametrize(
    ("process", "path"),
    [
        ("contract", "action"),
        ("contract", "date"),
        ("contract", "device_plan.activated"),
        ("contract", "device_plan.instalments_billed"),
        ("contract", "device_plan.financed_amount"),
        ("fair-use", "month"),
        ("fair-use", "exceeded_months"),
        ("fair-use", "mobile_tv"),
        ("fair-use", "combo"),
        ("fair-use", "decision.date"),
        ("fair-use", "decision.measure"),
        ("expiry", "today"),
        ("expiry", "bundles"),
        ("expiry", "bundles.0.id"),
        ("expiry", "bundles.0.end_date"),
        ("goodwill", "package_fee"),
        ("goodwill", "months"),
        ("goodwill", "months.1.month"),
        ("goodwill", "months.1.other_charges"),
        ("goodwill", "months.0.out_of_bundle_data"),
        ("onboarding", "activation_date"),
        ("onboarding", "today"),
        ("complaint", "category"),
        ("complaint", "customer_value"),
        ("complaint", "mass_incident"),
        ("complaint", "first_line_resolved"),
        ("complaint", "second_line_normal"),
    ],
)
def test_missing_required_field(process: str, path: str, rules: RuleSet) -> None:
    assert error_field(process, with_value(process, path, ...), rules) == path
    assert error_field(process, with_value(process, path, None), rules) == path


@pytest.mark.parametrize(
    ("process", "path"),
    [
        ("contract", "subscription.last_upgrade_effective"),
        ("contract", "device_plan"),
        ("contract", "new_device_plan"),
        ("contract", "bill_notice_period"),
        ("contract", "partner_override"),
        ("contract", "end_date"),
        ("contract", "subscription.aio_discount"),
        ("contract", "subscription.allowances"),
        ("fair-use", "decision"),
        ("fair-use", "decision.partner_agrees"),
        ("expiry", "bundles.0.sent"),
        ("goodwill", "minimum_spend"),
        ("onboarding", "vip_rated"),
        ("onboarding", "manager_first_contact"),
        ("onboarding", "done"),
        ("complaint", "retention"),
        ("complaint", "blocker"),
    ],
)
def test_optional_field_may_be_left_out(process: str, path: str, rules: RuleSet) -> None:
    if path == "vip_rated":  # a manager needs a VIP
        payload = with_value(process, "manager_assigned", ...)
        payload.pop("vip_rated")
    else:
        payload = with_value(process, path, ...)
    assert isinstance(evaluate(process, payload, rules), dict)


BAD_DATES = [
    "2026-02-30",
    "2026-02-29",
    "2026-13-01",
    "2026-2-3",
    "20260203",
    "2026-02-03T00:00",
    " 2026-02-03",
    "",
    20260203,
    True,
    ["2026-02-03"],
    "२०२६-०२-०३",
]
DATE_FIELDS = [
    ("contract", "date"),
    ("contract", "subscription.last_upgrade_effective"),
    ("contract", "device_plan.activated"),
    ("contract", "end_date"),
    ("fair-use", "decision.date"),
    ("expiry", "today"),
    ("expiry", "bundles.0.end_date"),
    ("onboarding", "activation_date"),
    ("onboarding", "today"),
    ("onboarding", "vip_rated"),
    ("onboarding", "manager_assigned"),
    ("onboarding", "manager_first_contact"),
]


@pytest.mark.parametrize(("process", "path"), DATE_FIELDS)
@pytest.mark.parametrize("value", BAD_DATES)
def test_bad_dates(process: str, path: str, value: object, rules: RuleSet) -> None:
    assert error_field(process, with_value(process, path, value), rules) == path


def test_leap_day_is_a_date(rules: RuleSet) -> None:
    out = evaluate("contract", {"action": "cancel", "date": "2028-02-29"}, rules)
    assert out["effective_date"] == "2028-05-31"


BAD_MONTHS = ["2026-13", "2026-00", "2026-1", "2026-01-01", "26-01", 202601, "", None]


@pytest.mark.parametrize(
    ("process", "path"),
    [("fair-use", "month"), ("fair-use", "exceeded_months.2"), ("goodwill", "months.1.month")],
)
@pytest.mark.parametrize("value", BAD_MONTHS)
def test_bad_months(process: str, path: str, value: object, rules: RuleSet) -> None:
    assert error_field(process, with_value(process, path, value), rules) == path


BAD_AMOUNTS = [
    "5.005",
    5,
    5.0,
    "5,00",
    "-5.00",
    "+5",
    "5.",
    ".5",
    "1e3",
    "",
    " 5",
    "5 ",
    "٥",
    "NaN",
    True,
    {"amount": "5"},
]
AMOUNT_FIELDS = [
    ("contract", "subscription.monthly_fee"),
    ("contract", "subscription.aio_discount"),
    ("contract", "device_plan.down_payment"),
    ("contract", "device_plan.financed_amount"),
    ("contract", "device_plan.instalment"),
    ("goodwill", "package_fee"),
    ("goodwill", "minimum_spend"),
    ("goodwill", "months.1.other_charges"),
    ("goodwill", "months.0.out_of_bundle_data"),
]


@pytest.mark.parametrize(("process", "path"), AMOUNT_FIELDS)
@pytest.mark.parametrize("value", BAD_AMOUNTS)
def test_bad_amounts(process: str, path: str, value: object, rules: RuleSet) -> None:
    assert error_field(process, with_value(process, path, value), rules) == path


@pytest.mark.parametrize(("value", "shown"), [("5", "5.00"), ("5.5", "5.50"), ("05.00", "5.00")])
def test_amount_forms(value: str, shown: str, rules: RuleSet) -> None:
    payload = {
        "package_fee": "0",
        "minimum_spend": None,
        "months": [{"month": "2026-01", "other_charges": "0", "out_of_bundle_data": value}],
    }
    assert evaluate("goodwill", payload, rules)["total_credit"] == shown


@pytest.mark.parametrize(
    ("process", "path"),
    [
        ("contract", "device_plan.instalments_billed"),
        ("contract", "subscription.allowances.data_mb"),
        ("complaint", "customer_value"),
        ("complaint", "blocker"),
    ],
)
@pytest.mark.parametrize("value", [True, False, 1.0, "3", [3], -1])
def test_bad_integers(process: str, path: str, value: object, rules: RuleSet) -> None:
    if process == "complaint" and path == "blocker":
        payload = with_value(process, "retention", "impossible")
        payload["blocker"] = value
    else:
        payload = with_value(process, path, value)
    assert error_field(process, payload, rules) == path


@pytest.mark.parametrize(
    ("process", "path"),
    [
        ("contract", "bill_notice_period"),
        ("contract", "partner_override"),
        ("fair-use", "mobile_tv"),
        ("fair-use", "combo"),
        ("fair-use", "decision.partner_agrees"),
        ("complaint", "mass_incident"),
        ("complaint", "first_line_resolved"),
        ("complaint", "second_line_normal"),
    ],
)
@pytest.mark.parametrize("value", ["true", 1, 0, "false", []])
def test_bad_booleans(process: str, path: str, value: object, rules: RuleSet) -> None:
    assert error_field(process, with_value(process, path, value), rules) == path


@pytest.mark.parametrize(
    ("process", "path", "value"),
    [
        ("contract", "action", "suspend"),
        ("contract", "action", 3),
        ("contract", "action", ""),
        ("contract", "subscription", "basic"),
        ("contract", "subscription.allowances", [10240]),
        ("contract", "device_plan", []),
        ("fair-use", "exceeded_months", "2026-01"),
        ("fair-use", "decision", "migration"),
        ("fair-use", "decision.measure", "warning"),
        ("fair-use", "decision.measure", 1),
        ("expiry", "bundles", {"id": "b1"}),
        ("expiry", "bundles.0", "b1"),
        ("expiry", "bundles.0.id", ""),
        ("expiry", "bundles.0.id", 7),
        ("expiry", "bundles.0.sent", "month"),
        ("expiry", "bundles.0.sent.0", "day"),
        ("expiry", "bundles.0.sent.0", None),
        ("goodwill", "months", {}),
        ("goodwill", "months.0", ["2010-01"]),
        ("onboarding", "done", "explain_tariff"),
        ("onboarding", "done.0", 3),
        ("onboarding", "done.0", "nap"),
        ("complaint", "category", "shop.noise"),
        ("complaint", "category", "billing_system"),
        ("complaint", "category", 4),
        ("complaint", "customer_value", 0),
        ("complaint", "customer_value", 5),
        ("complaint", "retention", "maybe"),
        ("complaint", "retention", True),
    ],
)
def test_bad_values(process: str, path: str, value: object, rules: RuleSet) -> None:
    assert error_field(process, with_value(process, path, value), rules) == path


@pytest.mark.parametrize(
    ("process", "changes", "field"),
    [
        ("contract", {"action": "cancel_device_plan", "end_date": "2026-04-15"}, "end_date"),
        ("contract", {"action": "cancel_device_plan", "device_plan": None}, "device_plan"),
        ("contract", {"action": "activate_device_plan"}, "new_device_plan"),
        ("contract", {"subscription": None}, "subscription"),
        ("fair-use", {"month": "2026-02"}, "decision"),
        ("fair-use", {"decision": {"date": "2026-02-28", "measure": "migration"}}, "decision.date"),
        ("onboarding", {"today": "2026-02-28"}, "today"),
        ("onboarding", {"manager_assigned": "2026-03-01"}, "manager_assigned"),
        ("onboarding", {"vip_rated": None}, "manager_assigned"),
        ("onboarding", {"manager_first_contact": "2026-03-02"}, "manager_first_contact"),
        ("expiry", {"bundles": [{"id": "a", "end_date": "2026-07-01"}] * 2}, "bundles.1.id"),
        ("complaint", {"retention": "impossible"}, "blocker"),
        ("complaint", {"retention": "impossible", "blocker": 5}, "blocker"),
        ("complaint", {"mass_incident": True, "retention": "impossible"}, "blocker"),
    ],
)
def test_cross_field_errors(
    process: str, changes: dict[str, object], field: str, rules: RuleSet
) -> None:
    payload = copy.deepcopy(VALID[process])
    payload.update(changes)
    assert error_field(process, payload, rules) == field


def test_first_bad_field_in_document_order(rules: RuleSet) -> None:
    payload = with_value("goodwill", "package_fee", "x")
    payload["months"][1]["other_charges"] = "y"
    assert error_field("goodwill", payload, rules) == "package_fee"
