"""What every kind of import file shares: find the row's record, check, write, record.

A handler knows one kind of file. For each good row it finds the record the
row's key names, checks the row against the database and the contract rules
(raising :class:`RowRejectedError` *before* writing anything), then creates the
record, updates the fields that differ, or leaves it alone. Every change to a
customer's data is written down as an ``import`` history entry.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Table
from sqlalchemy.orm import Session

from app.i18n import _
from app.services.importing.cells import Column
from app.store.models import Customer, CustomerSearchTerm, HistoryEntry
from app.store.repositories_import import ImportRecords
from app.store.types import utcnow


class Outcome(enum.Enum):
    IMPORTED = "imported"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class RowRejectedError(Exception):
    """The row cannot be imported; ``problems`` are (column, reason) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{column}: {reason}" for column, reason in problems))
        self.problems = list(problems)


def reject(column: str, reason: str) -> RowRejectedError:
    return RowRejectedError([(column, reason)])


#: New rows are inserted in bulk, in this order (later tables refer to earlier ones).
BULK_TABLES: tuple[Table, ...] = (
    Customer.__table__,  # type: ignore[assignment]
    CustomerSearchTerm.__table__,  # type: ignore[assignment]
    HistoryEntry.__table__,  # type: ignore[assignment]
)


@dataclass
class Context:
    """Where the rows go and who is importing them.

    New customers and history entries, the bulk of any import, are collected
    and inserted many at a time (:meth:`write`) rather than one ORM object
    each; everything else goes through the session.
    """

    session: Session
    kind: str
    file_name: str
    author: str
    origin: str | None
    pending: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    #: Nothing is written: rows refer only to what the database already holds.
    dry_run: bool = False

    def unknown(self, reason: str, kind: str) -> str:
        """``reason`` for an unknown reference, with a hint when a dry run explains it.

        ``kind`` is the file kind that holds such records (``partners``,
        ``customers``): a dry run of it wrote nothing, so its rows are unknown
        to a dry run of the files that refer to them.
        """
        if not self.dry_run:
            return reason
        if kind == "partners":
            hint = _(
                "a dry run writes nothing, so partners of a partners file that was only "
                "checked with --dry-run are not known yet: import that file first"
            )
        else:
            hint = _(
                "a dry run writes nothing, so customers of a customers file that was only "
                "checked with --dry-run are not known yet: import that file first"
            )
        return f"{reason} ({hint})"

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        self.pending.setdefault(table, []).append(row)

    def write(self) -> None:
        """Insert the collected rows (after the session's own changes)."""
        self.session.flush()
        records = ImportRecords(self.session)
        for table in BULK_TABLES:
            rows = self.pending.pop(table, None)
            if rows:
                records.insert_rows(table, rows)

    def record(self, customer_id: uuid.UUID, text: str, payload: dict[str, Any]) -> None:
        """Append an ``import`` history entry for the customer."""
        self.insert(
            HistoryEntry.__table__,  # type: ignore[arg-type]
            {
                "id": uuid.uuid4(),
                "customer_id": customer_id,
                "author": self.author[:64],
                "created_at": utcnow(),
                "kind": "import",
                "text": text,
                "payload": {"kind": self.kind, "file": self.file_name, **payload},
                "rule_ids": [],
                "ruleset_version": None,
                "case_id": None,
                "refers_to": None,
                "origin": self.origin,
            },
        )


