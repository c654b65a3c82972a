"""The partner ticket queue, one ticket, the partner's answer and where it returns to,
on both engines; on PostgreSQL each role works as its own login role, so row level
security and the grants are exercised too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.i18n import set_ui_language
from app.services import customers, runs, tickets, todo
from app.services.errors import ValidationError
from app.services.permissions import PermissionDenied
from app.services.rules import load_ruleset
from app.store.chain import verify_database
from app.store.db import Database
from app.store.models import (
    Customer,
    FairUseRecord,
    HistoryEntry,
    Partner,
    PartnerTicket,
    Subscription,
    TicketFeedback,
    TicketStatus,
)
from app.store.repositories import UnitOfWork
from tests.test_permissions import Logins, Sessions

TODAY = date(2026, 3, 15)
STAGE_3 = ("2026-01", "2026-02", "2026-03")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sessions(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sessions]:
    logins = None
    if request.param == "postgresql":
        logins = Logins(request.getfixturevalue("pg_db"))
        base = request.getfixturevalue("pg_db")
    else:
        base = request.getfixturevalue("sqlite_db")
    made = Sessions(base, monkeypatch, logins)
    yield made
    made.close()
    if logins is not None:
        logins.drop()


@dataclass
class World:
    partners: dict[str, uuid.UUID]
    customers: dict[str, uuid.UUID]


def _world(db: Database) -> World:
    """Two partners with one stage-3 fair-use customer each."""
    world = World({}, {})
    with UnitOfWork(db) as uow:
        for code in ("A", "B"):
            partner = Partner(code=f"KNU-{code}", name=f"Kabelnetz {code}", language="en")
            uow.add(partner)
            uow.flush()
            customer = Customer(
                customer_no=f"C-{code}1",
                msisdn=f"+4179000{ord(code)}11",
                name=f"Kunde {code}",
                language="de",
                partner_id=partner.id,
            )
            uow.add(customer)
            uow.flush()
            uow.add(
                Subscription(
                    customer_id=customer.id,
                    tariff="Flat Max",
                    monthly_fee=Decimal("69.00"),
                    aio_discount=None,
                    data_mb=None,
                    minutes=None,
                    activated=date(2024, 3, 7),
                )
            )
            for month in STAGE_3:
                uow.add(
                    FairUseRecord(
                        customer_id=customer.id,
                        month=month,
                        exceeded=True,
                        data_mb_used=182_400,
                        limit_mb=100_000,
                    )
                )
            world.partners[code] = partner.id
            world.customers[code] = customer.id
        uow.commit()
    return world


def _stage_3(db: Database, customer: uuid.UUID) -> uuid.UUID:
    """The agent decides a migration at stage 3; the decision ticket is opened."""
    view = runs.open_run(db, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    view = runs.complete_step(db, view.case_id, {"review_note": "3 Produkte"}, today=TODAY)
    answers = {
        "measure": "migration",
        "decision_date": "2026-03-12",
        "new_tariff": "ch_mobile_talk",
        "justification": "Handy dient als Internetanschluss zu Hause.",
    }
    view = runs.complete_step(db, view.case_id, answers, today=TODAY)
    while not view.finished:
        view = runs.complete_step(db, view.case_id, {}, today=TODAY)
    return view.case_id


def _ticket(
    db: Database,
    customer: uuid.UUID,
    partner: uuid.UUID,
    kind: str,
    opened: date,
    status: TicketStatus = TicketStatus.OPEN,
    subject: str | None = None,
) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        ticket = PartnerTicket(
            customer_id=customer,
            partner_id=partner,
            kind=kind,
            subject=subject or f"{kind} {opened}",
            body="Bitte prüfen.",
            status=status,
            created_at=datetime(opened.year, opened.month, opened.day, 12, tzinfo=UTC),
            created_by="anna",
        )
        uow.add(ticket)
        uow.commit()
        return ticket.id


def _decision_ticket(db: Database, case_id: uuid.UUID) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        return uow.session.scalars(
            select(PartnerTicket.id).where(
                PartnerTicket.case_id == case_id, PartnerTicket.kind == "fair_use_decision"
            )
        ).one()


# --- the queue ------------------------------------------------------------------------------


def test_a_partner_sees_only_its_own_partners_tickets(sessions: Sessions) -> None:
    world = _world(sessions.db)
    a = _ticket(sessions.db, world.customers["A"], world.partners["A"], "fair_use_contact", TODAY)
    b = _ticket(sessions.db, world.customers["B"], world.partners["B"], "fair_use_contact", TODAY)
    partner = sessions.login("partner", world.partners["A"])
    agent = sessions.login("agent")

    assert [r.id for r in tickets.ticket_queue(partner, TODAY)] == [a]
    # a partner's filter cannot reach another partner's tickets
    assert [r.id for r in tickets.ticket_queue(partner, TODAY, partner_code="KNU-B")] == [a]
    assert tickets.partner_choices(partner) == []
    assert {r.id for r in tickets.ticket_queue(agent, TODAY)} == {a, b}
    assert [r.id for r in tickets.ticket_queue(agent, TODAY, partner_code="KNU-B")] == [b]
    assert tickets.partner_choices(agent) == [("KNU-A", "Kabelnetz A"), ("KNU-B", "Kabelnetz B")]
    with pytest.raises(tickets.NotFoundError):
        tickets.ticket_detail(partner, b)


def test_overdue_first_then_by_due_date(db: Database) -> None:
    world = _world(db)
    c, p = world.customers["A"], world.partners["A"]
    today = date(2026, 3, 20)
    # contact and decision: 7 days to answer; a downgrade exception: 5 (the rule files)
    fresh = _ticket(db, c, p, "fair_use_contact", date(2026, 3, 19))  # due 03-26
    late_2 = _ticket(db, c, p, "fair_use_decision", date(2026, 3, 12))  # due 03-19, overdue
    late_1 = _ticket(db, c, p, "fair_use_contact", date(2026, 3, 10))  # due 03-17, overdue
    soon = _ticket(db, c, p, "downgrade_exception", date(2026, 3, 18))  # due 03-23
    answered = _ticket(
        db, c, p, "fair_use_contact", date(2026, 3, 1), TicketStatus.ANSWERED
    )  # due 03-08, answered: not overdue
    due_today = _ticket(db, c, p, "fair_use_decision", date(2026, 3, 13))  # due 03-20: not yet
    no_rule = _ticket(db, c, p, "something_else", date(2026, 3, 1))  # no deadline: last
    _ticket(db, c, p, "fair_use_contact", date(2026, 3, 1), TicketStatus.CLOSED)  # not listed

    rows = tickets.ticket_queue(db, today)
    assert [r.id for r in rows] == [late_1, late_2, answered, due_today, soon, fresh, no_rule]
    by_id = {r.id: r for r in rows}
    assert by_id[late_1].overdue and by_id[late_2].overdue
    assert not by_id[answered].overdue and not by_id[due_today].overdue
    assert by_id[late_1].due == date(2026, 3, 17)
    assert by_id[soon].due == date(2026, 3, 23)
    assert by_id[no_rule].due is None
    assert by_id[late_2].asks_agreement and not by_id[late_1].asks_agreement
    assert [r.id for r in tickets.ticket_queue(db, today, overdue_only=True)] == [late_1, late_2]
    set_ui_language("en")
    assert by_id[late_2].reason == "Fair use stage 3: decision and measure"
    assert by_id[soon].status_words == "open"


def test_every_ticket_a_playbook_opens_has_an_answer_deadline_explained() -> None:
    from app.domain.playbook_schema import TicketEffect
    from app.processes import processes
    from app.services.playbooks import playbook_for

    deadlines = tickets.answer_deadlines(load_ruleset())
    for spec in processes():
        playbook = playbook_for(spec.name)
        for flow in playbook.flows:
            for step in flow.steps:
                for effect in step.effects:
                    if isinstance(effect, TicketEffect):
                        deadline = deadlines[effect.kind]
                        assert deadline.rule_id in playbook.explanations
    assert deadlines["fair_use_decision"].asks_agreement


# --- answering ------------------------------------------------------------------------------


def test_an_agent_or_another_partner_may_not_answer(sessions: Sessions) -> None:
    world = _world(sessions.db)
    ticket = _ticket(
        sessions.db, world.customers["A"], world.partners["A"], "fair_use_contact", TODAY
    )
    agent = sessions.login("agent")
    other = sessions.login("partner", world.partners["B"])
    with pytest.raises(PermissionDenied, match="may not answer partner tickets"):
        tickets.answer_ticket(agent, ticket, "Erledigt", None)
    with pytest.raises(PermissionDenied, match="own partner"):
        tickets.answer_ticket(other, ticket, "Erledigt", None)
    with UnitOfWork(sessions.db) as uow:
        assert uow.session.scalars(select(TicketFeedback)).all() == []


def test_an_answer_writes_feedback_history_and_status_in_one_go(sessions: Sessions) -> None:
    world = _world(sessions.db)
    ticket = _ticket(
        sessions.db,
        world.customers["A"],
        world.partners["A"],
        "fair_use_contact",
        TODAY,
        subject="Bitte Kunde kontaktieren",
    )
    partner = sessions.login("partner", world.partners["A"])
    with pytest.raises(ValidationError, match="no agreement") as refused:
        tickets.answer_ticket(partner, ticket, "Kunde erreicht", True)
    assert refused.value.field == "agrees"
    with pytest.raises(ValidationError, match="empty"):
        tickets.answer_ticket(partner, ticket, "  ", None)

    detail = tickets.answer_ticket(partner, ticket, " Kunde erreicht, zeigt Verständnis. ", None)
    assert detail.row.status == TicketStatus.ANSWERED and detail.row.answers == 1
    detail = tickets.answer_ticket(partner, ticket, "Hat AiO bestellt.", None)
    assert [a.text for a in detail.answers] == [
        "Kunde erreicht, zeigt Verständnis.",
        "Hat AiO bestellt.",
    ]
    assert detail.answers[0].author == sessions.names["partner"]

    with UnitOfWork(sessions.db) as uow:
        entries = uow.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.kind == "ticket_answer")
            .order_by(HistoryEntry.created_at)
        ).all()
        status = uow.session.get(PartnerTicket, ticket).status  # type: ignore[union-attr]
        uow.session.expunge_all()
    assert status == TicketStatus.ANSWERED
    assert len(entries) == 2
    assert entries[0].customer_id == world.customers["A"]
    assert entries[0].author == sessions.names["partner"]
    assert entries[0].payload == {
        "ticket_id": str(ticket),
        "ticket_kind": "fair_use_contact",
        "agrees": None,
        "text": "Kunde erreicht, zeigt Verständnis.",
    }
    assert "Bitte Kunde kontaktieren" in entries[0].text
    assert "Kunde erreicht" in entries[0].text
    report = verify_database(sessions.db)
    assert report.ok and report.entries >= 2


def test_a_closed_ticket_takes_no_answer(db: Database) -> None:
    world = _world(db)
    ticket = _ticket(
        db,
        world.customers["A"],
        world.partners["A"],
        "fair_use_contact",
        TODAY,
        TicketStatus.CLOSED,
    )
    from app.services.identity import Identity, use
    from app.store.models import Role

    use(db, Identity("knu", "KNU", Role.PARTNER, world.partners["A"], "KNU-A"))
    with pytest.raises(ValidationError, match="closed"):
        tickets.answer_ticket(db, ticket, "Zu spät", None)


def test_the_partner_disagrees_and_the_agents_case_continues_from_the_answer(
    sessions: Sessions,
) -> None:
    set_ui_language("en")
    world = _world(sessions.db)
    agent = sessions.login("agent")
    case_id = _stage_3(agent, world.customers["A"])
    ticket = _decision_ticket(agent, case_id)
    partner = sessions.login("partner", world.partners["A"])

    [row] = tickets.ticket_queue(partner, TODAY)
    assert row.id == ticket and row.asks_agreement and row.status == TicketStatus.OPEN
    detail = tickets.ticket_detail(partner, ticket, TODAY)
    facts = dict(detail.facts)
    assert facts["Measure"] == "Migration to another price plan"
    assert facts["Decision date"] == "12/03/2026"
    assert facts["Effective from"] == "01/04/2026"
    assert facts["Justification"] == "Handy dient als Internetanschluss zu Hause."
    assert detail.tariff == "Flat Max" and detail.msisdn.startswith("+41 79")
    assert detail.due_rule_id == "fair_use.partner_answer.decision_due"

    with pytest.raises(ValidationError, match="agrees or disagrees"):
        tickets.answer_ticket(partner, ticket, "Nicht einverstanden", None)
    detail = tickets.answer_ticket(partner, ticket, "Kunde nutzt nur Internet zu Hause.", False)
    assert detail.row.status == TicketStatus.ANSWERED
    assert detail.answers[-1].agrees is False

    # the agent's to-do list says so, and the item opens the partner's-answer flow
    items = todo.todo_for_customer(agent, world.customers["A"], TODAY).items
    [item] = [i for i in items if type(i).__name__ == "PartnerAnswerItem"]
    assert item.target.flow == "partner_feedback" and item.target.case_id == case_id
    assert not any(getattr(i, "case_id", None) == case_id and i is not item for i in items)
    from app.processes.fair_use.wording import item_words

    assert item_words(item)[0] == "The partner has answered the decision: disagrees — continue"
    assert item.to_json()["case_id"] == str(case_id) and item.to_json()["stage"] == "3"
    assert item.to_json()["partner_answer"] == {
        "agrees": False,
        "text": "Kunde nutzt nur Internet zu Hause.",
    }

    view = runs.open_run(
        agent, world.customers["A"], "fair_use", "partner_feedback", subject="2026-03", today=TODAY
    )
    assert view.case_id == case_id
    values = {i.id: i.value for i in view.inputs}
    assert values == {"agrees": False, "partner_comment": "Kunde nutzt nur Internet zu Hause."}
    view = runs.complete_step(
        agent, case_id, {"agrees": False, "partner_comment": values["partner_comment"]}, today=TODAY
    )
    assert view.step_id == "report_controlling"
    # the agent has taken the answer over: the ticket is closed and leaves the queue
    assert tickets.ticket_queue(partner, TODAY) == []
    with pytest.raises(ValidationError, match="closed"):
        tickets.answer_ticket(partner, ticket, "Noch etwas", False)

    # the customer view lists the ticket with its answer
    overview = customers.customer_overview(agent, world.customers["A"])
    [shown] = overview.tickets
    assert shown.row.id == ticket and shown.answers[-1].agrees is False
    assert verify_database(sessions.db).ok


def test_the_customer_overview_lists_tickets_newest_first(db: Database) -> None:
    world = _world(db)
    c, p = world.customers["A"], world.partners["A"]
    old = _ticket(db, c, p, "fair_use_contact", TODAY - timedelta(days=40))
    new = _ticket(db, c, p, "fair_use_decision", TODAY)
    overview = customers.customer_overview(db, c)
    assert [t.row.id for t in overview.tickets] == [new, old]
    assert customers.customer_overview(db, world.customers["B"]).tickets == ()
