"""The ``complaints`` report's second_line: the complaints handed over to the second line,
still waiting there (as the to-do list and the worklist show them) or retention attempted;
not a claim the first line filed itself. Known answers on both engines."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.services.reports import rows
from app.store.db import Database
from app.store.repositories import UnitOfWork
from tests.test_reports import Builder, World, at


def _complaint(b: Builder, key: str, day: str, **facts: Any) -> None:
    b.case(key, "K1", "complaint", key, {"category": "dealer.incompetence", **facts}, at(day))


def test_second_line_counts_the_complaints_handed_over_to_it(db: Database) -> None:
    with UnitOfWork(db) as uow:
        b = Builder(uow, World(db))
        b.partner("KNU-A")
        b.customer("K1")
        _complaint(b, "waiting", "2026-02-02", route="second_line")
        _complaint(b, "retained", "2026-02-03", route="retained", retention="succeeded")
        _complaint(
            b, "its claim", "2026-02-04", route="claim", retention="impossible", claim_no="CL-1"
        )
        _complaint(b, "first line's claim", "2026-02-05", route="claim", claim_no="CL-2")
        _complaint(b, "consultation", "2026-02-06", route="consultation")
        _complaint(b, "not routed yet", "2026-02-07")
        uow.commit()
    assert list(rows(db, "complaints", "2026-02", "2026-02", date(2026, 2, 20))) == [
        ("2026-02", "dealer.incompetence", 6, 2, 3),
    ]
