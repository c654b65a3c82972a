"""The ``reminders`` worklist: bundles ending within the longest reminder offset; one
row per reminder due (or overdue) today, most urgent first (rows made only when read,
:mod:`app.services.worklist_rows`)."""

from __future__ import annotations

from datetime import date, timedelta
from operator import itemgetter

from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes.expiry.todo import ExpiryItem, expiry_items
from app.services.todo_items import WorklistRow, row
from app.services.worklist_rows import LazyRows
from app.store import records

#: (not overdue, due, customer number, about, customer, item): the order, then the row.
Entry = tuple[bool, date, str, str, records.WorklistCustomer, ExpiryItem]


def reminders_worklist(session: Session, today: date, rules: RuleSet) -> LazyRows[Entry]:
    # A month is at most 31 days: no reminder of a bundle ending later is due yet.
    horizon = max(31 * r.months_before + r.days_before for r in rules.expiry.reminders)
    ending_by = today + timedelta(days=horizon + 1)
    candidates = records.bundle_candidates(today, ending_by)
    bundles = records.bundles_of(
        session, candidates, ending_after=today, ending_by=ending_by, raw=True
    )
    customers = records.worklist_customers(session, candidates)
    entries: list[Entry] = []
    overdue = 0
    for key, c in customers.items():
        for item in expiry_items(bundles.get(key, []), today, rules):
            about = f"{item.bundle_id} {item.bundle_name}".strip()
            entries.append((not item.overdue, item.due, c.customer_no, about, c, item))
            overdue += item.overdue
    entries.sort(key=itemgetter(0, 1, 2, 3))  # as urgent_first; ties keep the rules' order
    return LazyRows(entries, _row, lambda e: (e[4].key, e[5].target), overdue)


def _row(entry: Entry) -> WorklistRow:
    about, c, item = entry[3], entry[4], entry[5]
    return row(c, item.process, item.reminder, about, item.due, item.overdue, item.target)
