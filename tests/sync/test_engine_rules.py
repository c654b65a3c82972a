"""The branch sync's rules: alarms, refusals, schema versions, scope, removals, cases."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text, update

from app import sync
from app.domain.case_state import CaseChange
from app.domain.playbook import RunState
from app.services.case_record import record_step
from app.services.customers import add_note
from app.store.chain import verify_database
from app.store.db import Database
from app.store.models import Case, Customer, HistoryEntry, Letter, Subscription
from app.store.repositories import UnitOfWork
from app.store.sync_tables import SyncAlarm, SyncOutbox
from tests.sync.helpers_engine import (  # noqa: F401 - fixtures
    Replicas,
    Server,
    outbox,
    replicas_fixture,
    server_fixture,
)

pytestmark = pytest.mark.postgres


def _count(db: Database, model: type, *where: object) -> int:
    with db.engine.connect() as conn:
        query = select(func.count()).select_from(model)
        return int(conn.scalar(query.where(*where) if where else query) or 0)


def _branch(server: Server, replicas: Replicas, role: str = "agent", partner: str | None = None):
    login = server.login(role, partner)
    db = replicas.new(login, role, server.partners[partner] if partner else None)
    sync.configure(db, server.url(login))
    return db


def test_a_known_id_with_other_content_is_an_alarm_and_shown_as_refused(
    server: Server, replicas: Replicas
) -> None:
    branch = _branch(server, replicas)
    entry = add_note(branch, server.customers["C-1"], "the customer asked for a call back")
    with server.db.engine.begin() as conn:  # the same id already on the server, other content
        conn.execute(
            HistoryEntry.__table__.insert().values(
                id=entry.id,
                customer_id=server.customers["C-1"],
                author="someone",
                created_at=datetime.now(UTC),
                kind="note",
                text="another text",
                payload={},
                rule_ids=[],
                origin="elsewhere",
                chain_seq=1,
                prev_hash="0" * 64,
                hash="f" * 64,
            )
        )
    later = add_note(branch, server.customers["C-1"], "second note")
    result = sync.sync_now(branch)
    assert (result.rejected, result.pending) == (1, 0)
    assert server.count(later.id) == 1  # the refused row does not block the queue
    with branch.engine.connect() as conn:
        state, reason = conn.execute(
            select(SyncOutbox.state, SyncOutbox.reason).where(SyncOutbox.row_id == entry.id)
        ).one()
    assert state == "rejected" and "same id" in reason
    with server.db.engine.connect() as conn:
        alarm = conn.execute(select(SyncAlarm)).one()
    assert (alarm.kind, alarm.row_id, alarm.table_name) == (
        "payload_differs",
        entry.id,
        "history_entries",
    )
    assert alarm.server_hash == "f" * 64 and alarm.client_hash != alarm.server_hash
    assert sync.status(branch, probe=False).rejected == 1
    from app.sync.alarms import list_alarms

    shown = list_alarms(server.db)  # what a supervisor sees
    assert [(a.kind, a.row_id) for a in shown] == [("payload_differs", entry.id)]


def _entry(db: Database, customer_id: uuid.UUID, text: str) -> HistoryEntry:
    """A history entry written as a partner's ticket answer writes one (past the note service)."""
    with UnitOfWork(db) as uow:
        entry = uow.history.append(
            HistoryEntry(
                customer_id=customer_id,
                author="partner",
                kind="ticket",
                text=text,
                origin=db.origin,
            )
        )
        uow.commit()
    return entry


def test_a_row_the_server_refuses_is_rejected_with_the_reason_and_the_rest_goes_through(
    server: Server, replicas: Replicas
) -> None:
    partner = _branch(server, replicas, "partner", "P1")
    letter_id = uuid.uuid4()
    with partner.engine.begin() as conn:  # partners may not write letters on the server
        conn.execute(
            Letter.__table__.insert().values(
                id=letter_id,
                customer_id=server.customers["C-1"],
                document="welcome",
                language="de",
                context={},
                status="requested",
                requested_at=datetime.now(UTC),
                requested_by="x",
            )
        )
    note = _entry(partner, server.customers["C-1"], "partner's remark")
    result = sync.sync_now(partner)
    assert (result.pushed, result.rejected, result.pending) == (1, 1, 0)
    assert server.count(note.id) == 1
    assert _count(server.db, Letter) == 0
    with partner.engine.connect() as conn:
        reason = conn.scalar(select(SyncOutbox.reason).where(SyncOutbox.row_id == letter_id))
    assert "permission denied" in reason


