"""Tamper evidence for the history: a hash chain per recording installation.

Every history entry carries three chain columns:

* ``chain_seq`` – its position (1, 2, 3, ...) in the chain of its ``origin``
  (the installation that recorded it; entries without an origin form one
  chain of their own);
* ``prev_hash`` – the ``hash`` of the entry before it in that chain, or
  :data:`GENESIS` (64 zeros) for the first;
* ``hash`` – ``SHA-256(canonical(entry) + prev_hash)`` as 64 lowercase hex
  digits, where ``prev_hash`` is appended as its 64 ASCII hex digits.

The canonical serialisation (:func:`canonical`) is UTF-8 JSON of exactly the
fields in :data:`FIELDS`, keys sorted, no whitespace (``separators=(",",
":")``), non-ASCII characters written as themselves, no NaN or infinity:

* ids (``id``, ``customer_id``, ``case_id``, ``refers_to``) as 32 lowercase
  hex digits (``uuid.hex``), or ``null``;
* ``created_at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six digits
  of microseconds);
* ``payload`` and ``rule_ids`` as the JSON they are stored as (object keys
  sorted too);
* ``author``, ``kind``, ``text``, ``origin``, ``ruleset_version`` as strings
  (or ``null``), ``chain_seq`` as an integer.

Entries are chained where they are written: :func:`chain_new_entries` (a
``before_flush`` hook) for entries added to a session, :func:`chain_bulk_insert`
for ORM bulk inserts, :func:`chain_rows` for rows written with Core (the demo
builder). On PostgreSQL the writer holds a transaction-level advisory lock per
origin while it reads the chain's head, so concurrent writers never fork a
chain; the unique index on ``(origin, chain_seq)`` refuses a fork anyway.

:func:`verify` walks every chain in order, streaming, and names the first
entry that does not match.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, func, select, text
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.util import identity_key

from app.i18n import _

if TYPE_CHECKING:
    from app.store.db import Database

#: ``prev_hash`` of the first entry of a chain.
GENESIS = "0" * 64

#: The fields the hash covers, in the canonical form's (sorted) order.
FIELDS = (
    "author",
    "case_id",
    "chain_seq",
    "created_at",
    "customer_id",
    "id",
    "kind",
    "origin",
    "payload",
    "refers_to",
    "rule_ids",
    "ruleset_version",
    "text",
)

_IDS = ("id", "customer_id", "case_id", "refers_to")
#: How many entries :func:`verify` fetches at a time.
BATCH = 2000


def _hex(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return value.hex
    return uuid.UUID(str(value)).hex


def _utc(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive UTC through raw SQL
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_value(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (tuples become lists, keys strings)."""
    if isinstance(value, str):
        value = json.loads(value)
    return json.loads(json.dumps(value))


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The bytes the hash of ``entry`` (a mapping of :data:`FIELDS`) is computed over."""
    doc: dict[str, Any] = {}
    for name in FIELDS:
        value = entry.get(name)
        if name in _IDS:
            value = _hex(value)
        elif name == "created_at":
            value = _utc(value) if isinstance(value, datetime) else value
        elif name == "payload":
            value = _json_value(value if value is not None else {})
        elif name == "rule_ids":
            value = _json_value(value if value is not None else [])
        doc[name] = value
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(entry: Mapping[str, Any], prev_hash: str) -> str:
    """``SHA-256(canonical(entry) + prev_hash)`` as lowercase hex."""
    digest = hashlib.sha256(canonical(entry))
    digest.update(prev_hash.encode("ascii"))
    return digest.hexdigest()


@dataclass
class ChainHead:
    """Where a chain stands: the last entry's position and hash."""

    seq: int = 0
    hash: str = GENESIS

    def link(self, row: MutableMapping[str, Any]) -> None:
        """Give ``row`` the next position of this chain and its hashes."""
        self.seq += 1
        row["chain_seq"] = self.seq
        row["prev_hash"] = self.hash
        row["hash"] = entry_hash(row, self.hash)
        self.hash = row["hash"]


