"""``fair-use``: customers per fair-use month and stage, and the stage-3 outcomes.

One row per month and stage (1 to the rule file's cap), for every month of
the range in which some customer was at that stage:

* ``month`` - the fair-use month (``YYYY-MM``): the usage record's month and
  the fair-use case's subject.
* ``stage`` - as the rules define it (``fair_use.toml``): the number of
  consecutive months over the limits ending with the month, capped; computed
  from ``fair_use_records`` (``exceeded``), a month without a record counting
  as within the limits.
* ``customers`` - customers at that stage in that month.
* ``migrations`` / ``terminations`` - stage-3 decisions (``facts["decision"]``
  of the month's fair-use cases) with that measure; counted on the stage at
  which a decision is taken (``decision_stage``).
* ``partner_disagreements`` - of those decisions, the ones the partner
  disagreed with (as in the ``controlling`` report, whatever the decision
  date).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.domain.calendar import add_months
from app.i18n import N_
from app.services.reports.base import Chart, Period, Report, Row, literal_table, month_key
from app.services.reports.controlling import PROCESS, decision_measure, partner_disagreed
from app.store.models import Case, Customer, FairUseRecord

COLUMNS = (
    "month",
    "stage",
    "customers",
    "migrations",
    "terminations",
    "partner_disagreements",
)


def _rules() -> tuple[int, int]:
    from app.services.rules import load_ruleset

    stage = load_ruleset().fair_use.stage
    return int(stage.cap), int(stage.decision_stage)


def _stages(session: Session, period: Period, partner: uuid.UUID | None, cap: int) -> Any:
    """(month, stage, customers), aggregated in the database."""
    months = [tuple(month_key(add_months(m, -k)) for k in range(cap)) for m in period.months()]
    names = tuple(f"m{k}" for k in range(cap))
    table = literal_table(names, months)
    current = aliased(FairUseRecord)
    stmt_from: Any = table.join(
        current, and_(current.month == table.c.m0, current.exceeded.is_(True))
    )
    before = []
    for k in range(1, cap):
        prev = aliased(FairUseRecord)
        stmt_from = stmt_from.outerjoin(
            prev,
            and_(
                prev.customer_id == current.customer_id,
                prev.month == table.c[f"m{k}"],
                prev.exceeded.is_(True),
            ),
        )
        before.append(prev)
    # Stage k+1 when the k months before were all over the limits and the one before not.
    whens = []
    for k in range(len(before)):
        whens.append((before[k].id.is_(None), k + 1))
    stage = case(*whens, else_=cap) if whens else case((current.id.is_not(None), 1))
    stmt = select(table.c.m0, stage, func.count(func.distinct(current.customer_id))).select_from(
        stmt_from
    )
    if partner is not None:
        stmt = stmt.join(Customer, Customer.id == current.customer_id).where(
            Customer.partner_id == partner
        )
    return session.execute(stmt.group_by(table.c.m0, stage))


def _decisions(session: Session, period: Period, partner: uuid.UUID | None) -> Any:
    """(month, measure, decisions, disagreed), aggregated in the database."""
    measure = decision_measure()
    disagreed = case((partner_disagreed(), 1), else_=0)
    stmt = select(Case.subject, measure, func.count(), func.sum(disagreed)).where(
        Case.process == PROCESS,
        measure.is_not(None),
        Case.subject >= period.first_key,
        Case.subject <= period.last_key,
    )
    if partner is not None:
        stmt = stmt.join(Customer, Customer.id == Case.customer_id).where(
            Customer.partner_id == partner
        )
    return session.execute(stmt.group_by(Case.subject, measure))


def rows(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    cap, decision_stage = _rules()
    table: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for month, stage, customers in _stages(session, period, partner, cap):
        table[(month, int(stage))][0] = int(customers)
    for month, measure, count, disagreed in _decisions(session, period, partner):
        if len(month or "") != 7:
            continue
        cells = table[(month, decision_stage)]
        if measure == "migration":
            cells[1] += int(count)
        elif measure == "termination":
            cells[2] += int(count)
        cells[3] += int(disagreed or 0)
    for (month, stage), cells in sorted(table.items()):
        yield (month, stage, *cells)


REPORT = Report(
    name="fair-use",
    title=N_("Fair use: customers per stage, measures and disagreements"),
    columns=COLUMNS,
    query=rows,
    chart=Chart("month", ("customers",), series="stage"),
)
