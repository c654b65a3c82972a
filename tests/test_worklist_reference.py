"""The worklists' builders (packed records, grouped rows, rules asked once per set of
facts) against a straightforward reference: each candidate's records read into dicts,
the rules asked per customer, the rows sorted in one go."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.calendar import add_months, month_start, previous_month
from app.processes.common import month_key
from app.processes.expiry.todo import expiry_items
from app.processes.fair_use.todo import fair_use_item
from app.processes.onboarding.todo import ONBOARDING_SUBJECT, onboarding_decision, vip_pending
from app.services.rules import load_ruleset
from app.services.todo_items import OpenTarget, WorklistRow, row, urgent_first
from app.services.worklists import worklist
from app.store import records
from app.store.db import Database
from app.store.repositories import UnitOfWork
from tests.bench.bench_worklists import generate
from tests.test_todo import Seed

TODAY = date(2026, 3, 15)


def reference(db: Database, kind: str, today: date) -> list[WorklistRow]:
    rules = load_ruleset()
    with UnitOfWork(db) as uow:
        session = uow.session
        if kind == "fair-use":
            return _fair_use(session, today, rules)
        if kind == "reminders":
            return _reminders(session, today, rules)
        return _onboarding(session, today, rules)


def _fair_use(session: Any, today: date, rules: Any) -> list[WorklistRow]:
    this = month_start(today)
    last = previous_month(this)
    since = month_key(add_months(last, -(rules.fair_use.stage.cap - 1)))
    candidates = records.fair_use_candidates([month_key(this), month_key(last)])
    customers = records.customer_facts(session, candidates)
    months = records.fair_use_records(session, list(customers), since=since, until=month_key(this))
    done = records.fair_use_done(session, list(customers))
    rows = []
    for cid, c in customers.items():
        item = fair_use_item(
            months.get(cid, {}),
            done.get(cid, set()),
            today,
            rules,
            mobile_tv="mobile_tv" in c.products,
            combo="combo" in c.products,
        )
        if item is not None:
            rows.append(
                row(c, item.process, str(item.stage), item.month, item.due, False, item.target)
            )
    return sorted(rows, key=lambda r: (-int(r.what), r.customer_no))


def _reminders(session: Any, today: date, rules: Any) -> list[WorklistRow]:
    horizon = max(31 * r.months_before + r.days_before for r in rules.expiry.reminders)
    ending_by = today + timedelta(days=horizon + 1)
    customers = records.customer_facts(session, records.bundle_candidates(today, ending_by))
    bundles = records.bundles_of(session, list(customers), ending_after=today, ending_by=ending_by)
    rows = []
    for cid, c in customers.items():
        for item in expiry_items(bundles.get(cid, []), today, rules):
            about = f"{item.bundle_id} {item.bundle_name}".strip()
            rows.append(
                row(c, item.process, item.reminder, about, item.due, item.overdue, item.target)
            )
    return sorted(rows, key=urgent_first)


def _onboarding(session: Any, today: date, rules: Any) -> list[WorklistRow]:
    last_day = max(s.last_day for s in rules.onboarding.stages if s.last_day is not None)
    candidates = records.activated_candidates(today - timedelta(days=last_day), today)
    customers = records.customer_facts(session, candidates)
    done = records.onboarding_done(session, list(customers))
    facts = records.onboarding_facts(session, list(customers))
    rows = []
    for cid, c in customers.items():
        known = facts.get(cid, {})
        decision = onboarding_decision(
            c.activation_date,
            today,
            rules,
            vip_rated=c.vip_rated,
            case_facts=known,
            done=frozenset(done.get(cid, set())),
        )
        if decision is None:
            continue
        for task in decision.tasks:
            if task.status == "overdue" or (task.status == "open" and task.stage == decision.stage):
                target = OpenTarget("onboarding", task.stage, ONBOARDING_SUBJECT)
                overdue = task.status == "overdue"
                rows.append(row(c, "onboarding", task.id, task.stage, task.due, overdue, target))
        for deadline in vip_pending(decision, known):
            target = OpenTarget("onboarding", decision.stage, ONBOARDING_SUBJECT)
            rows.append(
                row(c, "onboarding", deadline.id, decision.stage, deadline.due,
                    deadline.overdue, target)
            )  # fmt: skip
    return sorted(rows, key=urgent_first)


@pytest.fixture
def base(db: Database) -> Database:
    generate(db, 700, TODAY, seed=23)
    seed = Seed(db)
    # What the generated base lacks: several bundles of a customer, due the same day or
    # not, one with reminders sent; customers activated the same day (rows tied but for
    # the customer); a VIP; fair-use records with gaps and products that change the stage.
    several = seed.customer("X-1")
    seed.bundle(several, "B-2", TODAY + timedelta(days=7))
    seed.bundle(several, "B-1", TODAY + timedelta(days=7))
    seed.bundle(several, "A-9", TODAY + timedelta(days=30), sent=("month",))
    seed.bundle(several, "A-8", TODAY + timedelta(days=3))
    for n in (3, 1, 2, 0):  # stored in another order than their numbers'
        c = seed.customer(f"X-2{n}", activation=TODAY - timedelta(days=12))
        seed.bundle(c, "B-1", TODAY + timedelta(days=6 + n % 2))
    seed.customer(
        "X-30", activation=TODAY - timedelta(days=40), vip_rated=TODAY - timedelta(days=39)
    )
    gaps = seed.customer("X-40", products=("mobile_tv",))
    seed.fair_use(gaps, "2025-12", "2026-02")
    combo = seed.customer("X-41", products=("combo",))
    seed.fair_use(combo, "2026-01", "2026-02", "2026-03")
    seed.fair_use(seed.customer("X-42"), "2026-03", exceeded=False)
    odd = seed.customer("X-43")  # a month no calendar has, among the months read
    seed.fair_use(odd, "2026-02", "2025-13")
    return db


@pytest.mark.parametrize("kind", ["fair-use", "reminders", "onboarding"])
def test_the_builders_rows_are_the_references(base: Database, kind: str) -> None:
    for today in (TODAY, TODAY + timedelta(days=9), TODAY - timedelta(days=20)):
        expected = reference(base, kind, today)
        assert expected, (kind, today)
        assert worklist(base, kind, today) == expected, (kind, today)


def test_a_worklist_customers_id_is_made_once() -> None:
    """The onboarding list has a dozen rows a customer: its id is made for the first."""
    key = uuid.uuid4()
    c = records.WorklistCustomer(key.hex, "C-1", "Anna", 1, frozenset(), None, None)
    assert c.id == key and c.id is c.id


def test_memo_answers_each_set_of_arguments_once() -> None:
    from app.services.worklist_rows import memo

    calls: list[tuple[Any, ...]] = []

    def rule(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        calls.append((args, kwargs))
        return (args, sorted(kwargs.items()))

    asked = memo(rule)
    assert asked(1, 2) == asked(1, 2) == ((1, 2), [])
    assert asked(1, 2, x=3) == asked(1, 2, x=3) == ((1, 2), [("x", 3)])
    assert asked((1, 2), ()) == (((1, 2), ()), [])  # not the answer for (1, 2) and no names
    assert asked([1], x=[2]) == asked([1], x=[2])  # unhashable: asked every time
    assert len(calls) == 5
