"""Branch offices: a local SQLite replica kept in step with the shared server.

``configure(replica, url)`` makes a SQLite database a branch and pulls what
its server login may see; ``sync_now(replica)`` pushes the outbox and pulls
what changed; ``status(replica)`` says how it stands. See :mod:`app.sync.push`
and :mod:`app.sync.pull` for how nothing is lost or stored twice.
"""

from __future__ import annotations

from app.sync.engine import SyncResult, SyncStatus, configure, server_url, status, sync_now
from app.sync.server import (
    ENV_PASSWORD,
    NotABranchError,
    ReplicaNotWritableError,
    SchemaMismatch,
    SchemaMismatchError,
    ServerUnreachable,
    ServerUnreachableError,
    SyncError,
    SyncRefusedError,
)

__all__ = [
    "ENV_PASSWORD",
    "NotABranchError",
    "ReplicaNotWritableError",
    "SchemaMismatch",
    "SchemaMismatchError",
    "ServerUnreachable",
    "ServerUnreachableError",
    "SyncError",
    "SyncRefusedError",
    "SyncResult",
    "SyncStatus",
    "configure",
    "server_url",
    "status",
    "sync_now",
]
