"""A reminder case superseded by a later reminder is closed by an event of its own."""

from __future__ import annotations

from datetime import date

from app.domain.case_state import PAYLOAD_KEY, derive_case_state
from app.services import runs
from app.services.case_record import case_events
from app.store.db import Database
from app.store.models import CaseState
from app.store.repositories import UnitOfWork
from tests.processes.helpers import case_row, history
from tests.processes.test_expiry_guide import _customer

TODAY = date(2026, 6, 25)  # the week reminder is due, the month reminder superseded


def test_a_superseded_reminder_case_is_closed_by_its_own_event(db: Database) -> None:
    customer, bundle_no = _customer(db)
    month = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:month", today=TODAY
    )
    week = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:week", today=TODAY
    )
    assert month.case_id != week.case_id and history(db, month.case_id) == []
    runs.complete_step(db, week.case_id, {}, today=TODAY)

    stored = case_row(db, month.case_id)
    assert stored.state == CaseState.CLOSED
    assert stored.facts["outcome"] == "superseded" and stored.facts["superseded_by"] == "week"
    [entry] = history(db, month.case_id)  # written with the week's step, in its transaction
    assert entry.kind == "step" and PAYLOAD_KEY in entry.payload
    assert "expiry.reminder.later_supersedes_earlier" in entry.rule_ids
    assert entry.payload["superseded_by"] == f"{bundle_no}:week"
    assert entry.created_at <= history(db, week.case_id)[0].created_at

    # Another office derives the case from its events alone (no stored columns): closed.
    with UnitOfWork(db) as uow:
        case = uow.cases.get(month.case_id)
        assert case is not None
        derived = derive_case_state(case_events(uow, case))
    assert derived.closed and derived.closed_at is not None
    assert derived.facts["outcome"] == "superseded"
    assert derived.facts["superseded_by"] == "week"
    assert (derived.stage, derived.subject) == (stored.stage, stored.subject)
    assert derived.conflicts == ()


def test_the_case_of_the_reminder_sent_stays_as_its_step_left_it(db: Database) -> None:
    customer, bundle_no = _customer(db)
    runs.open_run(db, customer, "expiry", "reminder", subject=f"{bundle_no}:month", today=TODAY)
    week = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:week", today=TODAY
    )
    runs.complete_step(db, week.case_id, {}, today=TODAY)
    stored = case_row(db, week.case_id)
    assert stored.state == CaseState.CLOSED and stored.facts.get("outcome") != "superseded"
    with UnitOfWork(db) as uow:
        case = uow.cases.get(week.case_id)
        assert case is not None
        assert derive_case_state(case_events(uow, case)).closed
