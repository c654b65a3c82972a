"""The history across customers, filtered and paged by keyset, on both engines.

Every filter returns exactly what looking at every entry returns; paging
forward through all pages and back again gives the same pages; the filter
columns are filled by every way an entry is written and are not hashed; each
page statement reads one index in the browser's order and stops (no sort, no
table scan), as the engines' own plans show.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text

from app.store import history_query as hq
from app.store.chain import verify
from app.store.db import Database
from app.store.history_query import HistoryFilter
from app.store.models import HistoryEntry
from tests.history_browser_data import FILTERS, START, Expected, brute_force, seed


def _ids(rows: Any) -> list[uuid.UUID]:
    return [r.entry_id if hasattr(r, "entry_id") else r.id for r in rows]


def _all_pages(db: Database, flt: HistoryFilter, limit: int) -> list[hq.Page]:
    pages = []
    with db.session() as session:
        current = hq.page(session, flt, limit=limit)
        pages.append(current)
        while current.next is not None:
            current = hq.page(session, flt, after=current.next, limit=limit)
            pages.append(current)
            assert len(pages) < 500
    return pages


@pytest.fixture
def seeded(db: Database) -> tuple[Database, list[Expected]]:
    return db, seed(db)


@pytest.mark.parametrize("index", range(len(FILTERS)))
def test_each_filter_pages_through_exactly_what_brute_force_selects(
    seeded: tuple[Database, list[Expected]], index: int
) -> None:
    db, expected = seeded
    flt = FILTERS[index]
    want = brute_force(expected, flt)
    pages = _all_pages(db, flt, limit=7)
    got = [row for p in pages for row in p.rows]
    assert _ids(got) == _ids(want)
    by_id = {e.id: e for e in want}
    for row in got:
        e = by_id[row.entry_id]
        assert (row.created_at, row.customer_id, row.customer_no, row.partner_code) == (
            e.created_at,
            e.customer_id,
            e.customer_no,
            e.partner_code,
        )
        assert (row.author, row.process, row.stage, row.kind, row.text) == (
            e.author,
            e.process,
            e.stage,
            e.kind,
            e.text,
        )
    assert all(len(p.rows) == 7 for p in pages[:-1])
    assert pages[0].previous is None and pages[-1].next is None


@pytest.mark.parametrize("index", [0, 2, 5, 8, 11])
def test_paging_back_returns_the_same_pages(
    seeded: tuple[Database, list[Expected]], index: int
) -> None:
    db, _expected = seeded
    flt = FILTERS[index]
    pages = _all_pages(db, flt, limit=5)
    with db.session() as session:
        back = [pages[-1]]
        while back[-1].previous is not None:
            back.append(hq.page(session, flt, before=back[-1].previous, limit=5))
            assert len(back) <= len(pages)
    back.reverse()
    # Going back, pages end where the forward pages started (the first may be full there).
    forward_ids = [_ids(p.rows) for p in pages]
    back_ids = [_ids(p.rows) for p in back]
    assert [i for ids in back_ids for i in ids] == [i for ids in forward_ids for i in ids]
    assert back_ids == forward_ids


def test_a_page_in_a_range_is_bounded_by_its_cursor_not_the_range_end(
    seeded: tuple[Database, list[Expected]],
) -> None:
    db, expected = seeded
    flt = HistoryFilter(until=START + timedelta(hours=200), since=START)
    with db.session() as session:
        first = hq.page(session, flt, limit=10)
        assert first.next is not None
        statement = select(HistoryEntry.id).where(*hq.bounds(flt, first.next, None))
        compiled = statement.compile(session.get_bind())
    # Only the tighter upper bound (the cursor) remains: one index range per side.
    assert flt.until not in compiled.params.values()
    assert first.next.created_at in compiled.params.values()
    assert flt.since in compiled.params.values()
    assert len(brute_force(expected, flt)) > 10


def test_filter_columns_come_from_customer_and_case_and_are_not_hashed(
    seeded: tuple[Database, list[Expected]],
) -> None:
    db, expected = seeded
    with db.session() as session:
        stored = {
            r.id: (r.process, r.stage)
            for r in session.execute(
                select(HistoryEntry.id, HistoryEntry.process, HistoryEntry.stage)
            )
        }
        report = verify(session.connection())
    assert stored == {e.id: (e.process, e.stage) for e in expected}
    assert report.ok and report.entries == len(expected)


def test_a_long_text_is_cut_in_pages(db: Database) -> None:
    expected = seed(db, entries=3)
    with db.transaction() as session:
        session.add(
            HistoryEntry(
                customer_id=expected[0].customer_id,
                author="anna",
                kind="note",
                text="x" * 5000,
                created_at=START + timedelta(days=900),
            )
        )
    with db.session() as session:
        top = hq.page(session, HistoryFilter(), limit=1).rows[0]
    assert top.text == "x" * hq.PAGE_TEXT_CHARS


def test_a_statement_past_its_time_limit_is_stopped(db: Database) -> None:
    slow = (
        "SELECT pg_sleep(2)"
        if db.dialect == "postgresql"
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000)"
        " SELECT count(*) FROM c"
    )
    with db.session() as session:
        started = time.perf_counter()
        with pytest.raises(hq.QueryTimeoutError), hq.time_limit(session.connection(), 100):
            session.execute(text(slow)).all()
        assert time.perf_counter() - started < 1.5
    with db.session() as session:  # the limit is lifted again afterwards
        with hq.time_limit(session.connection(), 1000):
            session.execute(text("SELECT 1")).all()
        session.execute(text("SELECT 1")).all()


def test_distinct_values_are_the_filter_choices(seeded: tuple[Database, list[Expected]]) -> None:
    db, expected = seeded
    with db.session() as session:
        conn = session.connection()
        assert hq.distinct_values(conn, "author") == sorted({e.author for e in expected})
        assert hq.distinct_values(conn, "kind") == sorted({e.kind for e in expected})
        assert hq.distinct_values(conn, "process") == sorted(
            {e.process for e in expected if e.process}
        )
        assert hq.distinct_values(conn, "stage") == sorted({e.stage for e in expected if e.stage})
        with pytest.raises(ValueError):
            hq.distinct_values(conn, "text; DROP TABLE x")
        assert hq.process_stages(conn) == sorted(
            {(e.process, e.stage) for e in expected if e.process and e.stage}
        )


def test_a_process_and_a_stage_it_never_has_cost_one_seek(
    seeded: tuple[Database, list[Expected]],
) -> None:
    """Process + stage matching nothing read every entry of the process (10.7 M entries:
    cut off at the 5 s limit on SQLite); the pair's index finds it empty at once."""
    db, expected = seeded
    flt = HistoryFilter(process="fair_use", stage="no_such_stage")
    assert any(e.process == "fair_use" for e in expected)
    with _statements(db) as seen, db.session() as session:
        assert hq.page(session, flt, limit=3).rows == ()
    (statement, parameters), *_ = seen
    plan = _plan(db, statement, parameters)
    assert "ix_history_entries_process_stage_created_at" in plan, plan
    if db.dialect == "sqlite":
        assert "(process=? AND stage=?" in plan, plan
    else:
        assert _pair_is_the_index_condition(plan), plan


