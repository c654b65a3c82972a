"""Push: the replica's outbox to the server, exactly once.

A batch of pending outbox rows is read with the rows they name and applied
on the server in **one transaction**: ``INSERT ... ON CONFLICT DO NOTHING
RETURNING id`` per table (parents first). Only after the server's COMMIT has
returned are the outbox rows deleted; when the acknowledgement is lost the
batch is sent again and every row is found already there with the same
payload hash, so nothing is stored twice.

A row whose id the server already holds:

* same payload hash: already delivered; a mutable row moves forward (a case
  by its events, below; a ticket's status and a task's completion forward
  only; an SMS exported or a letter issued once, from its first status);
* other payload hash, or a history entry whose place in its chain another
  entry holds: an alarm in ``sync_alarms`` for a supervisor, and the outbox
  row is marked rejected with the reason, never silently dropped.

A batch the server refuses (permission, row level security, validation) is
rolled back and applied again row by row, each in a savepoint: refused rows
are marked rejected with the server's reason and the rest go through, so
one bad row never blocks the queue.

Cases converge: every case the batch touches (a case row, or a step entry of
it) is locked (an advisory lock per case, in id order) and its stage, facts
and state are derived again from **all** of its step events on the server
(:func:`app.domain.case_state.derive_case_state`, the one function the
desktop uses too), so two branches that advanced one case offline end in one
state. Events set aside by that derivation (two decisions for one step) are
alarms of kind ``case_conflict``.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError

from app.i18n import _
from app.store.db import Database
from app.store.sync_tables import PENDING, REJECTED, SyncOutbox
from app.sync import rows as spec
from app.sync.server import check_schema, is_line_error

#: Outbox rows read and sent per server transaction.
BATCH = 10_000
_CHUNK = 900
#: From this many rows of a table on, a batch is copied in (``COPY``) rather than inserted.
_COPY_FROM = 200

Key = tuple[str, uuid.UUID]


@dataclass
class PushOutcome:
    pushed: int = 0
    rejected: int = 0


@dataclass
class _Batch:
    seqs: list[int] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    missing: set[Key] = field(default_factory=set)


def push(replica: Database, server: Engine) -> PushOutcome:
    """Send every pending outbox row; returns how many went and how many were refused."""
    outcome = PushOutcome()
    after = 0
    while True:
        batch = _read_batch(replica, after)
        if not batch.seqs:
            return outcome
        after = batch.seqs[-1]
        with server.connect() as conn:
            refused = _apply_batch(conn, batch)
        _acknowledge(replica, batch, refused)
        sent = sum(len(rows) for rows in batch.rows.values())
        outcome.pushed += sent - len(refused)
        outcome.rejected += len(refused)


def _read_batch(replica: Database, after: int) -> _Batch:
    batch = _Batch()
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    first_seq: dict[uuid.UUID, int] = {}
    with replica.engine.connect() as conn:
        for seq, table_name, row_id in conn.execute(
            select(SyncOutbox.seq, SyncOutbox.table_name, SyncOutbox.row_id)
            .where(SyncOutbox.state == PENDING, SyncOutbox.seq > after)
            .order_by(SyncOutbox.seq)
            .limit(BATCH)
        ):
            batch.seqs.append(seq)
            wanted[table_name].add(row_id)
            first_seq.setdefault(row_id, seq)
        for table_name, ids in wanted.items():
            table = spec.table(table_name)
            found: set[uuid.UUID] = set()
            for chunk in _chunks(list(ids), _CHUNK):
                for row in conn.execute(select(table).where(table.c.id.in_(chunk))):
                    values = dict(row._mapping)
                    found.add(values["id"])
                    batch.rows[table_name].append(values)
            batch.missing |= {(table_name, i) for i in ids - found}
    # In the order they were recorded: an entry's parent (the entry it corrects) first.
    for rows in batch.rows.values():
        rows.sort(key=lambda r: first_seq[r["id"]])
    return batch


def _acknowledge(replica: Database, batch: _Batch, refused: Mapping[Key, tuple[str, str]]) -> None:
    """After the server's COMMIT: forget what arrived, mark what was refused."""
    from app.sync.engine import local_write

    refused_ids = [k[1] for k in refused]
    with local_write(replica) as conn:
        for chunk in _chunks(batch.seqs, _CHUNK):
            query = delete(SyncOutbox).where(SyncOutbox.seq.in_(chunk), SyncOutbox.state == PENDING)
            if refused_ids:
                query = query.where(SyncOutbox.row_id.not_in(refused_ids))
            conn.execute(query)
        # A row that moves on (a case) went through after an earlier version was refused:
        # the refusal is history.
        moved = [
            r["id"]
            for table_name, rows in batch.rows.items()
            if table_name not in spec.APPEND_ONLY
            for r in rows
            if (table_name, r["id"]) not in refused
        ]
        for chunk in _chunks(moved, _CHUNK):
            conn.execute(
                delete(SyncOutbox).where(SyncOutbox.state == REJECTED, SyncOutbox.row_id.in_(chunk))
            )
        for (table_name, row_id), (reason, digest) in refused.items():
            conn.execute(
                update(SyncOutbox)
                .where(
                    SyncOutbox.table_name == table_name,
                    SyncOutbox.row_id == row_id,
                    SyncOutbox.state == PENDING,
                    SyncOutbox.seq <= batch.seqs[-1],
                )
                .values(
                    state=REJECTED,
                    reason=reason,
                    payload_hash=digest,
                    attempts=SyncOutbox.attempts + 1,
                )
            )


