"""The six reports against data with known answers: every cell, on both engines.

The data set (:func:`build`) is written through the ORM as the services write
it: usage records, cases with their facts, history steps with their payloads,
tickets and the partner's answers, bundles, device plans. Each expected table
below is worked out by hand from the definitions in ``app/services/reports``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.services import identity
from app.services.errors import ValidationError
from app.services.identity import Identity
from app.services.permissions import PermissionDenied
from app.services.reports import REPORTS, rows
from app.store.db import Database
from app.store.models import (
    Bundle,
    Case,
    Customer,
    DevicePlan,
    DevicePlanStatus,
    FairUseRecord,
    HistoryEntry,
    Partner,
    PartnerTicket,
    Role,
    Subscription,
    TicketFeedback,
)
from app.store.repositories import UnitOfWork

TODAY = date(2026, 3, 20)
FIRST, LAST = "2026-01", "2026-03"

#: MULTIUSER.md, "Reports": names and columns, in this order.
SPEC_COLUMNS = {
    "fair-use": "month, stage, customers, migrations, terminations, partner_disagreements",
    "complaints": "month, category, complaints, claims, second_line",
    "onboarding": "month, stage, tasks_due, done_on_time, done_late, overdue",
    "reminders": "month, due, sent, sent_late",
    "controlling": "decision_date, customer_no, partner_code, measure, over_limit_usage_to_bill",
    "orphaned-device-plans": "partner_code, customer_no, device_plan_id, since, remaining_amount",
}

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "fair-use": [
        ("2026-01", 1, 3, 0, 0, 0),  # F1, F4, F5
        ("2026-01", 2, 1, 0, 0, 0),  # F3 (Dec + Jan)
        ("2026-02", 1, 1, 0, 0, 0),  # F2
        ("2026-02", 2, 2, 0, 0, 0),  # F1, F4
        ("2026-02", 3, 1, 0, 1, 1),  # F3: termination, disagreed in the history
        ("2026-03", 2, 1, 0, 0, 0),  # F2
        ("2026-03", 3, 2, 2, 0, 1),  # F1 (disagreed on the ticket), F4 (agreed)
    ],
    "complaints": [
        ("2026-01", "billing_system.migration", 2, 1, 2),
        ("2026-01", "shop.incompetence", 1, 0, 0),
        ("2026-02", "shop.incompetence", 1, 1, 0),
        ("2026-03", "unclassified", 1, 0, 0),
    ],
    "onboarding": [
        ("2026-01", "intake", 8, 2, 1, 5),
        ("2026-01", "follow_up", 1, 0, 1, 0),
        ("2026-01", "first_bill", 1, 1, 0, 0),
        ("2026-02", "first_bill", 1, 1, 0, 0),
        ("2026-02", "fit_check", 2, 0, 0, 2),
        ("2026-03", "intake", 9, 1, 0, 8),
        ("2026-03", "follow_up", 1, 0, 0, 0),
        ("2026-03", "fit_check", 2, 1, 0, 1),
        ("2026-03", "consolidation", 2, 0, 0, 2),
        ("2026-03", "vip", 2, 0, 1, 0),
    ],
    "reminders": [
        ("2026-01", 2, 1, 1),
        ("2026-02", 3, 3, 1),
        ("2026-03", 3, 1, 0),
    ],
    "controlling": [
        ("2026-02-25", "F3", "KNU-A", "termination", 3000),
        ("2026-03-12", "F1", "KNU-A", "migration", 2000),
    ],
    "orphaned-device-plans": [
        ("KNU-A", "D1", "GP-1", "2026-02-10", Decimal("840.00")),
        ("KNU-B", "D2", "GP-2", "2026-03-01", Decimal("449.00")),
    ],
}


def at(day: str, time: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}:00").replace(tzinfo=UTC)


OPENED = at("2026-03-01")


@dataclass
class World:
    db: Database
    partners: dict[str, uuid.UUID] = field(default_factory=dict)
    customers: dict[str, uuid.UUID] = field(default_factory=dict)
    cases: dict[str, uuid.UUID] = field(default_factory=dict)


class Builder:
    def __init__(self, uow: UnitOfWork, world: World) -> None:
        self.uow = uow
        self.world = world

    def partner(self, code: str) -> None:
        partner = Partner(code=code, name=f"Partner {code}")
        self.uow.add(partner)
        self.uow.flush()
        self.world.partners[code] = partner.id

    def customer(self, no: str, partner: str = "KNU-A", **kw: Any) -> uuid.UUID:
        n = len(self.world.customers) + 1
        customer = Customer(
            customer_no=no,
            msisdn=f"+4179{n:07d}",
            name=f"Kunde {no}",
            language="de",
            partner_id=self.world.partners[partner],
            **kw,
        )
        self.uow.add(customer)
        self.uow.flush()
        self.world.customers[no] = customer.id
        return customer.id

    def usage(
        self,
        no: str,
        month: str,
        used: int | None = None,
        limit: int | None = 3000,
        exceeded: bool = True,
    ) -> None:
        self.uow.add(
            FairUseRecord(
                customer_id=self.world.customers[no],
                month=month,
                exceeded=exceeded,
                data_mb_used=used,
                limit_mb=limit,
            )
        )

    def case(
        self,
        key: str,
        no: str,
        process: str,
        subject: str | None,
        facts: dict[str, Any],
        opened: datetime = OPENED,
    ) -> uuid.UUID:
        case = Case(
            customer_id=self.world.customers[no],
            process=process,
            subject=subject,
            facts=facts,
            opened_at=opened,
            opened_by="agent",
        )
        self.uow.add(case)
        self.uow.flush()
        self.world.cases[key] = case.id
        return case.id

    def step(self, no: str, when: datetime, **payload: Any) -> None:
        self.uow.history.append(
            HistoryEntry(
                customer_id=self.world.customers[no],
                author="agent",
                kind="step",
                text="step",
                created_at=when,
                payload=payload,
            )
        )

    def ticket(
        self, case_key: str, no: str, partner: str, kind: str, answers: list[bool | None]
    ) -> None:
        ticket = PartnerTicket(
            customer_id=self.world.customers[no],
            case_id=self.world.cases[case_key],
            partner_id=self.world.partners[partner],
            kind=kind,
            subject="s",
            body="b",
            created_by="agent",
        )
        self.uow.add(ticket)
        self.uow.flush()
        for agrees in answers:
            self.uow.add(
                TicketFeedback(ticket_id=ticket.id, author="knu", agrees=agrees, text="answer")
            )

    def bundle(self, no: str, bundle_no: str, end: date) -> None:
        self.uow.add(
            Bundle(
                customer_id=self.world.customers[no],
                bundle_no=bundle_no,
                name="Paket",
                end_date=end,
            )
        )

    def reminder_sent(self, no: str, bundle_no: str, which: str, day: str) -> None:
        self.step(
            no,
            at(day),
            process="expiry",
            subject=f"{bundle_no}:{which}",
            flow="reminder",
            step="send_reminder",
            action=None,
            answers={},
        )

    def plan(
        self,
        no: str,
        plan_no: str,
        *,
        updated: str,
        subscription: uuid.UUID | None = None,
        financed: str = "960.00",
        instalment: str = "40.00",
        billed: int = 0,
        status: DevicePlanStatus = DevicePlanStatus.ACTIVE,
    ) -> None:
        self.uow.add(
            DevicePlan(
                plan_no=plan_no,
                customer_id=self.world.customers[no],
                subscription_id=subscription,
                activated=date(2025, 9, 1),
                financed_amount=Decimal(financed),
                instalment=Decimal(instalment),
                instalments_billed=billed,
                status=status,
                updated_at=at(updated),
            )
        )


def build(db: Database) -> World:
    """The data set behind :data:`EXPECTED` (report range 2026-01 to 2026-03, today 03-20)."""
    world = World(db)
    with UnitOfWork(db) as uow:
        b = Builder(uow, world)
        b.partner("KNU-A")
        b.partner("KNU-B")
        _fair_use(b)
        _complaints(b)
        _onboarding(b)
        _reminders(b)
        _device_plans(b)
        uow.commit()
    return world


def _fair_use(b: Builder) -> None:
    # F1: Jan-Apr over the limits; migration decided 03-12, the partner disagrees on the
    # ticket (then agrees: the disagreement stands). Billed: March only (Feb is before the
    # decision, April after the report) = 5000 - 3000.
    b.customer("F1")
    b.usage("F1", "2026-01", 3500)
    b.usage("F1", "2026-02", 4000)
    b.usage("F1", "2026-03", 5000)
    b.usage("F1", "2026-04", 4500)
    b.case(
        "F1-3",
        "F1",
        "fair_use",
        "2026-03",
        {"decision": {"measure": "migration", "date": "2026-03-12"}},
    )
    b.ticket("F1-3", "F1", "KNU-A", "fair_use_decision", [None, False, True])
    b.ticket("F1-3", "F1", "KNU-A", "fair_use_contact", [False])  # not a decision ticket
    # F2 (partner B): Feb and March.
    b.customer("F2", "KNU-B")
    b.usage("F2", "2026-02", None, None)
    b.usage("F2", "2026-03", 3500)
    # F3: Dec-Feb, within the limits in March; termination decided 02-25, the partner's
    # disagreement recorded by the agent's partner_feedback step in another case of the month.
    b.customer("F3")
    b.usage("F3", "2025-12", 3100)
    b.usage("F3", "2026-01", 3200)
    b.usage("F3", "2026-02", 6000)
    b.usage("F3", "2026-03", 2000, exceeded=False)
    b.case(
        "F3-3",
        "F3",
        "fair_use",
        "2026-02",
        {"decision": {"measure": "termination", "date": "2026-02-25"}},
    )
    b.case("F3-fb", "F3", "fair_use", "2026-02", {})
    b.step(
        "F3",
        at("2026-03-02"),
        process="fair_use",
        subject="2026-02",
        flow="partner_feedback",
        step="partner_answer",
        action=None,
        answers={"agrees": False},
    )
    # F4 (partner B): Jan-Mar; migration decided 03-05, the partner agrees, twice.
    b.customer("F4", "KNU-B")
    for month in ("2026-01", "2026-02", "2026-03"):
        b.usage("F4", month, 9000)
    b.case(
        "F4-3",
        "F4",
        "fair_use",
        "2026-03",
        {"decision": {"measure": "migration", "date": "2026-03-05"}},
    )
    b.ticket("F4-3", "F4", "KNU-B", "fair_use_decision", [True])
    b.step(
        "F4",
        at("2026-03-06"),
        process="fair_use",
        subject="2026-03",
        flow="partner_feedback",
        step="partner_answer",
        action=None,
        answers={"agrees": True},
    )
    # F5: January only; F6: within the limits.
    b.customer("F5")
    b.usage("F5", "2026-01", 3300)
    b.customer("F6")
    b.usage("F6", "2026-02", 100, exceeded=False)


def _complaints(b: Builder) -> None:
    b.customer("K")
    facts = [
        (
            "2026-01-10",
            {"category": "billing_system.migration", "claim_no": "CL-1", "retention": "impossible"},
        ),
        ("2026-01-20", {"category": "billing_system.migration", "retention": "succeeded"}),
        ("2026-01-31T23:30", {"category": "shop.incompetence"}),
        (
            "2026-02-01T00:10",
            {"category": "shop.incompetence", "claim_no": "CL-2", "second_line_normal": False},
        ),
        ("2026-03-05", {"mass_incident": False}),
        ("2025-12-31T23:59", {"category": "shop.incompetence"}),
        ("2026-04-01T00:00", {"category": "shop.incompetence"}),
    ]
    for i, (when, case_facts) in enumerate(facts):
        day, _, time = when.partition("T")
        b.case(f"K{i}", "K", "complaint", f"complaint:{i}", case_facts, at(day, time or "10:00"))
    b.case(
        "not-a-complaint",
        "K",
        "contract",
        None,
        {"category": "shop.incompetence"},
        at("2026-01-10"),
    )


def _onboarding(b: Builder) -> None:
    def done(no: str, action: str, when: datetime) -> None:
        b.step(
            no,
            when,
            process="onboarding",
            subject="onboarding",
            flow="x",
            step=action,
            action=action,
            answers={},
        )

    # O1: day 0 = 01-10: intake due 01-13, first call-back 01-20, first bill 02-09,
    # fit check 03-11, consolidation 04-10 (after the range).
    b.customer("O1", activation_date=date(2026, 1, 10))
    done("O1", "explain_tariff", at("2026-01-12"))
    done("O1", "explain_tariff", at("2026-01-20"))  # again: the first one counts
    done("O1", "contract_terms", at("2026-01-13", "23:00"))
    done("O1", "service_channels", at("2026-01-15"))
    done("O1", "first_callback", at("2026-01-25"))
    done("O1", "explain_first_bill", at("2026-02-09"))
    done("O1", "recommend_value_added", at("2026-03-11"))
    # O2: VIP, day 0 = 03-15: intake (9 tasks) due 03-18, call-back 03-25 (not yet due);
    # manager assigned 03-19 (due 03-18: late), first contact due 03-26 (not yet due).
    b.customer("O2", activation_date=date(2026, 3, 15), vip=True, vip_rated=date(2026, 3, 15))
    done("O2", "explain_tariff", at("2026-03-16"))
    b.case("O2", "O2", "onboarding", "onboarding", {"manager_assigned": "2026-03-19"})
    # O3: everything before the range.
    b.customer("O3", activation_date=date(2025, 10, 1))
    # O4: day 0 = 2025-12-05: first bill 01-04 (done that day), fit check 02-03,
    # consolidation 03-05.
    b.customer("O4", activation_date=date(2025, 12, 5))
    done("O4", "explain_first_bill", at("2026-01-04", "23:59"))
    # O5: rated VIP long after its 90 days: no VIP deadline in the onboarding report.
    b.customer("O5", activation_date=date(2025, 6, 1), vip=True, vip_rated=date(2026, 2, 1))
    # A step of another process with an onboarding task's name does not count.
    b.step(
        "O4",
        at("2026-02-01"),
        process="complaint",
        subject="x",
        flow="intake",
        step="package_fit_coaching",
        action="package_fit_coaching",
        answers={},
    )


def _reminders(b: Builder) -> None:
    b.customer("R1")
    b.bundle("R1", "B1", date(2026, 3, 10))  # month 02-10 (sent 02-12, late), week 03-03
    b.reminder_sent("R1", "B1", "month", "2026-02-12")
    b.reminder_sent("R1", "B1", "week", "2026-03-03")
    b.bundle("R1", "B2", date(2026, 2, 15))  # month 01-15 never sent, week 02-08 on time
    b.reminder_sent("R1", "B2", "week", "2026-02-08")
    b.bundle("R1", "B3", date(2026, 4, 30))  # month 03-30 (not sent), week in April
    b.bundle("R1", "B4", date(2026, 1, 5))  # both in December
    b.bundle("R1", "B5", date(2026, 1, 31))  # month 12-31, week 01-24 sent 01-26 (late)
    b.reminder_sent("R1", "B5", "week", "2026-01-26")
    b.bundle("R1", "B6", date(2026, 3, 29))  # month clamped to 02-28, sent that day
    b.reminder_sent("R1", "B6", "month", "2026-02-28")
    b.customer("R2")
    b.reminder_sent("R2", "B6", "week", "2026-03-22")  # another customer's bundle B6


def _device_plans(b: Builder) -> None:
    b.customer("D1", "KNU-A")
    b.customer("D2", "KNU-B")
    b.plan("D1", "GP-1", updated="2026-02-10", billed=3)
    b.plan("D2", "GP-2", updated="2026-03-01", financed="500.00", instalment="25.50", billed=2)
    subscription = Subscription(
        customer_id=b.world.customers["D1"],
        tariff="Smart Abo M",
        monthly_fee=Decimal("49.00"),
        activated=date(2025, 9, 1),
    )
    b.uow.add(subscription)
    b.uow.flush()
    b.plan("D1", "GP-3", updated="2026-02-11", subscription=subscription.id)
    b.plan("D1", "GP-4", updated="2026-02-12", status=DevicePlanStatus.ENDED)
    b.plan("D2", "GP-5", updated="2025-11-01")


# --- the tests ------------------------------------------------------------------------


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def test_the_reports_and_their_columns_are_those_of_the_spec() -> None:
    assert {name: ", ".join(r.columns) for name, r in REPORTS.items()} == SPEC_COLUMNS
    assert list(REPORTS) == list(SPEC_COLUMNS)


@pytest.mark.parametrize("name", list(SPEC_COLUMNS))
def test_every_cell_of_every_report(world: World, name: str) -> None:
    assert list(rows(world.db, name, FIRST, LAST, TODAY)) == EXPECTED[name]


def test_a_narrower_range_keeps_only_its_months(world: World) -> None:
    assert list(rows(world.db, "reminders", "2026-02", "2026-02", TODAY)) == [("2026-02", 3, 3, 1)]
    # The overuse to bill runs up to the report's last month: April's 1500 MB now count.
    assert list(rows(world.db, "controlling", "2026-03", "2026-04", TODAY)) == [
        ("2026-03-12", "F1", "KNU-A", "migration", 3500)
    ]


def test_a_supervisor_runs_every_report(world: World) -> None:
    identity.use(world.db, Identity("sup", "Supervisor", Role.SUPERVISOR))
    for name in REPORTS:
        assert list(rows(world.db, name, FIRST, LAST, TODAY)) == EXPECTED[name]


def test_an_agent_runs_none(world: World) -> None:
    identity.use(world.db, Identity("ag", "Agent", Role.AGENT))
    for name in REPORTS:
        with pytest.raises(PermissionDenied):
            rows(world.db, name, FIRST, LAST, TODAY)


def test_a_partner_lists_its_own_orphaned_plans_only(world: World) -> None:
    identity.use(
        world.db,
        Identity(
            "knu", "KNU A", Role.PARTNER, partner_id=world.partners["KNU-A"], partner_code="KNU-A"
        ),
    )
    assert list(rows(world.db, "orphaned-device-plans", FIRST, LAST, TODAY)) == [
        EXPECTED["orphaned-device-plans"][0]
    ]
    for name in set(REPORTS) - {"orphaned-device-plans"}:
        with pytest.raises(PermissionDenied):
            rows(world.db, name, FIRST, LAST, TODAY)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [("2026-13", "2026-03", "from"), ("2026-01", "26-03", "to"), ("2026-03", "2026-01", "to")],
)
def test_bad_months_are_refused_naming_them(
    sqlite_db: Database, first: str, last: str, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        rows(sqlite_db, "fair-use", first, last, TODAY)
    assert raised.value.field == field
    assert (first if field == "from" else last) in str(raised.value)


def test_an_unknown_report_lists_the_names(sqlite_db: Database) -> None:
    with pytest.raises(ValidationError) as raised:
        rows(sqlite_db, "sales", FIRST, LAST, TODAY)
    assert "orphaned-device-plans" in str(raised.value) and "sales" in str(raised.value)
