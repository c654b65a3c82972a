"""Calendar arithmetic the rules share.

"+ N months" is calendar-month arithmetic clamped to the month's last day
(2026-01-31 + 1 month = 2026-02-28); months are represented by their first day.
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

#: Where a rule puts an effective date relative to a reference day.
Anchor = Literal["same_day", "end_of_month", "first_of_next_month", "first_of_month_on_or_after"]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    return day + relativedelta(months=months)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def days_in_month(day: date) -> int:
    return _stdcal.monthrange(day.year, day.month)[1]


def month_start(day: date) -> date:
    """The first day of ``day``'s month (the way a month is represented)."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=days_in_month(day))


def first_of_next_month(day: date) -> date:
    """The 1st of the month after ``day``'s month."""
    return month_end(day) + timedelta(days=1)


def first_of_month_on_or_after(day: date) -> date:
    """``day`` itself when it is a 1st, else the 1st of the next month."""
    return day if day.day == 1 else first_of_next_month(day)


def previous_month(month: date) -> date:
    """The first day of the month before ``month``'s month."""
    return month_start(month_start(month) - timedelta(days=1))


def days_in_month_from(day: date) -> int:
    """Days from ``day`` to its month's end, both included."""
    return days_in_month(day) - day.day + 1


def apply_anchor(day: date, anchor: Anchor) -> date:
    """Move ``day`` to the date an :data:`Anchor` names."""
    if anchor == "same_day":
        return day
    if anchor == "end_of_month":
        return month_end(day)
    if anchor == "first_of_next_month":
        return first_of_next_month(day)
    if anchor == "first_of_month_on_or_after":
        return first_of_month_on_or_after(day)
    raise ValueError(f"unknown anchor {anchor!r}")
