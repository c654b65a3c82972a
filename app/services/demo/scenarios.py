"""The showcase customers: one hand-made story per situation worth demonstrating.

They get the first customer numbers (C-10000, C-10001, ...) in the order of
:data:`SHOWCASE`, whose descriptions the ``demo`` command prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from app.i18n import N_
from app.services.demo.build import (
    CustomerRef,
    DemoBuilder,
    add_months,
    first_of_month,
    month_end,
    month_key,
)
from app.services.demo.names import AIO_DISCOUNT, flat_tariff, tariff_named
from app.services.demo.population import long_history
from app.services.demo.processes import (
    complaint_case,
    complaint_summary,
    expiry_case,
    fair_use_run,
    onboarding_run,
)

Scenario = Callable[[DemoBuilder], CustomerRef]


def _flat(b: DemoBuilder, language: str, partner: str, **kw: object) -> CustomerRef:
    """A long-standing customer on the market's flat tariff."""
    kw.setdefault("activation", b.day(400 + b.rng.randrange(900)))
    c = b.add_customer(language, partner, **kw)  # type: ignore[arg-type]
    aio = AIO_DISCOUNT[c.country] if "aio" in c.products else None
    b.add_subscription(c, flat_tariff(c.country), aio_discount=aio)
    return c


def long_timeline(b: DemoBuilder) -> CustomerRef:
    c = _flat(
        b,
        "de",
        "KNU-NW",
        name="Beat Nussbaumer",
        value=4,
        vip_rated=b.day(2900),
        activation=b.day(3300),
        products=("aio", "internet"),
    )
    long_history(b, c, 10_000)
    return c


def fair_use_stage_1(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "de", "KNU-EM", name="Hansruedi Brändli", value=2)
    fair_use_run(b, c, "0001")
    return c


def fair_use_stage_2(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "en", "KNU-ZO", name="Oliver Fletcher", value=2)
    fair_use_run(b, c, "0011", done_now=3)
    return c


def fair_use_stage_3_no_termination(b: DemoBuilder) -> CustomerRef:
    c = _flat(
        b, "de", "KNU-BE", name="Ursula Zbinden", value=3, products=("mobile_tv", "combo", "aio")
    )
    fair_use_run(b, c, "0111", done_now=1)
    return c


def fair_use_partner_disagrees(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "ru", "RU-SP", name="Ирина Смирнова", value=3, products=("internet",))
    fair_use_run(
        b,
        c,
        "0111",
        done_now=4,
        decision={"measure": "migration", "days_ago": 3, "partner_agrees": False},
    )
    return c


def fair_use_termination(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "zh", "CN-LS", name="王芳", value=1)
    fair_use_run(
        b,
        c,
        "1111",
        done_now=4,
        decision={"measure": "termination", "days_ago": 1, "partner_agrees": True},
    )
    return c


def fair_use_gap(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "de", "KNU-NW", name="Sandra Hürlimann", value=2)
    fair_use_run(b, c, "1101", done_now=2)
    return c


def fair_use_stage_0(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "en", "KNU-BE", name="Grace MacLeod", value=1)
    fair_use_run(b, c, "0100")
    return c


def fair_use_partner_feedback(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "de", "KNU-EM", name="Fritz Stämpfli", value=2)
    fair_use_run(b, c, "0011", done_now=3, missing="0")
    return c


def goodwill_huang(b: DemoBuilder) -> CustomerRef:
    """The seed's case: a 5.00 data package lapsed with its promotion, charges followed."""
    c = b.add_customer(
        "zh",
        "CN-LS",
        name="黄建国",
        msisdn="+8613612346712",
        value=4,
        vip_rated=b.day(420),
        activation=b.day(480),
    )
    b.add_subscription(c, tariff_named("CN", "畅享套餐 58元"))
    lapsed = month_end(add_months(b.today, -3))
    start = add_months(lapsed, -12) + timedelta(days=1)
    b.add_bundle(c, "预存话费送手机活动", lapsed, None, started=start)
    bundle = b.add_bundle(c, "5元GPRS数据流量套餐", lapsed, Decimal("5.00"), started=start)
    m1, m2 = (first_of_month(add_months(b.today, k)) for k in (-2, -1))
    facts = {
        "package_fee": "5.00",
        "minimum_spend": "100.00",
        "months": [
            {
                "month": month_key(m1),
                "other_charges": "67.38",
                "out_of_bundle_data": "13.28",
                "minimum_spend_topup": "19.34",
            },
            {"month": month_key(m2), "other_charges": "100.00", "out_of_bundle_data": "173.82"},
        ],
        "suggested_credit": "168.82",
        "tenure_months": 16,
        "average_monthly_spend": "250.00",
        "group": "安全厅集团V网",
        "earlier_complaints": 0,
        "consumer_rights_day": "03-15",
        "offer": "reactivate_package",
    }
    expiry_case(b, c, bundle, lapsed, "goodwill", facts=facts)
    b.history(
        c,
        b.at(b.day(2)),
        "call",
        "goodwill",
        bundle="5元GPRS数据流量套餐",
        author="l.wang",
        rule_ids=["goodwill.credit.month", "goodwill.credit.total"],
        payload=facts,
    )
    return c