def test_a_server_of_another_schema_version_gets_nothing(
    server: Server, replicas: Replicas
) -> None:
    branch = _branch(server, replicas)
    entry = add_note(branch, server.customers["C-1"], "offline note")
    with server.db.engine.begin() as conn:
        current = conn.scalar(text("SELECT version_num FROM alembic_version"))
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        with pytest.raises(sync.SchemaMismatchError, match="update Agent Assist"):
            sync.sync_now(branch)
        with server.db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        with pytest.raises(sync.SchemaMismatchError, match="db upgrade"):
            sync.sync_now(branch)
    finally:
        with server.db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
    assert server.count(entry.id) == 0
    assert outbox(branch) == [("history_entries", "pending")]
    assert sync.sync_now(branch).pushed == 1


def test_a_partners_branch_holds_only_its_partners_rows_and_loses_what_leaves_its_scope(
    server: Server, replicas: Replicas
) -> None:
    add_note(server.db, server.customers["C-2"], "foreign partner's customer")
    with UnitOfWork(server.db) as uow:
        uow.add(
            Subscription(
                customer_id=server.customers["C-1"],
                tariff="Basic",
                monthly_fee="10.00",
                activated=datetime.now(UTC).date(),
            )
        )
        uow.commit()
    branch = _branch(server, replicas, "partner", "P1")
    with branch.engine.connect() as conn:
        assert set(conn.execute(select(Customer.customer_no)).scalars()) == {"C-1"}
        assert conn.scalar(select(func.count()).select_from(HistoryEntry)) == 0
    assert _count(branch, Subscription) == 1

    with server.db.engine.begin() as conn:  # deleted on the server
        conn.execute(Subscription.__table__.delete())
    sync.sync_now(branch)
    assert _count(branch, Subscription) == 0

    note = add_note(server.db, server.customers["C-1"], "recorded at the centre")
    sync.sync_now(branch)
    assert _count(branch, HistoryEntry, HistoryEntry.id == note.id) == 1
    with server.db.engine.begin() as conn:  # the customer moves to the other partner
        conn.execute(
            update(Customer)
            .where(Customer.id == server.customers["C-1"])
            .values(partner_id=server.partners["P2"])
        )
    sync.sync_now(branch)
    assert _count(branch, Customer) == 0
    assert _count(branch, HistoryEntry) == 0
    assert outbox(branch) == []


def _step(db: Database, case_id: uuid.UUID, step: str, change: CaseChange, when: datetime) -> None:
    with UnitOfWork(db) as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        entry = HistoryEntry(
            customer_id=case.customer_id,
            case_id=case.id,
            author="agent",
            kind="step",
            text=f"step {step}",
            payload={"flow": "main", "step": step},
            origin=db.origin,
        )
        state = RunState("fair_use", "1", "main", (step,), recorded=(step,))
        record_step(uow, case, entry, change, state)
        uow.commit()


def _case_state(db: Database, case_id: uuid.UUID) -> tuple[object, ...]:
    with db.engine.connect() as conn:
        row = conn.execute(
            select(Case.stage, Case.facts, Case.state, Case.subject).where(Case.id == case_id)
        ).one()
    return (row.stage, json.dumps(row.facts, sort_keys=True), str(row.state), row.subject)


def test_two_branches_that_advanced_one_case_offline_end_in_one_state(
    server: Server, replicas: Replicas
) -> None:
    with UnitOfWork(server.db) as uow:
        case = Case(
            customer_id=server.customers["C-1"],
            process="fair_use",
            subject="2026-11",
            opened_by="centre",
        )
        uow.add(case)
        uow.commit()
        case_id = case.id
    first, second = _branch(server, replicas), _branch(server, replicas)
    now = datetime.now(UTC)
    _step(first, case_id, "warn", CaseChange(stage="warned", facts={"sms": True}), now)
    _step(second, case_id, "call", CaseChange(stage="called", facts={"reached": True}), now)
    for db in (first, second, first):
        sync.sync_now(db)
    states = {_case_state(db, case_id) for db in (server.db, first, second)}
    assert len(states) == 1, states
    stage, facts, _state, _subject = states.pop()
    assert json.loads(facts) == {"sms": True, "reached": True}
    assert stage in ("warned", "called")
    for db in (server.db, first, second):
        assert verify_database(db).ok
    assert _count(server.db, HistoryEntry, HistoryEntry.case_id == case_id) == 2
    assert all(outbox(db) == [] for db in (first, second))


