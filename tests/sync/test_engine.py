"""The branch sync engine against the real server: round trip, idempotence, alarms, scope."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app import sync
from app.services.customers import add_note
from app.store.chain import verify_database
from app.store.db import Database
from app.store.models import Customer, HistoryEntry
from app.store.sync_tables import SyncAlarm, SyncOutbox
from tests.sync.helpers_engine import (  # noqa: F401 - fixtures
    Replicas,
    Server,
    outbox,
    replicas_fixture,
    server_fixture,
)

pytestmark = pytest.mark.postgres


def _ids(db: Database) -> set[uuid.UUID]:
    with db.engine.connect() as conn:
        return set(conn.execute(select(HistoryEntry.id)).scalars())


def test_an_entry_recorded_on_one_branch_reaches_the_server_and_another_branch(
    server: Server, replicas: Replicas
) -> None:
    login = server.login("agent")
    first, second = replicas.new(login), replicas.new(login)
    sync.configure(first, server.url(login))
    sync.configure(second, server.url(login))
    with first.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Customer)) == 2

    entry = add_note(first, server.customers["C-1"], "called back, all fine")
    assert outbox(first) == [("history_entries", "pending")]
    result = sync.sync_now(first)
    assert (result.pushed, result.pending, result.rejected) == (1, 0, 0)
    assert outbox(first) == []
    assert server.count(entry.id) == 1

    result = sync.sync_now(second)
    assert result.pulled >= 1
    assert entry.id in _ids(second)
    assert outbox(second) == []  # what a pull writes is never queued again
    for db in (server.db, first, second):
        assert verify_database(db).ok
    state = sync.status(first)
    assert (state.mode, state.online, state.pending, state.rejected) == ("branch", True, 0, 0)
    assert state.last_sync is not None


def test_a_batch_pushed_again_after_a_lost_acknowledgement_stores_nothing_twice(
    server: Server, replicas: Replicas
) -> None:
    login = server.login("agent")
    branch = replicas.new(login)
    sync.configure(branch, server.url(login))
    entries = [add_note(branch, server.customers["C-1"], f"note {n}") for n in range(3)]
    with branch.engine.connect() as conn:
        queued = conn.execute(select(SyncOutbox.table_name, SyncOutbox.row_id)).all()
    sync.sync_now(branch)
    # The server committed but the branch never heard it: the outbox rows are still there.
    with branch.engine.begin() as conn:
        conn.execute(
            SyncOutbox.__table__.insert(),
            [{"table_name": t, "row_id": i, "state": "pending", "attempts": 0} for t, i in queued],
        )
    result = sync.sync_now(branch)
    assert (result.pushed, result.rejected, result.pending) == (3, 0, 0)
    assert [server.count(e.id) for e in entries] == [1, 1, 1]
    with server.db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(SyncAlarm)) == 0


def test_entries_keep_the_history_browsers_columns_both_ways(
    server: Server, replicas: Replicas
) -> None:
    from datetime import UTC, datetime

    from app.domain.case_state import CaseChange
    from app.store.models import Case
    from app.store.repositories import UnitOfWork
    from tests.sync.test_engine_rules import _step

    with UnitOfWork(server.db) as uow:
        case = Case(
            customer_id=server.customers["C-1"], process="fair_use", stage="2", opened_by="c"
        )
        uow.add(case)
        uow.commit()
        case_id = case.id
    _step(server.db, case_id, "warn", CaseChange(stage="warned"), datetime.now(UTC))
    login = server.login("agent")
    branch = replicas.new(login)
    sync.configure(branch, server.url(login))
    _step(branch, case_id, "call", CaseChange(stage="called"), datetime.now(UTC))
    sync.sync_now(branch)
    columns = select(
        HistoryEntry.id, HistoryEntry.partner_id, HistoryEntry.process, HistoryEntry.stage
    ).order_by(HistoryEntry.id)
    with server.db.engine.connect() as conn:
        on_server = conn.execute(columns).all()
    with branch.engine.connect() as conn:
        on_branch = conn.execute(columns).all()
    assert len(on_server) == 2 and on_server == on_branch
    assert {row.partner_id for row in on_server} == {server.partners["P1"]}
    assert {row.process for row in on_server} == {"fair_use"}
    assert all(row.stage for row in on_server)
