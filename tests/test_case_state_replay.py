"""Random walks through the real playbooks: the stored case is always what its events derive.

Each example opens a real SQLite database, walks random steps (random answers,
some refused, some Back) through a process's flows with the run service, and
after every action compares the case's stored stage, facts, subject, due date,
open state and script with :func:`app.domain.case_state.derive_case_state` over
its step entries. The merge test copies the database after a common start
(two offices), walks each copy on its own, and derives the case from both
copies' entries, shuffled: the same case whichever order they arrive in.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.domain.case_state import CaseEvent, derive_case_state
from app.services import runs
from app.services.case_record import case_events, derived_case
from app.services.errors import ServiceError
from app.services.playbooks import default_playbooks_dir, use_playbooks_dir
from app.services.run_view import RunView
from app.store.db import Database
from app.store.models import CaseState, FairUseRecord, Subscription
from app.store.repositories import UnitOfWork
from tests.processes.helpers import add_customer

TODAY = date(2026, 3, 16)

#: (process, flow, subject): flows whose steps write stage, facts, subject, due or close.
RUNS = [
    ("complaint", "intake", None),
    ("fair_use", "stage_3", "2026-03"),
    ("fair_use", "partner_feedback", "2026-03"),
    ("contract", "cancel", "cancel:1"),
    ("contract", "upgrade", "upgrade:1"),
    ("contract", "downgrade", "downgrade:1"),
]

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def new_db() -> Iterator[list[Database]]:
    """The databases a test opens; all closed at the end."""
    opened: list[Database] = []
    yield opened
    for db in opened:
        db.dispose()


def _open(opened: list[Database], template: Path, folder: Path) -> Database:
    path = folder / f"{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(template, path)
    db = Database(f"sqlite:///{path}")
    opened.append(db)
    return db


def _copy(opened: list[Database], db: Database, folder: Path) -> Database:
    """Another office's copy of ``db`` as it stands now."""
    path = folder / f"{uuid.uuid4().hex}.sqlite3"
    source = sqlite3.connect(str(db.engine.url.database))
    target = sqlite3.connect(str(path))
    source.backup(target)
    source.close()
    target.close()
    copy = Database(f"sqlite:///{path}")
    opened.append(copy)
    return copy


def _customer(db: Database) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="Kabelnetz Nordwest AG",
            country="CH",
            partner_language="de",
            msisdn="+41791234567",
            name="Hans Müller",
            language="de",
            customer_value=3,
            activation_date=date(2024, 3, 7),
            street="Bahnhofstrasse 1",
            postcode="8001",
            city="Zürich",
        )
        uow.add(
            Subscription(
                customer_id=customer.id,
                tariff="Flat Max",
                monthly_fee=Decimal("69.00"),
                aio_discount=None,
                data_mb=None,
                minutes=None,
                activated=date(2024, 3, 7),
            )
        )
        for month in ("2026-01", "2026-02", "2026-03"):
            uow.add(
                FairUseRecord(
                    customer_id=customer.id,
                    month=month,
                    exceeded=True,
                    data_mb_used=182_400,
                    limit_mb=100_000,
                )
            )
        uow.commit()
        return customer.id


# --- a random agent -----------------------------------------------------------------------

_DATES = [TODAY, TODAY - timedelta(days=3), TODAY + timedelta(days=20), date(2026, 4, 1)]
_AMOUNTS = ["24.50", "0", "199.00", "-5", "many"]


def _answers(data: st.DataObject, view: RunView) -> dict[str, object]:
    answers: dict[str, object] = {}
    for item in view.inputs:
        wrong = data.draw(st.integers(0, 15)) == 0  # now and then an answer that is refused
        if wrong and data.draw(st.booleans()):
            continue  # left empty: refused when required
        if item.kind == "yes_no":
            answers[item.id] = data.draw(st.booleans())
        elif item.kind == "choice":
            ids = [option_id for option_id, _label in item.options] or ["none"]
            answers[item.id] = "no_such_option" if wrong else data.draw(st.sampled_from(ids))
        elif item.kind == "date":
            answers[item.id] = data.draw(st.sampled_from(_DATES)).isoformat()
        elif item.kind == "amount":
            answers[item.id] = data.draw(st.sampled_from(_AMOUNTS[:3] if not wrong else _AMOUNTS))
        else:
            answers[item.id] = data.draw(st.sampled_from(["Kunde ruft an", "x" * 30]))
    return answers


def _walk(db: Database, customer: uuid.UUID, data: st.DataObject, actions: int) -> set[uuid.UUID]:
    """Random actions on random runs; the stored case is checked after each one."""
    cases: set[uuid.UUID] = set()
    view: RunView | None = None
    for _ in range(actions):
        if view is None or view.finished or data.draw(st.integers(0, 5)) == 0:
            process, flow, subject = data.draw(st.sampled_from(RUNS))
            try:
                view = runs.open_run(db, customer, process, flow, subject=subject, today=TODAY)
            except ServiceError:
                view = None
                continue
            cases.add(view.case_id)
            _check(db, view.case_id)
            continue
        before = len(_events(db, view.case_id))
        try:
            if view.can_go_back and data.draw(st.integers(0, 6)) == 0:
                view = runs.go_back(db, view.case_id, today=TODAY)
            else:
                view = runs.complete_step(
                    db, view.case_id, _answers(data, view), today=TODAY, author="anna"
                )
        except ServiceError:
            pass  # refused: nothing was written
        recorded = len(_events(db, view.case_id)) > before
        _check(db, view.case_id, run_too=recorded)
    return cases


def _events(db: Database, case_id: uuid.UUID) -> list[CaseEvent]:
    with UnitOfWork(db) as uow:
        case = uow.cases.get(case_id)
        assert case is not None
        return case_events(uow, case)


def _check(db: Database, case_id: uuid.UUID, *, run_too: bool = False) -> None:
    """The stored case is the derivation of its events; every step entry is one."""
    with UnitOfWork(db) as uow:
        case = uow.cases.get(case_id)
        assert case is not None
        assert len(case_events(uow, case)) == len(uow.history.steps_of_case(case_id))
        derived = derived_case(uow, case)
        assert derived.conflicts == ()
        assert (derived.stage, derived.subject) == (case.stage, case.subject)
        assert derived.facts == case.facts
        assert derived.due == (case.due.isoformat() if case.due else None)
        assert derived.closed == (case.state == CaseState.CLOSED)
        if derived.applied and derived.closed:
            assert derived.closed_at == case.closed_at
        if run_too:
            stored = dict(case.script_state)
            stored.pop("drafts", None)
            assert derived.run == stored


# --- the properties -----------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_random_steps_leave_the_case_as_its_events_derive(
    new_db: list[Database], _sqlite_template: Path, tmp_path: Path, data: st.DataObject
) -> None:
    db = _open(new_db, _sqlite_template, tmp_path)
    customer = _customer(db)
    cases = _walk(db, customer, data, data.draw(st.integers(6, 20)))
    for case_id in cases:
        events = _events(db, case_id)
        event(f"{min(len(events), 5)}+ steps recorded on a case")
        shuffled = data.draw(st.permutations(events))
        assert derive_case_state(shuffled) == derive_case_state(events)


@SETTINGS
@given(data=st.data())
def test_two_offices_merge_to_one_case_whatever_order_their_entries_arrive_in(
    new_db: list[Database], _sqlite_template: Path, tmp_path: Path, data: st.DataObject
) -> None:
    office_a = _open(new_db, _sqlite_template, tmp_path)
    customer = _customer(office_a)
    process, flow, subject = data.draw(st.sampled_from(RUNS[:3]))
    view = runs.open_run(office_a, customer, process, flow, subject=subject, today=TODAY)
    case_id = view.case_id
    for _ in range(data.draw(st.integers(0, 3))):  # the common start
        if view.finished:
            break
        with contextlib.suppress(ServiceError):
            view = runs.complete_step(office_a, case_id, _answers(data, view), today=TODAY)
    trunk = {e.id for e in _events(office_a, case_id)}
    office_b = _copy(new_db, office_a, tmp_path)
    branches = []
    for office in (office_a, office_b):
        view = runs.show_run(office, case_id, today=TODAY)
        recorded = False
        for _ in range(data.draw(st.integers(0, 4))):
            if view.finished:
                break
            before = len(_events(office, case_id))
            with contextlib.suppress(ServiceError):
                view = runs.complete_step(
                    office, case_id, _answers(data, view), today=TODAY, author="anna"
                )
            recorded = len(_events(office, case_id)) > before
        _check(office, case_id, run_too=recorded)
        branches.append(_events(office, case_id))
    merged = list({e.id: e for branch in branches for e in branch}.values())
    derived = derive_case_state(merged)
    event(f"{len(derived.conflicts)} events set aside")
    for _ in range(3):
        assert derive_case_state(data.draw(st.permutations(merged))) == derived
    assert trunk <= set(derived.applied)
    assert {c.event for c in derived.conflicts} | set(derived.applied) == {e.id for e in merged}
    # An office whose copy saw nothing new: the merge is the other office's case.
    for mine, other in (branches, branches[::-1]):
        if {e.id for e in other} <= trunk:
            assert derived == derive_case_state(mine)
    # Two offices that both recorded the case's next step: the earlier wins, the other is shown.
    firsts = [
        next(e for e in branch if e.id not in trunk)
        for branch in branches
        if any(e.id not in trunk for e in branch)
    ]
    if len(firsts) == 2 and (firsts[0].flow, firsts[0].step) == (firsts[1].flow, firsts[1].step):
        loser = max(firsts, key=lambda e: (e.created_at, e.id))
        assert loser.id in {c.event for c in derived.conflicts}


