"""Worklists across customers, and ``agent-assist worklist``, on both engines."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest

from app.cli import main
from app.processes.complaint.todo import ComplaintItem
from app.processes.expiry.todo import ExpiryItem
from app.processes.fair_use.todo import FairUseItem
from app.processes.onboarding.todo import OnboardingItem
from app.services.errors import ValidationError
from app.services.rules import load_ruleset
from app.services.todo import todo_for
from app.services.worklist_rows import find_row, overdue_count
from app.services.worklists import KINDS, worklist, worklist_rows
from app.store.db import Database
from app.store.models import CaseState
from tests.bench.bench_worklists import generate
from tests.test_todo import INTAKE_DONE, Seed


@pytest.fixture
def seed(db: Database) -> Seed:
    return Seed(db)


# --- fair use ------------------------------------------------------------------------------


def test_fair_use_by_stage_highest_first(db: Database, seed: Seed) -> None:
    third = seed.customer("C-3")
    seed.fair_use(third, "2026-01", "2026-02", "2026-03")
    first = seed.customer("C-1")
    seed.fair_use(first, "2026-03")
    second_last_month = seed.customer("C-2")
    seed.fair_use(second_last_month, "2026-01", "2026-02")
    another_first = seed.customer("C-0")
    seed.fair_use(another_first, "2026-03")
    within = seed.customer("C-4")  # over the limits last month, within them this month
    seed.fair_use(within, "2026-02")
    seed.fair_use(within, "2026-03", exceeded=False)
    old = seed.customer("C-5")  # latest record two months ago
    seed.fair_use(old, "2026-01")
    done = seed.customer("C-6")
    seed.fair_use(done, "2026-03")
    seed.done(done, "fair_use", "2026-03", "sms_1", "history_entry")

    rows = worklist(db, "fair-use", date(2026, 3, 20))
    assert [(r.customer_no, r.what, r.about) for r in rows] == [
        ("C-3", "3", "2026-03"),
        ("C-2", "2", "2026-02"),
        ("C-0", "1", "2026-03"),
        ("C-1", "1", "2026-03"),
    ]
    top = rows[0]
    assert (top.process, top.due, top.overdue, top.customer_name) == (
        "fair_use",
        date(2026, 3, 20),
        False,
        "Anna Muster",
    )
    assert (top.target.process, top.target.flow, top.target.subject) == (
        "fair_use",
        "stage_3",
        "2026-03",
    )


# --- reminders -----------------------------------------------------------------------------


def test_reminders_due_today_or_overdue(db: Database, seed: Seed) -> None:
    a = seed.customer("C-1")
    seed.bundle(a, "B-1", date(2026, 6, 30))  # week, overdue since 06-23
    seed.bundle(a, "B-2", date(2026, 7, 25))  # month, due today
    b = seed.customer("C-2")
    seed.bundle(b, "B-3", date(2026, 7, 20))  # month, overdue since 06-20
    seed.bundle(b, "B-4", date(2026, 6, 24))  # ended yesterday
    seed.bundle(b, "B-5", date(2026, 6, 29), sent=("week",))  # sent
    seed.bundle(b, "B-6", date(2026, 9, 30))  # far ahead
    rows = worklist(db, "reminders", date(2026, 6, 25))
    assert [(r.customer_no, r.about, r.what, r.due, r.overdue) for r in rows] == [
        ("C-2", "B-3 Datenpaket B-3", "month", date(2026, 6, 20), True),
        ("C-1", "B-1 Datenpaket B-1", "week", date(2026, 6, 23), True),
        ("C-1", "B-2 Datenpaket B-2", "month", date(2026, 6, 25), False),
    ]
    assert (rows[1].target.flow, rows[1].target.subject) == ("reminder", "B-1:week")


def test_reminder_window_follows_the_rule_file(db: Database, seed: Seed) -> None:
    """A month reminder at the longest offset: 31 March is reminded on 28 February."""
    c = seed.customer("C-1")
    seed.bundle(c, "B-1", date(2026, 3, 31))
    rows = worklist(db, "reminders", date(2026, 2, 28))
    assert [(r.what, r.due) for r in rows] == [("month", date(2026, 2, 28))]
    assert worklist(db, "reminders", date(2026, 2, 27)) == []


# --- onboarding ----------------------------------------------------------------------------


def test_onboarding_tasks_of_the_stage_and_overdue(db: Database, seed: Seed) -> None:
    day8 = seed.customer("C-1", activation=date(2026, 3, 1))
    seed.done(day8, "onboarding", "onboarding", *INTAKE_DONE)
    seed.customer("C-2", activation=date(2025, 12, 1))  # day 99: program over
    seed.customer("C-3")  # never activated
    vip = seed.customer("C-4", activation=date(2026, 3, 5), vip_rated=date(2026, 3, 5))
    rules = load_ruleset()
    seed.done(vip, "onboarding", "onboarding", *(t.id for t in rules.onboarding.tasks))
    rows = worklist(db, "onboarding", date(2026, 3, 9))
    assert [(r.customer_no, r.what, r.about, r.due, r.overdue) for r in rows] == [
        ("C-1", "coach_number_change", "intake", date(2026, 3, 4), True),
        ("C-4", "assign_manager", "follow_up", date(2026, 3, 8), True),
        ("C-1", "first_callback", "follow_up", date(2026, 3, 11), False),
    ]
    assert (rows[0].target.flow, rows[0].target.subject) == ("intake", "onboarding")
    assert rows[1].target.flow == "follow_up"


# --- complaints ----------------------------------------------------------------------------


def test_open_complaints_and_claims(db: Database, seed: Seed) -> None:
    a = seed.customer("C-1", value=4)
    claim = seed.case(
        a,
        "complaint",
        subject="complaint:1",
        facts={"category": "billing_system.migration", "route": "claim"},
        opened=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
    )
    b = seed.customer("C-2")
    late = seed.case(
        b,
        "complaint",
        subject="complaint:2",
        facts={"category": "shop.incompetence"},
        opened=datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
    )
    seed.case(b, "complaint", facts={"route": "retained"}, state=CaseState.CLOSED)
    seed.case(b, "onboarding", subject="onboarding")
    rows = worklist(db, "complaints", date(2026, 3, 15))
    assert [(r.customer_no, r.what, r.about, r.due, r.overdue) for r in rows] == [
        ("C-2", "second_line", "shop.incompetence", date(2026, 3, 8), True),
        ("C-1", "claim", "billing_system.migration", date(2026, 3, 17), False),
    ]
    assert [r.target.case_id for r in rows] == [late, claim]
    assert rows[1].to_json() == {
        "customer_no": "C-1",
        "customer_name": "Anna Muster",
        "process": "complaint",
        "what": "claim",
        "about": "billing_system.migration",
        "due": "2026-03-17",
        "overdue": False,
        # A case recorded without a script opens the complaint playbook's first flow.
        "flow": "intake",
        "subject": "complaint:1",
        "case_id": str(claim),
    }


def test_unknown_kind(db: Database) -> None:
    with pytest.raises(ValidationError, match="fair-use, reminders, onboarding, complaints"):
        worklist(db, "everything", date(2026, 3, 15))


# --- the lists agree with "what to do now" ---------------------------------------------------


def test_worklists_agree_with_todo_for_every_customer(db: Database) -> None:
    today = date(2026, 3, 15)
    generate(db, 400, today, seed=14)
    items = [
        (no, item)
        for no in (f"C-{i:07d}" for i in range(400))
        for item in todo_for(db, no, today).items
    ]
    expected = {
        "fair-use": {(no, str(i.stage)) for no, i in items if isinstance(i, FairUseItem)},
        "reminders": {(no, i.reminder) for no, i in items if isinstance(i, ExpiryItem)},
        "complaints": {(no, i.route or "") for no, i in items if isinstance(i, ComplaintItem)},
    }
    for kind, wanted in expected.items():
        assert wanted, f"the generated base has no {kind} rows"
        got = {(r.customer_no, r.what) for r in worklist(db, kind, today)}
        assert got == wanted, kind
    onboarding = {r.customer_no for r in worklist(db, "onboarding", today)}
    listed = {no for no, i in items if isinstance(i, OnboardingItem)}
    assert onboarding
    assert onboarding <= listed


# --- the command ---------------------------------------------------------------------------


def test_command_lines_and_json(
    db: Database, seed: Seed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    c = seed.customer("C-1", name="Hans Muster")
    seed.fair_use(c, "2026-02", "2026-03")
    assert main(["worklist", "fair-use", "--date", "2026-03-15", "--db", db.url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Due 15/03/2026: C-1 Hans Muster — Fair use March 2026, stage 2"
    ]
    assert main(["--db", db.url, "worklist", "fair-use", "--date", "2026-03-15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "fair-use" and data["date"] == "2026-03-15"
    assert [(r["customer_no"], r["what"], r["flow"]) for r in data["rows"]] == [
        ("C-1", "2", "stage_2")
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_command_every_kind_runs_on_an_empty_base(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    assert main(["worklist", kind, "--db", sqlite_db.url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == []


def test_command_bad_input_exits_2(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worklist", "tasks", "--db", sqlite_db.url]) == 2
    assert "tasks" in capsys.readouterr().err
    assert main(["worklist", "reminders", "--date", "2026-02-30", "--db", sqlite_db.url]) == 2
    captured = capsys.readouterr()
    assert (captured.out, "--date" in captured.err) == ("", True)


# --- at an operator's scale ------------------------------------------------------------------


def test_rows_made_when_read_are_the_list(db: Database) -> None:
    """The window's rows (made when read) are the command's, in the same order."""
    today = date(2026, 3, 20)
    generate(db, 400, today, seed=14)
    for kind in KINDS:
        lazy = worklist_rows(db, kind, today)
        rows = worklist(db, kind, today)
        assert len(lazy) == len(rows) and list(lazy) == rows, kind
        assert overdue_count(lazy) == sum(r.overdue for r in rows)
        if rows:
            assert lazy[len(rows) - 1] == rows[-1] and lazy[1:3] == rows[1:3]
            last = rows[-1]
            at = find_row(lazy, last.customer_id, last.target)
            assert at is not None and rows[at].customer_id == last.customer_id
            assert find_row(lazy, uuid.uuid4(), last.target) is None


def test_the_rules_run_once_per_distinct_set_of_facts(
    db: Database, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.processes.fair_use import worklist as fair_use_list
    from app.processes.onboarding import worklist as onboarding_list

    calls: list[str] = []

    def counted(module: object, name: str) -> None:
        real = getattr(module, name)

        def call(*args: object, **kwargs: object) -> object:
            calls.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    counted(fair_use_list, "fair_use_item")
    counted(onboarding_list, "onboarding_decision")
    for n in range(5):
        c = seed.customer(f"C-{n}", activation=date(2026, 3, 1))
        seed.fair_use(c, "2026-02", "2026-03")
    odd = seed.customer("C-9", activation=date(2026, 3, 2))
    seed.fair_use(odd, "2026-03")
    fair = worklist(db, "fair-use", date(2026, 3, 20))
    assert [(r.customer_no, r.what) for r in fair] == [(f"C-{n}", "2") for n in range(5)] + [
        ("C-9", "1")
    ]
    assert calls.count("fair_use_item") == 2
    onboarding = worklist(db, "onboarding", date(2026, 3, 9))
    assert {r.customer_no for r in onboarding} == {f"C-{n}" for n in range(5)} | {"C-9"}
    assert calls.count("onboarding_decision") == 2
