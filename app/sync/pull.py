"""Pull: what the server holds for this branch, into the replica.

**Scope.** The branch reads the server as its own login, so row level
security shows it exactly what a connected client with that login sees (a
partner's branch: its partner's customers and their records only).

**Cursor in commit order.** Every change of a synced table on the server
appends ``(txid, seq, table, id)`` to ``sync_changes`` (migration 0008), and
``sync_commits`` numbers each writing transaction when it commits, under a
lock held until the commit is visible: a snapshot that sees number *n* sees
every lower number, so a transaction that started early and committed late
gets a late number and is never skipped (a sequence or a timestamp taken
while writing would skip it). A pull reads, in one REPEATABLE READ snapshot,
the changes after its cursor ``(commit number, seq)``, and each changed row
in the same snapshot: visible rows are written into the replica, ids that
are not visible (deleted on the server, or moved out of the branch's scope)
are removed from it, with what hangs on a removed customer. Unlike a
``pg_snapshot_xmin`` horizon, a long transaction elsewhere on the server
(an import) never holds the branches back.

**Full pull and reconciliation.** The first pull (``sync configure``)
copies every visible row of every synced table. Once a day a reconciliation
compares every table's ids with the server's (and the history's hashes):
rows missing here are read, rows the server no longer shows are removed.
This catches rows that left the scope with no change of their own and
changes made past the triggers (a TRUNCATE by IT); an entry whose copy here
differs from the server's is an alarm there (``chain_copy_differs``).

Rows this desktop recorded and the server has not acknowledged (in the
outbox) are never overwritten or removed by a pull. Everything a pull writes
goes in one local transaction with the new cursor, marked ``sync_applying`` so
the outbox triggers ignore it.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, or_, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store.db import Database
from app.store.models import AppMeta
from app.store.sync_tables import SyncChange, SyncCommit, SyncOutbox
from app.sync import rows as spec
from app.sync.server import APPLYING_KEY, CURSOR_KEY, PARTIAL_KEY, check_schema

log = logging.getLogger(__name__)

#: Changes read per pull round.
PAGE = 20_000
_CHUNK = 900
#: ``seq`` of a cursor that stands after every change of its transaction.
_END = 2**62
#: Tables that hang on a customer (removed with it when it leaves the scope).
_OF_CUSTOMER = (
    "customer_search_terms",
    "subscriptions",
    "device_plans",
    "bundles",
    "fair_use_records",
    "cases",
    "partner_tickets",
    "tasks",
    "history_entries",
    "sms_messages",
    "letters",
)


@dataclass
class _Snapshot:
    """What one pull read from the server."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    gone: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    #: For a full pull: every visible id per table (the rest of the replica's goes).
    full: bool = False
    seen: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    cursor: tuple[int, int] | None = None
    #: Whether the branch's login sees only a partner's part (its history chains in part).
    partial: bool = False
    #: Every visible id per table was read (``seen``): the rest of the replica's goes.
    reconciled: bool = False
    #: The server's hash of every visible history entry (reconciliation).
    hashes: dict[uuid.UUID, str | None] = field(default_factory=dict)
    #: History entries whose copy here differs from the server's: (id, server hash, ours).
    differs: list[tuple[uuid.UUID, str | None, str | None]] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(r) for r in self.rows.values())


def read_cursor(conn: Connection) -> tuple[int, int] | None:
    value = conn.scalar(select(AppMeta.value).where(AppMeta.key == CURSOR_KEY))
    if not value:
        return None
    txid, seq = value.split(":")
    return int(txid), int(seq)


