"""What a letter is filled from: the placeholder schema and the context checked against it.

A document declares its placeholders in its YAML file as a nested mapping of
types (``customer: {name: text}``, ``months: [{month: month, credit: money}]``);
a trailing ``?`` marks a field as optional (``msisdn: text?``,
``device_plan?: {...}``). The context is plain data (dicts, lists, strings,
dates, Decimals): the case, the customer and the rules engine's decision as
values. It may come straight from JSON (a requested letter's frozen context),
so dates may be ISO strings and amounts decimal strings; :func:`coerce`
turns them into ``date`` and ``Decimal`` and refuses anything else with a
message naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

#: Scalar placeholder types; ``term:NAME`` is a key of the document's ``terms.NAME``.
SCALAR_TYPES = frozenset({"text", "date", "month", "money", "number", "integer", "bool"})


class ContextError(ValueError):
    """The context lacks a placeholder or has a value of the wrong type."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True, slots=True)
class Scalar:
    type: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    fields: dict[str, Node] = field(default_factory=dict)
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Node
    optional: bool = False


Node = Scalar | Record | ListOf


def parse_schema(raw: Any, path: str = "placeholders") -> Node:
    """The schema node for YAML ``raw``; :class:`ValueError` names the bad key."""
    return _parse(raw, path, optional=False)


def _parse(raw: Any, path: str, optional: bool) -> Node:
    if isinstance(raw, str):
        kind = raw.strip()
        if kind.endswith("?"):
            kind, optional = kind[:-1].strip(), True
        if kind not in SCALAR_TYPES and not (kind.startswith("term:") and len(kind) > 5):
            known = ", ".join(sorted(SCALAR_TYPES))
            raise ValueError(f"{path}: unknown type {raw!r} (known: {known}, term:NAME)")
        return Scalar(kind, optional)
    if isinstance(raw, Mapping):
        fields: dict[str, Node] = {}
        for key, value in raw.items():
            name = str(key)
            opt = name.endswith("?")
            name = name.rstrip("?").strip()
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"{path}.{key}: a placeholder name is a plain word")
            fields[name] = _parse(value, f"{path}.{name}", opt)
        return Record(fields, optional)
    if isinstance(raw, list) and len(raw) == 1:
        return ListOf(_parse(raw[0], f"{path}[]", False), optional)
    raise ValueError(f"{path}: expected a type name, a mapping or a one-item list, got {raw!r}")


def merge(*records: Record) -> Record:
    """One record with the fields of all ``records`` (later ones win)."""
    fields: dict[str, Node] = {}
    for record in records:
        fields.update(record.fields)
    return Record(fields)


# --- checking a context --------------------------------------------------------------


def coerce(schema: Record, raw: Mapping[str, Any], terms: Mapping[str, set[str]]) -> dict[str, Any]:
    """The declared part of ``raw`` with typed values; :class:`ContextError` otherwise."""
    result = _coerce(schema, raw, "", terms)
    assert isinstance(result, dict)
    return result


def _coerce(node: Node, value: Any, path: str, terms: Mapping[str, set[str]]) -> Any:
    if value is None or (isinstance(value, str) and value == "" and not _is_text(node)):
        if node.optional:
            return None
        raise ContextError(path or "context", "is required but missing")
    if isinstance(node, Record):
        if not isinstance(value, Mapping):
            raise ContextError(path or "context", f"expected a mapping, got {_kind(value)}")
        return {
            name: _coerce(child, value.get(name), _join(path, name), terms)
            for name, child in node.fields.items()
        }
    if isinstance(node, ListOf):
        if not isinstance(value, list | tuple):
            raise ContextError(path, f"expected a list, got {_kind(value)}")
        return [_coerce(node.item, item, f"{path}[{i}]", terms) for i, item in enumerate(value)]
    return _scalar(node.type, value, path, terms)


def _is_text(node: Node) -> bool:
    return isinstance(node, Scalar) and node.type == "text"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


def _scalar(kind: str, value: Any, path: str, terms: Mapping[str, set[str]]) -> Any:
    if kind == "text":
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
        raise ContextError(path, f"expected text, got {_kind(value)}")
    if kind == "date":
        return _date(value, path)
    if kind == "month":
        if isinstance(value, str) and len(value) == 7:
            value = f"{value}-01"
        return _date(value, path).replace(day=1)
    if kind in ("money", "number"):
        return _decimal(value, path)
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ContextError(path, f"expected a whole number, got {_kind(value)}")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ContextError(path, f"expected true or false, got {_kind(value)}")
    name = kind.removeprefix("term:")
    allowed = terms.get(name, set())
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ContextError(path, f"expected one of {choices}, got {_kind(value)}")
    return value


def _date(value: Any, path: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ContextError(path, f"expected a date (YYYY-MM-DD), got {_kind(value)}")


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if result.is_finite():
                return result
    raise ContextError(path, f'expected a decimal amount such as "24.50", got {_kind(value)}')


# --- JSON ---------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """``value`` with dates as ISO text and Decimals as strings (for ``Letter.context``)."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def instalment_schedule(
    first_month: date, instalment: Decimal, count: int, financed: Decimal
) -> list[dict[str, Any]]:
    """The rows of a device plan's instalment table: number, month, amount, remaining.

    The remaining amount after instalment *k* is ``financed - instalment * k``
    (never below zero); months advance by calendar month from ``first_month``.
    """
    rows = []
    year, month = first_month.year, first_month.month
    for number in range(1, count + 1):
        remaining = max(financed - instalment * number, Decimal("0.00"))
        rows.append(
            {
                "number": number,
                "month": date(year, month, 1),
                "amount": instalment,
                "remaining": remaining,
            }
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows
