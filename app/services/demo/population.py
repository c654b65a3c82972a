"""The crowd around the showcase: random but plausible customers, incidents, long timelines."""

from __future__ import annotations

from datetime import date, timedelta

from app.services.demo.build import CustomerRef, DemoBuilder, add_months, first_of_month, month_end
from app.services.demo.fair_use import fair_use_run
from app.services.demo.names import (
    AIO_DISCOUNT,
    BUNDLES,
    PARTNERS_BY_LANGUAGE,
    TARIFFS,
)
from app.services.demo.processes import complaint_case, complaint_summary
from app.services.demo.processes import onboarding_run as _onboarding_run
from app.services.demo.records import add_bundle, add_device_plan, add_subscription
from app.services.demo.texts import BACKGROUND

LANGUAGE_WEIGHTS = (("de", 45), ("en", 15), ("zh", 20), ("ru", 20))
VALUE_WEIGHTS = ((1, 40), (2, 30), (3, 20), (4, 10))
COMPLAINTS = (
    ("shop.dissatisfaction", "second_line"),
    ("shop.improper_service", "retained"),
    ("contact_centre.incompetence", "consultation"),
    ("dealer.incompetence", "second_line"),
    ("billing_system.migration", "claim"),
    ("billing_system.no_block_negative_balance", "claim"),
    ("billing_system.block_positive_balance", "mass_incident"),
    ("other.tariff_change", "consultation"),
    ("other.self_service", "retained"),
)
_TOPICS = {"de": "Rechnung", "en": "the bill", "zh": "账单", "ru": "счёт"}


def _weighted(b: DemoBuilder, table: tuple[tuple[object, int], ...]) -> object:
    values, weights = zip(*table, strict=True)
    return b.rng.choices(values, weights)[0]


def add_incidents(b: DemoBuilder) -> None:
    """An active billing incident, an active regional outage, and a withdrawn one."""
    rows = (
        (
            "billing",
            "Verrechnungsstörung: Saldo nicht synchron nach Systemupdate",
            "1. Kunde informieren: Seit dem Systemupdate zeigt das Kundenportal teilweise einen "
            "falschen Saldo an; Belastungen werden automatisch korrigiert.\n"
            "2. Keine manuellen Gutschriften erfassen.\n"
            "3. Bei Sperre trotz Guthaben: Sperre über das Störungsformular aufheben lassen.\n"
            "4. Kontakt mit Kategorie und Incident-Nummer im History-Eintrag festhalten.",
            [
                "billing_system.balance_desync",
                "billing_system.block_positive_balance",
                "billing_system.charge_while_blocked",
            ],
            None,
            1,
            None,
        ),
        (
            "bern",
            "Netzstörung Region Bern",
            "1. Betroffen: Mobile-Portal und Datendienste in Bern-Mittelland.\n"
            "2. Kunde informieren, dass die Techniker vor Ort sind; voraussichtliche Behebung "
            "heute 18:00.\n"
            "3. Keine Tickets an den Partner eröffnen, Störung ist bekannt.",
            ["other.self_service"],
            "KNU-BE",
            0,
            None,
        ),
        (
            "ussd",
            "Störung USSD-Guthabenabfrage *130#",
            "1. Saldo über das Kundenportal oder per SMS «SALDO» an 444 abfragen lassen.\n"
            "2. Kein Ticket nötig.",
            ["other.self_service"],
            None,
            21,
            19,
        ),
    )
    for key, title, text, categories, partner, started, withdrawn in rows:
        b.rows["mass_incidents"].append(
            dict(
                id=b.uid("incident", key),
                title=title,
                instructions=text,
                categories=categories,
                partner_id=b.partner_ids[partner] if partner else None,
                started_at=b.at(b.day(started), 6 * 60 + 30),
                withdrawn_at=b.at(b.day(withdrawn), 12 * 60) if withdrawn is not None else None,
                created_by="r.baumann",
            )
        )


def background(b: DemoBuilder, c: CustomerRef, count: int) -> None:
    """``count`` everyday contacts (calls, notes, bill SMS, tickets) since activation."""
    start = c.activation
    span = max((b.today - start).days, 1)
    keys, kinds, weights = zip(*BACKGROUND, strict=True)
    picks = b.rng.choices(range(len(keys)), weights, k=count)
    offsets = sorted(b.rng.randrange(span) + 1 for _ in range(count))
    tariffs = TARIFFS[c.country]
    for offset, pick in zip(offsets, picks, strict=True):
        day = start + timedelta(days=min(offset, span))
        kind = kinds[pick]
        month = add_months(first_of_month(day), -1).strftime("%Y-%m")
        b.history(
            c,
            b.at(day),
            kind,
            keys[pick],
            author="system" if kind == "sms" else None,
            payload={"template": keys[pick]},
            month=month,
            tariff=b.rng.choice(tariffs).name,
            partner=c.partner,
        )


