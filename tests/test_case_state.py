"""The derivation of a case's state from its step events (pure: no database)."""

from __future__ import annotations

import ast
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import app.domain.case_state as case_state_module
from app.domain.case_state import (
    AFTER_SET_ASIDE,
    CASE_CLOSED,
    SAME_STEP,
    CaseBase,
    CaseChange,
    CaseEvent,
    derive_case_state,
)

T0 = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def _event(
    n: int,
    step: str,
    *,
    after: str | None,
    minutes: int | None = None,
    flow: str = "stage_3",
    **change: object,
) -> CaseEvent:
    return CaseEvent(
        id=f"e{n:02d}",
        created_at=T0 + timedelta(minutes=n if minutes is None else minutes),
        flow=flow,
        step=step,
        change=CaseChange(**change),  # type: ignore[arg-type]
        run={"flow": flow, "path": [step], "recorded": [step], "finished": False},
        after=after,
    )


def test_a_chain_of_events_is_applied_in_order() -> None:
    events = [
        _event(1, "intro", after=None, stage="contacted", facts={"a": 1}),
        _event(2, "decide", after="e01", facts={"a": 2, "decision": {"measure": "migration"}}),
        _event(3, "letter", after="e02", outcome="migrated"),
    ]
    derived = derive_case_state(reversed(events), CaseBase(facts={"imported": True}))
    assert derived.stage == "contacted"
    assert derived.facts == {
        "imported": True,
        "a": 2,
        "decision": {"measure": "migration"},
        "outcome": "migrated",
    }
    assert derived.closed and derived.closed_at == events[2].created_at
    assert derived.applied == ("e01", "e02", "e03")
    assert derived.run == events[2].run
    assert derived.conflicts == ()


def test_two_offices_taking_the_same_decision_the_earliest_wins_and_the_other_is_reported() -> None:
    common = _event(1, "intro", after=None)
    office_a = _event(3, "decide", after="e01", facts={"decision": "termination"})
    office_a_next = _event(4, "letter", after="e03", facts={"letter": "sent"})
    office_b = _event(2, "decide", after="e01", facts={"decision": "migration"})
    derived = derive_case_state([office_a_next, office_a, common, office_b])
    assert derived.facts == {"decision": "migration"}
    assert derived.applied == ("e01", "e02")
    assert [(c.event, c.reason, c.because_of) for c in derived.conflicts] == [
        ("e03", SAME_STEP, "e02"),
        ("e04", AFTER_SET_ASIDE, "e03"),
    ]


def test_a_run_started_again_follows_its_earlier_run() -> None:
    first = _event(1, "call", after=None, flow="welcome", facts={"tries": 1})
    again = _event(2, "call", after="e01", flow="welcome", facts={"tries": 2})
    derived = derive_case_state([again, first])
    assert derived.facts == {"tries": 2}
    assert derived.conflicts == ()


def test_an_event_never_comes_before_the_one_it_followed() -> None:
    """A desktop whose clock is behind still records after what it saw."""
    first = _event(1, "intro", after=None, minutes=10, stage="one")
    second = _event(2, "decide", after="e01", minutes=5, stage="two")
    assert derive_case_state([second, first]).stage == "two"


def test_steps_on_a_case_another_office_closed_are_set_aside() -> None:
    start = _event(1, "intro", after=None)
    closing = _event(2, "close", after="e01", outcome="withdrawn")
    elsewhere = _event(3, "other", after="e01", facts={"late": True})
    derived = derive_case_state([elsewhere, closing, start])
    assert derived.closed and derived.facts == {"outcome": "withdrawn"}
    assert [(c.event, c.reason) for c in derived.conflicts] == [("e03", CASE_CLOSED)]


def test_a_finished_run_closes_the_case_unless_kept_open() -> None:
    kept = CaseEvent(
        "e1", T0, "claim", "file", CaseChange(facts={"keep_open": True}), run={"finished": True}
    )
    assert not derive_case_state([kept]).closed
    done = CaseEvent("e1", T0, "claim", "file", run={"finished": True})
    assert derive_case_state([done]).closed


