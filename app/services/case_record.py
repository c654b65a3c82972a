"""The one writer of a case's stage, facts, open state and guided-script state.

A case's columns are a cache of :func:`app.domain.case_state.derive_case_state`
over the case's step entries. Completing a step hands :func:`record_step` what
the step changed (the playbook's effects and the guide's
:class:`~app.domain.case_state.CaseChange`); it writes the step's history entry
carrying that event and then stores the derivation on the case. Nothing else
sets ``stage``, ``facts``, ``subject``, ``due``, ``state`` or the script's
answers and completed steps of a case with a guided run; moving about in a
run (Back, a flow started at the step a to-do item names, stepping over a step
already recorded) only moves the script's cursor (:func:`move_cursor`) and
records nothing. A case closed by another case's step (a reminder superseded
by a later one sent) gets an event of its own (:func:`record_close`), written
in the same transaction, so its closing is derived from its events like any
step's; so does a run that ends by stepping over a step recorded before (its
entry records that the run finished, through :func:`record_step`). No case is
closed without an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from app.domain.case_state import (
    PAYLOAD_KEY,
    CaseBase,
    CaseChange,
    CaseEvent,
    DerivedCase,
    derive_case_state,
)
from app.domain.playbook import RunState
from app.store.models import Case, CaseState, HistoryEntry, new_id
from app.store.repositories import UnitOfWork
from app.store.types import utcnow


def case_events(uow: UnitOfWork, case: Case) -> list[CaseEvent]:
    """The events recorded for ``case`` (step entries written before carry none)."""
    events = []
    for entry in uow.history.steps_of_case(case.id):
        event = CaseEvent.from_entry(entry.id, entry.created_at, entry.payload or {})
        if event is not None:
            events.append(event)
    return events


def derived_case(uow: UnitOfWork, case: Case) -> DerivedCase:
    """The case's state as its recorded events say."""
    return derive_case_state(case_events(uow, case), base_of(case))


def base_of(case: Case) -> CaseBase:
    """The case's stored state, as the base of its first event."""
    return CaseBase(
        stage=case.stage,
        facts=dict(case.facts or {}),
        subject=case.subject,
        due=case.due.isoformat() if case.due else None,
        closed=case.state == CaseState.CLOSED,
    )


def run_json(state: RunState) -> dict[str, Any]:
    """The script's state as an event carries it: without the unvalidated drafts."""
    data = state.to_json()
    data.pop("drafts", None)
    return data


def record_step(
    uow: UnitOfWork,
    case: Case,
    entry: HistoryEntry,
    change: CaseChange,
    state: RunState,
) -> DerivedCase:
    """Append the step's ``entry`` carrying its event; store the derived case on ``case``."""
    return _append_event(uow, case, entry, change, state.flow, run_json(state), state.drafts)


def record_close(
    uow: UnitOfWork,
    case: Case,
    *,
    flow: str,
    step: str,
    outcome: str,
    author: str,
    text: str,
    facts: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    rule_ids: Sequence[str] = (),
    ruleset_version: str | None = None,
) -> DerivedCase:
    """Close ``case`` with ``outcome`` (``facts`` merged in) by an event of its own.

    For a case closed by something else than its own step (another case's step
    superseded it): its history entry is a step entry of the case whose ``flow``
    and ``step`` name the event (``details`` added to its payload), written by
    ``author`` with ``text`` and the rules behind the close; the script's state
    stays as it was.
    """
    entry = HistoryEntry(
        customer_id=case.customer_id,
        case_id=case.id,
        author=author,
        kind="step",
        text=text,
        payload={
            "process": case.process,
            "subject": case.subject,
            "flow": flow,
            "step": step,
            **(details or {}),
        },
        rule_ids=list(rule_ids),
        ruleset_version=ruleset_version,
        origin=uow.db.origin,
    )
    change = CaseChange(facts=dict(facts or {}), outcome=outcome)
    return _append_event(uow, case, entry, change, flow, {}, None)


def _append_event(
    uow: UnitOfWork,
    case: Case,
    entry: HistoryEntry,
    change: CaseChange,
    flow: str,
    run: Mapping[str, Any],
    drafts: Mapping[str, Any] | None,
) -> DerivedCase:
    # On the server a branch's sync may add events to this case meanwhile: the case's
    # row, locked first, makes this derivation see them (app.sync.push locks it too).
    uow.cases.lock_for_event(case.id)
    events = case_events(uow, case)
    before = derive_case_state(events)
    entry.case_id = case.id
    entry.created_at = utcnow()
    entry.id = entry.id or new_id()
    event = CaseEvent(
        id=str(entry.id),
        created_at=entry.created_at,
        flow=flow,
        step=str((entry.payload or {}).get("step") or ""),
        change=change,
        run=dict(run),
        after=before.last,
        base=None if before.applied else base_of(case),
    )
    entry.payload = {**(entry.payload or {}), PAYLOAD_KEY: event.payload()}
    uow.history.append(entry)
    derived = derive_case_state([*events, event])
    if drafts is None:  # the script's cursor and its drafts stay as they are
        store(case, replace(derived, run=None))
    else:
        store(case, derived, drafts=drafts)
    return derived


def move_cursor(case: Case, state: RunState) -> None:
    """Where the case's script stands after moving about in it (Back, a flow started at
    a named step, a step recorded before stepped over): no event, nothing recorded."""
    case.script_state = state.to_json()


def store(case: Case, derived: DerivedCase, *, drafts: Mapping[str, Any] | None = None) -> None:
    """Write ``derived`` to the case's columns (the cursor's drafts kept as given)."""
    case.stage = derived.stage
    case.facts = dict(derived.facts)
    case.subject = derived.subject
    case.due = date.fromisoformat(derived.due) if derived.due else None
    if derived.run is not None:
        case.script_state = {**derived.run, "drafts": dict(drafts or {})}
    if derived.closed and case.state != CaseState.CLOSED:
        case.state = CaseState.CLOSED
        case.closed_at = derived.closed_at or utcnow()
