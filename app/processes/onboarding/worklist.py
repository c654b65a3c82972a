"""The ``onboarding`` worklist: customers activated within the program's days; one row
per open task of the current stage or overdue, and per pending VIP deadline.

The rules run once per distinct set of facts (activation day, VIP rating, case facts,
tasks done): the rows of such customers differ only in the customer. Rows are made
only when read (:mod:`app.services.worklist_rows`)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes.onboarding.todo import ONBOARDING_SUBJECT, onboarding_decision, vip_pending
from app.services.todo_items import OpenTarget, WorklistRow
from app.services.worklist_rows import LazyRows, memo, release_list, release_mapping
from app.store import records

#: What a row says apart from its customer: (what, about, due, overdue, target).
Line = tuple[str, str, date, bool, OpenTarget]
#: (customer, line): a row, in the list's order.
Entry = tuple[records.WorklistCustomer, Line]


def onboarding_worklist(session: Session, today: date, rules: RuleSet) -> LazyRows[Entry]:
    last_day = max(s.last_day for s in rules.onboarding.stages if s.last_day is not None)
    first = today - timedelta(days=last_day)
    candidates = records.activated_candidates(first, today)
    customers = records.activated_customers(session, first, today)
    done = records.onboarding_done(session, candidates, raw=True)
    facts = records.onboarding_facts(session, candidates, raw=True)
    # The order is (overdue first, due, customer number, stage), ties in the rules' order:
    # the rows go to one list per (overdue, due), customer after customer in number order,
    # each customer's lines sorted (stably) by that order. The lists joined in their order
    # are the list: no sort of a few hundred thousand rows.
    groups: dict[tuple[bool, date], list[Entry]] = {}

    @memo
    def lines(
        activation: date | None,
        vip_rated: date | None,
        case_facts: tuple[tuple[str, Any], ...],
        done: frozenset[str],
    ) -> tuple[tuple[tuple[list[Entry], Line], ...], int]:
        """The customer's lines with the group each goes to, and how many are overdue."""
        known = dict(case_facts)
        decision = onboarding_decision(
            activation, today, rules, vip_rated=vip_rated, case_facts=known, done=done
        )
        if decision is None:
            return (), 0
        out: list[Line] = []
        for task in decision.tasks:
            if task.status == "overdue" or (task.status == "open" and task.stage == decision.stage):
                target = OpenTarget("onboarding", task.stage, ONBOARDING_SUBJECT)
                out.append((task.id, task.stage, task.due, task.status == "overdue", target))
        for deadline in vip_pending(decision, known):
            target = OpenTarget("onboarding", decision.stage, ONBOARDING_SUBJECT)
            out.append((deadline.id, decision.stage, deadline.due, deadline.overdue, target))
        out.sort(key=lambda line: (not line[3], line[2], line[1]))
        placed = tuple((groups.setdefault((not line[3], line[2]), []), line) for line in out)
        return placed, sum(line[3] for line in out)

    nothing: frozenset[str] = frozenset()
    overdue = 0
    ordered = list(customers.values())
    release_mapping(customers)
    ordered.sort(key=attrgetter("customer_no"))
    for c in ordered:
        its_facts = facts.get(c.key)
        its_done = done.get(c.key)
        placed, its_overdue = lines(
            c.activation_date,
            c.vip_rated,
            tuple(sorted(its_facts.items())) if its_facts else (),
            frozenset(its_done) if its_done else nothing,
        )
        for group, line in placed:
            group.append((c, line))
        overdue += its_overdue
    entries: list[Entry] = []
    for key in sorted(groups):
        entries += groups.pop(key)
        time.sleep(0)  # let a waiting thread run
    release_list(ordered)
    return LazyRows(entries, _row, lambda e: (e[0].key, e[1][4]), overdue)


def _row(entry: Entry) -> WorklistRow:
    c, (what, about, due, overdue, target) = entry
    return WorklistRow(c.id, c.customer_no, c.name, "onboarding", what, about, due, overdue, target)