def long_history(b: DemoBuilder, c: CustomerRef, count: int) -> None:
    """Fill the customer's history to ``count`` entries, the last one a correction."""
    background(b, c, count - b.history_count[c.id] - 2)
    noted = b.history(c, b.at(b.day(1)), "note", "note_callback")
    b.history(c, b.now - timedelta(seconds=30), "note", "correction", refers_to=noted)


def _reminders_sent(b: DemoBuilder, end: date) -> tuple[str, ...]:
    """Reminders already sent for a bundle ending on ``end``, consistent with today."""
    month_due, week_due = add_months(end, -1), end - timedelta(days=7)
    roll = b.rng.random()
    if b.today >= end:
        return () if roll < 0.1 else ("month", "week") if roll < 0.8 else ("week",)
    if b.today >= week_due:
        return () if roll < 0.3 else ("month",) if roll < 0.6 else ("month", "week")
    if b.today >= month_due:
        return () if roll < 0.5 else ("month",)
    return ()


def random_customer(b: DemoBuilder) -> CustomerRef:
    """One customer of the crowd with subscription, and perhaps plans, bundles, cases."""
    rng = b.rng
    language = str(_weighted(b, LANGUAGE_WEIGHTS))  # type: ignore[arg-type]
    partner = rng.choice(PARTNERS_BY_LANGUAGE[language])
    days = rng.randrange(0, 100) if rng.random() < 0.15 else rng.randrange(120, 3650)
    activation = b.day(days)
    value = int(_weighted(b, VALUE_WEIGHTS))  # type: ignore[arg-type, call-overload]
    vip = (value == 4 and rng.random() < 0.6) or (value == 3 and rng.random() < 0.15)
    vip_rated = activation + timedelta(days=rng.randrange(0, min(days, 30) + 1)) if vip else None
    products = tuple(
        p
        for p, share in (("mobile_tv", 0.25), ("combo", 0.2), ("internet", 0.3), ("aio", 0.15))
        if rng.random() < share
    )
    c = b.add_customer(
        language,
        partner,
        activation=activation,
        value=value,
        vip_rated=vip_rated,
        products=products,
    )
    tariffs = TARIFFS[c.country]
    tariff = rng.choices(tariffs, [1 if not t.flat else 1.5 for t in tariffs])[0]
    upgrade = None
    if days > 60 and rng.random() < 0.12:
        upgrade = first_of_month(b.day(rng.randrange(0, min(days, 360))))
    cancelled = None
    if days > 120 and rng.random() < 0.04:
        cancelled = month_end(add_months(b.day(rng.randrange(0, 120)), 3))
    sub = add_subscription(
        b,
        c,
        tariff,
        aio_discount=AIO_DISCOUNT[c.country] if "aio" in products else None,
        last_upgrade=upgrade,
        cancelled=cancelled,
    )
    if cancelled is None and days > 30 and rng.random() < 0.2:
        start = b.day(rng.randrange(20, min(days, 900) + 1))
        after = add_months(start, 24)
        add_device_plan(b, c, sub, start, ended=after if after <= b.today else None)
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            name, fee = rng.choice(BUNDLES[c.country])
            end = b.day(rng.randrange(-90, 150))
            if end > activation:
                add_bundle(b, c, name, end, fee, _reminders_sent(b, end))
    if tariff.flat:
        pattern = "".join("1" if rng.random() < 0.22 else "0" for _ in range(4))
        fair_use_run(b, c, pattern, done_now=rng.randrange(0, 3))
    if days <= 100:
        _onboarding(b, c, vip_rated)
    if rng.random() < 0.06:
        category, route = rng.choice(COMPLAINTS)
        complaint_case(
            b,
            c,
            category,
            route,
            days_ago=rng.randrange(0, 20),
            summary=complaint_summary(c, _TOPICS[c.language]),
        )
    fill_history(b, c)
    return c


def fill_history(b: DemoBuilder, c: CustomerRef, low: int = 3, high: int = 30) -> None:
    """Everyday contacts until the customer has between ``low`` and ``high`` entries."""
    target = b.rng.randint(low, high)
    background(b, c, max(0, target - b.history_count[c.id]))


def _onboarding(b: DemoBuilder, c: CustomerRef, vip_rated: date | None) -> None:
    assigned = contact = None
    if vip_rated is not None and b.rng.random() < 0.6:
        assigned = min(vip_rated + timedelta(days=b.rng.randrange(0, 5)), b.today)
        if b.rng.random() < 0.6:
            contact = min(assigned + timedelta(days=b.rng.randrange(0, 9)), b.today)
    skip = ("first_callback",) if b.rng.random() < 0.25 else ()
    _onboarding_run(
        b, c, vip_rated=vip_rated, manager_assigned=assigned, first_contact=contact, skip=skip
    )
