"""What the branch sync could not reconcile, for a supervisor: the server's ``sync_alarms``.

* ``payload_differs`` – a branch pushed a row whose id the server holds with
  other content (the branch shows it as refused);
* ``chain_place_taken`` – a branch's history entry whose place in its chain
  another entry holds on the server;
* ``chain_copy_differs`` – a branch's copy of an entry differs from the server's;
* ``case_conflict`` – two offices took the same step of one case; the earlier
  (by the case's event order) counts, the detail names the one set aside.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.services.permissions import Action, require
from app.store.db import Database
from app.store.sync_tables import SyncAlarm


@dataclass(frozen=True)
class AlarmItem:
    created_at: datetime
    login: str
    table: str
    row_id: uuid.UUID
    kind: str
    detail: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(),
            "login": self.login,
            "table": self.table,
            "row_id": str(self.row_id),
            "kind": self.kind,
            "detail": self.detail,
        }


def list_alarms(db: Database, limit: int = 500) -> list[AlarmItem]:
    """The newest alarms first (supervisors and administrators)."""
    require(db, Action.REPORTS)
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(SyncAlarm)
            .order_by(SyncAlarm.created_at.desc(), SyncAlarm.id.desc())
            .limit(limit)
        ).all()
    return [
        AlarmItem(r.created_at, r.login, r.table_name, r.row_id, r.kind, r.detail) for r in rows
    ]