def plain(value: Any) -> Any:
    """A value as JSON holds it (and as the file wrote it)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def shown(value: Any) -> str:
    """A value for the history text, written the way the file writes it."""
    value = plain(value)
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return str(value)


class Handler:
    """One kind of import file. Subclasses fill in the blanks below."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    #: The columns that name the record (duplicates in one file are refused).
    key: ClassVar[tuple[str, ...]]

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.session = ctx.session
        #: What the rows refer to, asked of the database.
        self.store = ImportRecords(ctx.session)

    # --- the blanks -------------------------------------------------------------

    #: Whether :meth:`survey` needs a first pass over the whole file.
    surveys: ClassVar[bool] = False

    def survey(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """See every row whose cells are good (line, values) before any is written.

        For rules that span rows, so that their outcome does not depend on
        the rows' order (optional).
        """

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        """Load what the batch's rows refer to, in a few queries (optional)."""

    def find(self, values: dict[str, Any]) -> Any | None:
        """The existing record the row names; may reject unknown references."""
        raise NotImplementedError

    def check(self, values: dict[str, Any], existing: Any | None) -> None:
        """Contract rules on the row as it would be stored; raise RowRejectedError."""

    def current(self, record: Any) -> dict[str, Any]:
        """The record's values by column name."""
        raise NotImplementedError

    def create(self, values: dict[str, Any]) -> Any:
        """Add a new record from the row (every column has a value)."""
        raise NotImplementedError

    def assign(self, record: Any, changes: dict[str, Any]) -> None:
        """Write changed values (by column name) to the record."""
        for column, value in changes.items():
            setattr(record, column, value)

    def customer_of(self, record: Any) -> uuid.UUID | None:
        """The customer whose history hears of the change (none for partners)."""
        return getattr(record, "customer_id", None)

    def subject(self, values: dict[str, Any]) -> str:
        """What the row is, for the history text ("Bundle B-1")."""
        raise NotImplementedError

    # --- shared -------------------------------------------------------------------

    def merge(self, record: Any, changes: dict[str, Any]) -> dict[str, Any]:
        """Changes on top of what is stored; how a kind combines values (reminders)."""
        return changes

    def apply(self, line: int, values: dict[str, Any]) -> Outcome:
        """Import one row whose cells are all good."""
        existing = self.find(values)
        if existing is None:
            full = {
                c.name: values[c.name] if c.name in values else c.value("") for c in self.columns
            }
            self.check(full, None)
            record = self.create(full)
            customer_id = self.customer_of(record)
            if customer_id is not None:
                self.ctx.record(
                    customer_id,
                    _("{subject} imported from {file}").format(
                        subject=self.subject(full), file=self.ctx.file_name
                    ),
                    {
                        "action": "created",
                        "line": line,
                        "values": {name: plain(value) for name, value in full.items()},
                    },
                )
            return Outcome.IMPORTED
        stored = self.current(existing)
        wanted = self.merge(existing, {k: v for k, v in values.items() if k not in self.key})
        changes = {k: v for k, v in wanted.items() if k in stored and stored[k] != v}
        self.check({**stored, **{k: values[k] for k in self.key}, **wanted}, existing)
        if not changes:
            return Outcome.UNCHANGED
        self.assign(existing, changes)
        customer_id = self.customer_of(existing)
        if customer_id is not None:
            described = "; ".join(
                f"{name}: {shown(stored[name])} → {shown(value)}" for name, value in changes.items()
            )
            self.ctx.record(
                customer_id,
                _("{subject} updated from {file}: {changes}").format(
                    subject=self.subject({**stored, **values}),
                    file=self.ctx.file_name,
                    changes=described,
                ),
                {
                    "action": "updated",
                    "line": line,
                    "key": {name: plain(values[name]) for name in self.key},
                    "changes": {
                        name: {"old": plain(stored[name]), "new": plain(value)}
                        for name, value in changes.items()
                    },
                },
            )
        return Outcome.UPDATED


class CustomerRows(Handler):
    """A kind whose rows belong to a customer named by ``customer_no``."""

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        numbers = {row["customer_no"] for row in rows}
        self.customer_ids: dict[str, uuid.UUID] = self.store.customer_ids_by_no(numbers)

    def customer_id(self, values: dict[str, Any]) -> uuid.UUID:
        number = values["customer_no"]
        found = self.customer_ids.get(number)
        if found is None:
            reason = _("unknown customer {number!r}").format(number=number)
            raise reject("customer_no", self.ctx.unknown(reason, "customers"))
        return found


def by_key(records: Iterable[Any], *attributes: str) -> dict[tuple[Any, ...], Any]:
    return {tuple(getattr(r, a) for a in attributes): r for r in records}
