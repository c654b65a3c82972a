"""Search without sorting every match: name terms carry the name they sort by.

``customer_search_terms`` gets ``sort_key`` (the customer's ``search_name``)
and the index ``(term, sort_key, customer_id)`` replaces the one on ``term``:
a prefix search reads the first matches in that order with a ``LIMIT`` and
stops, where it sorted hundreds of thousands of matches for a one-letter
prefix. Columns are added in place (no table copy on SQLite, whose
triggers stay).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "customer_search_terms",
        sa.Column("sort_key", sa.String(length=200), server_default="", nullable=False),
    )
    op.execute(
        "UPDATE customer_search_terms SET sort_key = (SELECT c.search_name FROM customers c"
        " WHERE c.id = customer_search_terms.customer_id)"
    )
    op.drop_index("ix_customer_search_terms_term", table_name="customer_search_terms")
    op.create_index(
        "ix_customer_search_terms_term_sort_key",
        "customer_search_terms",
        ["term", "sort_key", "customer_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_customer_search_terms_term_sort_key", table_name="customer_search_terms")
    op.create_index("ix_customer_search_terms_term", "customer_search_terms", ["term"])
    op.execute("ALTER TABLE customer_search_terms DROP COLUMN sort_key")  # in place, as added
