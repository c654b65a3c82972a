"""Contract rules: notice, partner cancellation, up/downgrades, device plans, pro rata."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain import contracts
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet
from app.services.rules_api import evaluate

PLAN = contracts.DevicePlan(
    activated=date(2025, 10, 3),
    down_payment=Decimal("99.00"),
    financed_amount=Decimal("720.00"),
    instalment=Decimal("30.00"),
    instalments_billed=5,
)


def decide(rules: RuleSet, **kwargs: object) -> contracts.ContractDecision:
    return contracts.evaluate(contracts.ContractRequest(**kwargs), rules.contract)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("request_date", "effective"),
    [
        ("2026-01-15", "2026-04-30"),  # PROCESSES.md
        ("2026-11-30", "2027-02-28"),  # PROCESSES.md
        ("2026-01-01", "2026-04-30"),
        ("2026-01-31", "2026-04-30"),
        ("2025-11-30", "2026-02-28"),
        ("2027-11-29", "2028-02-29"),  # leap year
        ("2026-12-31", "2027-03-31"),
    ],
)
def test_customer_cancellation(rules: RuleSet, request_date: str, effective: str) -> None:
    out = evaluate("contract", {"action": "cancel", "date": request_date}, rules)
    assert out["effective_date"] == effective
    assert out["billed_until"] == effective
    assert out["allowed"] is True
    assert out["device_plan_end"] is None
    assert out["charges"] == []


def test_cancel_ends_device_plan_and_charges_remaining(rules: RuleSet) -> None:
    d = decide(rules, action="cancel", date=date(2026, 1, 15), device_plan=PLAN)
    assert d.device_plan_end == date(2026, 1, 15)
    assert d.charges == (
        contracts.Charge("device_plan_remaining", Decimal("570.00"), date(2026, 1, 15)),
    )
    assert "contract.device_plan.ends_with_subscription" in d.rule_ids
    assert d.ruleset_version == "2026.1"


def test_fully_paid_plan_charges_nothing(rules: RuleSet) -> None:
    paid = contracts.DevicePlan(date(2024, 1, 1), Decimal(0), Decimal(720), Decimal(30), 30)
    d = decide(rules, action="partner_cancel", date=date(2026, 1, 15), device_plan=paid)
    assert paid.remaining() == 0  # never below zero
    assert d.charges == ()
    assert d.device_plan_end == date(2026, 1, 15)


@pytest.mark.parametrize(("billed", "until"), [(False, "2026-05-20"), (True, "2026-08-31")])
def test_partner_cancel(rules: RuleSet, billed: bool, until: str) -> None:
    out = evaluate(
        "contract",
        {"action": "partner_cancel", "date": "2026-05-20", "bill_notice_period": billed},
        rules,
    )
    assert out["effective_date"] == "2026-05-20"
    assert out["billed_until"] == until


@pytest.mark.parametrize(
    ("request_date", "effective"),
    [("2026-01-15", "2026-02-01"), ("2026-12-31", "2027-01-01"), ("2026-03-01", "2026-04-01")],
)
def test_upgrade_and_plain_downgrade_next_month(
    rules: RuleSet, request_date: str, effective: str
) -> None:
    for action in ("upgrade", "downgrade"):
        out = evaluate("contract", {"action": action, "date": request_date}, rules)
        assert out["effective_date"] == effective
        assert out["allowed"] is True
        assert out["needs_ticket"] is False


@pytest.mark.parametrize(
    ("upgraded", "request_date", "allowed", "result"),
    [
        # lock ends 2026-03-01 exactly, a 1st: that 1st is allowed
        ("2025-12-01", "2026-01-31", False, "2026-03-01"),
        ("2025-12-01", "2026-02-01", True, "2026-03-01"),
        # lock ends 2026-05-02: earliest is the 1st on or after it
        ("2026-02-01", "2026-04-15", False, "2026-06-01"),
        ("2026-02-01", "2026-05-01", True, "2026-06-01"),
        # long after the upgrade
        ("2025-01-01", "2026-01-15", True, "2026-02-01"),
        # an upgrade not yet effective locks too
        ("2026-02-01", "2026-01-20", False, "2026-06-01"),
    ],
)
def test_downgrade_lock(
    rules: RuleSet, upgraded: str, request_date: str, allowed: bool, result: str
) -> None:
    out = evaluate(
        "contract",
        {
            "action": "downgrade",
            "date": request_date,
            "subscription": {"last_upgrade_effective": upgraded},
        },
        rules,
    )
    assert out["allowed"] is allowed
    assert out["needs_ticket"] is not allowed
    if allowed:
        assert (out["effective_date"], out["earliest_allowed_date"]) == (result, None)
    else:
        assert (out["effective_date"], out["earliest_allowed_date"]) == (None, result)


@pytest.mark.parametrize(("days", "allowed"), [(119, False), (120, True), (121, True)])
def test_device_plan_minimum_days(rules: RuleSet, days: int, allowed: bool) -> None:
    request = PLAN.activated + timedelta(days=days)
    d = decide(rules, action="cancel_device_plan", date=request, device_plan=PLAN)
    assert d.allowed is allowed
    if allowed:
        assert d.effective_date == d.device_plan_end == request
        assert d.charges[0].due == request
    else:
        assert d.earliest_allowed_date == PLAN.activated + timedelta(days=120)
        assert d.effective_date is None and d.device_plan_end is None and d.charges == ()


def test_device_plan_minimum_checked_against_end_date(rules: RuleSet) -> None:
    d = decide(
        rules,
        action="cancel_device_plan",
        date=date(2025, 11, 1),
        end_date=PLAN.activated + timedelta(days=120),
        device_plan=PLAN,
    )
    assert d.allowed and d.device_plan_end == date(2026, 1, 31)
    assert d.charges[0].due == date(2026, 1, 31)


def test_partner_override(rules: RuleSet) -> None:
    d = decide(
        rules,
        action="cancel_device_plan",
        date=date(2025, 10, 4),
        device_plan=PLAN,
        partner_override=True,
    )
    assert d.allowed and "contract.device_plan.partner_override" in d.rule_ids


def test_cancel_device_plan_input_errors(rules: RuleSet) -> None:
    with pytest.raises(RuleInputError) as caught:
        decide(rules, action="cancel_device_plan", date=date(2026, 3, 1))
    assert caught.value.field == "device_plan"
    with pytest.raises(RuleInputError) as caught:
        decide(
            rules,
            action="cancel_device_plan",
            date=date(2026, 3, 1),
            end_date=date(2026, 2, 28),
            device_plan=PLAN,
        )
    assert caught.value.field == "end_date"


@pytest.mark.parametrize(
    ("activation", "fee", "discount", "base", "aio", "data_mb"),
    [
        ("2026-04-16", "49.00", "10.00", "24.50", "-5.00", 5120),  # PROCESSES.md
        ("2026-04-01", "49.00", "10.00", "49.00", "-10.00", 10240),
        ("2026-04-30", "49.00", "10.00", "1.63", "-0.33", 341),
        ("2026-02-15", "9.99", "9.99", "5.00", "-5.00", 5120),  # 14/28 = 1/2, exact half
        ("2028-02-15", "29.00", "0.00", "15.00", None, 5296),  # 15/29
        ("2026-01-31", "0.10", "0.10", None, None, 330),  # 1/31: rounds to 0.00, left out
    ],
)
def test_pro_rata_activation(
    rules: RuleSet,
    activation: str,
    fee: str,
    discount: str,
    base: str | None,
    aio: str | None,
    data_mb: int,
) -> None:
    out = evaluate(
        "contract",
        {
            "action": "activate",
            "date": activation,
            "subscription": {
                "monthly_fee": fee,
                "aio_discount": discount,
                "allowances": {"data_mb": 10240},
            },
        },
        rules,
    )
    charges = {c["kind"]: c["amount"] for c in out["charges"]}
    assert charges.get("base_fee") == base
    assert charges.get("aio_discount") == aio
    assert all(c["due"] == activation for c in out["charges"])
    assert out["allowances"] == {"data_mb": data_mb}
    assert out["effective_date"] == activation


def test_activate_needs_monthly_fee(rules: RuleSet) -> None:
    with pytest.raises(RuleInputError) as caught:
        decide(rules, action="activate", date=date(2026, 1, 1))
    assert caught.value.field == "subscription"
    with pytest.raises(RuleInputError) as caught:
        decide(
            rules, action="activate", date=date(2026, 1, 1), subscription=contracts.Subscription()
        )
    assert caught.value.field == "subscription.monthly_fee"


def test_activate_device_plan_without_old_plan(rules: RuleSet) -> None:
    d = decide(rules, action="activate_device_plan", date=date(2026, 2, 10), new_device_plan=PLAN)
    assert d.charges == (contracts.Charge("down_payment", Decimal("99.00"), date(2026, 2, 10)),)
    assert d.device_plan_end is None
    with pytest.raises(RuleInputError) as caught:
        decide(rules, action="activate_device_plan", date=date(2026, 2, 10))
    assert caught.value.field == "new_device_plan"


def test_charges_sorted_by_due_then_kind(rules: RuleSet) -> None:
    d = decide(
        rules,
        action="activate_device_plan",
        date=date(2026, 2, 10),
        device_plan=PLAN,
        new_device_plan=PLAN,
    )
    assert [c.kind for c in d.charges] == ["device_plan_remaining", "down_payment"]


def test_unknown_action_in_domain(rules: RuleSet) -> None:
    with pytest.raises(RuleInputError) as caught:
        decide(rules, action="suspend", date=date(2026, 2, 10))
    assert caught.value.field == "action"
