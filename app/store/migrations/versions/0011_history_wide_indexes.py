"""Carry the history browser's other filter columns in the indexes a combination walks.

A combination of filters that (almost) nothing matches walks the index of its
most selective filter and checks the others on every entry it reads: partner
``CN-B`` (5 % of the entries) + kind ``note`` (20 %) + one of 200 agents walked
about a hundred of the agent's entries per match (all of them when fewer than a
page match), reading each entry's table row for the check (10.7 M entries on
SQLite: p95 up to 269 ms a page); so did a partner and a kind with a process,
a stage or both, on the process's, the stage's or the pair's index. Those four
indexes now carry the other filter columns after ``(created_at, id)``: their
order and their seeks stay as they were, the checks read the index, and only a
match is read from the table (SQLite by itself; PostgreSQL in an index-only
scan of the page's keys, :func:`app.store.history_query.page_statement`).
The partner's and the kind's stay narrow: they drive a combination only when
the others given with them match many entries (partner, kind or both).

The indexes keep their names and are built anew; on a SQLite file whose
statistics were gathered, they get their own again (as in 0010).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: index name -> (its columns before 0011, the filter columns it carries after them now)
INDEXES = {
    "ix_history_entries_author_created_at": (
        ("author", "created_at", "id"),
        ("partner_id", "process", "stage", "kind"),
    ),
    "ix_history_entries_process_created_at": (
        ("process", "created_at", "id"),
        ("partner_id", "author", "stage", "kind"),
    ),
    "ix_history_entries_stage_created_at": (
        ("stage", "created_at", "id"),
        ("partner_id", "author", "process", "kind"),
    ),
    "ix_history_entries_process_stage_created_at": (
        ("process", "stage", "created_at", "id"),
        ("partner_id", "author", "kind"),
    ),
}


def upgrade() -> None:
    for name, (key, carried) in INDEXES.items():
        op.drop_index(name, table_name="history_entries")
        op.create_index(name, "history_entries", [*key, *carried])
    _analyze()


def downgrade() -> None:
    for name, (key, _carried) in INDEXES.items():
        op.drop_index(name, table_name="history_entries")
        op.create_index(name, "history_entries", list(key))
    _analyze()


def _analyze() -> None:
    """On SQLite, dropping an index drops its statistics: gather the new ones (if any were)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and _analyzed(bind):
        for name in INDEXES:
            op.execute(f"ANALYZE {name}")


def _analyzed(bind: sa.Connection) -> bool:
    """Whether SQLite holds statistics on the history's indexes."""
    if not bind.scalar(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        return False
    return bool(
        bind.scalar(sa.text("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'history_entries' LIMIT 1"))
    )
