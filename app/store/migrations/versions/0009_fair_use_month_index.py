"""Index fair-use records by month and whether the limits were exceeded (the fair-use
worklist's candidates at a million customers: a range, not a scan of every record).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_fair_use_records_month_exceeded",
        "fair_use_records",
        ["month", "exceeded", "customer_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_fair_use_records_month_exceeded", table_name="fair_use_records")
