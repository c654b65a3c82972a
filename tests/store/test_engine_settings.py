"""What every engine is opened with: durable SQLite writes, no personal data in errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.store.db import Database
from app.store.models import Customer, Partner
from app.store.repositories import UnitOfWork

MSISDN = "+41791234567"
NAME = "Hans Müller-Geheim"


def test_errors_never_carry_the_statements_values(db: Database) -> None:
    """A failed statement names the statement, never the customer's name or number."""
    with UnitOfWork(db) as uow:
        partner = Partner(code="KNU-NW", name="Kabelnetz Nordwest AG")
        uow.add(partner)
        uow.flush()
        uow.add(
            Customer(
                customer_no="C-1",
                msisdn=MSISDN,
                name=NAME,
                language="de",
                partner_id=partner.id,
                customer_value=9,  # out of range: the database refuses the row
            )
        )
        with pytest.raises(IntegrityError) as caught:
            uow.flush()
    message = str(caught.value)
    assert "INSERT INTO customers" in message
    assert MSISDN not in message and NAME not in message
    assert "hidden due to hide_parameters" in message


def test_sqlite_writes_are_durable_and_replace_fires_delete_triggers(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA recursive_triggers")).scalar() == 1
