"""How long the six reports take on a large customer base.

Generates the worklist benchmark's base of N customers (default 100,000:
fair-use records, bundles, recent activations, complaints, history; see
``bench_worklists.generate``) plus a stage-3 decision the partner disagreed
with and an orphaned device plan for every 200th customer, on SQLite and/or
PostgreSQL, then streams each report for six months into a CSV file (first
run and best of three).

    .venv/bin/python tests/bench/bench_reports.py --customers 100000
    .venv/bin/python tests/bench/bench_reports.py --customers 2000 --engines sqlite

Output: one line per measurement, ``ENGINE REPORT ROWS FIRST_S BEST_S``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert, select, text

from app.domain.calendar import add_months, month_start
from app.services.reports import REPORTS, rows
from app.services.reports.writers import write_csv
from app.store.db import Database
from app.store.models import Case, Customer, DevicePlan, HistoryEntry
from tests.bench.bench_worklists import _database, generate


def add_decisions_and_plans(db: Database, today: date) -> None:
    """Every 200th customer: a disagreed stage-3 decision last month and an orphaned plan."""
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    month = add_months(month_start(today), -1)
    subject = month.strftime("%Y-%m")
    with db.engine.begin() as conn:
        ids = list(conn.execute(select(Customer.id).order_by(Customer.customer_no)).scalars())
        cases, entries, plans = [], [], []
        for n, cid in enumerate(ids[::200]):
            cases.append(
                {"id": uuid.uuid4(), "customer_id": cid, "process": "fair_use",
                 "subject": subject, "stage": "3", "state": "closed",
                 "facts": {"decision": {"measure": "migration",
                                        "date": month.replace(day=12).isoformat()}},
                 "script_state": {}, "opened_at": now, "opened_by": "bench", "updated_at": now}
            )  # fmt: skip
            entries.append(
                {"id": uuid.uuid4(), "customer_id": cid, "author": "bench", "created_at": now,
                 "kind": "step", "text": "disagrees", "rule_ids": [],
                 "payload": {"process": "fair_use", "subject": subject,
                             "flow": "partner_feedback", "step": "partner_answer",
                             "answers": {"agrees": False}}}
            )  # fmt: skip
            plans.append(
                {"id": uuid.uuid4(), "plan_no": f"GP-{n:07d}", "customer_id": cid,
                 "subscription_id": None, "activated": today, "down_payment": 0,
                 "financed_amount": 96000, "instalment": 4000, "instalments_billed": n % 24,
                 "status": "active", "created_at": now, "updated_at": now}
            )  # fmt: skip
        if cases:
            conn.execute(insert(Case.__table__), cases)
            conn.execute(insert(HistoryEntry.__table__), entries)
            conn.execute(insert(DevicePlan.__table__), plans)


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def measure(db: Database, engine: str, today: date, folder: Path) -> list[str]:
    first = add_months(month_start(today), -5).strftime("%Y-%m")
    last = today.strftime("%Y-%m")
    lines = []
    for name, spec in REPORTS.items():
        out = folder / f"{engine}-{name}.csv"

        def run(name: str = name, out: Path = out, columns: Any = spec.columns) -> int:
            return write_csv(out, columns, rows(db, name, first, last, today))

        count, first_s = _timed(run)
        best = min(_timed(run)[1] for _ in range(2))
        lines.append(f"{engine:<10} {name:<22} {count:>7} {first_s:8.3f} {min(first_s, best):8.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 3, 15))
    args = parser.parse_args(argv)
    print(f"{'engine':<10} {'report':<22} {'rows':>7} {'first_s':>8} {'best_s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            with _database(engine, Path(tmp)) as db:

                def build(db: Database = db) -> None:
                    generate(db, args.customers, args.date)
                    add_decisions_and_plans(db, args.date)

                _, seconds = _timed(build)
                if engine == "postgresql":
                    with db.engine.begin() as conn:
                        conn.execute(text("ANALYZE"))
                print(f"{engine:<10} {'generate':<22} {args.customers:>7} {seconds:8.3f}")
                for line in measure(db, engine, args.date, Path(tmp)):
                    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
