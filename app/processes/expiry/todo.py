"""Expiring bundles in "what to do now": one item per reminder the engine says is due.

Bundles and the reminders already sent come from the database; an item is
overdue when its due date is before ``today``. A reminder case is its
reminder's item while that is due; once it was sent or a later reminder is due
it is settled and not shown open.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from app.domain import expiry
from app.domain.ruleset import RuleSet
from app.processes.base import TodoContext
from app.processes.expiry.guide import goodwill_bundle, reminder_subject
from app.services.todo_items import OpenTarget, TodoItem
from app.store import records
from app.store.models import Case, Process
from app.store.records import BundleFacts


@dataclass(frozen=True)
class ExpiryItem:
    #: The operator's bundle identifier (``Bundle.bundle_no``).
    bundle_id: str
    reminder: str
    due: date
    overdue: bool
    bundle_name: str = ""
    end_date: date | None = None
    process: ClassVar[str] = "expiry"

    @property
    def item_id(self) -> str:
        return f"{self.bundle_id}:{self.reminder}"

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(self.process, "reminder", self.item_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "bundle_id": self.bundle_id,
            "reminder": self.reminder,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
        }


def expiry_items(bundles: Sequence[BundleFacts], today: date, rules: RuleSet) -> list[ExpiryItem]:
    """One item per reminder the engine says is due on ``today``."""
    known = rules.expiry.reminder_ids
    by_no = {b.bundle_no: b for b in bundles}
    decision = expiry.evaluate(
        today,
        [expiry.Bundle(b.bundle_no, b.end_date, b.sent & known) for b in by_no.values()],
        rules.expiry,
    )
    return [
        ExpiryItem(
            bundle_id=due.bundle_id,
            reminder=due.reminder,
            due=due.due_date,
            overdue=due.due_date < today,
            bundle_name=by_no[due.bundle_id].name,
            end_date=by_no[due.bundle_id].end_date,
        )
        for due in decision.due
    ]


def todo(ctx: TodoContext) -> list[TodoItem]:
    """One item per reminder due for the customer's bundles."""
    return list(expiry_items(ctx.bundles, ctx.today, ctx.rules))


def covers_case(case: Any, items: Sequence[TodoItem]) -> bool:
    """Reminder cases are their reminders' items; a goodwill complaint is listed on its own."""
    return goodwill_bundle(case.subject) is None


def settled_reminder(
    case: Case, bundles: Sequence[BundleFacts], today: date, rules: RuleSet
) -> bool:
    """Whether ``case`` is an expiry reminder case with nothing left to do: its reminder
    was sent, a later reminder of its bundle is due (it is superseded), or the bundle
    ended. Such a case is not shown open, and sending the later reminder closes it."""
    parsed = reminder_subject(case.subject)
    if case.process != Process.EXPIRY or parsed is None or goodwill_bundle(case.subject):
        return False
    bundle_no, reminder = parsed
    bundle = next((b for b in bundles if b.bundle_no == bundle_no), None)
    if bundle is None:
        return False
    if reminder in bundle.sent or bundle.end_date <= today:
        return True
    order = [(day, r.id) for day, r in expiry.reminder_dates(bundle.end_date, rules.expiry)]
    ids = [ident for _day, ident in order]
    if reminder not in ids or not rules.expiry.supersede.enabled:
        return False
    return any(day <= today for day, _ident in order[ids.index(reminder) + 1 :])


def settled_reminder_ids(
    session: Session, customer_id: uuid.UUID, cases: Iterable[Case], today: date
) -> set[uuid.UUID]:
    """The ids of those of the customer's open ``cases`` that are settled reminders
    (:func:`settled_reminder`): what the customer view does not show open."""
    from app.services.rules import load_ruleset

    reminders = [case for case in cases if case.process == Process.EXPIRY]
    if not reminders:
        return set()
    bundles = records.bundles_of(session, [customer_id]).get(customer_id, [])
    rules = load_ruleset()
    return {case.id for case in reminders if settled_reminder(case, bundles, today, rules)}
