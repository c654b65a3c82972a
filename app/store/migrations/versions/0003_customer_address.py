"""Postal address of customers (for letters): street, postcode, city, country.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("street", 200), ("postcode", 16), ("city", 100), ("country", 2))


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
