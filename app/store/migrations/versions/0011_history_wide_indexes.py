"""Carry the history browser's other filter columns in the agent's index.

A combination of filters that (almost) nothing matches walks the index of its
most selective filter and checks the others on every entry it reads: partner
``CN-B`` (5 % of the entries) + kind ``note`` (20 %) + one of 200 agents walked
about a hundred of the agent's entries per match (all of them when fewer than a
page match), reading each entry's table row for the check (10.7 M entries on
SQLite: p95 up to 269 ms a page). The agent's index, the most selective one,
now carries the other filter columns after ``(created_at, id)``: its order
and its seeks stay as they were, the checks read the index, and only a match
is read from the table (SQLite by itself; PostgreSQL in an index-only scan of
the page's keys, :func:`app.store.history_query.page_statement`).

The index keeps its name and is built anew; on a SQLite file whose statistics
were gathered, it gets its own again (as in 0010).

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

NAME = "ix_history_entries_author_created_at"
#: The index's columns before 0011 ...
KEY = ("author", "created_at", "id")
#: ... and those it carries after them now: every other filter but the time and the text.
CARRIED = ("partner_id", "process", "stage", "kind")


def upgrade() -> None:
    op.drop_index(NAME, table_name="history_entries")
    op.create_index(NAME, "history_entries", [*KEY, *CARRIED])
    _analyze()


def downgrade() -> None:
    op.drop_index(NAME, table_name="history_entries")
    op.create_index(NAME, "history_entries", list(KEY))
    _analyze()


def _analyze() -> None:
    """On SQLite, dropping an index drops its statistics: gather the new one's (if any were)."""
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