def _pair_is_the_index_condition(plan: str) -> bool:
    """PostgreSQL seeks to the pair: process and stage both in the index condition."""
    return any(
        "Index Cond" in line and "process" in line and "stage" in line for line in plan.splitlines()
    )


# --- the plans -----------------------------------------------------------------------

PLANNED = [
    HistoryFilter(),
    HistoryFilter(author="anna"),
    HistoryFilter(partner="KNU-A"),
    HistoryFilter(process="complaint"),
    HistoryFilter(stage="stage_2"),
    HistoryFilter(kind="sms"),
    HistoryFilter(since=START + timedelta(hours=2), until=START + timedelta(hours=90)),
    HistoryFilter(partner="KNU-B", since=START + timedelta(hours=2)),
    HistoryFilter(process="fair_use", stage="stage_2"),
]


@contextmanager
def _statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _m: Any) -> None:
        if "FROM history_entries" in statement and "ORDER BY" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _plan(db: Database, statement: str, parameters: Any) -> str:
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        cursor = raw.cursor()
        if db.dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # Tiny test tables: make a scan and a sort cost what they cost on ten million rows.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(str(row[0]) for row in cursor.fetchall())
        raw.rollback()
        return plan


@pytest.mark.parametrize("index", range(len(PLANNED)))
def test_every_page_reads_an_index_in_order_and_stops(
    seeded: tuple[Database, list[Expected]], index: int
) -> None:
    db, _expected = seeded
    flt = PLANNED[index]
    with _statements(db) as seen, db.session() as session:
        first = hq.page(session, flt, limit=3)
        assert first.next is not None
        second = hq.page(session, flt, after=first.next, limit=3)
        hq.page(session, flt, before=second.previous, limit=3)
    assert len(seen) == 3
    for statement, parameters in seen:
        plan = _plan(db, statement, parameters)
        if db.dialect == "sqlite":
            assert "TEMP B-TREE" not in plan, (statement, plan)
            assert "USING INDEX ix_history_entries_" in plan, plan
            for line in plan.splitlines():  # a walk of the index in order, never of the table
                assert not line.startswith("SCAN") or "USING INDEX" in line, plan
            if flt.process and flt.stage:
                assert "ix_history_entries_process_stage_created_at (process=? AND stage=?" in plan
        else:
            assert "Sort" not in plan and "Seq Scan" not in plan, plan
            assert "Index Scan" in plan and "ix_history_entries_" in plan, plan
            if flt.process and flt.stage:
                assert "ix_history_entries_process_stage_created_at" in plan, plan
                assert _pair_is_the_index_condition(plan), plan
            elif flt != HistoryFilter() and not (flt.since and not flt.partner):
                # the filter's own index: its column is an index condition, not a row filter
                column = next(
                    name
                    for name in ("author", "partner_id", "process", "stage", "kind")
                    if f"{name} = " in statement
                )
                assert f"ix_history_entries_{column.replace('_id', '')}_created_at" in plan, plan


