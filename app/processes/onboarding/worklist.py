"""The ``onboarding`` worklist: customers activated within the program's days; one row
per open task of the current stage or overdue, and per pending VIP deadline.

The rules run once per distinct set of facts (activation day, VIP rating, case facts,
tasks done): the rows of such customers differ only in the customer. Rows are made
only when read (:mod:`app.services.worklist_rows`)."""

from __future__ import annotations

from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes.onboarding.todo import ONBOARDING_SUBJECT, onboarding_decision, vip_pending
from app.services.todo_items import OpenTarget, WorklistRow
from app.services.worklist_rows import LazyRows, memo, sort_in_slices
from app.store import records

#: What a row says apart from its customer: (what, about, due, overdue, target).
Line = tuple[str, str, date, bool, OpenTarget]
#: (not overdue, due, customer number, about, customer, line): the order, then the row.
Entry = tuple[bool, date, str, str, records.WorklistCustomer, Line]


def onboarding_worklist(session: Session, today: date, rules: RuleSet) -> LazyRows[Entry]:
    last_day = max(s.last_day for s in rules.onboarding.stages if s.last_day is not None)
    candidates = records.activated_candidates(today - timedelta(days=last_day), today)
    customers = records.worklist_customers(session, candidates)
    done = records.onboarding_done(session, candidates, raw=True)
    facts = records.onboarding_facts(session, candidates, raw=True)

    @memo
    def lines(
        activation: date | None,
        vip_rated: date | None,
        case_facts: tuple[tuple[str, Any], ...],
        done: frozenset[str],
    ) -> tuple[Line, ...]:
        known = dict(case_facts)
        decision = onboarding_decision(
            activation, today, rules, vip_rated=vip_rated, case_facts=known, done=done
        )
        if decision is None:
            return ()
        out: list[Line] = []
        for task in decision.tasks:
            if task.status == "overdue" or (task.status == "open" and task.stage == decision.stage):
                target = OpenTarget("onboarding", task.stage, ONBOARDING_SUBJECT)
                out.append((task.id, task.stage, task.due, task.status == "overdue", target))
        for deadline in vip_pending(decision, known):
            target = OpenTarget("onboarding", decision.stage, ONBOARDING_SUBJECT)
            out.append((deadline.id, decision.stage, deadline.due, deadline.overdue, target))
        return tuple(out)

    nothing: frozenset[str] = frozenset()
    entries: list[Entry] = []
    overdue = 0
    for key, c in customers.items():
        its_facts = facts.get(key)
        its_done = done.get(key)
        for line in lines(
            c.activation_date,
            c.vip_rated,
            tuple(sorted(its_facts.items())) if its_facts else (),
            frozenset(its_done) if its_done else nothing,
        ):
            entries.append((not line[3], line[2], c.customer_no, line[1], c, line))
            overdue += line[3]
    sort_in_slices(entries, itemgetter(0, 1, 2, 3))  # as urgent_first; ties keep the rules' order
    return LazyRows(entries, _row, lambda e: (e[4].key, e[5][4]), overdue)


def _row(entry: Entry) -> WorklistRow:
    c, (what, about, due, overdue, target) = entry[4], entry[5]
    return WorklistRow(c.id, c.customer_no, c.name, "onboarding", what, about, due, overdue, target)
