"""The device of a device plan: its name as sold (``iPhone 16 128 GB``), optional.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("device_plans") as batch:
        batch.add_column(sa.Column("device", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_plans") as batch:
        batch.drop_column("device")
