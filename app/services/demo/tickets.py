"""Demo partner tickets waiting for an answer: overdue, due today and due later.

A partner's queue in the demo shows its tickets by due date: the day a
ticket was opened plus the ``partner_answers`` deadline of the rule file of
the process that opens that kind of ticket (:func:`answer_days`). The
stage-3 decisions here are opened on days chosen from that deadline, so that
whatever day the demo is built on, two answers are overdue, one is due today
and two later. The refused downgrade's exception ticket is written here too.
Ticket texts are in the partner's language, as its tickets are.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from app.services.demo.build import CustomerRef, DemoBuilder
from app.services.demo.fair_use import PARTNER_LANGUAGE, fair_use_run
from app.services.demo.names import flat_tariff
from app.services.demo.records import add_subscription, ticket

#: Days the partner has to answer when the rule files name no deadline for the kind.
DEFAULT_ANSWER_DAYS = 7
#: The kind of ticket a stage-3 decision opens.
DECISION = "fair_use_decision"


def answer_days(kind: str) -> int:
    """Days after its opening the partner's answer on a ticket of ``kind`` is due, as the
    rule files' ``partner_answers`` say (fair use, contract)."""
    from app.services.rules import load_ruleset

    rules = load_ruleset()
    for row in (*rules.fair_use.partner_answers, *rules.contract.partner_answers):
        if row.ticket == kind:
            return int(row.due_days)
    return DEFAULT_ANSWER_DAYS


def answer_due(kind: str, opened: date) -> date:
    """When the partner's answer on a ticket of ``kind`` opened on ``opened`` is due."""
    return opened + timedelta(days=answer_days(kind))


def _opened_for(b: DemoBuilder, days_overdue: int) -> date:
    """The day a decision ticket is opened on to be ``days_overdue`` past its deadline
    (0: due today)."""
    return b.today - timedelta(days=answer_days(DECISION) + days_overdue)


def _decision_waiting(
    b: DemoBuilder,
    language: str,
    partner: str,
    name: str,
    decided: date,
    *,
    measure: str = "migration",
    letter: bool = False,
) -> CustomerRef:
    """A stage-3 customer whose decision ticket, opened on ``decided``, is unanswered.

    A decision of this month is this month's case, opened the day before. A
    decision of last month (early in a month) is last month's case, its measure
    carried out and the case kept open for the partner's answer, as the playbook
    keeps it; this month is within the limits.
    """
    c = b.add_customer(language, partner, name=name, value=2, activation=b.day(600))
    add_subscription(b, c, flat_tariff(c.country))
    months_back = (b.today.year - decided.year) * 12 + b.today.month - decided.month
    assert months_back in (0, 1), "a waiting decision is of this month or the last"
    this_month = months_back == 0
    fair_use_run(
        b,
        c,
        "0111" if this_month else "1110",
        done_now=(4 if letter else 3) if this_month else 5,
        decision={
            "measure": measure,
            "days_ago": (b.today - decided).days,
            "partner_agrees": None,
        },
        open_month=3 if this_month else 2,
        opened_on=max(decided - timedelta(days=1), decided.replace(day=1)),
    )
    return c


def decision_answer_overdue(b: DemoBuilder) -> CustomerRef:
    """The partner's answer was due three days ago (a letter for it requested too)."""
    return _decision_waiting(b, "de", "KNU-NW", "Corinne Bieri", _opened_for(b, 3), letter=True)


def decision_answer_just_overdue(b: DemoBuilder) -> CustomerRef:
    """The answer was due yesterday."""
    return _decision_waiting(b, "zh", "CN-LS", "周国强", _opened_for(b, 1), measure="termination")


def decision_answer_due_today(b: DemoBuilder) -> CustomerRef:
    """The answer is due today."""
    return _decision_waiting(b, "de", "KNU-BE", "Adrian Hänni", _opened_for(b, 0))


def decision_answer_later(b: DemoBuilder) -> CustomerRef:
    """Decided yesterday: the answer is due in the days to come."""
    return _decision_waiting(b, "ru", "RU-SP", "Павел Голубев", b.day(1), letter=True)


def decision_answer_later_today(b: DemoBuilder) -> CustomerRef:
    """Decided this morning."""
    return _decision_waiting(b, "de", "KNU-EM", "Priska Jost", b.today)


_DOWNGRADE = {
    "de": (
        "Downgrade vor Ablauf der 90 Tage: {name} ({no})",
        "Der Kunde {name} ({no}) möchte von {tariff} auf {new_tariff} wechseln. Sein letztes "
        "Upgrade wurde per {upgrade} wirksam; ein Downgrade ist frühestens per {earliest} "
        "möglich. Der Kunde besteht auf einem früheren Datum.\n\nBegründung: Der Kunde ist "
        "arbeitslos geworden und kann das teurere Abo nicht mehr bezahlen.\n\nBitte prüfen Sie "
        "die Ausnahme und antworten Sie auf diesem Ticket.",
    ),
}


def downgrade_exception_ticket(
    b: DemoBuilder,
    c: CustomerRef,
    case_id: uuid.UUID,
    when: datetime,
    *,
    tariff: str,
    new_tariff: str,
    upgrade: date,
    earliest: date,
    by: str,
) -> None:
    """The exception ticket of a refused downgrade, opened at ``when``, not answered yet."""
    subject, body = _DOWNGRADE[PARTNER_LANGUAGE[c.partner]]
    values = dict(
        name=c.name,
        no=c.no,
        tariff=tariff,
        new_tariff=new_tariff,
        upgrade=upgrade.strftime("%d.%m.%Y"),
        earliest=earliest.strftime("%d.%m.%Y"),
    )
    ticket(
        b,
        c,
        case_id,
        "downgrade_exception",
        subject.format(**values),
        body.format(**values),
        when,
        by=by,
    )
