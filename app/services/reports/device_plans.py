"""``orphaned-device-plans``: active device plans without a subscription, for the partner.

PROCESSES.md section 3: a plan is briefly orphaned when its subscription
order is deleted and re-entered, and this list goes to the partner, who links
the plan to the new subscription. A partner may run it on its own customers.

One row per active device plan with no subscription whose ``since`` day falls
in the months asked for:

* ``partner_code`` / ``customer_no`` - the plan's customer and their partner;
* ``device_plan_id`` - the plan's number (``plan_no``, as the operator knows it);
* ``since`` - the (UTC) day of the plan record's last change, which for an
  orphaned plan is the change that left it without a subscription (or its
  creation without one): the records keep no other date for it (decided here);
* ``remaining_amount`` - financed amount - instalment x instalments billed so
  far, in the currency's units with two decimals (what would be charged on
  deactivation).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import BigInteger, cast, select, type_coerce
from sqlalchemy.orm import Session

from app.i18n import N_
from app.services.reports.base import Period, Report, Row
from app.services.reports.sql import day_of
from app.store.models import Customer, DevicePlan, DevicePlanStatus, Partner

COLUMNS = ("partner_code", "customer_no", "device_plan_id", "since", "remaining_amount")


def rows(session: Session, period: Period, partner: uuid.UUID | None) -> Iterator[Row]:
    since = day_of(DevicePlan.updated_at)
    # Money is stored as minor units: compute on the integers, exactly.
    financed = type_coerce(DevicePlan.financed_amount, BigInteger)
    instalment = type_coerce(DevicePlan.instalment, BigInteger)
    remaining = financed - instalment * cast(DevicePlan.instalments_billed, BigInteger)
    stmt = (
        select(Partner.code, Customer.customer_no, DevicePlan.plan_no, since, remaining)
        .join(Customer, Customer.id == DevicePlan.customer_id)
        .join(Partner, Partner.id == Customer.partner_id)
        .where(
            DevicePlan.subscription_id.is_(None),
            DevicePlan.status == DevicePlanStatus.ACTIVE,
            since >= period.start_day,
            since <= period.end_day,
        )
        .order_by(Partner.code, Customer.customer_no, DevicePlan.plan_no)
        .execution_options(yield_per=1000)
    )
    if partner is not None:
        stmt = stmt.where(Customer.partner_id == partner)
    for code, customer_no, plan_no, day, cents in session.execute(stmt):
        amount = (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))
        yield (code, customer_no, plan_no, day, amount)


REPORT = Report(
    name="orphaned-device-plans",
    title=N_("Orphaned device plans"),
    columns=COLUMNS,
    query=rows,
    chart=None,
    partner_report=True,
)