def _bundle_customer(b: DemoBuilder, language: str, partner: str, name: str) -> CustomerRef:
    c = b.add_customer(language, partner, name=name, activation=b.day(700), value=2)
    b.add_subscription(
        c,
        tariff_named(
            c.country, {"CH": "Smart Abo M", "CN": "畅享套餐 58元", "RU": "Тарифище"}[c.country]
        ),
    )
    return c


def expiry_week_due(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "de", "KNU-ZO", "Daniela Kälin")
    b.add_bundle(c, "Datenpaket Europa 5 GB", b.day(-4), Decimal("15.00"))
    return c


def expiry_month_due(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "zh", "CN-LS", "次仁卓玛")
    b.add_bundle(c, "10元100M流量包", b.day(-20), Decimal("10.00"))
    return c


def expiry_week_after_month(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "ru", "RU-SP", "Дмитрий Ёлкин")
    end = b.day(-6)
    bundle = b.add_bundle(c, "Пакет интернета 10 ГБ", end, Decimal("200.00"), ("month",))
    expiry_case(b, c, bundle, end, "month")
    return c


def expiry_all_sent(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "en", "KNU-NW", "Hannah Clarke")
    end = b.day(-3)
    bundle = b.add_bundle(c, "Option Ausland Talk 100", end, Decimal("9.90"), ("month", "week"))
    expiry_case(b, c, bundle, end, "week")
    ended = b.day(12)
    old = b.add_bundle(c, "Aktion Mobile-TV 3 Monate gratis", ended, None, ("month", "week"))
    expiry_case(b, c, old, ended, "week", closed=True)
    return c