def test_two_offices_deciding_one_month_offline_keep_the_earlier_decision_and_show_the_other(
    new_db: list[Database], _sqlite_template: Path, tmp_path: Path
) -> None:
    office_a = _open(new_db, _sqlite_template, tmp_path)
    customer = _customer(office_a)
    view = runs.open_run(office_a, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    case_id = view.case_id
    view = runs.complete_step(office_a, case_id, {}, today=TODAY)  # the products reviewed
    office_b = _copy(new_db, office_a, tmp_path)
    [tariff] = [i for i in view.inputs if i.id == "new_tariff"]
    runs.complete_step(
        office_a,
        case_id,
        {"measure": "termination", "decision_date": "2026-03-12", "justification": "A"},
        today=TODAY,
    )
    runs.complete_step(
        office_b,
        case_id,
        {
            "measure": "migration",
            "decision_date": "2026-03-13",
            "new_tariff": tariff.options[0][0],
            "justification": "B",
        },
        today=TODAY,
    )
    [*trunk, decided_a] = _events(office_a, case_id)
    [*_trunk, decided_b] = _events(office_b, case_id)
    merged = derive_case_state([decided_b, *trunk, decided_a])
    assert merged.facts["decision"]["measure"] == "termination"
    assert [(c.event, c.reason, c.because_of) for c in merged.conflicts] == [
        (decided_b.id, "same_step", decided_a.id)
    ]
    with UnitOfWork(office_a) as uow:
        case = uow.cases.get(case_id)
        assert case is not None
        assert merged.facts == case.facts and merged.stage == case.stage


# --- a run that ends by stepping over a step recorded before -----------------------------

#: A flow whose first step leads on only while the customer has no Mobile TV.
PROBE_FLOW = """
  - id: probe
    title: {de: Probe, en: Probe, ru: Проба, zh: 测试}
    steps:
      - id: first
        title: {de: Erster Schritt, en: First step, ru: Первый шаг, zh: 第一步}
        inputs:
          - {id: ok, type: yes_no, label: {de: "OK?", en: "OK?", ru: "OK?", zh: "OK?"}}
        next:
          - {when: {fact: mobile_tv, equals: false}, goto: second}
      - id: second
        title: {de: Zweiter Schritt, en: Second step, ru: Второй шаг, zh: 第二步}
"""


@pytest.fixture
def probe_playbooks(tmp_path: Path) -> Iterator[None]:
    folder = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), folder)
    with (folder / "fair_use.yaml").open("a", encoding="utf-8") as file:
        file.write(PROBE_FLOW)
    use_playbooks_dir(folder)
    yield
    use_playbooks_dir(None)


def test_a_run_ended_by_stepping_over_a_recorded_step_is_closed_by_an_event(
    new_db: list[Database], _sqlite_template: Path, tmp_path: Path, probe_playbooks: None
) -> None:
    db = _open(new_db, _sqlite_template, tmp_path)
    customer = _customer(db)
    view = runs.open_run(db, customer, "fair_use", "probe", subject="2026-03", today=TODAY)
    case_id = view.case_id
    view = runs.complete_step(db, case_id, {"ok": True}, today=TODAY)
    assert view.step_id == "second"
    view = runs.go_back(db, case_id, today=TODAY)
    assert (view.step_id, view.locked) == ("first", True)
    with UnitOfWork(db) as uow:  # the customer took Mobile TV meanwhile: no branch leads on
        found = uow.customers.get(customer)
        assert found is not None
        found.products = ["mobile_tv"]
        uow.commit()
    view = runs.complete_step(db, case_id, {}, today=TODAY)
    assert view.finished
    events = _events(db, case_id)
    assert len(events) == 2
    assert events[-1].step == "first" and events[-1].run["finished"]
    _check(db, case_id, run_too=True)
    with UnitOfWork(db) as uow:
        case = uow.cases.get(case_id)
        assert case is not None and case.state == CaseState.CLOSED
        derived = derive_case_state(events)
        assert derived.closed and derived.closed_at == case.closed_at
        [entry] = [e for e in uow.history.steps_of_case(case_id) if e.payload.get("finished")]
        assert "answers" not in entry.payload and "action" not in entry.payload
