"""Worklists: who needs what today, across all customers.

Each list first selects its candidates with SQL (so a base of a million
customers is never read whole), then asks the rules engine about each
candidate, exactly as "what to do now" does for one customer:

* ``fair-use`` - customers with a fair-use record over the limits in this or
  last month; listed while their stage is at least 1 and an action of it is
  open; one row per customer, highest stage first.
* ``reminders`` - bundles ending within the longest reminder offset; one row
  per reminder due (or overdue) today.
* ``onboarding`` - customers activated within the program's days; one row per
  open task of the current stage or overdue, and per pending VIP deadline.
* ``complaints`` - open complaint cases, claims included; one row per case.

Rows are sorted overdue first, then by due date and customer number; the
fair-use list by stage (highest first), then customer number.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.domain.calendar import add_months, month_start, previous_month
from app.domain.ruleset import RuleSet
from app.services import todo_queries as q
from app.services.errors import ValidationError
from app.services.todo import (
    complaint_entry_flow,
    complaint_item,
    expiry_items,
    fair_use_item,
    month_key,
    onboarding_decision,
    vip_pending,
)
from app.services.todo_items import ONBOARDING_SUBJECT, OpenTarget
from app.store.db import Database
from app.store.models import Bundle, Case, CaseState, Customer, FairUseRecord, Process
from app.store.repositories import UnitOfWork

KINDS: tuple[str, ...] = ("fair-use", "reminders", "onboarding", "complaints")


@dataclass(frozen=True)
class WorklistRow:
    """One line of a worklist, and the playbook flow that opens it."""

    customer_id: uuid.UUID
    customer_no: str
    customer_name: str
    process: str
    #: fair_use: the stage; expiry: the reminder; onboarding: the task or VIP
    #: deadline; complaint: the route ("" while undecided).
    what: str
    #: fair_use: the month; expiry: the bundle; onboarding: the stage;
    #: complaint: the category (else the case's subject).
    about: str
    due: date
    overdue: bool
    target: OpenTarget

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_no": self.customer_no,
            "customer_name": self.customer_name,
            "process": self.process,
            "what": self.what,
            "about": self.about,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "flow": self.target.flow,
            "subject": self.target.subject,
            "case_id": str(self.target.case_id) if self.target.case_id else None,
        }


def worklist(db: Database, kind: str, today: date | None = None) -> list[WorklistRow]:
    """The rows of worklist ``kind`` (one of :data:`KINDS`) on ``today``."""
    from app.i18n import _
    from app.services.rules import load_ruleset

    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ValidationError(
            _("Unknown worklist {kind}; expected one of: {kinds}.").format(
                kind=kind, kinds=", ".join(KINDS)
            ),
            field="kind",
        )
    today = today or date.today()
    with UnitOfWork(db) as uow:
        return builder(uow.session, today, load_ruleset())


def _row(
    c: q.CustomerFacts,
    process: str,
    what: str,
    about: str,
    due: date,
    overdue: bool,
    target: OpenTarget,
) -> WorklistRow:
    return WorklistRow(c.id, c.customer_no, c.name, process, what, about, due, overdue, target)


def _urgent_first(row: WorklistRow) -> tuple[bool, date, str, str]:
    """Overdue first, then due date, customer and subject; ties keep the rule file's order."""
    return (not row.overdue, row.due, row.customer_no, row.about)


# --- fair use ------------------------------------------------------------------------------


