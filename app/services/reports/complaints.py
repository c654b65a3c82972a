"""``complaints``: complaints per month and category, with claims and second-line cases.

One row per month and category, counting complaint cases (process
``complaint``) opened in the month (UTC):

* ``category`` - the case's category (fact ``category``, e.g.
  ``billing_system.migration``, the rule file's stable id); a case not
  classified (yet) counts under ``unclassified``;
* ``complaints`` - the cases;
* ``claims`` - of those, the ones a claim was filed for (fact ``claim_no``);
* ``second_line`` - of those, the ones handed over to the second line for
  on-line retention: waiting there (route ``second_line``, as the to-do list
  and the complaints worklist show them) or retention attempted (fact
  ``retention`` recorded by its step). A claim the first line filed itself
  (second line not in normal mode) is not one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import N_
from app.services.reports.base import Chart, Period, Report, Row
from app.services.reports.sql import month_of
from app.store.models import Case, Customer

COLUMNS = ("month", "category", "complaints", "claims", "second_line")
PROCESS = "complaint"
UNCLASSIFIED = "unclassified"
#: The route of a complaint handed over to the second line, still waiting there.
SECOND_LINE_ROUTE = "second_line"


def rows(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    month = month_of(Case.opened_at)
    category = func.coalesce(Case.facts["category"].as_string(), UNCLASSIFIED)
    claim = Case.facts["claim_no"].as_string()
    retention = Case.facts["retention"].as_string()
    route = Case.facts["route"].as_string()
    second_line = or_(retention.is_not(None), route == SECOND_LINE_ROUTE)
    stmt = select(
        month,
        category,
        func.count(),
        func.sum(case((claim.is_not(None), 1), else_=0)),
        func.sum(case((second_line, 1), else_=0)),
    ).where(
        Case.process == PROCESS,
        Case.opened_at >= period.start_at,
        Case.opened_at < period.end_at,
    )
    if partner is not None:
        stmt = stmt.join(Customer, Customer.id == Case.customer_id).where(
            Customer.partner_id == partner
        )
    stmt = stmt.group_by(month, category).order_by(month, category)
    for row in session.execute(stmt):
        yield (row[0], row[1], int(row[2]), int(row[3] or 0), int(row[4] or 0))


REPORT = Report(
    name="complaints",
    title=N_("Complaints: per category, claims and second line"),
    columns=COLUMNS,
    query=rows,
    chart=Chart("category", ("complaints", "claims", "second_line")),
)