def contract_downgrade_refused(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-NW", name="Reto Aebischer", activation=b.day(800), value=3)
    upgrade = first_of_month(b.today - timedelta(days=25))
    b.add_subscription(c, tariff_named("CH", "Smart Abo L"), last_upgrade=upgrade)
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
    return c


def contract_cancellation(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-EM", name="Käthi Gerber", activation=b.day(1500), value=1)
    request = b.day(10)
    effective = month_end(add_months(request, 3))
    sub = b.add_subscription(c, tariff_named("CH", "Smart Abo S"), cancelled=effective)
    b.add_device_plan(c, sub, add_months(request, -11), ended=request)
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
    sub = b.add_subscription(
        c, tariff_named("CH", "Smart Abo M"), aio_discount=Decimal("10.00"), last_upgrade=upgrade
    )
    b.add_device_plan(c, sub, add_months(b.today, -14), ended=add_months(b.today, -5))
    b.add_device_plan(
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
    b.add_device_plan(c, None, b.day(5), financed="960.00", instalment="40.00")
    b.add_subscription(c, tariff_named("CH", "Smart Abo M"), activated=b.day(2))
    onboarding_run(b, c)
    return c


def onboarding_intake(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("zh", "CN-LS", name="张秀英", activation=b.day(1), value=1)
    b.add_subscription(c, tariff_named("CN", "4G飞享套餐 38元"))
    onboarding_run(b, c)
    return c


def onboarding_follow_up(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("ru", "RU-SP", name="Анна Козлова", activation=b.day(8), value=2)
    b.add_subscription(c, tariff_named("RU", "Мой разговор"))
    onboarding_run(b, c, skip=("first_call_back",))
    return c


def onboarding_vip_unassigned(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "zh", "CN-LS", name="刘志强", activation=b.day(8), value=4, vip_rated=b.day(8)
    )
    b.add_subscription(c, tariff_named("CN", "全球通无限量 128元"))
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
    b.add_subscription(c, tariff_named("CH", "Smart Abo L"), aio_discount=Decimal("10.00"))
    onboarding_run(b, c, vip_rated=b.day(19), manager_assigned=b.day(17))
    return c


def onboarding_fit_check(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("en", "KNU-BE", name="Chloe Patel", activation=b.day(45), value=2)
    b.add_subscription(c, tariff_named("CH", "Smart Abo S"))
    onboarding_run(b, c)
    return c


def onboarding_consolidation(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer(
        "de", "KNU-ZO", name="Lea Bösch", activation=b.day(75), value=3, vip_rated=b.day(70)
    )
    b.add_subscription(c, tariff_named("CH", "Smart Abo M"))
    onboarding_run(b, c, vip_rated=b.day(70), manager_assigned=b.day(68), first_contact=b.day(64))
    return c


def complaint_mass_incident(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("de", "KNU-BE", name="Urs Lüthi", activation=b.day(900), value=2)
    b.add_subscription(c, tariff_named("CH", "Smart Abo M"))
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
    b.add_subscription(c, tariff_named("RU", "Тарифище"))
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
    b.add_subscription(c, tariff_named("RU", "Безлимит+"))
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
    b.add_subscription(c, tariff_named("CH", "Mobile Talk"))
    complaint_case(
        b,
        c,
        "billing_system.slow_service",
        "consultation",
        days_ago=5,
        summary=complaint_summary(c, "Tarifwechsel dauert zu lange"),
    )
    return c


def complaint_retained(b: DemoBuilder) -> CustomerRef:
    c = b.add_customer("en", "KNU-NW", name="William Hughes", activation=b.day(1300), value=3)
    b.add_subscription(c, tariff_named("CH", "Smart Abo L"))
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
    b.add_subscription(c, tariff_named("RU", "Мой разговор"))
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


#: Showcase customers in customer-number order, with what each shows.
SHOWCASE: tuple[tuple[str, Scenario], ...] = (
    (N_("10,000 history entries (long timeline)"), long_timeline),
    (N_("fair use stage 1, SMS 1 still to send"), fair_use_stage_1),
    (N_("fair use stage 2, partner ticket open"), fair_use_stage_2),
    (
        N_("fair use stage 3 with Mobile-TV and combo: termination not allowed"),
        fair_use_stage_3_no_termination,
    ),
    (
        N_("fair use stage 3, migration decided, partner disagrees (Controlling)"),
        fair_use_partner_disagrees,
    ),
    (
        N_("fair use stage 3, termination decided, partner agrees, letter requested"),
        fair_use_termination,
    ),
    (N_("fair use: a month within the limits reset the count (stage 1)"), fair_use_gap),
    (N_("fair use stage 0 this month (stage 1 two months ago)"), fair_use_stage_0),
    (N_("fair use stage 2, partner feedback received"), fair_use_partner_feedback),
    (N_("goodwill: 5.00 data package lapsed, charges 13.28 / 173.82"), goodwill_huang),
    (N_("expiry: week reminder due (month reminder superseded)"), expiry_week_due),
    (N_("expiry: month reminder due"), expiry_month_due),
    (N_("expiry: month reminder sent, week reminder due"), expiry_week_after_month),
    (N_("expiry: all reminders sent; an ended promotion"), expiry_all_sent),
    (N_("contract: downgrade refused within 90 days of an upgrade"), contract_downgrade_refused),
    (N_("contract: cancellation with notice, device plan ended"), contract_cancellation),
    (N_("contract: active device plan with instalments, AiO discount"), contract_device_plan),
    (N_("orphaned device plan (no subscription)"), orphaned_device_plan),
    (N_("onboarding: intake (day 1)"), onboarding_intake),
    (N_("onboarding: follow-up, call-back overdue"), onboarding_follow_up),
    (N_("onboarding: VIP, account manager not assigned (overdue)"), onboarding_vip_unassigned),
    (N_("onboarding: VIP, manager's first contact overdue"), onboarding_vip_no_contact),
    (N_("onboarding: fit check (day 45)"), onboarding_fit_check),
    (N_("onboarding: consolidation (day 75), VIP served"), onboarding_consolidation),
    (N_("complaint routed to the active mass incident"), complaint_mass_incident),
    (N_("complaint at the second line"), complaint_second_line),
    (N_("complaint filed as a claim (value 4)"), complaint_claim),
    (N_("complaint ended as a consultation (value 1)"), complaint_consultation),
    (N_("complaint: customer retained"), complaint_retained),
    (
        N_("complaint: claim filed by the first line (second line not in normal mode)"),
        complaint_first_line_claim,
    ),
)
