"""Hostile input for the rules engine's JSON face: never a traceback.

Every payload — a valid one with any field replaced by any JSON value (huge
numbers, 40-digit amounts, the first and last dates of the calendar, deep
nesting) — is either answered or refused with :class:`InputError`; the
command exits 0 or 2 and never prints a traceback.
"""

from __future__ import annotations

import copy
import io
import json
import re
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.services.rules import load_ruleset
from app.services.rules_api import InputError, evaluate
from tests.domain.test_rules_api import VALID

RULES = load_ruleset()

EDGE_TEXTS = [
    "0001-01-01",
    "9999-12-31",
    "9999-12",
    "0001-01",
    "0000-01",
    "2026-02-29",
    "２０２６-０１",
    "２０２６-０１-０１",
    "9" * 29,
    "9" * 40 + ".99",
    "0." + "0" * 50,
    "1e400",
    "NaN",
    "",
    "\x00",
    "b1",
    "month",
    "migration",
    "cancel",
]
EDGE_INTS = [0, -1, 1, 2**31, 2**63, 10**30, -(10**30), 10**4000 // 10**3990]

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(EDGE_INTS),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(EDGE_TEXTS),
    st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a payload a value can be put (keys of objects, list slots)."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _put(payload: Any, path: tuple[Any, ...], value: object) -> Any:
    payload = copy.deepcopy(payload)
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return payload


@st.composite
def mutated_payloads(draw: st.DrawFn) -> tuple[str, Any]:
    process = draw(st.sampled_from(sorted(VALID)))
    payload: Any = VALID[process]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(payload)))
        payload = _put(payload, path, draw(JSON_VALUES))
    return process, payload


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_payloads())
def test_any_field_value_is_answered_or_refused(case: tuple[str, Any]) -> None:
    process, payload = case
    try:
        result = evaluate(process, payload, RULES)
    except InputError as exc:
        assert exc.message.strip()
        return
    json.dumps(result)  # the answer is JSON


def _get(payload: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        payload = payload[part]
    return payload


AMOUNT_FIELDS = [
    (process, path)
    for process in sorted(VALID)
    for path in _paths(VALID[process])
    if isinstance(_get(VALID[process], path), str)
    and re.fullmatch(r"[0-9]+\.[0-9]{2}", _get(VALID[process], path))
]


@pytest.mark.parametrize(("process", "path"), AMOUNT_FIELDS)
@pytest.mark.parametrize("value", ["9" * 29, "9" * 40 + ".99", "1234567890123.5"])
def test_amounts_beyond_any_bill_are_refused(
    process: str, path: tuple[Any, ...], value: str
) -> None:
    """More digits than money has is an input error naming the field, not an overflow."""
    with pytest.raises(InputError) as caught:
        evaluate(process, _put(VALID[process], path, value), RULES)
    assert caught.value.field == ".".join(str(p) for p in path)


@pytest.mark.parametrize(("process", "path"), AMOUNT_FIELDS)
def test_the_largest_amount_is_answered(process: str, path: tuple[Any, ...]) -> None:
    evaluate(process, _put(VALID[process], path, "999999999999.99"), RULES)


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str) -> Any:
    monkeypatch.setattr(sys, "stdin", _Stdin(text.encode("utf-8")))
    code = main(["rules", "goodwill"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        '{"package_fee": "5.00", "months": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"package_fee": 1' + "0" * 5000 + "}",
    ],
    ids=["deep-list", "deep-object", "deep-field", "huge-number"],
)
def test_hostile_json_text_exits_2_with_an_error_object(
    text: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, text)
    assert code == 2
    assert set(json.loads(out)) == {"error"}
    assert "Traceback" not in err and err.count("\n") == 1


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_any_text_on_stdin_is_answered_or_refused(text: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = _Stdin(text.encode("utf-8"))  # type: ignore[assignment]
    sys.stdout, sys.stderr = out, err
    try:
        code = main(["rules", "complaint"])
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    assert code in (0, 2)
    answer = json.loads(out.getvalue())
    assert ("error" in answer) == (code == 2)


DAY_FIELDS = [
    (process, path)
    for process in sorted(VALID)
    for path in _paths(VALID[process])
    if isinstance(_get(VALID[process], path), str)
    and re.fullmatch(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?", _get(VALID[process], path))
]
EDGE_DAYS = ["0001-01-01", "1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", "9999-12-31"]


@pytest.mark.parametrize(("process", "path"), DAY_FIELDS)
@pytest.mark.parametrize("value", EDGE_DAYS)
@pytest.mark.parametrize("action", ["cancel", "upgrade", "downgrade", "activate"])
def test_calendar_edges_are_answered_or_refused(
    process: str, path: tuple[Any, ...], value: str, action: str
) -> None:
    """A date at either end of the calendar never overflows the rules' month arithmetic."""
    payload = VALID[process]
    if process == "contract":
        payload = {**payload, "action": action}
    elif action != "cancel":
        return
    text = value if len(_get(payload, path)) == 10 else value[:7]
    try:
        evaluate(process, _put(payload, path, text), RULES)
    except InputError as exc:  # the field itself, or one that must follow it
        assert exc.message.endswith(".")


def test_an_oversized_input_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.commands.rules import MAX_INPUT_BYTES

    text = '{"package_fee": "5.00", "months": [], "pad": "' + "x" * MAX_INPUT_BYTES + '"}'
    code, out, _err = _run(monkeypatch, capsys, text)
    assert code == 2
    assert "larger than" in json.loads(out)["error"]["message"]
