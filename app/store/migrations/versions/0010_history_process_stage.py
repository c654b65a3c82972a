"""Index the history by process and stage together (the browser's process + stage filter).

A stage belongs to a process, and the browser's stage filter is chosen within
one: with an index on ``stage`` and one on ``process`` only, a combination
that (almost) nothing matches read the whole range of the better of the two
(process ``fair_use`` with a stage no fair-use entry has: all 1.8 M fair-use
entries of 10.7 M, stopped at the 5 s limit on SQLite). With
``(process, stage, created_at, id)`` a page seeks to the pair and walks it in
the browser's order, newest first, and stops: an empty pair costs one seek.

On a SQLite file whose statistics were gathered (``ANALYZE``), the new
index gets its own (2 s at 10.7 M entries): without them SQLite takes an
index it has no figures for as highly selective, and chose it for the
process alone, sorting every entry of the process for each page.

The ``(stage, created_at, id)`` index of 0007 stays: a stage alone (the
API's filter without a process) reads it; the new index cannot serve that in
order without knowing the process.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_history_entries_process_stage_created_at"


def upgrade() -> None:
    op.create_index(NAME, "history_entries", ["process", "stage", "created_at", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and _analyzed(bind):
        op.execute(f"ANALYZE {NAME}")


def _analyzed(bind: sa.Connection) -> bool:
    """Whether SQLite holds statistics on the history's indexes."""
    if not bind.scalar(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        return False
    return bool(
        bind.scalar(sa.text("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'history_entries' LIMIT 1"))
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="history_entries")