def chain_rows(
    rows: Iterable[MutableMapping[str, Any]], heads: dict[str | None, ChainHead]
) -> None:
    """Chain ``rows`` (column dicts, in the order written) onto ``heads``, per origin."""
    for row in rows:
        origin = row.get("origin")
        head = heads.get(origin)
        if head is None:
            head = heads[origin] = ChainHead()
        head.link(row)


def _lock_and_read_head(conn: Connection, origin: str | None) -> ChainHead:
    """The head of ``origin``'s chain, locked for this transaction on PostgreSQL."""
    from app.store.models import HistoryEntry

    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"agent-assist history chain:{origin or ''}"},
        )
        # Row level security shows a partner's login only its own partner's
        # entries; the head of the chain is read past it (hash and position only).
        head = conn.execute(
            text("SELECT head_seq, head_hash FROM agent_assist_chain_head(:origin)"),
            {"origin": origin},
        ).first()
        return ChainHead() if head is None else ChainHead(head.head_seq, head.head_hash)
    same_origin = HistoryEntry.origin.is_(None) if origin is None else HistoryEntry.origin == origin
    row = conn.execute(
        select(HistoryEntry.chain_seq, HistoryEntry.hash)
        .where(same_origin, HistoryEntry.chain_seq.is_not(None))
        .order_by(HistoryEntry.chain_seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return ChainHead()
    return ChainHead(row.chain_seq, row.hash or GENESIS)


def _fill_defaults(row: MutableMapping[str, Any]) -> None:
    from app.store.types import utcnow

    if row.get("id") is None:
        row["id"] = uuid.uuid4()
    if row.get("created_at") is None:
        row["created_at"] = utcnow()
    if row.get("payload") is None:
        row["payload"] = {}
    if row.get("rule_ids") is None:
        row["rule_ids"] = []
    for name in ("case_id", "refers_to", "ruleset_version", "origin"):
        row.setdefault(name, None)


# --- the history browser's filter columns (not hashed) -----------------------------

#: Columns copied onto an entry from its customer and case when it is written
#: (migration 0007): not part of :data:`FIELDS`, so not hashed.
BROWSE_COLUMNS = ("partner_id", "process", "stage")


def _payload_process(payload: Any) -> str | None:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    value = payload.get("process") if isinstance(payload, Mapping) else None
    return str(value)[:32] if value else None


def browse_values(
    row: Mapping[str, Any],
    partners: Mapping[Any, Any],
    cases: Mapping[Any, tuple[str | None, str | None]],
) -> dict[str, Any]:
    """The filter columns of the entry ``row``: its customer's partner (from
    ``partners``: customer id → partner id), its case's process and stage (from
    ``cases``: case id → (process, stage)), else the process its payload names."""
    process, stage = cases.get(row.get("case_id"), (None, None))
    return {
        "partner_id": partners.get(row.get("customer_id")),
        "process": process or _payload_process(row.get("payload")),
        "stage": stage,
    }


def _lookup(
    conn: Connection, customer_ids: set[Any], case_ids: set[Any]
) -> tuple[dict[Any, Any], dict[Any, tuple[str | None, str | None]]]:
    """Partners of ``customer_ids`` and (process, stage) of ``case_ids``, from the database."""
    from app.store.models import Case, Customer

    partners: dict[Any, Any] = {}
    cases: dict[Any, tuple[str | None, str | None]] = {}
    wanted = sorted({c for c in customer_ids if c is not None}, key=str)
    for start in range(0, len(wanted), 500):
        for cid, pid in conn.execute(
            select(Customer.id, Customer.partner_id).where(
                Customer.id.in_(wanted[start : start + 500])
            )
        ):
            partners[cid] = pid
    wanted = sorted({c for c in case_ids if c is not None}, key=str)
    for start in range(0, len(wanted), 500):
        for kid, process, stage in conn.execute(
            select(Case.id, Case.process, Case.stage).where(
                Case.id.in_(wanted[start : start + 500])
            )
        ):
            cases[kid] = (process, stage)
    return partners, cases


def _fill_browse_objects(session: Session, entries: list[Any]) -> None:
    """Fill the filter columns of new entry objects from their customer and case,
    as they stand in this session (new or loaded) or else in the database."""
    from app.store.models import Case, Customer

    partners: dict[Any, Any] = {}
    cases: dict[Any, tuple[str | None, str | None]] = {}
    for obj in session.new:
        if isinstance(obj, Customer) and obj.id is not None:
            partners[obj.id] = obj.partner_id
        elif isinstance(obj, Case) and obj.id is not None:
            cases[obj.id] = (obj.process, obj.stage)
    for entry in entries:
        customer = session.identity_map.get(identity_key(Customer, entry.customer_id))
        if isinstance(customer, Customer) and entry.customer_id not in partners:
            partners[entry.customer_id] = customer.partner_id
        if entry.case_id is not None and entry.case_id not in cases:
            case = session.identity_map.get(identity_key(Case, entry.case_id))
            if isinstance(case, Case):
                cases[entry.case_id] = (case.process, case.stage)
    missing_customers = {e.customer_id for e in entries} - partners.keys()
    missing_cases = {e.case_id for e in entries if e.case_id is not None} - cases.keys()
    if missing_customers or missing_cases:
        more_partners, more_cases = _lookup(session.connection(), missing_customers, missing_cases)
        partners.update(more_partners)
        cases.update(more_cases)
    for obj in entries:
        values = browse_values(
            {"customer_id": obj.customer_id, "case_id": obj.case_id, "payload": obj.payload},
            partners,
            cases,
        )
        for name, value in values.items():
            if getattr(obj, name) is None:
                setattr(obj, name, value)


def fill_browse_rows(
    rows: Iterable[MutableMapping[str, Any]],
    partners: Mapping[Any, Any],
    cases: Mapping[Any, tuple[str | None, str | None]],
) -> None:
    """Fill the filter columns of entry rows (column dicts) not given yet."""
    for row in rows:
        for name, value in browse_values(row, partners, cases).items():
            if row.get(name) is None:
                row[name] = value


def fill_browse_tables(tables: Mapping[str, list[dict[str, Any]]]) -> None:
    """Fill the filter columns of the ``history_entries`` rows in ``tables``
    (rows per table, written with Core) from its ``customers`` and ``cases`` rows."""
    partners = {c["id"]: c.get("partner_id") for c in tables.get("customers", [])}
    cases = {k["id"]: (k.get("process"), k.get("stage")) for k in tables.get("cases", [])}
    fill_browse_rows(tables.get("history_entries", []), partners, cases)


def chain_new_entries(session: Session, _ctx: object, _instances: object) -> None:
    """Before a flush: give every new history entry its place in its chain
    (and its filter columns, :data:`BROWSE_COLUMNS`)."""
    from app.store.models import HistoryEntry

    unfilled = [
        obj for obj in session.new if isinstance(obj, HistoryEntry) and obj.partner_id is None
    ]
    if unfilled:
        _fill_browse_objects(session, unfilled)
    new = [obj for obj in session.new if isinstance(obj, HistoryEntry) and obj.hash is None]
    if not new:
        return
    by_origin: dict[str | None, list[HistoryEntry]] = defaultdict(list)
    for obj in new:
        values = {name: getattr(obj, name) for name in FIELDS if name != "chain_seq"}
        _fill_defaults(values)
        for name, value in values.items():
            if getattr(obj, name) is None and value is not None:
                setattr(obj, name, value)
        by_origin[obj.origin].append(obj)
    conn = session.connection()
    for origin in sorted(by_origin, key=lambda o: o or ""):
        head = _lock_and_read_head(conn, origin)
        for obj in sorted(by_origin[origin], key=lambda o: o.created_at):
            row = {name: getattr(obj, name) for name in FIELDS}
            head.link(row)
            obj.chain_seq, obj.prev_hash, obj.hash = row["chain_seq"], row["prev_hash"], row["hash"]


def chain_bulk_insert(state: ORMExecuteState) -> Any:
    """``session.execute(insert(HistoryEntry), rows)``: chain the rows too."""
    from app.store.models import HistoryEntry

    if not state.is_insert or not isinstance(state.statement, Insert):
        return None
    if state.statement.table.name != HistoryEntry.__tablename__ or not state.parameters:
        return None
    params: Any = state.parameters
    rows: list[dict[str, Any]] = [
        dict(p) for p in (params if isinstance(params, list) else [params])
    ]
    unfilled = [r for r in rows if r.get("partner_id") is None]
    if all(r.get("hash") for r in rows) and not unfilled:
        return None
    conn = state.session.connection()
    if unfilled:
        partners, cases = _lookup(
            conn, {r.get("customer_id") for r in unfilled}, {r.get("case_id") for r in unfilled}
        )
        fill_browse_rows(unfilled, partners, cases)
    if all(r.get("hash") for r in rows):
        return state.invoke_statement(params=rows if isinstance(params, list) else rows[0])
    heads: dict[str | None, ChainHead] = {}
    for row in rows:
        _fill_defaults(row)
        origin = row["origin"]
        if origin not in heads:
            heads[origin] = _lock_and_read_head(conn, origin)
    chain_rows(rows, heads)
    return state.invoke_statement(params=rows if isinstance(params, list) else rows[0])


# --- checking --------------------------------------------------------------------


@dataclass
class ChainReport:
    """What :func:`verify` found."""

    chains: int = 0
    entries: int = 0
    #: The first entry that does not match, per chain that has one (origin → id).
    broken: dict[str | None, uuid.UUID] = field(default_factory=dict)
    #: Why that entry does not match, per broken chain.
    reasons: dict[str | None, str] = field(default_factory=dict)
    #: The first entry that does not match: the earliest recorded of :attr:`broken`.
    first_bad: uuid.UUID | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad is None

    @property
    def first_reason(self) -> str | None:
        """Why :attr:`first_bad` does not match, in words."""
        for origin, entry in self.broken.items():
            if entry == self.first_bad:
                return self.reasons[origin]
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "chains": self.chains,
            "entries": self.entries,
            "ok": self.ok,
            "first_bad": str(self.first_bad) if self.first_bad else None,
        }


_COLUMNS = (*FIELDS, "prev_hash", "hash")


def _stream(conn: Connection, origin: str | None) -> Iterator[dict[str, Any]]:
    """The entries of ``origin``'s chain in chain order, ``BATCH`` at a time (keyset)."""
    from app.store.models import HistoryEntry

    columns = [getattr(HistoryEntry, name) for name in _COLUMNS]
    same_origin = HistoryEntry.origin.is_(None) if origin is None else HistoryEntry.origin == origin
    # Entries without a position (written around the chain) come first, by time.
    unplaced = conn.execute(
        select(*columns)
        .where(same_origin, HistoryEntry.chain_seq.is_(None))
        .order_by(HistoryEntry.created_at, HistoryEntry.id)
        .limit(1)
    ).first()
    if unplaced is not None:
        yield dict(unplaced._mapping)
    after = 0
    while True:
        batch = conn.execute(
            select(*columns)
            .where(same_origin, HistoryEntry.chain_seq > after)
            .order_by(HistoryEntry.chain_seq)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        for row in batch:
            yield dict(row._mapping)
        after = batch[-1].chain_seq


def check_chain(
    rows: Iterable[Mapping[str, Any]], *, gaps: bool = False
) -> tuple[int, uuid.UUID | None, str | None]:
    """Walk one chain: (entries seen, first entry that does not match, why).

    An entry does not match when its hash is not that of its content and its
    ``prev_hash`` (it was changed), when a position is missing before it (an
    entry was removed), or when it does not point at the hash its predecessor
    has: then the predecessor was rewritten and its hash re-computed, and the
    predecessor is named. With ``gaps`` (a partner's branch holds only its
    partner's part of another office's chain) missing positions are expected:
    each entry's hash is checked, and the links where neighbours are both here.
    """
    count = 0
    expected = 1
    prev_hash = GENESIS
    prev_id: uuid.UUID | None = None
    bad: tuple[uuid.UUID | None, str | None] = (None, None)
    for row in rows:
        count += 1
        if bad[0] is not None:
            continue
        entry_id = uuid.UUID(str(row["id"]))
        if row["chain_seq"] is None or row["hash"] is None or row["prev_hash"] is None:
            bad = (entry_id, _("it is not chained"))
        elif row["hash"] != entry_hash(row, row["prev_hash"]):
            bad = (entry_id, _("its content does not match its hash"))
        elif row["chain_seq"] != expected and not (gaps and row["chain_seq"] > expected):
            bad = (entry_id, _("an entry before it is missing"))
        elif row["prev_hash"] != prev_hash and row["chain_seq"] == expected:
            if prev_id is None:
                bad = (entry_id, _("it does not start its chain"))
            else:
                bad = (
                    prev_id,
                    _("it was changed and its hash computed again: the next entry records another"),
                )
        else:
            expected = row["chain_seq"] + 1
            prev_hash = row["hash"]
            prev_id = entry_id
    return count, bad[0], bad[1]


def verify(conn: Connection, *, partial_except: str | None = None) -> ChainReport:
    """Check every chain of the history in ``conn``'s database.

    ``partial_except`` (a partner's branch: its own origin) allows missing
    positions in every other origin's chain (:func:`check_chain`).
    """
    from app.store.models import HistoryEntry

    report = ChainReport()
    origins = conn.execute(select(HistoryEntry.origin).distinct()).scalars().all()
    firsts: list[tuple[datetime, str, uuid.UUID]] = []
    for origin in sorted(origins, key=lambda o: (o is not None, o or "")):
        gaps = partial_except is not None and origin != partial_except
        count, bad, reason = check_chain(_stream(conn, origin), gaps=gaps)
        report.chains += 1
        report.entries += count
        if bad is not None:
            report.broken[origin] = bad
            report.reasons[origin] = reason or ""
            when = conn.scalar(select(HistoryEntry.created_at).where(HistoryEntry.id == bad))
            firsts.append((when or datetime.max.replace(tzinfo=UTC), bad.hex, bad))
    counted = conn.scalar(select(func.count()).select_from(HistoryEntry))
    if counted != report.entries:  # an entry with an origin no query reached
        report.entries = counted or 0
    if firsts:
        report.first_bad = min(firsts)[2]
    return report


class PartialViewError(Exception):
    """This login sees only part of the history (a partner's), so it cannot check the chains."""


def verify_database(db: Database) -> ChainReport:
    """Check every chain of ``db``'s history in one consistent snapshot.

    Raises :class:`PartialViewError` for a login that row level security
    shows only its own partner's entries: the chains would look broken. A
    partner's branch replica (``app_meta`` ``sync_partial``) holds other
    offices' chains in part: there, only its own chain must be complete.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql" and not conn.scalar(
            text(
                "SELECT rolsuper OR rolbypassrls OR agent_assist_sees_all(current_user::text) "
                "FROM pg_roles WHERE rolname = current_user"
            )
        ):
            raise PartialViewError(
                _(
                    "the login {login} sees only its partner's part of the history: "
                    "a supervisor or an administrator checks the chains"
                ).format(login=conn.scalar(text("SELECT current_user")))
            )
        partial_except = None
        if conn.dialect.name == "sqlite":  # a partner's branch: other chains only in part
            meta = {
                key: value
                for key, value in conn.execute(
                    text("SELECT key, value FROM app_meta WHERE key IN ('sync_partial', 'origin')")
                )
            }
            if meta.get("sync_partial") == "1":
                partial_except = meta.get("origin", "")
        return verify(conn, partial_except=partial_except)
