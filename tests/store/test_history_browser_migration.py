"""Migration 0007 fills the history browser's filter columns of entries already recorded.

The backfill copies the partner from the customer and the process from the
case (or the payload), the stage the case stands at; it lifts the history's
append-only guard for itself only, and leaves the hash chains as they were.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.store import chain
from app.store.db import Database, current_revision, downgrade, head_revision, upgrade
from app.store.models import Case, Customer, HistoryEntry, Partner
from tests.history_browser_data import seed


def test_the_migration_fills_the_filter_columns_of_existing_entries(db: Database) -> None:
    expected = seed(db, entries=60)
    downgrade(db.engine, "0006")
    upgrade(db.engine, "head")
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        stored = {
            r.id: r
            for r in conn.execute(
                select(
                    HistoryEntry.id,
                    HistoryEntry.partner_id,
                    HistoryEntry.process,
                    HistoryEntry.stage,
                    HistoryEntry.case_id,
                )
            )
        }
        codes = dict(conn.execute(select(Partner.id, Partner.code)).all())
        stages = dict(conn.execute(select(Case.id, Case.stage)).all())
        partners = dict(conn.execute(select(Customer.id, Customer.partner_id)).all())
    assert len(stored) == len(expected)
    for e in expected:
        row = stored[e.id]
        assert codes[row.partner_id] == e.partner_code
        assert partners[e.customer_id] == row.partner_id
        assert row.process == e.process
        # what the case stands at now: the moment an old entry was written is not recorded
        assert row.stage == (stages[row.case_id] if row.case_id else None)
    assert chain.verify_database(db).ok


def test_the_append_only_guard_is_back_after_the_backfill(db: Database) -> None:
    seed(db, entries=5)
    downgrade(db.engine, "0006")
    upgrade(db.engine, "head")
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("UPDATE history_entries SET text = 'changed'"))


def _columns(db: Database, index: str) -> list[str]:
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            return [r[2] for r in conn.execute(text(f"PRAGMA index_info({index})"))]
        return list(
            conn.scalars(
                text(
                    "SELECT a.attname FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid"
                    " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                    " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                    " WHERE c.relname = :i ORDER BY k.n"
                ),
                {"i": index},
            )
        )


#: Migration 0011: index -> (its columns before, the filter columns it carries after them)
WIDENED = {
    "ix_history_entries_author_created_at": (
        ["author", "created_at", "id"],
        ["partner_id", "process", "stage", "kind"],
    ),
    "ix_history_entries_process_created_at": (
        ["process", "created_at", "id"],
        ["partner_id", "author", "stage", "kind"],
    ),
    "ix_history_entries_stage_created_at": (
        ["stage", "created_at", "id"],
        ["partner_id", "author", "process", "kind"],
    ),
    "ix_history_entries_process_stage_created_at": (
        ["process", "stage", "created_at", "id"],
        ["partner_id", "author", "kind"],
    ),
}


def test_the_walked_indexes_carry_the_other_filters_and_back(db: Database) -> None:
    """Migration 0011 rebuilds four filter indexes with the other filter columns after
    (created_at, id), and back; on an analyzed SQLite file they get their statistics again."""
    seed(db, entries=30)
    downgrade(db.engine, "0010")
    for index, (key, _carried) in WIDENED.items():
        assert _columns(db, index) == key
    if db.dialect == "sqlite":
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    upgrade(db.engine, "head")
    for index, (key, carried) in WIDENED.items():
        assert _columns(db, index) == key + carried
        if db.dialect == "sqlite":
            with db.engine.connect() as conn:
                stat = conn.scalar(
                    text("SELECT stat FROM sqlite_stat1 WHERE idx = :i"), {"i": index}
                )
            assert stat is not None and len(stat.split()) == 1 + len(key + carried)
