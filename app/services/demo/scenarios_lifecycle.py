"""Showcase customers for the customer's lifecycle: contracts, onboarding, complaints."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.services.demo.build import CustomerRef, DemoBuilder, add_months, first_of_month, month_end
from app.services.demo.names import tariff_named
from app.services.demo.processes import complaint_case, complaint_summary, onboarding_run
from app.services.demo.records import add_device_plan, add_subscription
from app.services.demo.tickets import downgrade_exception_ticket


def contract_downgrade_refused(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-NW", name="Reto Aebischer", activation=b.day(800), value=3)
    upgrade = first_of_month(b.today - timedelta(days=25))
    add_subscription(b, c, tariff_named("CH", "Smart Abo L"), last_upgrade=upgrade)
    b.history(
        c,
        b.at(upgrade - timedelta(days=9)),
        "step",
        "contract_upgrade",
        rule_ids=["contract.upgrade.next_month"],
        tariff="Smart Abo L",
        effective=upgrade.isoformat(),
    )
    lock_end = upgrade + timedelta(days=90)
    earliest = lock_end if lock_end.day == 1 else first_of_month(add_months(lock_end, 1))
    case_facts = {
        "action": "downgrade",
        "date": b.today.isoformat(),
        "tariff": "Smart Abo M",
        "allowed": False,
        "earliest_allowed_date": earliest.isoformat(),
        "needs_ticket": True,
    }
    opened = b.at(b.today)
    case_id = b.case(c, "contract", "downgrade", "refused", opened=opened, facts=case_facts)
    b.history(
        c,
        opened,
        "step",
        "contract_downgrade",
        case_id=case_id,
        rule_ids=["contract.downgrade.lock_after_upgrade"],
        payload=case_facts,
        earliest=earliest.isoformat(),
    )
    downgrade_exception_ticket(
        b,
        c,
        case_id,
        opened + timedelta(minutes=2),
        tariff="Smart Abo L",
        new_tariff="Smart Abo M",
        upgrade=upgrade,
        earliest=earliest,
        by=b.rows["history_entries"][-1]["author"],
    )
    return c


def contract_cancellation(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-EM", name="Käthi Gerber", activation=b.day(1500), value=1)
    request = b.day(10)
    effective = month_end(add_months(request, 3))
    sub = add_subscription(b, c, tariff_named("CH", "Smart Abo S"), cancelled=effective)
    add_device_plan(b, c, sub, add_months(request, -11), ended=request)
    case_facts = {
        "action": "cancel",
        "date": request.isoformat(),
        "effective_date": effective.isoformat(),
        "device_plan_end": request.isoformat(),
    }
    case_id = b.case(
        c, "contract", "cancel", "scheduled", opened=b.at(request), facts=case_facts, due=effective
    )
    b.history(
        c,
        b.at(request),
        "step",
        "contract_cancel",
        case_id=case_id,
        rule_ids=["contract.cancel.notice", "contract.device_plan.ends_with_subscription"],
        payload=case_facts,
        effective=effective.isoformat(),
    )
    return c


def contract_device_plan(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "en", "KNU-ZO", name="James O'Brien", activation=b.day(600), value=3, products=("aio",)
    )
    upgrade = first_of_month(add_months(b.today, -7))
    sub = add_subscription(
        b, c, tariff_named("CH", "Smart Abo M"), aio_discount=Decimal("10.00"), last_upgrade=upgrade
    )
    add_device_plan(b, c, sub, add_months(b.today, -14), ended=add_months(b.today, -5))
    add_device_plan(
        b,
        c,
        sub,
        add_months(b.today, -5) + timedelta(days=0),
        financed="1080.00",
        instalment="45.00",
        down_payment="149.00",
    )
    case_facts = {
        "action": "upgrade",
        "date": add_months(upgrade, -1).isoformat(),
        "effective_date": upgrade.isoformat(),
    }
    b.case(
        c,
        "contract",
        "upgrade",
        "done",
        opened=b.at(add_months(upgrade, -1)),
        facts=case_facts,
        closed=b.at(upgrade),
    )
    return c


def orphaned_device_plan(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-BE", name="Marco Tschanz", activation=b.day(5), value=2)
    add_device_plan(b, c, None, b.day(5), financed="960.00", instalment="40.00")
    add_subscription(b, c, tariff_named("CH", "Smart Abo M"), activated=b.day(2))
    onboarding_run(b, c)
    return c


def onboarding_intake(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("zh", "CN-LS", name="张秀英", activation=b.day(1), value=1)
    add_subscription(b, c, tariff_named("CN", "4G飞享套餐 38元"))
    onboarding_run(b, c)
    return c


def onboarding_follow_up(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("ru", "RU-SP", name="Анна Козлова", activation=b.day(8), value=2)
    add_subscription(b, c, tariff_named("RU", "Мой разговор"))
    onboarding_run(b, c, skip=("data_usage_advice",))
    return c


def onboarding_vip_unassigned(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "zh", "CN-LS", name="刘志强", activation=b.day(8), value=4, vip_rated=b.day(8)
    )
    add_subscription(b, c, tariff_named("CN", "全球通无限量 128元"))
    onboarding_run(b, c, vip_rated=b.day(8))
    return c


def onboarding_vip_no_contact(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "de",
        "KNU-NW",
        name="Andrea Rüegg",
        activation=b.day(20),
        value=4,
        vip_rated=b.day(19),
        products=("internet", "aio"),
    )
    add_subscription(b, c, tariff_named("CH", "Smart Abo L"), aio_discount=Decimal("10.00"))
    onboarding_run(b, c, vip_rated=b.day(19), manager_assigned=b.day(17), skip=("first_callback",))
    return c


def onboarding_fit_check(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("en", "KNU-BE", name="Chloe Patel", activation=b.day(45), value=2)
    add_subscription(b, c, tariff_named("CH", "Smart Abo S"))
    onboarding_run(b, c)
    return c


def onboarding_consolidation(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "de", "KNU-ZO", name="Lea Bösch", activation=b.day(75), value=3, vip_rated=b.day(70)
    )
    add_subscription(b, c, tariff_named("CH", "Smart Abo M"))
    onboarding_run(b, c, vip_rated=b.day(70), manager_assigned=b.day(68), first_contact=b.day(64))
    return c


def complaint_mass_incident(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-BE", name="Urs Lüthi", activation=b.day(900), value=2)
    add_subscription(b, c, tariff_named("CH", "Smart Abo M"))
    complaint_case(
        b,
        c,
        "billing_system.balance_desync",
        "mass_incident",
        days_ago=0,
        summary=complaint_summary(c, "Saldo im Kundenportal falsch"),
        facts={"mass_incident_id": str(b.uid("incident", "billing"))},
    )
    return c


def complaint_second_line(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("ru", "RU-SP", name="Павел Морозов", activation=b.day(1200), value=2)
    add_subscription(b, c, tariff_named("RU", "Тарифище"))
    complaint_case(
        b,
        c,
        "contact_centre.improper_service",
        "second_line",
        days_ago=1,
        summary=complaint_summary(c, "грубость оператора, звонок прерван"),
        facts={"retention": None},
    )
    return c


def complaint_claim(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "ru",
        "RU-SP",
        name="Светлана Виноградова",
        activation=b.day(2000),
        value=4,
        vip_rated=b.day(1000),
    )
    add_subscription(b, c, tariff_named("RU", "Безлимит+"))
    complaint_case(
        b,
        c,
        "billing_system.charge_while_blocked",
        "claim",
        days_ago=2,
        summary=complaint_summary(c, "списания во время блокировки"),
    )
    return c


def complaint_consultation(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-EM", name="Heidi Oberli", activation=b.day(1000), value=1)
    add_subscription(b, c, tariff_named("CH", "Mobile Talk"))
    complaint_case(
        b,
        c,
        "billing_system.slow_service",
        "claim",  # not allowed for customer value 1: ends as a consultation
        days_ago=5,
        summary=complaint_summary(c, "Tarifwechsel dauert zu lange"),
    )
    return c


def complaint_retained(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("en", "KNU-NW", name="William Hughes", activation=b.day(1300), value=3)
    add_subscription(b, c, tariff_named("CH", "Smart Abo L"))
    complaint_case(
        b,
        c,
        "shop.incompetence",
        "retained",
        days_ago=6,
        summary=complaint_summary(c, "wrong advice in the shop"),
    )
    return c


def complaint_first_line_claim(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("ru", "RU-SP", name="Юлия Павлова", activation=b.day(500), value=3)
    add_subscription(b, c, tariff_named("RU", "Мой разговор"))
    complaint_case(
        b,
        c,
        "dealer.confidentiality",
        "claim",
        days_ago=0,
        summary=complaint_summary(c, "дилер разгласил персональные данные"),
        facts={
            "second_line_normal": False,
            "retention": None,
            "blocker": None,
            "filed_by": "first_line",
        },
    )
    return c
