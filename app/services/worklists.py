"""Worklists: who needs what today, across all customers.

Each process brings its worklists (``app/processes/<process>/worklist.py``):
each first selects its candidates with SQL (so a base of a million customers
is never read whole), then asks the rules engine about each candidate, exactly
as "what to do now" does for one customer: ``fair-use``, ``reminders``,
``onboarding`` and ``complaints``.

Rows are sorted overdue first, then by due date and customer number; the
fair-use list by stage (highest first), then customer number.

:func:`worklist_rows` hands the rows out as a sequence that makes each row when
it is read (:mod:`app.services.worklist_rows`): the window shows a list of a
million customers' base page by page without holding every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.processes import worklists
from app.services.errors import ValidationError
from app.services.todo_items import WorklistRow
from app.store.db import Database
from app.store.repositories import UnitOfWork

__all__ = ["KINDS", "WorklistRow", "worklist", "worklist_rows"]

#: Every worklist kind, as the registered processes bring them.
KINDS: tuple[str, ...] = tuple(worklists())


def worklist(db: Database, kind: str, today: date | None = None) -> list[WorklistRow]:
    """The rows of worklist ``kind`` (one of :data:`KINDS`) on ``today``."""
    return list(worklist_rows(db, kind, today))


def worklist_rows(db: Database, kind: str, today: date | None = None) -> Sequence[WorklistRow]:
    """The rows of worklist ``kind`` on ``today``, each made when it is read."""
    from app.i18n import _
    from app.services.rules import load_ruleset

    builder = worklists().get(kind)
    if builder is None:
        raise ValidationError(
            _("Unknown worklist {kind}; expected one of: {kinds}.").format(
                kind=kind, kinds=", ".join(worklists())
            ),
            field="kind",
        )
    from app.services.permissions import Action, require

    require(db, Action.WORKLISTS)
    today = today or date.today()
    with UnitOfWork(db) as uow:
        return builder(uow.session, today, load_ruleset())
