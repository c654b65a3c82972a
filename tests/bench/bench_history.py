"""The supervisor's history browser at operator scale: a filtered page, first and deep.

Times :func:`app.services.history_browser.browse_page` (what the window calls
for every page: permission, keyset query, customers and partners of the
page) for the main filters, on a database built by :mod:`tests.bench.scale`
(or reused with ``--keep``). A *first* page is the newest entries the filter
selects; a *deep* page starts at a random moment of the history (as the
thousandth page would: keyset pages cost the same at any depth). Every
figure is p50/p95/max over ``--samples`` pages, target < 150 ms.

    .venv/bin/python -m tests.bench history --customers 2000 --engines sqlite,postgresql
    .venv/bin/python -m tests.bench history --keep /work/bench --customers 1000000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.store.db import Database
from app.store.history_query import Cursor, HistoryFilter
from app.store.models import HistoryEntry, Partner
from tests.bench.scale import Figure, build, database, machine, table

PAGE = 200  # the window's page
#: The PostgreSQL database (and SQLite file) a kept build lives in.
NAME = "agent_assist_bench_history"


def _filters(db: Database, newest: datetime) -> list[tuple[str, HistoryFilter]]:
    with db.engine.connect() as conn:
        partner = conn.scalar(select(Partner.code).order_by(Partner.code)) or "none"
    month = HistoryFilter(since=newest - timedelta(days=60), until=newest - timedelta(days=30))
    return [
        ("no filter", HistoryFilter()),
        ("agent", HistoryFilter(author="agent042")),
        ("partner", HistoryFilter(partner=partner)),
        ("process", HistoryFilter(process="complaint")),
        ("process + stage", HistoryFilter(process="fair_use", stage="stage_3")),
        # A stage the process never has: read every complaint before migration 0010.
        ("process + stage, none", HistoryFilter(process="complaint", stage="vip")),
        ("kind", HistoryFilter(kind="sms")),
        ("one month", month),
        ("partner + kind + agent", HistoryFilter(partner=partner, kind="note", author="agent007")),
        # No agent: walks the process's index, 1 in 100 of its entries match.
        (
            "partner + kind + process",
            HistoryFilter(partner=partner, kind="letter", process="expiry"),
        ),
        # No agent: walks the process + stage pair's index, 1 in 100 of its entries match.
        (
            "partner + kind + process + stage",
            HistoryFilter(partner=partner, kind="letter", process="fair_use", stage="stage_3"),
        ),
        ("text 'roaming'", HistoryFilter(text="roaming")),
        (
            "text 'roaming', one month",
            HistoryFilter(text="roaming", since=month.since, until=month.until),
        ),
    ]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def history_figures(
    db: Database, samples: int, seed: int = 3, only: str | None = None
) -> list[Figure]:
    """First and deep page of each main filter (``only``: those whose name contains it),
    through the browser's service."""
    from app.services.history_browser import HistoryTooSlowError, browse_page

    rnd = random.Random(seed)
    with db.engine.connect() as conn:
        oldest, newest = conn.execute(
            select(func.min(HistoryEntry.created_at), func.max(HistoryEntry.created_at))
        ).one()
    if oldest is None:
        return [Figure("history browser", "< 150", [], "no history")]
    oldest, newest = oldest.replace(tzinfo=UTC), newest.replace(tzinfo=UTC)
    browse_page(db, HistoryFilter(), limit=PAGE)  # the first use settles the pool
    figures: list[Figure] = []
    for name, flt in _filters(db, newest):
        if only is not None and only not in name:
            continue
        low = flt.since or oldest
        high = flt.until or newest
        notes: list[str] = []

        def timed_page(
            after: Cursor | None, flt: HistoryFilter = flt, notes: list[str] = notes
        ) -> float:
            try:
                return _timed(lambda: browse_page(db, flt, after=after, limit=PAGE))
            except HistoryTooSlowError:
                notes.append("stopped at the time limit")
                return float("nan")

        first = [timed_page(None) for _ in range(max(3, samples // 4))]
        deep = []
        for _ in range(samples):
            moment = low + (high - low) * rnd.random()
            deep.append(timed_page(Cursor(moment, uuid.UUID(int=(1 << 128) - 1))))
        note = "; ".join(sorted(set(notes)))
        figures.append(Figure(f"history page: {name}, first", "< 150", _finite(first), note))
        figures.append(Figure(f"history page: {name}, deep", "< 150", _finite(deep), note))
    return figures


def _finite(times: list[float]) -> list[float]:
    return [t for t in times if t == t]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench history", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--customers", type=int, default=2000, help="scale when building")
    parser.add_argument("--entries", type=int, default=10, help="history entries per customer")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--samples", type=int, default=40, help="deep pages per filter")
    parser.add_argument("--keep", type=Path, help="build in (and reuse from) this folder")
    parser.add_argument(
        "--only", help="only the filters whose name contains this, e.g. 'process + stage'"
    )
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, Figure]] = []
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for engine in args.engines.split(","):
            with database(engine, folder, args.keep is not None, NAME) as (db, label):
                with db.engine.connect() as conn:
                    entries = conn.scalar(select(func.count()).select_from(HistoryEntry))
                if not entries:
                    build(db, args.customers, args.entries)
                    with db.engine.connect() as conn:
                        entries = conn.scalar(select(func.count()).select_from(HistoryEntry))
                notes.append(f"{label}: {entries:,} history entries")
                for figure in history_figures(db, args.samples, only=args.only):
                    rows.append((label, "", figure))
    print(table(rows, "\n".join([f"Machine: {machine()}", *notes])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