# --- on the server ---------------------------------------------------------------------


def _apply_batch(conn: Connection, batch: _Batch) -> dict[Key, tuple[str, str]]:
    """Apply ``batch`` in one transaction (row by row after a refusal); the rows refused."""
    try:
        with conn.begin():
            check_schema(conn)  # the envelope: in the batch's own transaction
            return _apply(conn, batch.rows, one_by_one=False)
    except DBAPIError as exc:
        if is_line_error(exc) or _transient(exc):
            raise
    with conn.begin():
        check_schema(conn)
        return _apply(conn, batch.rows, one_by_one=True)


def _apply(
    conn: Connection, rows: Mapping[str, list[dict[str, Any]]], *, one_by_one: bool
) -> dict[Key, tuple[str, str]]:
    refused: dict[Key, tuple[str, str]] = {}
    cases = {r["id"] for r in rows.get("cases", ())} | {
        r["case_id"]
        for r in rows.get("history_entries", ())
        if r["case_id"] is not None and r["kind"] == "step"
    }
    _lock_cases(conn, cases)
    login = conn.scalar(text("SELECT current_user"))
    for table_name in spec.PUSHED:
        table_rows = rows.get(table_name, [])
        if not table_rows:
            continue
        if not one_by_one:
            refused.update(_apply_rows(conn, table_name, table_rows, login))
            continue
        for row in table_rows:
            if row.get("case_id") is not None and ("cases", row["case_id"]) in refused:
                refused[(table_name, row["id"])] = (
                    _("its case was refused"),
                    spec.payload_hash(table_name, row),
                )
                continue
            savepoint = conn.begin_nested()
            try:
                refused.update(_apply_rows(conn, table_name, [row], login))
                savepoint.commit()
            except DBAPIError as exc:
                savepoint.rollback()
                if is_line_error(exc) or _transient(exc):
                    raise
                refused[(table_name, row["id"])] = (
                    _("the server refused it: {reason}").format(reason=_reason(exc)),
                    spec.payload_hash(table_name, row),
                )
    recompute_cases(conn, cases - {k[1] for k in refused if k[0] == "cases"}, login=login)
    return refused


#: Server errors that say "try again", never "this row is refused": serialization
#: failure, deadlock, lock not available, query cancelled, and the server shutting down.
_TRANSIENT = ("40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03")


