"""What a report is: a name, its columns, a query over a month range, a chart.

A report's query runs set-based in the database and yields its rows one by
one (tuples in the order of :attr:`Report.columns`), so a writer can stream
them. :class:`Period` is the month range the user asked for (``--from`` and
``--to`` months, both included) and the day the report is made (``today``:
what is "overdue" is overdue on that day).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import Session

from app.domain.calendar import add_months
from app.i18n import _
from app.services.errors import ValidationError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")

#: A report row: one value per column.
Row = tuple[Any, ...]


def parse_month(value: str, field: str = "month") -> date:
    """The first day of month ``value`` (``YYYY-MM``); :class:`ValidationError` naming it."""
    found = MONTH.match(value.strip()) if isinstance(value, str) else None
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        raise ValidationError(
            _("{value!r} is not a month: write it as YYYY-MM, e.g. 2026-03.").format(value=value),
            field=field,
        )
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_key(day: date) -> str:
    return day.strftime("%Y-%m")


@dataclass(frozen=True)
class Period:
    """Months ``first`` to ``last`` (both included), as of ``today``."""

    first: date
    last: date
    today: date

    @classmethod
    def of(cls, first: str, last: str, today: date) -> Period:
        start = parse_month(first, "from")
        end = parse_month(last, "to")
        if end < start:
            raise ValidationError(
                _("The months run backwards: {first} is after {last}.").format(
                    first=month_key(start), last=month_key(end)
                ),
                field="to",
            )
        return cls(start, end, today)

    @property
    def first_key(self) -> str:
        return month_key(self.first)

    @property
    def last_key(self) -> str:
        return month_key(self.last)

    @property
    def start_day(self) -> str:
        """The first day, ``YYYY-MM-DD``."""
        return self.first.isoformat()

    @property
    def last_day(self) -> date:
        """The last day of the last month."""
        return add_months(self.last, 1) - timedelta(days=1)

    @property
    def end_day(self) -> str:
        """The last day of the last month, ``YYYY-MM-DD``."""
        return self.last_day.isoformat()

    @property
    def start_at(self) -> datetime:
        return datetime(self.first.year, self.first.month, 1, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The first moment after the range (exclusive)."""
        after = add_months(self.last, 1)
        return datetime(after.year, after.month, 1, tzinfo=UTC)

    def months(self, before: int = 0) -> list[date]:
        """The months of the range, starting ``before`` months earlier."""
        out: list[date] = []
        month = add_months(self.first, -before)
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out


@dataclass(frozen=True)
class Chart:
    """What the chart shows: the sum of ``values`` per ``group`` (x axis); with ``series``,
    one bar per value of that column within each group (then ``values`` has one column)."""

    group: str
    values: tuple[str, ...]
    series: str | None = None


#: A report's query: session, period and the partner whose customers alone it covers.
Query = Callable[[Session, Period, uuid.UUID | None], Iterator[Row]]


@dataclass(frozen=True)
class Report:
    name: str
    #: Title (marked with ``N_``; translate at display).
    title: str
    columns: tuple[str, ...]
    query: Query
    chart: Chart | None = None
    #: A partner may run it on its own customers (``Action.PARTNER_REPORT``).
    partner_report: bool = False


def literal_table(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Any:
    """A small derived table of literal rows (``SELECT ... UNION ALL ...``), portable."""
    selects: list[Select[Any]] = [
        select(*(literal(value).label(name) for name, value in zip(names, row, strict=True)))
        for row in rows
    ]
    if len(selects) == 1:
        return selects[0].subquery()
    return union_all(*selects).subquery()