def test_a_text_search_walks_the_time_order_on_postgresql(db: Database) -> None:
    """PostgreSQL cannot estimate how many entries contain the words: guessing few,
    it read and sorted the whole history (1.4-1.9 s at 2 M); the walk stops at the page."""
    if db.dialect != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with db.session() as session:
        conn = session.connection()
        with hq.text_search(conn, True):
            inside = [conn.scalar(text(f"SHOW {name}")) for name in ("enable_sort", "jit")]
            workers = conn.scalar(text("SHOW max_parallel_workers_per_gather"))
        after = [conn.scalar(text(f"SHOW {name}")) for name in ("enable_sort", "jit")]
    assert inside == ["off", "off"] and workers == "0"
    assert after == ["on", "on"]


def test_on_an_analyzed_file_the_process_alone_keeps_its_ordered_index(
    sqlite_db: Database,
) -> None:
    """Statistics gathered before migration 0010 (the 10.7 M file): SQLite took the new
    index, having no figures for it, for the process alone and sorted every entry of
    the process for each page; the migration gives it its figures."""
    from app.store.db import downgrade, upgrade

    seed(sqlite_db, entries=400)
    downgrade(sqlite_db.engine, "0009")
    with sqlite_db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    upgrade(sqlite_db.engine, "head")
    with sqlite_db.engine.connect() as conn:
        analyzed = conn.scalar(
            text("SELECT stat FROM sqlite_stat1 WHERE idx = :i"),
            {"i": "ix_history_entries_process_stage_created_at"},
        )
    assert analyzed
    with _statements(sqlite_db) as seen, sqlite_db.session() as session:
        hq.page(session, HistoryFilter(process="complaint"), limit=3)
        hq.page(session, HistoryFilter(process="fair_use", stage="stage_2"), limit=3)
    alone, pair = (_plan(sqlite_db, s, p) for s, p in seen)
    assert "TEMP B-TREE" not in alone and "ix_history_entries_process_created_at" in alone, alone
    assert "ix_history_entries_process_stage_created_at (process=? AND stage=?" in pair, pair


# --- a combination that almost nothing matches ---------------------------------------

