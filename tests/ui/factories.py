"""Test data for the customer screens, written through the real ORM."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from app.store.db import Database
from app.store.models import (
    Bundle,
    Case,
    Customer,
    DevicePlan,
    HistoryEntry,
    Partner,
    Process,
    Subscription,
)
from app.store.repositories import UnitOfWork


def seed_people(db: Database) -> dict[str, uuid.UUID]:
    """Three customers in three languages, one with products, plans, bundles and a case."""
    with UnitOfWork(db) as uow:
        ch = Partner(code="KNU-NW", name="Kabelnetz Nordwest AG", country="CH", language="de")
        cn = Partner(code="CN-LS", name="拉萨通信代理", country="CN", language="zh")
        ru = Partner(code="RU-MSK", name="Связь-Партнёр", country="RU", language="ru")
        for p in (ch, cn, ru):
            uow.add(p)
        uow.flush()
        mueller = Customer(
            customer_no="C-10001",
            msisdn="+41791234567",
            name="Hans Müller",
            language="de",
            partner_id=ch.id,
            customer_value=3,
            vip=True,
            vip_rated=date(2025, 11, 3),
            products=["mobile_tv", "combo"],
            activation_date=date(2024, 3, 7),
        )
        wang = Customer(
            customer_no="C-10003",
            msisdn="+8613612346712",
            name="王芳",
            language="zh",
            partner_id=cn.id,
            products=["internet"],
        )
        smirnova = Customer(
            customer_no="C-20001",
            msisdn="+79161234567",
            name="Ирина Смирнова",
            language="ru",
            partner_id=ru.id,
        )
        for c in (mueller, wang, smirnova):
            uow.add(c)
        uow.flush()
        sub = Subscription(
            customer_id=mueller.id,
            tariff="Flat Max",
            monthly_fee=Decimal("69.00"),
            aio_discount=Decimal("10.00"),
            data_mb=50_000,
            minutes=None,
            activated=date(2024, 3, 7),
        )
        uow.add(sub)
        uow.flush()
        uow.add(
            DevicePlan(
                plan_no="DP-7001",
                customer_id=mueller.id,
                subscription_id=sub.id,
                activated=date(2025, 1, 15),
                down_payment=Decimal("99.00"),
                financed_amount=Decimal("720.00"),
                instalment=Decimal("30.00"),
                instalments_billed=5,
            )
        )
        uow.add(
            Bundle(
                customer_id=mueller.id,
                bundle_no="B-1",
                name="Daten 10 GB",
                end_date=date(2026, 12, 31),
                package_fee=Decimal("5.00"),
            )
        )
        uow.add(
            Case(
                customer_id=mueller.id,
                process=Process.FAIR_USE,
                subject="2026-10",
                stage="2",
                opened_by="anna",
                due=date(2026, 11, 30),
            )
        )
        uow.commit()
        return {"mueller": mueller.id, "wang": wang.id, "smirnova": smirnova.id}


def add_history(
    db: Database,
    customer_id: uuid.UUID,
    count: int,
    *,
    start: datetime | None = None,
    same_time: bool = False,
) -> None:
    """``count`` entries, one minute apart (or all at one instant), text ``entry <i>``."""
    start = start or datetime(2020, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "author": "import",
            "created_at": start if same_time else start + timedelta(minutes=i),
            "kind": "import",
            "text": f"entry {i}",
            "payload": {},
            "rule_ids": [],
        }
        for i in range(count)
    ]
    with UnitOfWork(db) as uow:
        uow.session.execute(insert(HistoryEntry), rows)
        uow.commit()