def _transient(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _TRANSIENT


def _reason(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary or str(exc.orig).splitlines()[0])


def _lock_cases(conn: Connection, cases: Iterable[uuid.UUID]) -> None:
    keys = sorted(f"agent-assist case:{c.hex}" for c in cases)
    if keys:
        conn.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(hashtext(k))) "
                "FROM (SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS s"
            ),
            {"keys": keys},
        )


def _apply_rows(
    conn: Connection, table_name: str, rows: Sequence[dict[str, Any]], login: str | None
) -> dict[Key, tuple[str, str]]:
    table = spec.table(table_name)
    on_server: dict[uuid.UUID, dict[str, Any]] = {}
    if table_name not in spec.APPEND_ONLY:
        # A row that moves on (a ticket answered) is only updated when the server has
        # it: a partner's login may change a ticket's status but never insert one.
        on_server = _server_rows(conn, table, [r["id"] for r in rows])
    new = [r for r in rows if r["id"] not in on_server]
    inserted = _insert_new(conn, table, new) if new else set()
    others = [r for r in rows if r["id"] not in inserted]
    if not others:
        return {}
    on_server.update(
        _server_rows(conn, table, [r["id"] for r in others if r["id"] not in on_server])
    )
    refused: dict[Key, tuple[str, str]] = {}
    for values in others:
        mine = spec.payload_hash(table_name, values)
        theirs_row = on_server.get(values["id"])
        if theirs_row is None:
            kind, reason = (
                "chain_place_taken",
                _("another entry already holds its place in its chain on the server"),
            )
            theirs = None
        else:
            theirs = spec.payload_hash(table_name, theirs_row)
            if theirs == mine:
                _move_forward(conn, table_name, values, theirs_row)
                continue
            kind, reason = (
                "payload_differs",
                _("the server holds another row with the same id: a supervisor is alerted"),
            )
        _alarm(conn, login, table_name, values["id"], kind, theirs, mine, None)
        refused[(table_name, values["id"])] = (reason, mine)
    return refused


def _server_rows(
    conn: Connection, table: Table, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for chunk in _chunks(list(ids), _CHUNK):
        for row in conn.execute(select(table).where(table.c.id.in_(chunk))):
            found[row.id] = dict(row._mapping)
    return found


def _insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """``INSERT ... ON CONFLICT DO NOTHING``: the ids that were new.

    A large batch is copied into a temporary table first (``COPY``, one
    round trip) and inserted from there in one statement; a few rows go as
    one multi-row insert.
    """
    if len(rows) < _COPY_FROM:
        stmt = pg_insert(table).on_conflict_do_nothing().returning(table.c.id)
        return set(conn.execute(stmt, list(rows)).scalars())
    names = [c.name for c in table.columns]
    processors = [c.type.bind_processor(conn.dialect) for c in table.columns]
    columns = ", ".join(f'"{n}"' for n in names)
    temp = f"sync_incoming_{table.name}"
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {table.name}) ON COMMIT DROP"
    )
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_copy_value(row[n], p) for n, p in zip(names, processors, strict=True)])
    result = conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {temp} "
        "ON CONFLICT DO NOTHING RETURNING id"
    )
    inserted = {uuid.UUID(str(r[0])) for r in result}
    conn.exec_driver_sql(f"TRUNCATE {temp}")
    return inserted


