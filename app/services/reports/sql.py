"""Portable SQL pieces the reports share: months and days as ISO text, date arithmetic.

Points in time are stored in UTC (SQLite: naive ISO text, PostgreSQL:
``timestamptz``); a report takes their month and day in UTC. Calendar dates
(``DATE`` columns, dates kept as ISO text in JSON facts) are taken as they are.
Each construct compiles to plain SQL on SQLite and on PostgreSQL, so the
reports aggregate in the database on both engines.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _Text(FunctionElement[str]):
    type = String()
    inherit_cache = True


class month_of(_Text):  # noqa: N801 - used like a SQL function
    """``YYYY-MM`` of a point in time (UTC)."""

    name = "month_of"
    inherit_cache = True


class day_of(_Text):  # noqa: N801
    """``YYYY-MM-DD`` of a point in time (UTC)."""

    name = "day_of"
    inherit_cache = True


class date_text(_Text):  # noqa: N801
    """``YYYY-MM-DD`` of a calendar date (a DATE column or ISO text)."""

    name = "date_text"
    inherit_cache = True


class date_month(_Text):  # noqa: N801
    """``YYYY-MM`` of a calendar date (a DATE column or ISO text)."""

    name = "date_month"
    inherit_cache = True


class add_days(_Text):  # noqa: N801
    """``YYYY-MM-DD`` of a calendar date plus a number of days (an integer expression)."""

    name = "add_days"
    inherit_cache = True


class add_months_clamped(_Text):  # noqa: N801
    """``YYYY-MM-DD`` of a calendar date plus N calendar months (a literal integer, may be
    negative), clamped to the month's last day (2026-03-31 - 1 month = 2026-02-28)."""

    name = "add_months_clamped"
    inherit_cache = False  # the months are part of the SQL text

    def __init__(self, expr: Any, months: int) -> None:
        self.months = int(months)
        super().__init__(expr)


def _args(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"substr({_args(element, compiler, **kw)[0]}, 1, 7)"


@compiles(month_of, "postgresql")
def _month_of_pg(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"to_char(({_args(element, compiler, **kw)[0]}) AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"substr({_args(element, compiler, **kw)[0]}, 1, 10)"


@compiles(day_of, "postgresql")
def _day_of_pg(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"to_char(({_args(element, compiler, **kw)[0]}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@compiles(date_text, "sqlite")
def _date_text_sqlite(element: date_text, compiler: Any, **kw: Any) -> str:
    return f"date({_args(element, compiler, **kw)[0]})"


@compiles(date_text, "postgresql")
def _date_text_pg(element: date_text, compiler: Any, **kw: Any) -> str:
    return f"to_char(CAST({_args(element, compiler, **kw)[0]} AS DATE), 'YYYY-MM-DD')"


@compiles(date_month, "sqlite")
def _date_month_sqlite(element: date_month, compiler: Any, **kw: Any) -> str:
    return f"substr(date({_args(element, compiler, **kw)[0]}), 1, 7)"


@compiles(date_month, "postgresql")
def _date_month_pg(element: date_month, compiler: Any, **kw: Any) -> str:
    return f"to_char(CAST({_args(element, compiler, **kw)[0]} AS DATE), 'YYYY-MM')"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = _args(element, compiler, **kw)
    return f"date({day}, (({days}) || ' days'))"


@compiles(add_days, "postgresql")
def _add_days_pg(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = _args(element, compiler, **kw)
    return f"to_char(CAST({day} AS DATE) + CAST({days} AS INTEGER), 'YYYY-MM-DD')"


@compiles(add_months_clamped, "sqlite")
def _add_months_sqlite(element: add_months_clamped, compiler: Any, **kw: Any) -> str:
    (day,) = _args(element, compiler, **kw)
    n = element.months
    # The same day in the target month, or that month's last day when it is shorter.
    same_day = (
        f"date({day}, 'start of month', '{n:+d} months', "
        f"'+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days')"
    )
    last_day = f"date({day}, 'start of month', '{n + 1:+d} months', '-1 days')"
    return f"min({same_day}, {last_day})"


@compiles(add_months_clamped, "postgresql")
def _add_months_pg(element: add_months_clamped, compiler: Any, **kw: Any) -> str:
    (day,) = _args(element, compiler, **kw)
    return (
        f"to_char(CAST(CAST({day} AS DATE) + INTERVAL '{element.months} months' AS DATE), "
        "'YYYY-MM-DD')"
    )


class json_is_false(FunctionElement[bool]):  # noqa: N801
    """Whether a JSON column holds ``false`` at a path of keys (a literal tuple)."""

    name = "json_is_false"
    inherit_cache = False  # the path is part of the SQL text

    def __init__(self, expr: Any, path: tuple[str, ...]) -> None:
        self.path = path
        super().__init__(expr)


@compiles(json_is_false, "sqlite")
def _json_false_sqlite(element: json_is_false, compiler: Any, **kw: Any) -> str:
    (column,) = _args(element, compiler, **kw)
    path = "$." + ".".join(element.path)
    return f"(json_type({column}, '{path}') = 'false')"


@compiles(json_is_false, "postgresql")
def _json_false_pg(element: json_is_false, compiler: Any, **kw: Any) -> str:
    (column,) = _args(element, compiler, **kw)
    path = "{" + ",".join(element.path) + "}"
    return f"((CAST({column} AS JSONB) #> '{path}') = 'false'::jsonb)"


class json_list_has(FunctionElement[bool]):  # noqa: N801
    """Whether a JSON column holding a list of strings holds a value (a text expression)."""

    type = Boolean()
    name = "json_list_has"
    inherit_cache = True


@compiles(json_list_has, "sqlite")
def _json_list_has_sqlite(element: json_list_has, compiler: Any, **kw: Any) -> str:
    column, value = _args(element, compiler, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) AS item WHERE item.value = {value})"


@compiles(json_list_has, "postgresql")
def _json_list_has_pg(element: json_list_has, compiler: Any, **kw: Any) -> str:
    column, value = _args(element, compiler, **kw)
    return f"(CAST({column} AS JSONB) @> jsonb_build_array(CAST({value} AS TEXT)))"