def _fair_use(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    this = month_start(today)
    last = previous_month(this)
    candidates: Select[Any] = (
        select(FairUseRecord.customer_id)
        .where(
            FairUseRecord.month.in_([month_key(this), month_key(last)]),
            FairUseRecord.exceeded.is_(True),
        )
        .distinct()
    )
    # The stage is capped, so the cap's months up to this one decide it.
    since = month_key(add_months(last, -(rules.fair_use.stage.cap - 1)))
    records = q.fair_use_records(session, candidates, since=since, until=month_key(this))
    done = q.fair_use_done(session, candidates)
    customers = q.customer_facts(session, candidates)
    rows: list[tuple[int, WorklistRow]] = []
    for cid, c in customers.items():
        item = fair_use_item(
            records.get(cid, {}),
            done.get(cid, set()),
            today,
            rules,
            mobile_tv="mobile_tv" in c.products,
            combo="combo" in c.products,
        )
        if item is not None:
            row = _row(c, item.process, str(item.stage), item.month, item.due, False, item.target)
            rows.append((item.stage, row))
    rows.sort(key=lambda pair: (-pair[0], pair[1].customer_no))
    return [row for _stage, row in rows]


# --- expiry reminders --------------------------------------------------------------------


def _reminders(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    # A month is at most 31 days: no reminder of a bundle ending later is due yet.
    horizon = max(31 * r.months_before + r.days_before for r in rules.expiry.reminders)
    ending_by = today + timedelta(days=horizon + 1)
    candidates: Select[Any] = (
        select(Bundle.customer_id)
        .where(Bundle.end_date > today, Bundle.end_date <= ending_by)
        .distinct()
    )
    bundles = q.bundles_of(session, candidates, ending_after=today, ending_by=ending_by)
    customers = q.customer_facts(session, candidates)
    rows: list[WorklistRow] = []
    for cid, c in customers.items():
        for item in expiry_items(bundles.get(cid, []), today, rules):
            about = f"{item.bundle_id} {item.bundle_name}".strip()
            rows.append(
                _row(c, item.process, item.reminder, about, item.due, item.overdue, item.target)
            )
    rows.sort(key=_urgent_first)
    return rows


# --- onboarding ----------------------------------------------------------------------------


def _onboarding(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    last_day = max(s.last_day for s in rules.onboarding.stages if s.last_day is not None)
    candidates: Select[Any] = select(Customer.id).where(
        Customer.activation_date >= today - timedelta(days=last_day),
        Customer.activation_date <= today,
    )
    customers = q.customer_facts(session, candidates)
    done = q.onboarding_done(session, candidates)
    facts = q.onboarding_facts(session, candidates)
    rows: list[WorklistRow] = []
    for cid, c in customers.items():
        case_facts = facts.get(cid, {})
        decision = onboarding_decision(
            c.activation_date,
            today,
            rules,
            vip_rated=c.vip_rated,
            case_facts=case_facts,
            done=done.get(cid, set()),
        )
        if decision is None:
            continue
        for task in decision.tasks:
            if task.status == "overdue" or (task.status == "open" and task.stage == decision.stage):
                target = OpenTarget("onboarding", task.stage, ONBOARDING_SUBJECT)
                overdue = task.status == "overdue"
                rows.append(_row(c, "onboarding", task.id, task.stage, task.due, overdue, target))
        for deadline in vip_pending(decision, case_facts):
            target = OpenTarget("onboarding", decision.stage, ONBOARDING_SUBJECT)
            rows.append(
                _row(
                    c,
                    "onboarding",
                    deadline.id,
                    decision.stage,
                    deadline.due,
                    deadline.overdue,
                    target,
                )
            )
    rows.sort(key=_urgent_first)
    return rows


# --- complaints ----------------------------------------------------------------------------


def _complaints(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    cases = q.open_complaints(session)
    candidates: Select[Any] = select(Case.customer_id).where(
        Case.process == Process.COMPLAINT, Case.state == CaseState.OPEN
    )
    customers = q.customer_facts(session, candidates) if cases else {}
    entry_flow = complaint_entry_flow() if cases else None
    rows: list[WorklistRow] = []
    for case in cases:
        c = customers[case.customer_id]
        item = complaint_item(
            case_id=case.id,
            subject=case.subject,
            facts=case.facts or {},
            script_state=case.script_state,
            due=case.due,
            opened_at=case.opened_at,
            customer_value=c.customer_value,
            today=today,
            rules=rules,
            default_flow=entry_flow,
        )
        about = item.category or item.subject or str(item.case_id)
        rows.append(
            _row(c, item.process, item.route or "", about, item.due, item.overdue, item.target)
        )
    rows.sort(key=_urgent_first)
    return rows


_BUILDERS: dict[str, Callable[[Session, date, RuleSet], list[WorklistRow]]] = {
    "fair-use": _fair_use,
    "reminders": _reminders,
    "onboarding": _onboarding,
    "complaints": _complaints,
}
