"""The ``reminders`` worklist: bundles ending within the longest reminder offset; one
row per reminder due (or overdue) today, most urgent first."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes.expiry.todo import expiry_items
from app.services.todo_items import WorklistRow, row, urgent_first
from app.store import records


def reminders_worklist(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    # A month is at most 31 days: no reminder of a bundle ending later is due yet.
    horizon = max(31 * r.months_before + r.days_before for r in rules.expiry.reminders)
    ending_by = today + timedelta(days=horizon + 1)
    candidates = records.bundle_candidates(today, ending_by)
    bundles = records.bundles_of(session, candidates, ending_after=today, ending_by=ending_by)
    customers = records.customer_facts(session, candidates)
    rows: list[WorklistRow] = []
    for cid, c in customers.items():
        for item in expiry_items(bundles.get(cid, []), today, rules):
            about = f"{item.bundle_id} {item.bundle_name}".strip()
            rows.append(
                row(c, item.process, item.reminder, about, item.due, item.overdue, item.target)
            )
    rows.sort(key=urgent_first)
    return rows
