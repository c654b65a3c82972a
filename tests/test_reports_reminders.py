"""The ``reminders`` report counts a reminder as sent from every record of it, on both
engines: the bundle's ``reminders_sent`` (imports, the demo), a guided step, an ``sms``
history entry; the earliest dated entry decides whether it was late, each reminder
counts once, and the entry closing a superseded reminder is no sending."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.services.reports import rows
from app.store.db import Database
from app.store.models import Bundle, HistoryEntry
from app.store.repositories import UnitOfWork
from tests.test_reports import Builder, World, at

TODAY = date(2026, 3, 20)


def _sms(b: Builder, no: str, bundle_no: str, which: str, day: str) -> None:
    b.uow.history.append(
        HistoryEntry(
            customer_id=b.world.customers[no],
            author="agent",
            kind="sms",
            text="SMS",
            created_at=at(day),
            payload={"bundle_id": bundle_no, "reminder": which},
        )
    )


def _bundle(b: Builder, no: str, bundle_no: str, end: date, sent: list[str]) -> None:
    b.uow.add(
        Bundle(
            customer_id=b.world.customers[no],
            bundle_no=bundle_no,
            name="Paket",
            end_date=end,
            reminders_sent=sent,
        )
    )


def _build(db: Database, fill: Any) -> None:
    with UnitOfWork(db) as uow:
        b = Builder(uow, World(db))
        b.partner("KNU-A")
        b.customer("S1")
        b.customer("S2")
        fill(b)
        uow.commit()


def _record_only(b: Builder) -> None:  # month due 02-10: the record says sent, no date
    _bundle(b, "S1", "C1", date(2026, 3, 10), ["month"])


def _sms_on_time(b: Builder) -> None:
    _bundle(b, "S1", "C1", date(2026, 3, 10), ["month"])
    _sms(b, "S1", "C1", "month", "2026-02-10")


def _sms_late(b: Builder) -> None:
    _bundle(b, "S1", "C1", date(2026, 3, 10), ["month"])
    _sms(b, "S1", "C1", "month", "2026-02-11")


def _sms_without_record(b: Builder) -> None:
    _bundle(b, "S1", "C1", date(2026, 3, 10), [])
    _sms(b, "S1", "C1", "month", "2026-02-12")


def _step(b: Builder) -> None:  # the guided step marks the record and writes its step
    _bundle(b, "S1", "C1", date(2026, 3, 10), ["month"])
    b.reminder_sent("S1", "C1", "month", "2026-02-13")


def _step_and_sms(b: Builder) -> None:  # counted once, the earliest entry dates it
    _bundle(b, "S1", "C1", date(2026, 3, 10), ["month"])
    _sms(b, "S1", "C1", "month", "2026-02-14")
    b.reminder_sent("S1", "C1", "month", "2026-02-09")


def _other_customers_sms(b: Builder) -> None:
    _bundle(b, "S1", "C1", date(2026, 3, 10), [])
    _bundle(b, "S2", "C9", date(2026, 5, 10), [])
    _sms(b, "S2", "C1", "month", "2026-02-10")


def _superseded(b: Builder) -> None:  # closing the month case when the week one went out
    _bundle(b, "S1", "C1", date(2026, 3, 10), ["week"])
    b.step(
        "S1",
        at("2026-03-04"),
        process="expiry",
        subject="C1:month",
        flow="reminder",
        step="superseded",
        superseded_by="C1:week",
    )


CASES = {
    "record only": (_record_only, ("2026-02", 1, 1, 0)),
    "sms on time": (_sms_on_time, ("2026-02", 1, 1, 0)),
    "sms late": (_sms_late, ("2026-02", 1, 1, 1)),
    "sms, record not marked": (_sms_without_record, ("2026-02", 1, 1, 1)),
    "step": (_step, ("2026-02", 1, 1, 1)),
    "step and sms": (_step_and_sms, ("2026-02", 1, 1, 0)),
    "another customer's sms": (_other_customers_sms, ("2026-02", 1, 0, 0)),
    "superseded": (_superseded, ("2026-02", 1, 0, 0)),
}


@pytest.mark.parametrize("source", list(CASES))
def test_a_reminder_is_sent_as_its_records_say(db: Database, source: str) -> None:
    fill, february = CASES[source]
    _build(db, fill)
    # The week reminder (due 03-03) is sent only where the record or an entry names it.
    week_sent = 1 if source == "superseded" else 0
    assert list(rows(db, "reminders", "2026-02", "2026-03", TODAY)) == [
        february,
        ("2026-03", 1, week_sent, 0),
    ]


def _mixed(b: Builder) -> None:
    _bundle(b, "S1", "C1", date(2026, 2, 20), ["month", "week"])  # 01-20, 02-13: undated
    _bundle(b, "S1", "C2", date(2026, 3, 15), ["month"])  # month 02-15 by SMS on time
    _sms(b, "S1", "C2", "month", "2026-02-15")
    _bundle(b, "S1", "C3", date(2026, 3, 25), ["week"])  # week 03-18 by SMS on 03-20
    _sms(b, "S1", "C3", "week", "2026-03-20")
    _bundle(b, "S1", "C4", date(2026, 1, 25), ["week"])  # week 01-18 by step, SMS later
    b.reminder_sent("S1", "C4", "week", "2026-01-18")
    _sms(b, "S1", "C4", "week", "2026-01-20")
    _bundle(b, "S1", "C5", date(2026, 2, 28), [])  # 01-28 and 02-21, never sent


def test_every_source_together(db: Database) -> None:
    _build(db, _mixed)
    assert list(rows(db, "reminders", "2026-01", "2026-03", TODAY)) == [
        ("2026-01", 3, 2, 0),
        ("2026-02", 4, 2, 0),
        ("2026-03", 2, 1, 1),
    ]
