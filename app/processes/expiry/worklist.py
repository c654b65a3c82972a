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
from app.services.worklist_rows import LazyRows, memo, release_mapping, sort_in_slices
from app.store import records
from app.store.records import BundleFacts

#: (not overdue, due, customer number, about, customer, bundle, reminder): the order, then
#: the row.
Entry = tuple[bool, date, str, str, records.WorklistCustomer, BundleFacts, str]


def reminders_worklist(session: Session, today: date, rules: RuleSet) -> LazyRows[Entry]:
    # A month is at most 31 days: no reminder of a bundle ending later is due yet.
    horizon = max(31 * r.months_before + r.days_before for r in rules.expiry.reminders)
    ending_by = today + timedelta(days=horizon + 1)
    candidates = records.bundle_candidates(today, ending_by)
    # The candidates' bundles in the window are all the bundles in it: no lookup by customer.
    bundles = records.bundles_of(session, ending_after=today, ending_by=ending_by, raw=True)
    customers = records.worklist_customers(session, candidates)

    @memo
    def due(end_date: date, sent: frozenset[str]) -> tuple[tuple[str, date, bool], ...]:
        """(reminder, due, overdue) of the reminders due for a bundle, in the rules' order:
        the same for every bundle with that end date and those reminders sent."""
        items = expiry_items([BundleFacts("", "", end_date, sent)], today, rules)
        return tuple((item.reminder, item.due, item.overdue) for item in items)

    entries: list[Entry] = []
    overdue = 0
    for key, c in customers.items():
        its = bundles.get(key, ())
        if len(its) > 1:  # as expiry_items: a bundle number once, the last one read
            its = list({b.bundle_no: b for b in its}.values())
        reminders = [(when, b, r, late) for b in its for r, when, late in due(b.end_date, b.sent)]
        if len(its) > 1:  # as the engine: by due date, then bundle, ties in the rules' order
            reminders.sort(key=lambda x: (x[0], x[1].bundle_no))
        for when, b, r, late in reminders:
            about = f"{b.bundle_no} {b.name}".strip()
            entries.append((not late, when, c.customer_no, about, c, b, r))
            overdue += late
    release_mapping(bundles)
    release_mapping(customers)
    sort_in_slices(entries, itemgetter(0, 1, 2, 3))  # as urgent_first; ties keep the rules' order
    return LazyRows(entries, _row, lambda e: (e[4].key, _item(e).target), overdue)


def _item(entry: Entry) -> ExpiryItem:
    not_overdue, when, _no, _about, _c, b, reminder = entry
    return ExpiryItem(b.bundle_no, reminder, when, not not_overdue, b.name, b.end_date)


def _row(entry: Entry) -> WorklistRow:
    about, c, item = entry[3], entry[4], _item(entry)
    return row(c, item.process, item.reminder, about, item.due, item.overdue, item.target)
