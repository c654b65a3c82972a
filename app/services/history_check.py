"""Checking the history's hash chains, for a supervisor or an administrator.

:func:`check_history` walks every chain (:func:`app.store.chain.verify_database`)
after checking that the current user may (``Action.REPORTS``: history across
customers, reports and checking the chains) and returns plain data: how many
entries in how many chains, and the first entry that does not match with why
and, so it can be found, whose it is, when and by whom it was recorded.
:func:`check_words` words the outcome in one line, the same line
``agent-assist history verify`` prints.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.i18n import _, ngettext
from app.services.permissions import Action, PermissionDenied, require

if TYPE_CHECKING:
    from app.store.chain import ChainReport
    from app.store.db import Database


@dataclass(frozen=True)
class HistoryCheck:
    """What checking the chains found."""

    chains: int
    entries: int
    #: The first entry that does not match (None: every entry matches).
    first_bad: uuid.UUID | None = None
    #: Why it does not match, in words.
    reason: str | None = None
    #: Its customer's number, when it was recorded (UTC) and by whom (None: not found).
    customer_no: str | None = None
    created_at: datetime | None = None
    author: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def from_report(report: ChainReport) -> HistoryCheck:
    """The plain data of a chain report (without looking the entry up)."""
    return HistoryCheck(
        chains=report.chains,
        entries=report.entries,
        first_bad=report.first_bad,
        reason=report.first_reason,
    )


def check_history(db: Database) -> HistoryCheck:
    """Check every hash chain of ``db``'s history; :class:`PermissionDenied` unless allowed."""
    from app.store.chain import PartialViewError, verify_database
    from app.store.repositories import UnitOfWork

    require(db, Action.REPORTS)
    try:
        report = verify_database(db)
    except PartialViewError as exc:
        raise PermissionDenied(str(exc), Action.REPORTS) from None
    found = from_report(report)
    if found.first_bad is None:
        return found
    with UnitOfWork(db) as uow:
        row = uow.history.whose(found.first_bad)
    if row is None:
        return found
    created_at = row.created_at
    if created_at is not None and created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)  # SQLite gives UTC back naive
    return HistoryCheck(
        chains=found.chains,
        entries=found.entries,
        first_bad=found.first_bad,
        reason=found.reason,
        customer_no=row.customer_no,
        created_at=created_at,
        author=row.author,
    )


def check_words(check: HistoryCheck) -> str:
    """The outcome in one line: every entry matches, or which does not and why."""
    checked = ngettext(
        "{entries} history entry in {chains} chain(s)",
        "{entries} history entries in {chains} chain(s)",
        check.entries,
    ).format(entries=check.entries, chains=check.chains)
    if check.ok:
        return _("{checked}: every entry matches").format(checked=checked)
    return _("{checked}: entry {entry} does not match: {reason}").format(
        checked=checked, entry=check.first_bad, reason=check.reason
    )