def test_a_replica_that_cannot_be_written_says_so_and_loses_nothing(
    server: Server, replicas: Replicas
) -> None:
    from sqlalchemy import event

    branch = _branch(server, replicas)
    entry = add_note(branch, server.customers["C-1"], "recorded before the disk filled up")
    branch.dispose()

    def read_only(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")  # type: ignore[attr-defined]

    event.listen(branch.engine, "connect", read_only)
    try:
        with pytest.raises(sync.ReplicaNotWritableError, match="cannot be written"):
            sync.sync_now(branch)
    finally:
        event.remove(branch.engine, "connect", read_only)
        branch.dispose()
    assert outbox(branch) == [("history_entries", "pending")]  # still queued here
    result = sync.sync_now(branch)
    assert (result.pushed, result.pending) == (1, 0)
    assert server.count(entry.id) == 1


def test_an_entry_whose_copy_on_the_branch_differs_is_reported_to_the_server(
    server: Server, replicas: Replicas
) -> None:
    note = add_note(server.db, server.customers["C-1"], "recorded at the centre")
    branch = _branch(server, replicas)
    with branch.engine.begin() as conn:  # someone edits the branch's copy past the guards
        conn.execute(text("DROP TRIGGER history_entries_no_update"))
        conn.execute(update(HistoryEntry).where(HistoryEntry.id == note.id).values(hash="e" * 64))
        conn.execute(text("DELETE FROM app_meta WHERE key = 'sync_last_full'"))
    sync.sync_now(branch)  # the daily reconciliation
    with server.db.engine.connect() as conn:
        alarm = conn.execute(select(SyncAlarm)).one()
    assert (alarm.kind, alarm.row_id, alarm.client_hash) == (
        "chain_copy_differs",
        note.id,
        "e" * 64,
    )


def test_a_partners_branch_answers_a_ticket_and_the_servers_ticket_moves_on(
    server: Server, replicas: Replicas
) -> None:
    from app.store.models import PartnerTicket, TicketFeedback, TicketStatus

    with UnitOfWork(server.db) as uow:
        ticket = PartnerTicket(
            customer_id=server.customers["C-1"],
            partner_id=server.partners["P1"],
            kind="decision",
            subject="Fair use 2026-11",
            body="Do you agree?",
            created_by="centre",
        )
        uow.add(ticket)
        uow.commit()
        ticket_id = ticket.id
    branch = _branch(server, replicas, "partner", "P1")
    with UnitOfWork(branch) as uow:
        local = uow.session.get(PartnerTicket, ticket_id)
        assert local is not None
        local.status = TicketStatus.ANSWERED
        uow.add(TicketFeedback(ticket_id=ticket_id, author="p1", agrees=True, text="agreed"))
        uow.commit()
    result = sync.sync_now(branch)
    assert (result.pushed, result.rejected, result.pending) == (2, 0, 0)
    with server.db.engine.connect() as conn:
        assert conn.scalar(select(PartnerTicket.status)) == TicketStatus.ANSWERED
        assert conn.scalar(select(func.count()).select_from(TicketFeedback)) == 1


def test_the_daily_reconciliation_catches_what_changed_past_the_change_log(
    server: Server, replicas: Replicas
) -> None:
    branch = _branch(server, replicas)
    with server.db.engine.begin() as conn:  # IT works as superuser past every trigger
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            update(Customer).where(Customer.customer_no == "C-2").values(name="Boris Renamed")
        )
        conn.execute(
            text("DELETE FROM customer_search_terms WHERE customer_id = :c"),
            {"c": server.customers["C-1"]},
        )
        conn.execute(text("DELETE FROM customers WHERE customer_no = 'C-1'"))
    sync.sync_now(branch)
    assert _count(branch, Customer) == 2  # the change log saw nothing
    with branch.engine.begin() as conn:
        conn.execute(text("DELETE FROM app_meta WHERE key = 'sync_last_full'"))
    sync.sync_now(branch)
    with branch.engine.connect() as conn:
        assert set(conn.execute(select(Customer.customer_no)).scalars()) == {"C-2"}


def test_history_verify_passes_on_a_partners_branch_and_still_finds_a_changed_entry(
    server: Server, replicas: Replicas
) -> None:
    agent = _branch(server, replicas)
    for number in ("C-1", "C-2", "C-1", "C-2", "C-1"):  # one chain across both partners
        add_note(agent, server.customers[number], f"note for {number}")
    sync.sync_now(agent)
    partner = _branch(server, replicas, "partner", "P1")
    assert _count(partner, HistoryEntry) == 3
    report = verify_database(partner)
    assert report.ok and report.entries == 3
    with partner.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER history_entries_no_update"))
        conn.execute(update(HistoryEntry).values(text="rewritten"))
    assert not verify_database(partner).ok


def test_two_offices_taking_the_same_step_of_a_case_converge_and_alarm_a_supervisor(
    server: Server, replicas: Replicas
) -> None:
    from app.sync.alarms import list_alarms

    with UnitOfWork(server.db) as uow:
        case = Case(
            customer_id=server.customers["C-1"],
            process="fair_use",
            subject="2026-11",
            opened_by="centre",
        )
        uow.add(case)
        uow.commit()
        case_id = case.id
    first, second = _branch(server, replicas), _branch(server, replicas)
    now = datetime.now(UTC)
    _step(first, case_id, "decide", CaseChange(stage="3", facts={"measure": "migrate"}), now)
    _step(second, case_id, "decide", CaseChange(stage="3", facts={"measure": "terminate"}), now)
    for db in (first, second, first):
        sync.sync_now(db)
    states = {_case_state(db, case_id) for db in (server.db, first, second)}
    assert len(states) == 1, states
    alarms = [a for a in list_alarms(server.db) if a.kind == "case_conflict"]
    assert [a.row_id for a in alarms] == [case_id]
    assert '"reason": "same_step"' in (alarms[0].detail or "")


