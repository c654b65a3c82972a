"""The branch sync's own tables (:mod:`app.sync`, migration 0008).

Both engines get all four tables (one schema, one set of models); each is
used on one side only:

* ``sync_outbox`` – on a branch replica (SQLite): what this desktop recorded
  and the server has not confirmed yet. Triggers write a row in the same
  transaction as the recorded row (history entries, ticket answers, SMS,
  letters, cases, tickets, tasks); the sync deletes it once the server's
  COMMIT has been acknowledged, or marks it ``rejected`` with the reason.
* ``sync_changes`` – on the server (PostgreSQL): the change log the branches
  pull from, appended by statement triggers on every synced table with the
  writing transaction's id; ``sync_commits`` numbers those transactions in the
  order they committed (see :mod:`app.sync.pull`).
* ``sync_alarms`` – on the server: a row that arrived again with the same id
  but other content (or in a place of its chain another entry holds), for a
  supervisor to look at. Never silently dropped.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models import Base
from app.store.types import utcnow

#: An outbox row waiting to be pushed.
PENDING = "pending"
#: An outbox row the server refused (permission, validation, a different payload).
REJECTED = "rejected"

_SERIAL = BigInteger().with_variant(Integer(), "sqlite")


class SyncOutbox(Base):
    """A locally recorded row the server has not acknowledged yet."""

    __tablename__ = "sync_outbox"
    __table_args__ = (Index(None, "state", "seq"),)

    seq: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID] = mapped_column(index=True)
    #: SHA-256 of the row's content as pushed (:func:`app.sync.rows.payload_hash`).
    payload_hash: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class SyncChange(Base):
    """One changed, added or deleted row on the server, in commit order."""

    __tablename__ = "sync_changes"
    __table_args__ = (Index(None, "txid", "seq"),)

    seq: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    #: The writing transaction's id (``pg_current_xact_id()``), set by the server.
    txid: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(40))
    #: The row's id (for ``customer_search_terms``: the customer's).
    row_id: Mapped[uuid.UUID]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncCommit(Base):
    """A transaction that changed synced rows, numbered in the order it committed.

    The number is given at commit time, under a lock held until the commit is
    visible: whoever sees number *n* committed also sees every number below.
    """

    __tablename__ = "sync_commits"

    txid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    commit_seq: Mapped[int | None] = mapped_column(BigInteger, index=True)


class SyncAlarm(Base):
    """A pushed row whose id the server knows with other content."""

    __tablename__ = "sync_alarms"

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The server login that pushed it (the branch).
    login: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID]
    #: ``payload_differs`` or ``chain_place_taken``.
    kind: Mapped[str] = mapped_column(String(32))
    server_hash: Mapped[str | None] = mapped_column(String(64))
    client_hash: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
