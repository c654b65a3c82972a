"""Calendar and money helpers: month ends, leap years, half-up rounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain import calendar as cal
from app.domain.money import format_money, round_down_units, round_money


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2028, 3, 30), -1, date(2028, 2, 29)),
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert cal.add_months(day, months) == expected


def test_month_helpers() -> None:
    assert cal.month_end(date(2028, 2, 3)) == date(2028, 2, 29)
    assert cal.month_end(date(2026, 2, 3)) == date(2026, 2, 28)
    assert cal.month_end(date(2026, 12, 31)) == date(2026, 12, 31)
    assert cal.first_of_next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert cal.first_of_next_month(date(2026, 3, 1)) == date(2026, 4, 1)
    assert cal.first_of_month_on_or_after(date(2026, 3, 1)) == date(2026, 3, 1)
    assert cal.first_of_month_on_or_after(date(2026, 3, 2)) == date(2026, 4, 1)
    assert cal.previous_month(date(2026, 1, 20)) == date(2025, 12, 1)
    assert cal.days_in_month_from(date(2026, 4, 16)) == 15
    assert cal.days_in_month(date(2028, 2, 1)) == 29


def test_apply_anchor_rejects_unknown_anchor() -> None:
    with pytest.raises(ValueError):
        cal.apply_anchor(date(2026, 1, 1), "tomorrow")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(999, 200), "5.00"),  # 9.99 x 1/2 = 4.995: a tie rounds up
        (-Fraction(999, 200), "-5.00"),  # by magnitude, then negated
        (Decimal("5.005"), "5.01"),
        (Decimal("-5.005"), "-5.01"),
        (Decimal("5.0049"), "5.00"),
        (Decimal("-0.004"), "0.00"),  # never "-0.00"
        (-Fraction(1, 1000), "0.00"),
        (Decimal("-0.00"), "0.00"),
        (Fraction(49, 2), "24.50"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (0, "0.00"),
        (Decimal("168.82"), "168.82"),
    ],
)
def test_money_rounds_half_up_by_magnitude(value: Decimal | Fraction, expected: str) -> None:
    assert format_money(value) == expected
    assert str(round_money(value)) == expected


def test_round_down_units() -> None:
    assert round_down_units(Fraction(10240, 2)) == 5120
    assert round_down_units(Fraction(299, 2)) == 149
    assert round_down_units(Decimal("34.99")) == 34
    assert round_down_units(7) == 7