def test_a_file_with_desktop_work_is_not_made_a_branch_and_a_desktop_records_no_outbox(
    server: Server, replicas: Replicas
) -> None:
    login = server.login("agent")
    desktop = replicas.new(login)
    with UnitOfWork(desktop) as uow:  # a desktop's own customer and note
        customer = Customer(
            customer_no="D-1",
            msisdn="+41790000009",
            name="Desk Top",
            language="de",
            partner_id=uuid.uuid4(),
        )
        uow.session.execute(text("PRAGMA foreign_keys = OFF"))
        uow.add(customer)
        uow.flush()
        uow.history.append(
            HistoryEntry(customer_id=customer.id, author="me", kind="note", text="mine")
        )
        uow.commit()
    assert outbox(desktop) == []  # not a branch: nothing is queued
    from app.services.errors import ValidationError

    with pytest.raises(ValidationError, match="already holds work"):
        sync.configure(desktop, server.url(login))
    assert sync.status(desktop).mode == "desktop"


def test_a_case_refused_once_and_sent_later_is_no_longer_shown_as_refused(
    server: Server, replicas: Replicas
) -> None:
    with UnitOfWork(server.db) as uow:
        case = Case(customer_id=server.customers["C-1"], process="fair_use", opened_by="centre")
        uow.add(case)
        uow.commit()
        case_id = case.id
    login = server.login("partner", "P1")
    branch = replicas.new(login, "partner", server.partners["P1"])
    sync.configure(branch, server.url(login))

    def touch(due: str) -> None:
        with UnitOfWork(branch) as uow:
            local = uow.session.get(Case, case_id)
            assert local is not None
            local.script_state = {"note": due}
            uow.commit()

    touch("first")
    assert sync.sync_now(branch).rejected == 1  # a partner's login may not change cases
    with server.db.engine.begin() as conn:
        conn.execute(text(f"GRANT agent_assist_agent TO {login}"))
    touch("second")
    result = sync.sync_now(branch)
    assert (result.rejected, result.pending) == (0, 0)
    with server.db.engine.connect() as conn:
        assert conn.scalar(select(Case.script_state)) == {"note": "second"}


def test_a_line_that_hangs_is_given_up_and_the_sync_reports_the_server_unreachable(
    server: Server, replicas: Replicas, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from tests.sync.proxy import PgProxy

    monkeypatch.setenv("AGENT_ASSIST_SYNC_TIMEOUT", "2")
    proxy = PgProxy()
    try:
        login = server.login("agent")
        branch = replicas.new(login)
        sync.configure(branch, proxy.url(server.db.url, login))
        entries = [add_note(branch, server.customers["C-1"], f"note {n}") for n in range(20)]
        proxy.set_delay(0.02)
        outcome: list[BaseException | None] = []

        def run() -> None:
            try:
                sync.sync_now(branch)
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        while proxy.open_connections == 0 and worker.is_alive():
            time.sleep(0.01)
        time.sleep(0.15)
        proxy.stall()  # the connection is up: the line now hangs mid-sync
        worker.join(20)
        assert not worker.is_alive(), "the sync hangs with the line"
        assert isinstance(outcome[0], sync.ServerUnreachableError)
        proxy.release()
        proxy.set_delay(0)
        assert sync.sync_now(branch).pending == 0
        assert [server.count(e.id) for e in entries] == [1] * 20
    finally:
        proxy.release()
        proxy.close()


def test_a_refused_entry_is_kept_with_its_customer_when_the_customer_leaves_the_scope(
    server: Server, replicas: Replicas
) -> None:
    partner = _branch(server, replicas, "partner", "P1")
    entry = _entry(partner, server.customers["C-1"], "answered while offline")
    with server.db.engine.begin() as conn:  # meanwhile the customer moves to the other partner
        conn.execute(
            update(Customer)
            .where(Customer.id == server.customers["C-1"])
            .values(partner_id=server.partners["P2"])
        )
    result = sync.sync_now(partner)
    assert (result.rejected, result.pending) == (1, 0)
    assert _count(partner, HistoryEntry, HistoryEntry.id == entry.id) == 1
    assert _count(partner, Customer, Customer.id == server.customers["C-1"]) == 1
    assert server.count(entry.id) == 0
