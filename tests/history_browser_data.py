"""Test data for the supervisor's history browser, with the answer every filter must give.

Entries are written the ways the product writes them (ORM objects through the
session, ORM bulk inserts), so the filter columns come from the write hooks;
the expected values come from the generator, not from those columns.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from app.store.db import Database
from app.store.history_query import HistoryFilter
from app.store.models import Case, Customer, HistoryEntry, Partner
from app.store.repositories import UnitOfWork

AUTHORS = ("anna", "beat", "carla", "import")
KINDS = ("note", "step", "sms", "ticket")
TEXTS = (
    "Called about the invoice",
    "Roaming charges explained",
    "ROAMING abroad blocked",
    "100% done_now",
    "Customer will call back",
    "Fair use stage reached",
)
PROCESSES = ("fair_use", "complaint", "expiry")
STAGES = ("stage_1", "stage_2", "stage_3")
START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Expected:
    """An entry as the browser must show it."""

    id: uuid.UUID
    created_at: datetime
    customer_id: uuid.UUID
    customer_no: str
    partner_code: str
    author: str
    process: str | None
    stage: str | None
    kind: str
    text: str

    def key(self) -> tuple[datetime, str]:
        return (self.created_at, self.id.hex)


def seed(db: Database, entries: int = 120, seed_value: int = 7) -> list[Expected]:
    """Two partners, six customers, cases moving through stages, and ``entries`` entries
    (a third of them at the same instants, so the order falls back on the id)."""
    rnd = random.Random(seed_value)
    expected: list[Expected] = []
    with UnitOfWork(db) as uow:
        partners = [
            Partner(code="KNU-A", name="Alpha AG", country="CH", language="de"),
            Partner(code="KNU-B", name="Beta SA", country="CH", language="fr"),
        ]
        for p in partners:
            uow.add(p)
        uow.flush()
        customers = []
        for i in range(6):
            customer = Customer(
                customer_no=f"C-{900 + i}",
                msisdn=f"+4179000{i:04d}",
                name=f"Kunde {i}",
                language="de",
                partner_id=partners[i % 2].id,
            )
            uow.add(customer)
            customers.append(customer)
        uow.flush()
        cases = []
        for i, customer in enumerate(customers):
            case = Case(
                customer_id=customer.id,
                process=PROCESSES[i % 3],
                stage=STAGES[0],
                opened_by="anna",
            )
            uow.add(case)
            cases.append(case)
        uow.commit()
    codes = {p.id: p.code for p in partners}
    stage_of = {case.id: STAGES[0] for case in cases}
    rows: list[dict[str, Any]] = []
    for n in range(entries):
        customer = rnd.choice(customers)
        when = START + timedelta(minutes=(n // 3) * 7) if n % 3 else START + timedelta(hours=n)
        choice = rnd.random()
        case = None
        process: str | None = None
        if choice < 0.6:
            case = next(c for c in cases if c.customer_id == customer.id)
            process = case.process
        elif choice < 0.8:
            process = rnd.choice(PROCESSES)  # no case: the payload names the process
        values = {
            "id": uuid.uuid4(),
            "customer_id": customer.id,
            "case_id": case.id if case else None,
            "author": rnd.choice(AUTHORS),
            "created_at": when,
            "kind": rnd.choice(KINDS),
            "text": rnd.choice(TEXTS),
            "payload": {"process": process} if process and case is None else {},
        }
        stage = stage_of[case.id] if case else None
        expected.append(
            Expected(
                id=values["id"],
                created_at=when,
                customer_id=customer.id,
                customer_no=customer.customer_no,
                partner_code=codes[customer.partner_id],
                author=values["author"],
                process=process,
                stage=stage,
                kind=values["kind"],
                text=values["text"],
            )
        )
        rows.append(values)
        if n % 20 == 19:  # write what came so far; then some cases move on a stage
            _write(db, rows, bulk=n % 40 == 39)
            rows = []
            with UnitOfWork(db) as uow:
                for case in cases:
                    if rnd.random() < 0.4:
                        loaded = uow.session.get(Case, case.id)
                        assert loaded is not None
                        nxt = STAGES[min(2, STAGES.index(stage_of[case.id]) + 1)]
                        loaded.stage = nxt
                        stage_of[case.id] = nxt
                uow.commit()
    _write(db, rows, bulk=False)
    return expected


def _write(db: Database, rows: list[dict[str, Any]], bulk: bool) -> None:
    if not rows:
        return
    with UnitOfWork(db) as uow:
        if bulk:
            uow.session.execute(insert(HistoryEntry), rows)
        else:
            for values in rows:
                uow.add(HistoryEntry(**values))
        uow.commit()


def brute_force(expected: list[Expected], flt: HistoryFilter) -> list[Expected]:
    """What ``flt`` selects, by looking at every entry, newest first."""

    def keep(e: Expected) -> bool:
        return (
            (flt.since is None or e.created_at >= flt.since)
            and (flt.until is None or e.created_at < flt.until)
            and (flt.author is None or e.author == flt.author)
            and (flt.partner is None or e.partner_code == flt.partner)
            and (flt.process is None or e.process == flt.process)
            and (flt.stage is None or e.stage == flt.stage)
            and (flt.kind is None or e.kind == flt.kind)
            and (flt.text is None or flt.text.lower() in e.text.lower())
        )

    return sorted((e for e in expected if keep(e)), key=Expected.key, reverse=True)


FILTERS: list[HistoryFilter] = [
    HistoryFilter(),
    HistoryFilter(author="anna"),
    HistoryFilter(partner="KNU-B"),
    HistoryFilter(process="complaint"),
    HistoryFilter(stage="stage_2"),
    HistoryFilter(kind="sms"),
    HistoryFilter(text="roaming"),
    HistoryFilter(text="0% d"),  # LIKE's wildcards taken literally
    HistoryFilter(since=START + timedelta(hours=10), until=START + timedelta(hours=60)),
    HistoryFilter(since=START + timedelta(hours=30)),
    HistoryFilter(until=START + timedelta(minutes=91)),
    HistoryFilter(process="fair_use", stage="stage_3"),
    HistoryFilter(author="beat", kind="note", partner="KNU-A"),
    HistoryFilter(partner="KNU-A", since=START + timedelta(hours=5), text="call"),
    HistoryFilter(author="nobody"),
    HistoryFilter(partner="NO-SUCH"),
]
