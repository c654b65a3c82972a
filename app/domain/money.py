"""Money: exact decimals, rounded half-up to the minor unit only at the end.

A negative amount is rounded by its magnitude, then negated (-5.005 -> -5.01),
and zero is never written as "-0.00".
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal | Fraction | int) -> Decimal:
    """Round an exact amount half-up (away from zero on a tie) to the cent."""
    if isinstance(value, Fraction):
        cents, rest = divmod(abs(value.numerator) * 100, value.denominator)
        if 2 * rest >= value.denominator:
            cents += 1
        result = Decimal(-cents if value < 0 else cents).scaleb(-2)
    else:
        result = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return result if result else ZERO


def round_down_units(value: Fraction | Decimal | int) -> int:
    """Round down to a whole unit (allowances: minutes, megabytes)."""
    if isinstance(value, Fraction):
        return value.numerator // value.denominator
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR))


def format_money(value: Decimal | Fraction | int) -> str:
    """``"24.50"``: two decimals, half-up, never ``"-0.00"``."""
    return f"{round_money(value):.2f}"
