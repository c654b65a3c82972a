"""The ``fair-use`` worklist: customers with a fair-use record over the limits in this or
last month; listed while their stage is at least 1 and an action of it is open; one
row per customer, highest stage first, then customer number."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.domain.calendar import add_months, month_start, previous_month
from app.domain.ruleset import RuleSet
from app.processes.common import month_key
from app.processes.fair_use.todo import fair_use_item
from app.services.todo_items import WorklistRow, row
from app.store import records


def fair_use_worklist(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    this = month_start(today)
    last = previous_month(this)
    candidates = records.fair_use_candidates([month_key(this), month_key(last)])
    # The stage is capped, so the cap's months up to this one decide it.
    since = month_key(add_months(last, -(rules.fair_use.stage.cap - 1)))
    months = records.fair_use_records(session, candidates, since=since, until=month_key(this))
    done = records.fair_use_done(session, candidates)
    customers = records.customer_facts(session, candidates)
    rows: list[tuple[int, WorklistRow]] = []
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
            line = row(c, item.process, str(item.stage), item.month, item.due, False, item.target)
            rows.append((item.stage, line))
    rows.sort(key=lambda pair: (-pair[0], pair[1].customer_no))
    return [row for _stage, row in rows]