def pull(replica: Database, server: Engine, *, full: bool = False, reconcile: bool = False) -> int:
    """Bring the replica up to the server; returns how many rows were written.

    ``full`` copies every visible row; ``reconcile`` also compares every
    table's ids (and the history's hashes) with the server's.
    """
    total = 0
    while True:
        with replica.engine.connect() as conn:
            cursor = read_cursor(conn)
        if full or cursor is None:
            total += _full_copy(replica, server)
            full = reconcile = False
            continue
        snapshot = _read(server, cursor, replica, reconcile)
        reconcile = False
        if not (snapshot.full or snapshot.reconciled) and snapshot.cursor == cursor:
            return total
        total += apply(replica, snapshot)
        if snapshot.differs:
            _report_differences(server, snapshot.differs)
        if snapshot.cursor is None or snapshot.cursor[1] == _END:
            return total


def _full_copy(replica: Database, server: Engine) -> int:
    """Copy every visible row into the replica, streaming, in one snapshot of the server."""
    snap = _Snapshot(full=True)
    with server.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            check_schema(conn)
            snap.partial = _partial(conn)
            last = conn.scalar(select(func.max(SyncCommit.commit_seq)))
            snap.cursor = (int(last or 0), _END)
            written = apply(replica, snap, copy_from=conn)
    if snap.differs:
        _report_differences(server, snap.differs)
    return written


def _partial(conn: Connection) -> bool:
    """Whether the server's login sees only a partner's part."""
    return not conn.scalar(
        text(
            "SELECT rolsuper OR rolbypassrls OR agent_assist_sees_all(current_user::text) "
            "FROM pg_roles WHERE rolname = current_user"
        )
    )


def _copy_all(
    conn: Connection, server: Connection, snap: _Snapshot, ours: set[tuple[str, uuid.UUID]]
) -> int:
    """Stream every visible row of every pulled table from ``server`` into ``conn``."""
    written = 0
    terms = spec.table("customer_search_terms")
    conn.execute(delete(terms))  # every term comes again, customer by customer
    for table_name in spec.PULLED:
        key = spec.key_column(table_name)
        result = server.execution_options(yield_per=5000).execute(select(spec.table(table_name)))
        for part in result.partitions():
            rows = [dict(row._mapping) for row in part]
            snap.seen[table_name].update(r[key] for r in rows)
            if table_name == "history_entries":
                snap.hashes.update((r["id"], r["hash"]) for r in rows)
            rows = [r for r in rows if (table_name, r.get("id")) not in ours]
            if table_name == "customer_search_terms":
                conn.execute(terms.insert(), rows)
                written += len(rows)
            else:
                written += _write(conn, table_name, rows)
    return written


def _read(
    server: Engine,
    cursor: tuple[int, int],
    replica: Database | None = None,
    reconcile: bool = False,
) -> _Snapshot:
    snap = _Snapshot()
    with server.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            check_schema(conn)
            snap.partial = _partial(conn)
            after, after_seq = cursor
            changes = conn.execute(
                select(
                    SyncCommit.commit_seq,
                    SyncChange.seq,
                    SyncChange.table_name,
                    SyncChange.row_id,
                    SyncChange.deleted,
                )
                .join(SyncCommit, SyncCommit.txid == SyncChange.txid)
                .where(
                    SyncCommit.commit_seq >= after,
                    or_(
                        SyncCommit.commit_seq > after,
                        SyncChange.seq > after_seq,
                    ),
                )
                .order_by(SyncCommit.commit_seq, SyncChange.seq)
                .limit(PAGE)
            ).all()
            wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
            removed: dict[str, set[uuid.UUID]] = defaultdict(set)
            for change in changes:
                if change.table_name in spec.PULLED:
                    wanted[change.table_name].add(change.row_id)
                    if change.deleted:
                        removed[change.table_name].add(change.row_id)
            if replica is not None:
                # An entry already here never changes: it is read again only when removed.
                for table_name in spec.APPEND_ONLY:
                    ids = wanted.get(table_name)
                    if ids:
                        ids -= _present(replica, table_name, ids) - removed[table_name]
            if reconcile and replica is not None:
                _reconcile_ids(conn, replica, snap, wanted)
            if not changes:
                snap.cursor = cursor
            elif len(changes) < PAGE:  # every change committed so far is read
                snap.cursor = (changes[-1].commit_seq, _END)
            else:
                snap.cursor = (changes[-1].commit_seq, changes[-1].seq)
            for table_name in spec.PULLED:
                ids = wanted.get(table_name)
                if not ids:
                    continue
                table = spec.table(table_name)
                key_name = spec.key_column(table_name)
                found: set[uuid.UUID] = set()
                for chunk in _chunks(list(ids), _CHUNK):
                    for row in conn.execute(select(table).where(table.c[key_name].in_(chunk))):
                        values = dict(row._mapping)
                        snap.rows[table_name].append(values)
                        found.add(values[key_name])
                if table_name == "customer_search_terms":
                    # Every term of a changed customer is read: the rest of its terms go.
                    snap.seen[table_name] |= ids
                snap.gone[table_name] = ids - found
    return snap


