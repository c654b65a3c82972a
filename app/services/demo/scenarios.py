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
from app.services.demo.fair_use import fair_use_run
from app.services.demo.names import AIO_DISCOUNT, flat_tariff, tariff_named
from app.services.demo.population import long_history
from app.services.demo.processes import (
    expiry_case,
)
from app.services.demo.records import add_bundle, add_subscription
from app.services.demo.scenarios_lifecycle import (
    complaint_claim,
    complaint_consultation,
    complaint_first_line_claim,
    complaint_mass_incident,
    complaint_retained,
    complaint_second_line,
    contract_cancellation,
    contract_device_plan,
    contract_downgrade_refused,
    onboarding_consolidation,
    onboarding_fit_check,
    onboarding_follow_up,
    onboarding_intake,
    onboarding_vip_no_contact,
    onboarding_vip_unassigned,
    orphaned_device_plan,
)
from app.services.demo.tickets import (
    decision_answer_due_today,
    decision_answer_just_overdue,
    decision_answer_later,
    decision_answer_later_today,
    decision_answer_overdue,
)

Scenario = Callable[[DemoBuilder], CustomerRef]


def _flat(b: DemoBuilder, language: str, partner: str, **kw: object) -> CustomerRef:
    """A long-standing customer on the market's flat tariff."""
    kw.setdefault("activation", b.day(400 + b.rng.randrange(900)))
    c = b.add_customer(language, partner, **kw)  # type: ignore[arg-type]
    aio = AIO_DISCOUNT[c.country] if "aio" in c.products else None
    add_subscription(b, c, flat_tariff(c.country), aio_discount=aio)
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
    fair_use_run(b, c, "1101")
    return c


def fair_use_stage_0(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "en", "KNU-BE", name="Grace MacLeod", value=1)
    fair_use_run(b, c, "0100")
    return c


def fair_use_partner_feedback(b: DemoBuilder) -> CustomerRef:
    c = _flat(b, "de", "KNU-EM", name="Fritz Stämpfli", value=2)
    fair_use_run(b, c, "0011", done_now=3, missing="0", partner_feedback=True)
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
    add_subscription(b, c, tariff_named("CN", "畅享套餐 58元"))
    lapsed = month_end(add_months(b.today, -3))
    start = add_months(lapsed, -12) + timedelta(days=1)
    add_bundle(b, c, "预存话费送手机活动", lapsed, None, started=start)
    bundle = add_bundle(b, c, "5元GPRS数据流量套餐", lapsed, Decimal("5.00"), started=start)
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
        rule_ids=["goodwill.credit.counterfactual_bill", "goodwill.credit.sum_of_months"],
        payload=facts,
    )
    return c


def _bundle_customer(b: DemoBuilder, language: str, partner: str, name: str) -> CustomerRef:
    c = b.add_customer(language, partner, name=name, activation=b.day(700), value=2)
    add_subscription(
        b,
        c,
        tariff_named(
            c.country, {"CH": "Smart Abo M", "CN": "畅享套餐 58元", "RU": "Тарифище"}[c.country]
        ),
    )
    return c


def expiry_week_due(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "de", "KNU-ZO", "Daniela Kälin")
    add_bundle(b, c, "Datenpaket Europa 5 GB", b.day(-4), Decimal("15.00"))
    return c


def expiry_month_due(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "zh", "CN-LS", "次仁卓玛")
    add_bundle(b, c, "10元100M流量包", b.day(-20), Decimal("10.00"))
    return c


def expiry_week_after_month(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "ru", "RU-SP", "Дмитрий Ёлкин")
    end = b.day(-6)
    bundle = add_bundle(b, c, "Пакет интернета 10 ГБ", end, Decimal("200.00"), ("month",))
    expiry_case(b, c, bundle, end, "month")
    return c


def expiry_all_sent(b: DemoBuilder) -> CustomerRef:
    c = _bundle_customer(b, "en", "KNU-NW", "Hannah Clarke")
    end = b.day(-3)
    bundle = add_bundle(b, c, "Option Ausland Talk 100", end, Decimal("9.90"), ("month", "week"))
    expiry_case(b, c, bundle, end, "week")
    ended = b.day(12)
    old = add_bundle(b, c, "Aktion Mobile-TV 3 Monate gratis", ended, None, ("month", "week"))
    expiry_case(b, c, old, ended, "week", closed=True)
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
    (N_("onboarding: follow-up (day 8), an intake task overdue"), onboarding_follow_up),
    (N_("onboarding: VIP, account manager not assigned (overdue)"), onboarding_vip_unassigned),
    (
        N_("onboarding: VIP, manager's first contact and call-back overdue"),
        onboarding_vip_no_contact,
    ),
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
    (
        N_("fair use stage 3: the partner's answer to the decision is overdue"),
        decision_answer_overdue,
    ),
    (
        N_("fair use stage 3, termination: the partner's answer was due yesterday"),
        decision_answer_just_overdue,
    ),
    (N_("fair use stage 3: the partner's answer is due today"), decision_answer_due_today),
    (
        N_("fair use stage 3, decided yesterday: the partner's answer is due later"),
        decision_answer_later,
    ),
    (
        N_("fair use stage 3, decided today: the partner's answer is due later"),
        decision_answer_later_today,
    ),
)
