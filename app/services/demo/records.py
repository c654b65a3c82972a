"""Rows for what customers have and what is done for them, written through the builder.

Subscriptions, device plans, bundles (with the reminders already sent) and
fair-use records; SMS in the outbox, partner tickets with their feedback,
requested letters and follow-up tasks.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.services.demo.build import (
    CustomerRef,
    DemoBuilder,
    add_months,
    first_of_month,
    month_key,
)
from app.services.demo.names import PARTNER_STAFF, Tariff
from app.services.demo.texts import sms_text

REMINDER_RULES = {
    "month": "expiry.reminder.month_before",
    "week": "expiry.reminder.week_before",
}


def add_subscription(
    b: DemoBuilder,
    customer: CustomerRef,
    tariff: Tariff,
    *,
    activated: date | None = None,
    aio_discount: Decimal | None = None,
    last_upgrade: date | None = None,
    cancelled: date | None = None,
) -> uuid.UUID:
    sid = b.uid("subscription")
    activated = activated or customer.activation
    created = b.at(activated, 8 * 60 + 1)
    b.rows["subscriptions"].append(
        dict(
            id=sid,
            customer_id=customer.id,
            tariff=tariff.name,
            monthly_fee=tariff.monthly_fee,
            aio_discount=aio_discount,
            data_mb=tariff.data_mb,
            minutes=tariff.minutes,
            activated=activated,
            last_upgrade_effective=last_upgrade,
            cancelled_effective=cancelled,
            created_at=created,
            updated_at=created,
        )
    )
    return sid


#: Devices sold on instalments, per partner country (names as the shops write them).
DEVICES: dict[str, tuple[str, ...]] = {
    "CH": (
        "iPhone 16 128 GB",
        "Samsung Galaxy S24 256 GB",
        "Google Pixel 9 128 GB",
        "iPhone 15 Pro 256 GB",
        "Samsung Galaxy A55 128 GB",
    ),
    "CN": ("华为 Mate 70 Pro 512GB", "小米 15 256GB", "iPhone 16 Pro 256GB", "OPPO Find X8 256GB"),
    "RU": ("Samsung Galaxy S24 256 ГБ", "iPhone 15 128 ГБ", "Xiaomi 14T 256 ГБ"),
}


def add_device_plan(
    b: DemoBuilder,
    customer: CustomerRef,
    subscription_id: uuid.UUID | None,
    activated: date,
    *,
    financed: str = "720.00",
    instalment: str = "30.00",
    down_payment: str = "99.00",
    ended: date | None = None,
) -> str:
    plan_no = f"DP-{b.next_no('device_plan', 50001)}"
    # The device from the plan number (not from the random generator: the rest of the
    # demo stays as it was).
    models = DEVICES.get(customer.country, DEVICES["CH"])
    device = models[int(plan_no.removeprefix("DP-")) % len(models)]
    until = ended or b.today
    months = (until.year - activated.year) * 12 + until.month - activated.month
    total = int(Decimal(financed) / Decimal(instalment))
    billed = max(0, min(months, total))
    created = b.at(activated, 8 * 60 + 2)
    b.rows["device_plans"].append(
        dict(
            id=b.uid("device_plan", plan_no),
            plan_no=plan_no,
            device=device,
            customer_id=customer.id,
            subscription_id=subscription_id,
            activated=activated,
            down_payment=Decimal(down_payment),
            financed_amount=Decimal(financed),
            instalment=Decimal(instalment),
            instalments_billed=billed,
            status="ended" if ended else "active",
            ended=ended,
            created_at=created,
            updated_at=created,
        )
    )
    return plan_no


def add_bundle(
    b: DemoBuilder,
    customer: CustomerRef,
    name: str,
    end: date,
    fee: Decimal | None,
    sent: tuple[str, ...] = (),
    *,
    started: date | None = None,
) -> str:
    bundle_no = f"B-{b.next_no('bundle', 7001)}"
    started = started or max(customer.activation, add_months(end, -12))
    created = b.at(started, 8 * 60 + 3)
    b.rows["bundles"].append(
        dict(
            id=b.uid("bundle", bundle_no),
            customer_id=customer.id,
            bundle_no=bundle_no,
            name=name,
            end_date=end,
            package_fee=fee,
            reminders_sent=list(sent),
            created_at=created,
            updated_at=created,
        )
    )
    for reminder in sent:
        due = add_months(end, -1) if reminder == "month" else end - timedelta(days=7)
        due = max(due, started)
        template = f"expiry.{reminder}"
        key = "exp_month" if reminder == "month" else "exp_week"
        sms(
            b,
            customer,
            b.at(due),
            template,
            None,
            exported=True,
            bundle=name,
            end=end.isoformat(),
        )
        b.history(
            customer,
            b.at(due),
            "sms",
            key,
            payload={"bundle_id": bundle_no, "reminder": reminder},
            rule_ids=[REMINDER_RULES[reminder]],
            bundle=name,
            end=end.isoformat(),
        )
    return bundle_no


def add_fair_use(b: DemoBuilder, customer: CustomerRef, month: date, exceeded: bool) -> None:
    limit = 100_000
    used = b.rng.randrange(115_000, 420_000) if exceeded else b.rng.randrange(8_000, 90_000)
    key = month_key(month)
    created = b.at(min(add_months(first_of_month(month), 1), b.today), 6 * 60)
    b.rows["fair_use_records"].append(
        dict(
            id=b.uid("fair_use", f"{customer.no}/{key}"),
            customer_id=customer.id,
            month=key,
            exceeded=exceeded,
            data_mb_used=used,
            limit_mb=limit,
            created_at=created,
            updated_at=created,
        )
    )


def sms(
    b: DemoBuilder,
    customer: CustomerRef,
    when: datetime,
    template_id: str,
    case_id: uuid.UUID | None,
    *,
    exported: bool,
    **values: object,
) -> None:
    b.rows["sms_messages"].append(
        dict(
            id=b.uid("sms"),
            customer_id=customer.id,
            case_id=case_id,
            msisdn=customer.msisdn,
            language=customer.language,
            template_id=template_id,
            text=sms_text(template_id, customer.language, **values),
            status="exported" if exported else "queued",
            created_at=when,
            created_by=b.agent(customer),
            exported_at=when + timedelta(minutes=30) if exported else None,
        )
    )


def ticket(
    b: DemoBuilder,
    customer: CustomerRef,
    case_id: uuid.UUID | None,
    kind: str,
    subject: str,
    body: str,
    when: datetime,
    feedback: tuple[datetime, bool | None, str] | None = None,
    closed: bool = False,
    by: str | None = None,
) -> uuid.UUID:
    """A ticket to the customer's partner, with the partner's feedback if given
    (opened by ``by``, else by one of the agents serving the customer)."""
    tid = b.uid("ticket")
    status = "closed" if closed else ("answered" if feedback else "open")
    b.rows["partner_tickets"].append(
        dict(
            id=tid,
            customer_id=customer.id,
            case_id=case_id,
            partner_id=customer.partner_id,
            kind=kind,
            subject=subject,
            body=body,
            status=status,
            created_at=when,
            created_by=by or b.agent(customer),
        )
    )
    if feedback:
        at, agrees, text = feedback
        b.rows["ticket_feedback"].append(
            dict(
                id=b.uid("feedback"),
                ticket_id=tid,
                author=PARTNER_STAFF[customer.partner],
                created_at=at,
                agrees=agrees,
                text=text,
            )
        )
    return tid


def letter(
    b: DemoBuilder,
    customer: CustomerRef,
    case_id: uuid.UUID,
    document: str,
    when: datetime,
    context: dict[str, Any],
    language: str | None = None,
) -> None:
    """A requested letter (in ``language``: the customer's unless given)."""
    b.rows["letters"].append(
        dict(
            id=b.uid("letter"),
            customer_id=customer.id,
            case_id=case_id,
            document=document,
            language=language or customer.language,
            context=context,
            status="requested",
            requested_at=when,
            requested_by=b.agent(customer),
            template_version=None,
            issued_at=None,
            issued_by=None,
            pdf_path=None,
            sha256=None,
        )
    )


def task(
    b: DemoBuilder,
    customer: CustomerRef,
    case_id: uuid.UUID | None,
    kind: str,
    title: str,
    due: date,
    created: datetime,
    done: datetime | None = None,
) -> None:
    b.rows["tasks"].append(
        dict(
            id=b.uid("task"),
            customer_id=customer.id,
            case_id=case_id,
            kind=kind,
            title=title,
            due=due,
            done_at=done,
            done_by=b.agent(customer) if done else None,
            created_at=created,
        )
    )
