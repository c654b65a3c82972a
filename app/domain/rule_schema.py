"""The schema every rule file shares: strict models, field types, error messages.

Rule files are plain mappings here (the service layer reads the TOML); this
module only checks them. Every model is strict and forbids unknown keys, so a
typo in a rule file is an error, reported as one line naming the file, the key
(dotted path, zero-based list indexes) and the problem::

    contract.toml: cancel.notice_months: Input should be a valid integer

Every file starts with ``[meta]`` (version, the date from which it applies, a
description) and ends with ``[[examples]]``: input and expected output of the
``agent-assist rules`` command as JSON text, which the test suite runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

_AMOUNT_RE = re.compile(r"-?0*[0-9]{1,12}(?:\.[0-9]{1,2})?", re.ASCII)
_RULE_ID_RE = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
_ID_RE = r"^[a-z0-9_]+$"


#: How deeply JSON (``agent-assist rules`` input, rule-file examples) may nest;
#: the documented inputs nest three levels.
MAX_JSON_DEPTH = 32
_JSON_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


class JsonTextError(ValueError):
    """JSON text that cannot be read; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message}: line {line} column {column}")
        self.message = message
        self.line = line
        self.column = column


def load_json_text(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text as the rules read it: NaN and Infinity refused, nesting bounded.

    Raises :class:`JsonTextError` naming line and column (never RecursionError).
    """
    depth = 0
    for token in _JSON_TOKEN_RE.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, token.start()) + 1
                column = token.start() - (text.rfind("\n", 0, token.start()) + 1) + 1
                raise JsonTextError(f"nested deeper than {max_depth} levels", line, column)
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise JsonTextError(exc.msg, exc.lineno, exc.colno) from None
    except (ValueError, RecursionError) as exc:  # numbers beyond int's digit limit
        raise JsonTextError(str(exc).split(":")[0], 1, 1) from None


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


class RuleFileError(Exception):
    """A rule file that is missing, unreadable or breaks the schema."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        #: The line of the file the key is at, when the reader found it.
        self.line: int | None = None
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")

    def with_line(self) -> str:
        """The message with the line it is at, for people editing the file."""
        return f"{self} (line {self.line})" if self.line is not None else str(self)


class RuleTableError(Exception):
    """A cross-field problem found by a model validator (not a ValueError, so
    pydantic lets it through with the key it names)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def _iso_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else value
        except ValueError:
            return value
    return value


def _amount(value: object) -> object:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and _AMOUNT_RE.fullmatch(value):
        return Decimal(value)
    raise ValueError(
        "an amount is a string with at most 12 digits before and two after the decimal "
        'point, such as "24.50"'
    )


#: A date written as a TOML date (2026-01-01) or an ISO string ("2026-01-01").
RuleDate = Annotated[date, BeforeValidator(_iso_date)]
#: Money written as a string with at most two decimals ("100.00").
RuleAmount = Annotated[Decimal, BeforeValidator(_amount)]
RuleId = Annotated[str, Field(pattern=_RULE_ID_RE)]
Ident = Annotated[str, Field(pattern=_ID_RE)]
Days = Annotated[int, Field(ge=0, le=3660)]


class Strict(BaseModel):
    """Base of every rule-file model: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Meta(Strict):
    version: Annotated[str, Field(min_length=1)]
    valid_from: RuleDate
    description: Annotated[str, Field(min_length=1)]


class Example(Strict):
    """One ``agent-assist rules`` case: input and expected output as JSON text.

    An expected output ``{"error": {"field": "..."}}`` says the input is
    invalid in that field (a ``message``, when given, must match too).
    """

    name: Annotated[str, Field(min_length=1)]
    input: str
    output: str

    def input_data(self) -> Any:
        return load_json_text(self.input)

    def output_data(self) -> Any:
        return load_json_text(self.output)


class RuleFile(Strict):
    """What every rule file has: ``[meta]`` and its ``[[examples]]``."""

    meta: Meta
    examples: list[Example] = []

    @property
    def version(self) -> str:
        return self.meta.version

    def check_examples(self) -> None:
        for index, example in enumerate(self.examples):
            for part in ("input", "output"):
                try:
                    data = load_json_text(getattr(example, part))
                except JsonTextError as exc:
                    raise RuleTableError(
                        f"examples.{index}.{part}", f"not valid JSON ({exc})"
                    ) from None
                if not isinstance(data, dict):
                    raise RuleTableError(f"examples.{index}.{part}", "must be a JSON object")


def unique(items: list[Any], attr: str, key: str) -> None:
    """Raise when two items of a table share ``attr``."""
    seen: set[object] = set()
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            raise RuleTableError(f"{key}.{index}.{attr}", f"duplicate {attr} {value!r}")
        seen.add(value)


def format_validation_error(file: str, error: ValidationError) -> RuleFileError:
    """The first schema problem as a :class:`RuleFileError` (others counted)."""
    problems = error.errors(include_url=False)
    first = problems[0]
    key = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] == "extra_forbidden":
        message = "unknown key (not part of this rule file)"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem(s))"
    return RuleFileError(file, key, message)


def load_rule_file(model: type[RuleFile], file: str, data: Mapping[str, Any]) -> RuleFile:
    """Validate one rule file's mapping; raise :class:`RuleFileError` naming the problem."""
    try:
        rules = model.model_validate(data)
        rules.check_examples()
    except ValidationError as exc:
        raise format_validation_error(file, exc) from None
    except RuleTableError as exc:
        raise RuleFileError(file, exc.key, exc.problem) from None
    return rules