#: The bench file's statistics (``python -m tests.bench history``: 10.7 M entries, 200
#: agents, three partners, five kinds, six processes): entries per value of each history
#: index's leading columns, so SQLite weighs the test's few rows as the operator's.
AT_SCALE = 10_677_876
PER_VALUE = {
    "ix_history_entries_author_created_at": (53_389,),
    "ix_history_entries_partner_created_at": (3_559_292,),
    "ix_history_entries_kind_created_at": (2_135_575,),
    "ix_history_entries_process_created_at": (1_779_646,),
    "ix_history_entries_stage_created_at": (1_525_411,),
    "ix_history_entries_process_stage_created_at": (1_779_646, 344_455),
    "ix_history_entries_created_at_id": (3,),
}


def _statistics_at_scale(db: Database) -> None:
    """SQLite: ``sqlite_stat1`` as on the bench file; PostgreSQL: the statistics and the
    visibility map of the test's rows (a vacuumed table, as autovacuum leaves it)."""
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE history_entries"))
        return
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        stats = conn.execute(
            text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'history_entries'")
        ).all()
        for index, stat in stats:
            rows, *per_value = (int(v) for v in stat.split())
            if index in PER_VALUE:  # the filters' indexes: the bench file's figures
                leading = PER_VALUE[index]
                figures = [*leading, *[1] * (len(per_value) - len(leading))]
            else:  # the others as they are, at scale (a column all null stays so)
                figures = [AT_SCALE if v == rows else v for v in per_value]
            conn.execute(
                text("UPDATE sqlite_stat1 SET stat = :s WHERE idx = :i"),
                {"s": " ".join(map(str, [AT_SCALE, *figures])), "i": index},
            )
    db.engine.dispose()  # the next connections read the new figures


def _filters_read_before_the_row(db: Database, statement: str, parameters: Any) -> str:
    """SQLite's program for ``statement``: the index it walks, after checking that every
    equality on a row is decided before the row's first column is read from the table
    (the table is sought lazily: a row that fails costs no table read)."""
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        cursor = raw.cursor()
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        root = cursor.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'history_entries'"
        ).fetchone()[0]
        program = cursor.execute("EXPLAIN " + statement, parameters).fetchall()
    table = next(p1 for _a, op, p1, p2, *_rest in program if op == "OpenRead" and p2 == root)
    first_read = min(a for a, op, p1, *_rest in program if op == "Column" and p1 == table)
    checks = [a for a, op, *_rest in program if op == "Ne"]
    assert len(checks) >= 2 and max(checks) < first_read, (plan, program)
    return plan


@pytest.mark.parametrize(
    ("flt", "index"),
    [
        (HistoryFilter(author="beat", kind="note", partner="KNU-A"), "author"),
        (HistoryFilter(author="beat", process="fair_use", stage="stage_3", kind="sms"), "author"),
        (HistoryFilter(partner="KNU-A", kind="note", process="complaint"), "process"),
        (HistoryFilter(partner="KNU-B", kind="ticket", stage="stage_3"), "stage"),
        (
            HistoryFilter(partner="KNU-A", kind="step", process="fair_use", stage="stage_2"),
            "process_stage",
        ),
    ],
)
def test_a_rare_combination_is_checked_in_the_index_not_on_the_table(
    seeded: tuple[Database, list[Expected]], flt: HistoryFilter, index: str
) -> None:
    """Partner 5 % x kind 20 % x one of 200 agents (10.7 M entries): about a hundred of the
    agent's entries were walked per match, each read from the table for the check (p95
    269 ms a page on SQLite); so were the process's, the stage's, the pair's entries
    with a partner and a kind. Their indexes carry the other filters' columns (0011):
    the checks read the index, only a match is read from the table; on PostgreSQL the
    page's keys come from an index-only scan, its rows by primary key."""
    db, expected = seeded
    _statistics_at_scale(db)
    with _statements(db) as seen, db.session() as session:
        first = hq.page(session, flt, limit=2)
        hq.page(session, flt, after=first.next, limit=2)
    assert [r.entry_id for r in first.rows] == [e.id for e in brute_force(expected, flt)[:2]]
    assert first.rows
    for statement, parameters in seen:
        if db.dialect == "sqlite":
            plan = _filters_read_before_the_row(db, statement, parameters)
            assert f"USING INDEX ix_history_entries_{index}_created_at (" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
        else:  # the engine's choice among the indexes that carry the filters
            plan = _plan(db, statement, parameters)
            assert "Index Only Scan Backward using ix_history_entries_" in plan, plan
            assert "pk_history_entries" in plan and "Sort" not in plan, plan