def test_an_event_round_trips_through_its_payload() -> None:
    event = CaseEvent(
        "e1",
        T0,
        "stage_3",
        "decide",
        CaseChange(stage="3", facts={"x": [1, "a"]}, outcome="ok", subject="s", due="2026-04-01"),
        run={"flow": "stage_3", "path": ["decide"]},
        after=None,
        base=CaseBase(stage="2", facts={"y": None}, subject="2026-03"),
    )
    payload = {"flow": "stage_3", "step": "decide", "case": event.payload()}
    assert CaseEvent.from_entry("e1", T0, payload) == event
    assert CaseEvent.from_entry("e1", T0, {"flow": "x", "step": "y"}) is None


# --- any two branches merge to the same case, whatever order they arrive in ---------------


@st.composite
def _branches(draw: st.DrawFn) -> list[CaseEvent]:
    """A common trunk, then two offices each recording steps on their own copy."""
    steps = st.sampled_from(["intro", "decide", "letter", "note"])
    facts = st.dictionaries(st.sampled_from(["a", "b", "decision"]), st.integers(0, 3), max_size=2)
    events: list[CaseEvent] = []
    counter = 0

    def chain(after: str | None, length: int) -> str | None:
        nonlocal counter
        for _ in range(length):
            counter += 1
            event = _event(
                counter,
                draw(steps),
                after=after,
                minutes=draw(st.integers(0, 30)),
                stage=draw(st.none() | st.sampled_from(["1", "2", "3"])),
                facts=draw(facts),
                outcome=draw(st.none() | st.just("done")) if draw(st.booleans()) else None,
            )
            events.append(event)
            after = event.id
        return after

    trunk = chain(None, draw(st.integers(0, 3)))
    chain(trunk, draw(st.integers(0, 4)))
    chain(trunk, draw(st.integers(0, 4)))
    return events


@settings(max_examples=150, deadline=None)
@given(events=_branches(), data=st.data())
def test_the_derived_case_does_not_depend_on_the_order_events_arrive_in(
    events: list[CaseEvent], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    assert derive_case_state(shuffled) == derive_case_state(events)
    derived = derive_case_state(events)
    # Every event is either applied or reported, never both, never lost.
    reported = {c.event for c in derived.conflicts}
    assert set(derived.applied) | reported == {e.id for e in events}
    assert not set(derived.applied) & reported
    # No step of a flow is applied twice unless one followed the other.
    by_id = {e.id: e for e in events}
    seen: dict[tuple[str, str], str] = {}
    for event_id in derived.applied:
        event = by_id[event_id]
        key = (event.flow, event.step)
        if key in seen:
            assert _follows(by_id, event, seen[key])
        seen[key] = event_id


def _follows(by_id: dict[str, CaseEvent], event: CaseEvent, earlier: str) -> bool:
    after = event.after
    while after is not None:
        if after == earlier:
            return True
        after = by_id[after].after
    return False


def test_the_derivation_is_pure() -> None:
    """Only the standard library and the domain: no Qt, no SQL, no I/O, no clock."""
    source = Path(case_state_module.__file__).read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            root = name.split(".")[0]
            assert root in sys.stdlib_module_names or name.startswith("app.domain"), name
            assert root not in {"os", "io", "pathlib", "time"}, name
    assert "now(" not in source


# --- one owner --------------------------------------------------------------------------

APP = Path(__file__).resolve().parents[1] / "app"
CASE_COLUMNS = {"stage", "facts", "script_state", "state", "closed_at", "due", "subject"}
OWNER = APP / "services" / "case_record.py"


def _is_case(node: ast.expr) -> bool:
    """``case``, ``ctx.case``, ``self.case``, ``other_case`` ...: an expression naming a case."""
    if isinstance(node, ast.Name):
        return node.id == "case" or node.id.endswith("_case")
    if isinstance(node, ast.Attribute):
        return node.attr == "case" or node.attr.endswith("_case")
    return False


def test_only_the_case_record_writes_a_cases_state() -> None:
    """A case's stage, facts, script, subject, due date and closing are written in one
    module, from the derivation of its events; a guide returns what it changes."""
    writers = []
    for path in sorted(APP.rglob("*.py")):
        if path == OWNER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in CASE_COLUMNS
                    and _is_case(target.value)
                ):
                    writers.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert writers == []
