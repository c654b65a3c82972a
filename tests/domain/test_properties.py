"""Invariants of the rules, checked on generated inputs (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import contracts, expiry, fair_use, goodwill, onboarding
from app.domain.calendar import add_months, month_end, month_start
from app.domain.money import format_money, round_money
from app.services.rules import load_ruleset

RULES = load_ruleset()
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
CENTS = st.integers(min_value=0, max_value=10_000_00).map(lambda c: Decimal(c).scaleb(-2))
settings.register_profile("rules", max_examples=100, deadline=None)
settings.load_profile("rules")


@given(DAYS)
def test_cancellation_takes_effect_on_a_month_end(day: date) -> None:
    d = contracts.evaluate(contracts.ContractRequest("cancel", day), RULES.contract)
    assert d.effective_date is not None
    assert d.effective_date == month_end(d.effective_date)
    assert d.effective_date >= add_months(day, 3)
    assert d.effective_date == d.billed_until
    assert month_start(d.effective_date) == month_start(add_months(day, 3))


@given(DAYS, st.sampled_from(["upgrade", "downgrade"]))
def test_changes_take_effect_on_a_first(day: date, action: str) -> None:
    d = contracts.evaluate(contracts.ContractRequest(action, day), RULES.contract)  # type: ignore[arg-type]
    assert d.effective_date is not None and d.effective_date.day == 1
    assert day < d.effective_date <= day + timedelta(days=31)


@given(DAYS, st.integers(min_value=-200, max_value=200))
def test_downgrade_lock(day: date, offset: int) -> None:
    upgraded = month_start(day + timedelta(days=offset))
    request = contracts.ContractRequest(
        "downgrade", day, subscription=contracts.Subscription(last_upgrade_effective=upgraded)
    )
    d = contracts.evaluate(request, RULES.contract)
    lock_end = upgraded + timedelta(days=90)
    if d.allowed:
        assert d.effective_date is not None and d.effective_date >= lock_end
        assert not d.needs_ticket and d.earliest_allowed_date is None
    else:
        earliest = d.earliest_allowed_date
        assert d.needs_ticket and d.effective_date is None and earliest is not None
        assert earliest.day == 1 and earliest >= lock_end
        assert earliest - lock_end < timedelta(days=31)


@given(DAYS, CENTS, CENTS, st.integers(min_value=0, max_value=100_000))
def test_pro_rata_activation_bounds(day: date, fee: Decimal, discount: Decimal, units: int) -> None:
    sub = contracts.Subscription(fee, discount, {"data_mb": units})
    d = contracts.evaluate(contracts.ContractRequest("activate", day, sub), RULES.contract)
    amounts = {c.kind: c.amount for c in d.charges}
    assert Decimal(0) <= amounts.get("base_fee", Decimal(0)) <= fee
    assert -discount <= amounts.get("aio_discount", Decimal(0)) <= 0
    assert all(c.amount != 0 and c.due == day for c in d.charges)
    assert 0 <= d.allowances["data_mb"] <= units
    if day.day == 1:
        assert amounts.get("base_fee", Decimal(0)) == fee


@given(DAYS, st.integers(min_value=0, max_value=400), st.booleans())
def test_device_plan_minimum(activated: date, days: int, override: bool) -> None:
    plan = contracts.DevicePlan(activated, Decimal(0), Decimal(100), Decimal(10), 3)
    when = activated + timedelta(days=days)
    d = contracts.evaluate(
        contracts.ContractRequest(
            "cancel_device_plan", when, device_plan=plan, partner_override=override
        ),
        RULES.contract,
    )
    assert d.allowed is (days >= 120 or override)
    assert (d.device_plan_end == when) is d.allowed
    assert all(c.amount > 0 for c in d.charges)


MONTHS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(month_start)


@given(MONTHS, st.lists(MONTHS, max_size=40), st.booleans(), st.booleans())
def test_stage_never_exceeds_three(
    month: date, exceeded: list[date], mobile_tv: bool, combo: bool
) -> None:
    d = fair_use.evaluate(fair_use.FairUseCase(month, exceeded, mobile_tv, combo), RULES.fair_use)
    assert 0 <= d.stage <= 3
    assert d.stage == min(d.consecutive_months, 3)
    assert d.consecutive_months <= len({m for m in exceeded if m <= month})
    assert (d.stage == 0) is (month not in exceeded)
    assert d.termination_allowed is not (mobile_tv and combo)


@given(
    CENTS,
    st.none() | CENTS,
    st.lists(st.tuples(MONTHS, CENTS, CENTS), max_size=12),
)
def test_credit_is_never_negative(
    fee: Decimal, minimum: Decimal | None, months: list[tuple[date, Decimal, Decimal]]
) -> None:
    disputed = [goodwill.DisputedMonth(*m) for m in months]
    d = goodwill.evaluate(fee, minimum, disputed, RULES.goodwill)
    assert d.total_credit >= 0
    assert all(m.credit >= 0 for m in d.months)
    assert all(m.credit == max(Decimal(0), m.actual - m.counterfactual) for m in d.months)
    assert d.total_credit == sum((m.credit for m in d.months), Decimal("0.00"))
    assert d.total_credit <= sum((m[2] for m in months), Decimal(0))


@given(DAYS, st.lists(st.tuples(DAYS, st.sets(st.sampled_from(["month", "week"]))), max_size=8))
def test_due_reminders_lie_in_their_window(
    today: date, bundles: list[tuple[date, set[str]]]
) -> None:
    items = [expiry.Bundle(f"b{i}", end, frozenset(sent)) for i, (end, sent) in enumerate(bundles)]
    d = expiry.evaluate(today, items, RULES.expiry)
    by_id = {b.id: b for b in items}
    assert [(r.due_date, r.bundle_id) for r in d.due] == sorted(
        (r.due_date, r.bundle_id) for r in d.due
    )
    assert len({r.bundle_id for r in d.due}) == len(d.due)  # at most one per bundle
    for r in d.due:
        bundle = by_id[r.bundle_id]
        assert r.due_date <= today < bundle.end_date
        assert r.reminder not in bundle.sent


@given(DAYS, st.integers(min_value=0, max_value=200), st.booleans())
def test_onboarding_statuses(activation: date, day: int, vip: bool) -> None:
    today = activation + timedelta(days=day)
    case = onboarding.OnboardingCase(activation, today, vip_rated=activation if vip else None)
    d = onboarding.evaluate(case, RULES.onboarding)
    assert d.day == day
    assert (d.stage == "completed") is (day > 90)
    for task in d.tasks:
        assert (task.status == "overdue") is (today > task.due)
    assert ("vip_level_benefits" in {t.id for t in d.tasks}) is vip


@given(st.fractions(min_value=-10_000, max_value=10_000, max_denominator=1000))
def test_money_never_minus_zero(value: Fraction) -> None:
    text = format_money(value)
    assert text != "-0.00"
    assert abs(Decimal(text) - Decimal(value.numerator) / Decimal(value.denominator)) <= Decimal(
        "0.005"
    )
    assert round_money(-value) == -round_money(value)
