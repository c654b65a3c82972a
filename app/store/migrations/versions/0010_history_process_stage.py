"""Index the history by process and stage together (the browser's process + stage filter).

A stage belongs to a process, and the browser's stage filter is chosen within
one: with an index on ``stage`` and one on ``process`` only, a combination
that (almost) nothing matches read the whole range of the better of the two
(process ``fair_use`` with a stage no fair-use entry has: all 1.8 M fair-use
entries of 10.7 M, stopped at the 5 s limit on SQLite). With
``(process, stage, created_at, id)`` a page seeks to the pair and walks it in
the browser's order, newest first, and stops: an empty pair costs one seek.

The ``(stage, created_at, id)`` index of 0007 stays: a stage alone (the
API's filter without a process) reads it; the new index cannot serve that in
order without knowing the process.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_history_entries_process_stage_created_at"


def upgrade() -> None:
    op.create_index(NAME, "history_entries", ["process", "stage", "created_at", "id"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="history_entries")
