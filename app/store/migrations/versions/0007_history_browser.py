"""The supervisor's history browser: filter columns on the history, one index per filter.

``history_entries`` gets three columns the browser filters by, copied from
the entry's customer and case when the entry is written
(:mod:`app.store.chain` fills them in the same hooks that chain an entry):

* ``partner_id`` – the customer's partner;
* ``process`` – the case's process (or, for an entry without a case, the
  process its payload names);
* ``stage`` – the stage the case stood at.

They are not part of the hash (:data:`app.store.chain.FIELDS`), so the
chains stay as they are. Existing entries are filled here, in chunks, with
the history's append-only guard lifted for the backfill only.

Each filter gets an index that ends in ``(created_at, id)``, so a filtered
page reads the index in the browser's order (newest first) and stops after
one page, with no sort: time alone, author, partner, process, stage, kind.
Combined filters use the most selective of them and check the others row
by row.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: index name -> the columns before (created_at, id)
INDEXES = {
    "ix_history_entries_created_at_id": (),
    "ix_history_entries_author_created_at": ("author",),
    "ix_history_entries_partner_created_at": ("partner_id",),
    "ix_history_entries_process_created_at": ("process",),
    "ix_history_entries_stage_created_at": ("stage",),
    "ix_history_entries_kind_created_at": ("kind",),
}
#: Rows filled per statement in the backfill.
CHUNK = 50_000


def upgrade() -> None:
    op.add_column("history_entries", sa.Column("partner_id", sa.Uuid(), nullable=True))
    op.add_column("history_entries", sa.Column("process", sa.String(length=32), nullable=True))
    op.add_column("history_entries", sa.Column("stage", sa.String(length=40), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE history_entries DISABLE TRIGGER history_entries_append_only")
        _backfill_postgres(bind)
        op.execute("ALTER TABLE history_entries ENABLE TRIGGER history_entries_append_only")
    else:
        guard = bind.scalar(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name = 'history_entries_no_update'"
            )
        )
        op.execute("DROP TRIGGER IF EXISTS history_entries_no_update")
        _backfill_sqlite(bind)
        if guard:
            op.execute(guard)
    for name, columns in INDEXES.items():
        op.create_index(name, "history_entries", [*columns, "created_at", "id"])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="history_entries")
    for column in ("stage", "process", "partner_id"):
        op.execute(f"ALTER TABLE history_entries DROP COLUMN {column}")  # in place, as added


_SET = (
    "partner_id = (SELECT c.partner_id FROM customers c WHERE c.id = h.customer_id), "
    "process = COALESCE((SELECT k.process FROM cases k WHERE k.id = h.case_id), {payload}), "
    "stage = (SELECT k.stage FROM cases k WHERE k.id = h.case_id)"
)


def _backfill_sqlite(bind: sa.Connection) -> None:
    """Fill the columns by rowid ranges (the table's own order: no index needed)."""
    top = bind.scalar(sa.text("SELECT max(rowid) FROM history_entries")) or 0
    payload = "CAST(json_extract(h.payload, '$.process') AS TEXT)"
    statement = sa.text(
        f"UPDATE history_entries AS h SET {_SET.format(payload=payload)} "
        "WHERE h.rowid > :lo AND h.rowid <= :hi"
    )
    for lo in range(0, top, CHUNK):
        bind.execute(statement, {"lo": lo, "hi": lo + CHUNK})


def _backfill_postgres(bind: sa.Connection) -> None:
    """Fill the columns in id order, ``CHUNK`` rows per statement (keyset on the primary key)."""
    payload = "(h.payload::jsonb ->> 'process')"
    statement = sa.text(
        "WITH chunk AS (SELECT id FROM history_entries WHERE id > CAST(:after AS uuid)"
        f" ORDER BY id LIMIT {CHUNK}) "
        f"UPDATE history_entries AS h SET {_SET.format(payload=payload)} "
        "FROM chunk WHERE h.id = chunk.id RETURNING h.id"
    )
    after = "00000000-0000-0000-0000-000000000000"
    while True:
        ids = bind.execute(statement, {"after": after}).scalars().all()
        if not ids:
            return
        after = str(max(ids))