def _copy_value(value: Any, processor: Any) -> Any:
    """``value`` as its column binds it, JSON as text (``COPY`` takes no Python dicts)."""
    if processor is not None:
        value = processor(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _alarm(
    conn: Connection,
    login: str | None,
    table_name: str,
    row_id: uuid.UUID,
    kind: str,
    theirs: str | None,
    mine: str | None,
    detail: str | None,
) -> None:
    from app.store.types import utcnow

    conn.execute(
        spec.table("sync_alarms")
        .insert()
        .values(
            created_at=utcnow(),
            login=login or "",
            table_name=table_name,
            row_id=row_id,
            kind=kind,
            server_hash=theirs,
            client_hash=mine,
            detail=detail,
        )
    )


def _move_forward(
    conn: Connection, table_name: str, mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> None:
    """A mutable row the server already holds: take what moved on, forward only."""
    table = spec.table(table_name)
    changes: dict[str, Any] = {}
    if table_name == "cases":
        if mine["updated_at"] > theirs["updated_at"]:
            changes = {c: mine[c] for c in spec.MOVING["cases"]}
        if _value(theirs["state"]) == "closed":
            changes.pop("state", None)
            changes.pop("closed_at", None)
    elif table_name == "partner_tickets":
        if spec.TICKET_ORDER.get(_value(mine["status"]), 0) > spec.TICKET_ORDER.get(
            _value(theirs["status"]), 0
        ):
            changes = {"status": mine["status"]}
    elif table_name == "tasks":
        if mine["done_at"] is not None and theirs["done_at"] is None:
            changes = {"done_at": mine["done_at"], "done_by": mine["done_by"]}
    elif table_name in spec.FIRST_STATUS:
        first = spec.FIRST_STATUS[table_name]
        if _value(theirs["status"]) == first and _value(mine["status"]) != first:
            changes = {c: mine[c] for c in spec.MOVING[table_name]}
    if changes:
        conn.execute(update(table).where(table.c.id == mine["id"]).values(**changes))


def _value(status: Any) -> str:
    return str(getattr(status, "value", status))


# --- cases: one derivation from all their events -----------------------------------------


def recompute_cases(conn: Connection, case_ids: Iterable[uuid.UUID], *, login: str | None) -> None:
    """Store on each case the state its step events derive (on either engine).

    On the server (``login`` given) events the derivation sets aside are
    recorded as ``case_conflict`` alarms, once each.
    """
    ids = sorted(set(case_ids), key=str)
    if not ids:
        return
    from sqlalchemy.orm import Session

    from app.domain.case_state import CaseEvent, derive_case_state
    from app.services.case_record import base_of, store
    from app.store.models import Case, HistoryEntry

    session = Session(bind=conn, autoflush=False)
    try:
        for chunk in _chunks(ids, _CHUNK):
            # The case rows first, locked: a writer that recorded an event meanwhile
            # has committed it before its events are read here.
            query = select(Case).where(Case.id.in_(chunk)).order_by(Case.id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            cases = list(session.scalars(query))
            events: dict[uuid.UUID, list[CaseEvent]] = defaultdict(list)
            for entry_id, case_id, created_at, payload in conn.execute(
                select(
                    HistoryEntry.id,
                    HistoryEntry.case_id,
                    HistoryEntry.created_at,
                    HistoryEntry.payload,
                ).where(HistoryEntry.case_id.in_(chunk), HistoryEntry.kind == "step")
            ):
                event = CaseEvent.from_entry(entry_id, created_at, payload or {})
                if event is not None:
                    events[case_id].append(event)
            for case in cases:
                if not events.get(case.id):
                    continue
                derived = derive_case_state(events[case.id], base_of(case))
                store(case, derived, drafts=(case.script_state or {}).get("drafts"))
                if login is not None:
                    for conflict in derived.conflicts:
                        _conflict_alarm(conn, login, case.id, conflict)
        session.flush()
    finally:
        session.close()


def _conflict_alarm(conn: Connection, login: str, case_id: uuid.UUID, conflict: Any) -> None:
    from app.store.sync_tables import SyncAlarm

    detail = json.dumps(
        {
            "event": conflict.event,
            "flow": conflict.flow,
            "step": conflict.step,
            "reason": conflict.reason,
            "because_of": conflict.because_of,
        },
        sort_keys=True,
    )
    known = conn.scalar(
        select(SyncAlarm.id).where(
            SyncAlarm.kind == "case_conflict",
            SyncAlarm.row_id == case_id,
            SyncAlarm.detail == detail,
        )
    )
    if known is None:
        _alarm(conn, login, "cases", case_id, "case_conflict", None, None, detail)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
