"""What the importers and the demo builder ask the database, named for the answer.

The importers work in one session per file, a batch of rows at a time: each
batch loads what its rows refer to in a few queries (:class:`ImportRecords`)
and inserts its new rows in bulk. The demo builder writes plain rows on a bare
connection, without the ORM (:class:`DemoTables`). Both only read and write
through these methods; the queries are the ones they ran before.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.store.models import (
    AppMeta,
    Bundle,
    Customer,
    DevicePlan,
    DevicePlanStatus,
    FairUseRecord,
    Partner,
    Subscription,
    User,
)


class ImportRecords:
    """The records an import file's rows name, loaded for a batch of rows."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- partners and customers ---------------------------------------------------------

    def partners_by_code(self, codes: Collection[str]) -> dict[str, Partner]:
        """The partners with these codes, by code."""
        found = self.session.scalars(select(Partner).where(Partner.code.in_(codes)))
        return {p.code: p for p in found}

    def partner_keys(self) -> list[tuple[uuid.UUID, str, str]]:
        """(id, code, country) of every partner (they are few)."""
        rows = self.session.execute(select(Partner.id, Partner.code, Partner.country)).all()
        return [(pid, code, country) for pid, code, country in rows]

    def customers_by_no(self, numbers: Collection[str]) -> dict[str, Customer]:
        """The customers with these customer numbers, by number."""
        found = self.session.scalars(select(Customer).where(Customer.customer_no.in_(numbers)))
        return {c.customer_no: c for c in found}

    def customer_ids_by_no(self, numbers: Collection[str]) -> dict[str, uuid.UUID]:
        """The ids of the customers with these customer numbers, by number."""
        found = self.session.execute(
            select(Customer.customer_no, Customer.id).where(Customer.customer_no.in_(numbers))
        )
        return {no: cid for no, cid in found}

    def customer_no(self, customer_id: uuid.UUID) -> str | None:
        """The customer number of ``customer_id`` (None: no such customer)."""
        customer = self.session.get(Customer, customer_id)
        return customer.customer_no if customer else None

    # --- what customers have ---------------------------------------------------------------

    def subscriptions_of(self, customer_ids: Collection[uuid.UUID]) -> Sequence[Subscription]:
        """Every subscription of these customers."""
        return self.session.scalars(
            select(Subscription).where(Subscription.customer_id.in_(customer_ids))
        ).all()

    def current_subscription_ids(
        self, customer_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, uuid.UUID]:
        """Each customer's current subscription: not cancelled first, then the latest
        activated (customers without one are left out)."""
        ranked = self.session.execute(
            select(Subscription.customer_id, Subscription.id)
            .where(Subscription.customer_id.in_(customer_ids))
            .order_by(
                Subscription.cancelled_effective.is_(None),
                Subscription.activated,
                Subscription.id,
            )
        )
        current: dict[uuid.UUID, uuid.UUID] = {}
        for customer_id, subscription_id in ranked:
            current[customer_id] = subscription_id  # the last one wins
        return current

    def device_plans_named_or_active(
        self, plan_numbers: Collection[str], customer_ids: Collection[uuid.UUID]
    ) -> Sequence[DevicePlan]:
        """The device plans with these numbers, and the active plans of these customers."""
        return self.session.scalars(
            select(DevicePlan).where(
                DevicePlan.plan_no.in_(plan_numbers)
                | (
                    DevicePlan.customer_id.in_(customer_ids)
                    & (DevicePlan.status == DevicePlanStatus.ACTIVE)
                )
            )
        ).all()

    def device_plan(self, plan_no: str) -> DevicePlan | None:
        """The device plan with this number."""
        return self.session.scalar(select(DevicePlan).where(DevicePlan.plan_no == plan_no))

    def bundles_named(
        self, customer_ids: Collection[uuid.UUID], bundle_numbers: Collection[str]
    ) -> Sequence[Bundle]:
        """The bundles of these customers that have one of these bundle numbers."""
        return self.session.scalars(
            select(Bundle).where(
                Bundle.customer_id.in_(customer_ids),
                Bundle.bundle_no.in_(bundle_numbers),
            )
        ).all()

    def fair_use_records(
        self, customer_ids: Collection[uuid.UUID], months: Collection[str]
    ) -> Sequence[FairUseRecord]:
        """The fair-use records of these customers for these months (``YYYY-MM``)."""
        return self.session.scalars(
            select(FairUseRecord).where(
                FairUseRecord.customer_id.in_(customer_ids),
                FairUseRecord.month.in_(months),
            )
        ).all()

    # --- writing ------------------------------------------------------------------------

    def insert_rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert plain rows into ``table`` in one statement (bypassing the ORM)."""
        self.session.execute(insert(table), rows)


class DemoTables:
    """What the demo builder reads and writes, on a bare connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def customer_count(self) -> int:
        return self.conn.scalar(select(func.count()).select_from(Customer)) or 0

    def partner_and_user_count(self) -> int:
        """How many partners and users there are (a database may hold only those)."""
        return sum(
            self.conn.scalar(select(func.count()).select_from(model)) or 0
            for model in (Partner, User)
        )

    def meta(self, key: str) -> str | None:
        """The ``app_meta`` value of ``key`` (None: not set)."""
        return self.conn.scalar(select(AppMeta.value).where(AppMeta.key == key))

    def clear(self, table: Table) -> None:
        """Delete every row of ``table``."""
        self.conn.execute(table.delete())

    def insert_rows(self, table: Table, rows: Sequence[dict[str, Any]], chunk: int) -> None:
        """Insert plain rows into ``table``, ``chunk`` rows per statement."""
        for start in range(0, len(rows), chunk):
            self.conn.execute(table.insert(), rows[start : start + chunk])
