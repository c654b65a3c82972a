"""The six reports of MULTIUSER.md ("Reports"), for the window and ``agent-assist report``.

Each report is a module with its definition of every number (its docstring)
and a :class:`~app.services.reports.base.Report`: name, columns in the
spec's order, a set-based query over a month range that yields rows one by
one, and the chart the window shows (or none). :func:`rows` checks who may
run it: supervisors and admins every report (``Action.REPORTS``); a partner
only ``orphaned-device-plans``, the list PROCESSES.md gives the partner, on
its own customers (``Action.PARTNER_REPORT``); agents none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

from app.i18n import _
from app.services.errors import ValidationError
from app.services.reports import complaints, controlling, device_plans, fair_use, onboarding
from app.services.reports import reminders as reminders_report
from app.services.reports.base import Chart, Period, Report, Row, parse_month
from app.store.db import Database
from app.store.repositories import UnitOfWork

__all__ = ["REPORTS", "Chart", "Period", "Report", "Row", "parse_month", "report", "rows"]

#: Every report by name, in the order of MULTIUSER.md.
REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        fair_use.REPORT,
        complaints.REPORT,
        onboarding.REPORT,
        reminders_report.REPORT,
        controlling.REPORT,
        device_plans.REPORT,
    )
}


def report(name: str) -> Report:
    """The report called ``name``; :class:`ValidationError` listing the names otherwise."""
    found = REPORTS.get(name)
    if found is None:
        raise ValidationError(
            _("Unknown report {name!r}; expected one of: {names}.").format(
                name=name, names=", ".join(REPORTS)
            ),
            field="name",
        )
    return found


def scope(db: Database, name: str) -> uuid.UUID | None:
    """The partner whose customers alone the current user's report covers (``None``: all);
    :class:`~app.services.permissions.PermissionDenied` when they may not run it."""
    from app.services.identity import current
    from app.services.permissions import Action, allowed, partner_scope, refuse

    who = current(db)
    if allowed(who, Action.REPORTS):
        return None
    if report(name).partner_report and allowed(who, Action.PARTNER_REPORT):
        return partner_scope(who)
    raise refuse(who, Action.REPORTS)


def rows(
    db: Database, name: str, first: str, last: str, today: date | None = None
) -> Iterator[Row]:
    """The rows of report ``name`` for months ``first`` to ``last`` (``YYYY-MM``), streamed.

    Months, name and permission are checked before the first row is asked for.
    """
    spec = report(name)
    period = Period.of(first, last, today or date.today())
    partner = scope(db, name)
    return _stream(db, spec, period, partner)


def _stream(db: Database, spec: Report, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    with UnitOfWork(db) as uow:
        yield from spec.query(uow.session, period, partner)
