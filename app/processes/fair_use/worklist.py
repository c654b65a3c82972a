"""The ``fair-use`` worklist: customers with a fair-use record over the limits in this or
last month; listed while their stage is at least 1 and an action of it is open; one
row per customer, highest stage first, then customer number.

The rules run once per distinct set of facts (records, actions done, products), and
rows are made only when read (:mod:`app.services.worklist_rows`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from app.domain.calendar import add_months, month_start, previous_month
from app.domain.ruleset import RuleSet
from app.processes.common import month_key
from app.processes.fair_use.todo import FairUseItem, fair_use_item
from app.services.todo_items import WorklistRow, row
from app.services.worklist_rows import LazyRows, memo, release_mapping, sort_in_slices
from app.store import records

#: (minus the stage, customer number, customer, item): the list's order, then the row.
Entry = tuple[int, str, records.WorklistCustomer, FairUseItem]


def fair_use_worklist(session: Session, today: date, rules: RuleSet) -> LazyRows[Entry]:
    this = month_start(today)
    last = previous_month(this)
    candidates = records.fair_use_candidates([month_key(this), month_key(last)])
    # The stage is capped, so the cap's months up to this one decide it.
    since = add_months(last, -(rules.fair_use.stage.cap - 1))
    # Each customer's records of those months as one small int (:func:`_pack_months`):
    # no dict per customer to make, and to free when the list is done.
    months, pieces = _pack_months(session, since, this)  # the candidates' among them
    done = records.fair_use_done(session, candidates, raw=True)
    customers = records.worklist_customers(session, candidates)
    item_for = memo(
        lambda packed, done, mobile_tv, combo: fair_use_item(
            _unpack_months(packed, pieces), done, today, rules, mobile_tv=mobile_tv, combo=combo
        )
    )
    no_done: frozenset[tuple[str, str]] = frozenset()
    # One list per stage, customers in number order (as read): joined highest stage first
    # they are the list's order, which the sort below finds (it sorts when the database's
    # order of numbers is not Python's).
    stages: dict[int, list[Entry]] = defaultdict(list)
    for key, c in customers.items():
        its_done = done.get(key)
        item = item_for(
            months.get(key, 0),
            frozenset(its_done) if its_done else no_done,
            "mobile_tv" in c.products,
            "combo" in c.products,
        )
        if item is not None:
            stages[item.stage].append((-item.stage, c.customer_no, c, item))
    release_mapping(months)
    release_mapping(customers)
    entries: list[Entry] = []
    for stage in sorted(stages, reverse=True):
        entries += stages.pop(stage)
    sort_in_slices(entries, itemgetter(0, 1))
    return LazyRows(entries, _row, lambda e: (e[2].key, e[3].target))


def _pack_months(
    session: Session, since: date, until: date
) -> tuple[dict[Any, int], dict[str, tuple[int, int]]]:
    """Customer -> its records of the months from ``since`` to ``until`` packed in an int,
    and month -> its (present, exceeded) bits: month number n is bit 2n when there is a
    record, and bit 2n + 1 as well when it is over the limits. A few months' fit in a small
    int, which Python does not allocate; the database computes each record's bits."""
    months: list[str] = []
    while since <= until:
        months.append(month_key(since))
        since = add_months(since, 1)
    packed: dict[Any, int] = {}
    get = packed.get
    for customer, bits in records.fair_use_month_bits(session, months):
        if bits < 0:  # a month written otherwise: read as stored
            packed.clear()
            return _pack_month_rows(records.fair_use_month_rows(session, months[0], months[-1]))
        packed[customer] = get(customer, 0) | bits
    return packed, {month: (4**n, 3 * 4**n) for n, month in enumerate(months)}


def _pack_month_rows(
    rows: Iterable[Any],
) -> tuple[dict[Any, int], dict[str, tuple[int, int]]]:
    """:func:`_pack_months` of rows (customer, month, exceeded), month numbers in the order
    first read."""
    packed: dict[Any, int] = {}
    pieces: dict[str, tuple[int, int]] = {}
    get = packed.get
    for customer, month, exceeded in rows:
        piece = pieces.get(month)
        if piece is None:
            bit = 1 << (2 * len(pieces))
            piece = pieces[month] = (bit, bit | bit << 1)
        packed[customer] = get(customer, 0) | piece[bool(exceeded)]
    return packed, pieces


def _unpack_months(packed: int, pieces: dict[str, tuple[int, int]]) -> dict[str, bool]:
    """The records :func:`_pack_months` packed: {month: exceeded}."""
    return {
        month: packed & exceeded == exceeded
        for month, (present, exceeded) in pieces.items()
        if packed & present
    }


def _row(entry: Entry) -> WorklistRow:
    _stage, _no, c, item = entry
    return row(c, item.process, str(item.stage), item.month, item.due, False, item.target)
