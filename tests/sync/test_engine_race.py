"""A connected client and a branch's push advancing one case at the same moment on the server."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from app.domain.case_state import CaseBase, CaseChange, CaseEvent
from app.store.models import Case, HistoryEntry
from app.store.repositories import UnitOfWork
from app.sync.push import recompute_cases
from tests.sync.helpers_engine import Server, server_fixture  # noqa: F401 - fixtures
from tests.sync.test_engine_rules import _step

pytestmark = pytest.mark.postgres


def test_a_connected_step_waits_for_a_push_on_the_same_case_and_sees_its_event(
    server: Server,
) -> None:
    with UnitOfWork(server.db) as uow:
        case = Case(customer_id=server.customers["C-1"], process="fair_use", opened_by="centre")
        uow.add(case)
        uow.commit()
        case_id = case.id
    pushed = CaseEvent(
        id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        flow="main",
        step="warn",
        change=CaseChange(stage="warned", facts={"sms": True}),
        base=CaseBase(),
    )
    with server.db.engine.connect() as push:
        transaction = push.begin()
        # What a branch's push does: the case locked, its event added, the case derived again.
        push.execute(select(Case.id).where(Case.id == case_id).with_for_update())
        push.execute(
            HistoryEntry.__table__.insert().values(
                id=uuid.UUID(pushed.id),
                customer_id=server.customers["C-1"],
                case_id=case_id,
                author="branch",
                created_at=pushed.created_at,
                kind="step",
                text="warned",
                payload={"flow": "main", "step": "warn", "case": pushed.payload()},
                rule_ids=[],
                origin="branch",
            )
        )
        client = threading.Thread(
            target=_step,
            args=(
                server.db,
                case_id,
                "call",
                CaseChange(facts={"reached": True}),
                pushed.created_at,
            ),
        )
        client.start()
        time.sleep(1.0)  # the connected client records its step meanwhile
        recompute_cases(push, {case_id}, login=None)
        transaction.commit()
    client.join(30)
    assert not client.is_alive()
    with server.db.engine.connect() as conn:
        facts = conn.scalar(select(Case.facts).where(Case.id == case_id))
        steps = conn.scalar(
            text("SELECT count(*) FROM history_entries WHERE case_id = :c"), {"c": case_id}
        )
    assert steps == 2
    assert json.loads(json.dumps(facts)) == {"sms": True, "reached": True}
