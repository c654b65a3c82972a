"""One cell of an import file: parsing a text into a value, or saying why not.

Every parser takes the cell's text with surrounding blanks already removed
and returns the value or raises :class:`CellError` with a reason the operator
can act on. Empty cells never reach a parser: the column decides what empty
means (required: a problem; optional: its default, else "none").

Words (booleans and enumerations) are accepted in any letter case, because
spreadsheet programs write ``TRUE``/``FALSE``; they are stored in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers

from app.i18n import _

#: The largest whole number an ``Integer`` column holds on every engine.
MAX_INT = 2**31 - 1
#: Amounts up to a billion in the currency: far beyond any contract.
MAX_AMOUNT = Decimal("999999999.99")

# ASCII digits only, as IMPORT.md's formats say: ``\d`` alone would take any
# script's digits (``２０２６-０１`` would become a second January 2026).
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_WHOLE = re.compile(r"[0-9]+")
#: Control characters other than tab and line breaks (a quoted cell may span
#: lines), and lone surrogates: no name holds them and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class CellError(ValueError):
    """A cell's text is not a value of its column; the message says why."""


Parser = Callable[[str], Any]


def text(max_length: int) -> Parser:
    """Free text of at most ``max_length`` characters (the column's size)."""

    def parse(value: str) -> str:
        if _CONTROL.search(value):
            raise CellError(
                _("{value!r} contains a control character").format(value=value[:max_length])
            )
        if len(value) > max_length:
            raise CellError(
                _("longer than {limit} characters ({length})").format(
                    limit=max_length, length=len(value)
                )
            )
        return value

    return parse


def parse_date(value: str) -> date:
    """``YYYY-MM-DD``, a real calendar day."""
    match = _DATE.fullmatch(value)
    if not match:
        raise CellError(_("{value!r} is not a date YYYY-MM-DD").format(value=value))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("{value!r} is not a day of the calendar").format(value=value)) from None


def parse_month(value: str) -> str:
    """``YYYY-MM``, month 01 to 12; returned as the same text (months are text)."""
    match = _MONTH.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise CellError(_("{value!r} is not a month YYYY-MM").format(value=value))
    return value


def parse_amount(value: str) -> Decimal:
    """A non-negative amount, ``.`` as decimal separator, at most two decimals."""
    if not _AMOUNT.fullmatch(value):
        if re.fullmatch(r"[0-9]+,[0-9]{1,2}", value):
            reason = _("{value!r}: write amounts with '.' as the decimal separator")
        elif re.fullmatch(r"[0-9]+\.[0-9]{3,}", value):
            reason = _("{value!r} has more than two decimals")
        elif value.startswith("-"):
            reason = _("{value!r} is negative")
        else:
            reason = _("{value!r} is not an amount like 49.00")
        raise CellError(reason.format(value=value))
    amount = Decimal(value)
    if amount > MAX_AMOUNT:
        raise CellError(_("{value!r} is too large").format(value=value))
    return amount.quantize(Decimal("0.01"))


def parse_count(value: str) -> int:
    """A whole number from 0 (megabytes, minutes, instalments)."""
    if not _WHOLE.fullmatch(value):
        raise CellError(_("{value!r} is not a whole number from 0").format(value=value))
    if len(value.lstrip("0")) > len(str(MAX_INT)):
        raise CellError(_("{value!r} is too large").format(value=value[:40]))
    number = int(value)
    if number > MAX_INT:
        raise CellError(_("{value!r} is too large").format(value=value))
    return number


def integer_range(low: int, high: int) -> Parser:
    """A whole number from ``low`` to ``high``."""

    def parse(value: str) -> int:
        if (
            not _WHOLE.fullmatch(value)
            or len(value.lstrip("0")) > len(str(high))
            or not low <= int(value) <= high
        ):
            raise CellError(
                _("{value!r} is not a whole number from {low} to {high}").format(
                    value=value, low=low, high=high
                )
            )
        return int(value)

    return parse


def parse_bool(value: str) -> bool:
    """``true`` or ``false`` (any letter case)."""
    word = value.lower()
    if word not in ("true", "false"):
        raise CellError(_("{value!r} is neither true nor false").format(value=value))
    return word == "true"


def one_of(choices: Sequence[str]) -> Parser:
    """One word out of ``choices`` (any letter case), stored in lower case."""

    def parse(value: str) -> str:
        word = value.lower()
        if word not in choices:
            raise CellError(
                _("{value!r} is not one of {choices}").format(
                    value=value, choices=", ".join(choices)
                )
            )
        return word

    return parse


def list_of(choices: Sequence[str]) -> Parser:
    """``;``-separated words out of ``choices``, without repeats, in ``choices`` order."""
    word = one_of(choices)

    def parse(value: str) -> list[str]:
        items = [part.strip() for part in value.split(";")]
        found = {word(item) for item in items if item}
        return [choice for choice in choices if choice in found]

    return parse


def parse_country(value: str) -> str:
    """An ISO 3166 alpha-2 country with a telephone numbering plan (``CH``, ``CN``)."""
    code = value.upper()
    if len(code) != 2 or code not in phonenumbers.SUPPORTED_REGIONS:
        raise CellError(
            _("{value!r} is not a two-letter country code like CH, CN or RU").format(value=value)
        )
    return code


@dataclass(frozen=True)
class Column:
    """One column a kind of file may have."""

    name: str
    parse: Parser
    required: bool = False
    #: What an empty cell (or an absent column, for a new row) stands for.
    default: Any = None

    def value(self, raw: str) -> Any:
        """The cell's value; raises :class:`CellError` when it is not acceptable."""
        cell = raw.strip()
        if not cell:
            if self.required:
                raise CellError(_("is empty, but required"))
            return list(self.default) if isinstance(self.default, list) else self.default
        return self.parse(cell)