def _reconcile_ids(
    conn: Connection, replica: Database, snap: _Snapshot, wanted: dict[str, set[uuid.UUID]]
) -> None:
    """Every visible id per table: rows missing here are read, rows gone there go."""
    snap.reconciled = True
    for table_name in spec.PULLED:
        if table_name == "customer_search_terms":
            continue
        table = spec.table(table_name)
        if table_name == "history_entries":
            snap.hashes = {i: h for i, h in conn.execute(select(table.c.id, table.c.hash))}
            there = set(snap.hashes)
        else:
            there = set(conn.execute(select(table.c.id)).scalars())
        snap.seen[table_name] = there
        with replica.engine.connect() as local:
            missing = there - set(local.execute(select(table.c.id)).scalars())
        wanted[table_name] |= missing
        if table_name == "customers":
            wanted["customer_search_terms"] |= missing


def _present(replica: Database, table_name: str, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` the replica holds in ``table_name``."""
    table = spec.table(table_name)
    found: set[uuid.UUID] = set()
    with replica.engine.connect() as conn:
        for chunk in _chunks(list(ids), _CHUNK):
            found |= set(conn.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
    return found


def apply(replica: Database, snap: _Snapshot, copy_from: Connection | None = None) -> int:
    """Write ``snap`` into the replica in one transaction, with its cursor.

    ``copy_from`` (a full copy): every visible row is streamed from that
    server connection first.
    """
    from app.sync.engine import local_write

    with local_write(replica) as conn:
        conn.execute(spec.table("app_meta").insert().values(key=APPLYING_KEY, value="1"))
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        ours = _recorded_here(conn)
        written = 0
        if copy_from is not None:
            written += _copy_all(conn, copy_from, snap, ours)
        touched_cases: set[uuid.UUID] = set()
        for table_name in spec.PULLED:
            rows = [
                r for r in snap.rows.get(table_name, ()) if (table_name, r.get("id")) not in ours
            ]
            written += _write(conn, table_name, rows)
            if table_name == "cases":
                touched_cases |= {r["id"] for r in rows}
            elif table_name == "history_entries":
                touched_cases |= {
                    r["case_id"] for r in rows if r["kind"] == "step" and r["case_id"]
                }
        removed_customers: set[uuid.UUID] = set()
        kept = _needed_by_ours(conn, ours)
        for table_name in reversed(spec.PULLED):
            gone = set(snap.gone.get(table_name, ()))
            if (snap.full or snap.reconciled) and table_name != "customer_search_terms":
                gone |= _local_ids(conn, table_name) - snap.seen.get(table_name, set())
            gone = {i for i in gone if (table_name, i) not in ours} - kept.get(table_name, set())
            if table_name == "customers":
                removed_customers = gone
            _remove(conn, table_name, gone)
        if removed_customers:
            _remove_customers_records(conn, removed_customers, ours)
        if snap.full or snap.reconciled:
            _remove_orphan_terms(conn)
            hashes = snap.hashes or {
                r["id"]: r["hash"] for r in snap.rows.get("history_entries", [])
            }
            snap.differs = _differing_entries(conn, hashes)
        _recompute_with_local_events(conn, None if copy_from is not None else touched_cases)
        _set_meta(conn, CURSOR_KEY, f"{snap.cursor[0]}:{snap.cursor[1]}" if snap.cursor else "")
        _set_meta(conn, PARTIAL_KEY, "1" if snap.partial else "0")
        if snap.full or snap.reconciled:
            from app.store.types import utcnow
            from app.sync.server import LAST_FULL_KEY

            _set_meta(conn, LAST_FULL_KEY, utcnow().isoformat())
        conn.execute(delete(AppMeta).where(AppMeta.key == APPLYING_KEY))
    return written


def _differing_entries(
    conn: Connection, theirs: dict[uuid.UUID, str | None]
) -> list[tuple[uuid.UUID, str | None, str | None]]:
    """Entries held here and on the server whose hashes differ (a copy was changed)."""
    entries = spec.table("history_entries")
    differs = []
    for chunk in _chunks(list(theirs), _CHUNK):
        for entry_id, ours in conn.execute(
            select(entries.c.id, entries.c.hash).where(entries.c.id.in_(chunk))
        ):
            if ours != theirs[entry_id]:
                differs.append((entry_id, theirs[entry_id], ours))
    return differs


def _report_differences(
    server: Engine, differs: list[tuple[uuid.UUID, str | None, str | None]]
) -> None:
    """A chain whose copy here differs from the server's: alarms for a supervisor."""
    from app.sync.push import _alarm

    log.warning("%d history entries differ between this branch and the server", len(differs))
    with server.begin() as conn:
        login = conn.scalar(text("SELECT current_user"))
        for entry_id, theirs, ours in differs:
            _alarm(
                conn, login, "history_entries", entry_id, "chain_copy_differs", theirs, ours, None
            )


def _recorded_here(conn: Connection) -> set[tuple[str, uuid.UUID]]:
    """Rows recorded on this desktop that the server has not acknowledged (pending, refused)."""
    return {(t, i) for t, i in conn.execute(select(SyncOutbox.table_name, SyncOutbox.row_id))}


def _local_ids(conn: Connection, table_name: str) -> set[uuid.UUID]:
    table = spec.table(table_name)
    return set(conn.execute(select(table.c.id)).scalars())


def _write(conn: Connection, table_name: str, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    table = spec.table(table_name)
    if table_name == "customer_search_terms":
        customers = list({r["customer_id"] for r in rows})
        for chunk in _chunks(customers, _CHUNK):
            conn.execute(delete(table).where(table.c.customer_id.in_(chunk)))
        conn.execute(table.insert(), rows)
        return len(rows)
    if table_name in spec.APPEND_ONLY or table_name in spec.FIRST_STATUS:
        return _add_new(conn, table, table_name, rows)
    stmt = sqlite_insert(table)
    columns = {c.name: stmt.excluded[c.name] for c in table.columns if c.name != "id"}
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=columns), rows)
    return len(rows)


def _add_new(conn: Connection, table: Table, table_name: str, rows: list[dict[str, Any]]) -> int:
    """Append-only rows: add the new ones; an SMS or a letter moves on from its first status."""
    here: dict[uuid.UUID, Any] = {}
    status = table.c.get("status")
    for chunk in _chunks([r["id"] for r in rows], _CHUNK):
        query = select(table.c.id, status if status is not None else text("NULL"))
        for row_id, row_status in conn.execute(query.where(table.c.id.in_(chunk))):
            here[row_id] = row_status
    new = [r for r in rows if r["id"] not in here]
    if new:
        new.sort(
            key=lambda r: r["id"].hex
        )  # in key order: the primary key's index grows at its end
        conn.execute(table.insert(), new)
    first = spec.FIRST_STATUS.get(table_name)
    if first is not None:
        for row in rows:
            if (
                row["id"] in here
                and _value(here[row["id"]]) == first
                and _value(row["status"]) != first
            ):
                moving = {c: row[c] for c in spec.MOVING[table_name]}
                conn.execute(update(table).where(table.c.id == row["id"]).values(**moving))
    return len(new)


def _value(status: Any) -> str:
    return str(getattr(status, "value", status))


def _remove(conn: Connection, table_name: str, ids: Iterable[uuid.UUID]) -> None:
    table = spec.table(table_name)
    key = table.c[spec.key_column(table_name)]
    wanted = list(ids)
    if table_name == "partner_tickets" and wanted:
        feedback = spec.table("ticket_feedback")
        for chunk in _chunks(wanted, _CHUNK):
            conn.execute(delete(feedback).where(feedback.c.ticket_id.in_(chunk)))
    for chunk in _chunks(wanted, _CHUNK):
        conn.execute(delete(table).where(key.in_(chunk)))


def _needed_by_ours(
    conn: Connection, ours: set[tuple[str, uuid.UUID]]
) -> dict[str, set[uuid.UUID]]:
    """The rows that rows recorded here (not yet on the server, or refused) refer to.

    They stay, even when the server no longer shows them to this branch: a
    refused entry is kept with what it belongs to, never silently dropped.
    """
    kept: dict[str, set[uuid.UUID]] = defaultdict(set)
    refs = {
        "customer_id": "customers",
        "case_id": "cases",
        "ticket_id": "partner_tickets",
        "refers_to": "history_entries",
    }
    mine: dict[str, list[uuid.UUID]] = defaultdict(list)
    for table_name, row_id in ours:
        mine[table_name].append(row_id)
    # Twice: a kept case or ticket keeps its own customer and case too.
    for _round in range(2):
        for table_name, ids in list(mine.items()) + [(t, list(i)) for t, i in kept.items()]:
            table = spec.table(table_name)
            columns = [c for c in refs if c in table.c]
            if not columns:
                continue
            for chunk in _chunks(ids, _CHUNK):
                for row in conn.execute(
                    select(*(table.c[c] for c in columns)).where(table.c.id.in_(chunk))
                ):
                    for column, value in zip(columns, row, strict=True):
                        if value is not None:
                            kept[refs[column]].add(value)
    return kept


def _remove_customers_records(
    conn: Connection, customers: set[uuid.UUID], ours: set[tuple[str, uuid.UUID]]
) -> None:
    """What hangs on customers that left the branch's scope goes with them."""
    ids = list(customers)
    tickets = spec.table("partner_tickets")
    feedback = spec.table("ticket_feedback")
    for chunk in _chunks(ids, _CHUNK):
        conn.execute(
            delete(feedback).where(
                feedback.c.ticket_id.in_(
                    select(tickets.c.id).where(tickets.c.customer_id.in_(chunk))
                )
            )
        )
        for table_name in reversed(_OF_CUSTOMER):
            table = spec.table(table_name)
            conn.execute(delete(table).where(table.c.customer_id.in_(chunk)))


def _remove_orphan_terms(conn: Connection) -> None:
    terms = spec.table("customer_search_terms")
    customers = spec.table("customers")
    conn.execute(delete(terms).where(terms.c.customer_id.not_in(select(customers.c.id))))


def _recompute_with_local_events(conn: Connection, cases: set[uuid.UUID] | None) -> None:
    """Cases (None: any) with events recorded here and not yet on the server: derive them again."""
    from app.sync.push import recompute_cases

    if cases is not None and not cases:
        return
    mine = {i for (t, i) in _recorded_here(conn) if t == "history_entries"}
    if not mine:
        return
    entries = spec.table("history_entries")
    local = set()
    for chunk in _chunks(list(mine), _CHUNK):
        local |= set(
            conn.execute(
                select(entries.c.case_id).where(
                    entries.c.id.in_(chunk), entries.c.case_id.is_not(None)
                )
            ).scalars()
        )
    recompute_cases(conn, local if cases is None else cases & local, login=None)


def _set_meta(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(spec.table("app_meta")).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
