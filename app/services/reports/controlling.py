"""``controlling``: the stage-3 fair-use decisions the partner disagreed with.

One row per fair-use case holding a stage-3 decision (``facts["decision"]``,
written by the ``decide_measure`` step) whose decision date falls in the
months asked for, when the partner disagreed with it. The partner disagreed
when either

* an answer on a ticket of kind ``fair_use_decision`` of that case has
  ``agrees = false`` (``ticket_feedback``, the partner's own answer), or
* the history holds the fair-use playbook's ``partner_feedback`` /
  ``partner_answer`` step for the same customer and month with the answer
  ``agrees = no`` (the agent recording the partner's answer).

A later answer that agrees does not remove the row: by the rule
(``fair_use.toml`` ``partner_disagrees``) the overuse is billed to the
partner from the decision date on as soon as it disagrees (decided here).

Columns: ``decision_date`` (YYYY-MM-DD), ``customer_no``, ``partner_code``
(the customer's partner), ``measure`` (``migration`` or ``termination``) and
``over_limit_usage_to_bill``: megabytes (whole MB, as the usage records hold
them) used above the fair-use limit, summed over the customer's usage records
of exceeded months from the decision date's month up to the last month of the
report: ``data_mb_used - limit_mb`` where the usage is above the limit. Usage
is recorded per month, so the decision month counts whole (decided here); a
record without usage or limit adds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import N_
from app.services.reports.base import Chart, Period, Report, Row
from app.services.reports.sql import json_is_false
from app.store.models import (
    Case,
    Customer,
    FairUseRecord,
    HistoryEntry,
    Partner,
    PartnerTicket,
    TicketFeedback,
)

PROCESS = "fair_use"
DECISION_TICKET = "fair_use_decision"
FEEDBACK_FLOW = "partner_feedback"
FEEDBACK_STEP = "partner_answer"

COLUMNS = ("decision_date", "customer_no", "partner_code", "measure", "over_limit_usage_to_bill")


def decision_date() -> Any:
    return Case.facts[("decision", "date")].as_string()


def decision_measure() -> Any:
    return Case.facts[("decision", "measure")].as_string()


def partner_disagreed() -> Any:
    """The condition: the partner disagreed with the decision of the ``Case`` row."""
    on_ticket = exists().where(
        PartnerTicket.case_id == Case.id,
        PartnerTicket.kind == DECISION_TICKET,
        TicketFeedback.ticket_id == PartnerTicket.id,
        TicketFeedback.agrees.is_(False),
    )
    payload = HistoryEntry.payload
    # Found by the customer's index: no condition on the entry's kind, which has an index of
    # its own that would read every step of every customer.
    in_history = exists().where(
        HistoryEntry.customer_id == Case.customer_id,
        payload["process"].as_string() == PROCESS,
        payload["subject"].as_string() == Case.subject,
        payload["flow"].as_string() == FEEDBACK_FLOW,
        payload["step"].as_string() == FEEDBACK_STEP,
        json_is_false(payload, ("answers", "agrees")),
    )
    return or_(on_ticket, in_history)


def disagreed_decisions(period: Period, partner: uuid.UUID | None) -> Any:
    """The ``Case`` rows of the decisions dated in ``period`` the partner disagreed with."""
    day = decision_date()
    conditions = [
        Case.process == PROCESS,
        decision_measure().is_not(None),
        day >= period.start_day,
        day <= period.end_day,
        partner_disagreed(),
    ]
    if partner is not None:
        conditions.append(Customer.partner_id == partner)
    return and_(*conditions)


def rows(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    record = FairUseRecord
    overuse = (
        select(func.coalesce(func.sum(record.data_mb_used - record.limit_mb), 0))
        .where(
            record.customer_id == Case.customer_id,
            record.exceeded.is_(True),
            record.data_mb_used > record.limit_mb,
            record.month >= func.substr(decision_date(), 1, 7),
            record.month <= period.last_key,
        )
        .scalar_subquery()
    )
    stmt = (
        select(decision_date(), Customer.customer_no, Partner.code, decision_measure(), overuse)
        .join(Customer, Customer.id == Case.customer_id)
        .join(Partner, Partner.id == Customer.partner_id)
        .where(disagreed_decisions(period, partner))
        .order_by(decision_date(), Customer.customer_no, Case.id)
        .execution_options(yield_per=1000)
    )
    for day, customer_no, partner_code, measure, usage in session.execute(stmt):
        yield (day, customer_no, partner_code, measure, int(usage or 0))


REPORT = Report(
    name="controlling",
    title=N_("Controlling: decisions the partner disagreed with"),
    columns=COLUMNS,
    query=rows,
    chart=Chart("partner_code", ("over_limit_usage_to_bill",)),
)
