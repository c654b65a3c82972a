"""What the branch sync moves: the tables, their order, and a row's payload hash.

Rows travel as SQLAlchemy Core rows of the models' tables, so both engines
convert types the same way (UUIDs, UTC times, money in minor units, JSON).
A row's *payload hash* is the SHA-256 of the canonical JSON of the columns
that never change once the row is recorded; a history entry's is its chain
hash (which covers its content and its place in its chain). Two copies of a
row with one id and different payload hashes are an alarm, never merged.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

from app.store.models import Base

#: Rows a branch records and pushes, in the order the server needs them (parents first).
PUSHED = (
    "cases",
    "partner_tickets",
    "tasks",
    "history_entries",
    "ticket_feedback",
    "sms_messages",
    "letters",
)

#: Tables a branch pulls, parents first (deletions go the other way).
PULLED = (
    "partners",
    "users",
    "customers",
    "customer_search_terms",
    "subscriptions",
    "device_plans",
    "bundles",
    "fair_use_records",
    "mass_incidents",
    "cases",
    "partner_tickets",
    "tasks",
    "history_entries",
    "ticket_feedback",
    "sms_messages",
    "letters",
)

#: Columns that may move on after a row was recorded (not in the payload hash).
MOVING: dict[str, tuple[str, ...]] = {
    "cases": (
        "stage",
        "state",
        "facts",
        "script_state",
        "subject",
        "due",
        "closed_at",
        "updated_at",
    ),
    "partner_tickets": ("status",),
    "tasks": ("done_at", "done_by", "due", "title"),
    "sms_messages": ("status", "exported_at"),
    "letters": ("status", "template_version", "issued_at", "issued_by", "pdf_path", "sha256"),
    # The history browser's filter columns are copied onto an entry where it is written.
    "history_entries": ("partner_id", "process", "stage"),
}

#: Append-only rows: never changed, only added (and removed when they leave a scope).
APPEND_ONLY = ("history_entries", "ticket_feedback")
#: Rows that move from a first status once, forward only.
FIRST_STATUS = {"sms_messages": "queued", "letters": "requested"}
#: Ticket statuses in the order a ticket moves through them.
TICKET_ORDER = {"open": 0, "answered": 1, "closed": 2}


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def key_column(name: str) -> str:
    """The column that names a row of ``name`` in the outbox and the change log."""
    return "customer_id" if name == "customer_search_terms" else "id"


def _utc(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite gives naive UTC back through raw SQL
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value") and not isinstance(value, dict | list):  # an enum
        return value.value
    return value


def payload_hash(table_name: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of what ``row`` recorded (its moving columns left out)."""
    if table_name == "history_entries" and row.get("hash"):
        return str(row["hash"])
    moving = MOVING.get(table_name, ())
    doc = {k: _plain(v) for k, v in row.items() if k not in moving}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
