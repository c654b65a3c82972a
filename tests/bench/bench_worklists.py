"""How long the worklists and "what to do now" take on a large customer base.

Generates a base of N customers (default 100,000) with fair-use records,
bundles, recent activations, complaint cases and history, on SQLite and/or
PostgreSQL, then times each worklist (first run and best of three) and
``todo_for`` for single customers.

    .venv/bin/python tests/bench/bench_worklists.py --customers 100000
    .venv/bin/python tests/bench/bench_worklists.py --customers 2000 --engines sqlite

Output: one line per measurement, ``ENGINE KIND ROWS FIRST_S BEST_S``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app.domain.calendar import add_months, month_start
from app.services.todo import todo_for
from app.services.worklists import KINDS, worklist
from app.store.db import Database, make_engine
from app.store.models import (
    Bundle,
    Case,
    Customer,
    FairUseRecord,
    HistoryEntry,
    Partner,
)

PG_ADMIN_URL = os.environ.get(
    "AGENT_ASSIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BATCH = 5000
CATEGORIES = ("shop.incompetence", "billing_system.migration", "contact_centre.improper_service")
FAIR_USE_ACTIONS = ("sms_1", "history_entry", "sms_2")
ONBOARDING_TASKS = ("explain_tariff", "contract_terms", "service_channels", "first_callback")


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class _Batches:
    """Rows collected per table and inserted in batches."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.rows: dict[Any, list[dict[str, Any]]] = {}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        rows = self.rows.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush(table)

    def flush(self, table: Any) -> None:
        if table is not Customer.__table__:
            self.flush(Customer.__table__)  # the rows below refer to customers
        rows = self.rows.get(table)
        if rows:
            self.conn.execute(insert(table), rows)
            rows.clear()

    def flush_all(self) -> None:
        for table in (Customer.__table__, FairUseRecord.__table__, Bundle.__table__):
            self.flush(table)
        for table in (Case.__table__, HistoryEntry.__table__):
            self.flush(table)


def generate(db: Database, customers: int, today: date, seed: int = 1) -> None:
    """A deterministic base of ``customers`` customers around ``today``.

    About 10% have fair-use records for the last four months, 20% a bundle
    ending between a month ago and half a year ahead, 1.5% were activated in
    the last 100 days, 0.5% have an open complaint, and every customer has a
    history entry (a few also the entries saying actions were done).
    """
    rnd = random.Random(seed)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    this = month_start(today)
    months = [_month(add_months(this, -k)) for k in range(3, -1, -1)]
    with db.engine.begin() as conn:
        partner_id = uuid.uuid4()
        conn.execute(
            insert(Partner.__table__),
            [{"id": partner_id, "code": "KNU-B", "name": "Bench AG", "country": "CH",
              "language": "de", "created_at": now, "updated_at": now}],
        )  # fmt: skip
        out = _Batches(conn)
        for i in range(customers):
            cid = uuid.uuid4()
            recent = rnd.random() < 0.015
            activation = today - timedelta(days=rnd.randint(0, 100) if recent else 400 + i % 900)
            vip = recent and rnd.random() < 0.2
            name = f"Kunde {i:07d}"
            out.add(
                Customer.__table__,
                {"id": cid, "customer_no": f"C-{i:07d}", "msisdn": f"+4179{i:07d}",
                 "name": name, "search_name": name.casefold(), "language": "de",
                 "customer_value": 1 + i % 4, "vip": vip,
                 "vip_rated": activation + timedelta(days=1) if vip else None,
                 "partner_id": partner_id, "products": ["mobile_tv"] if i % 7 == 0 else [],
                 "activation_date": activation, "created_at": now, "updated_at": now},
            )  # fmt: skip
            out.add(
                HistoryEntry.__table__,
                {"id": uuid.uuid4(), "customer_id": cid, "author": "bench", "created_at": now,
                 "kind": "note", "text": "call", "payload": {"process": "note"},
                 "rule_ids": []},
            )  # fmt: skip
            if rnd.random() < 0.10:
                for month in months:
                    out.add(
                        FairUseRecord.__table__,
                        {"id": uuid.uuid4(), "customer_id": cid, "month": month,
                         "exceeded": rnd.random() < 0.6, "created_at": now, "updated_at": now},
                    )  # fmt: skip
                if rnd.random() < 0.3:
                    _done(out, cid, "fair_use", months[-1], rnd.sample(FAIR_USE_ACTIONS, 2), now)
            if rnd.random() < 0.20:
                sent = rnd.choice([[], [], ["month"], ["month", "week"]])
                out.add(
                    Bundle.__table__,
                    {"id": uuid.uuid4(), "customer_id": cid, "bundle_no": f"B-{i:07d}",
                     "name": "Datenpaket 5 GB",
                     "end_date": today + timedelta(days=rnd.randint(-30, 180)),
                     "reminders_sent": sent, "created_at": now, "updated_at": now},
                )  # fmt: skip
            if recent and rnd.random() < 0.5:
                _done(out, cid, "onboarding", "onboarding", rnd.sample(ONBOARDING_TASKS, 2), now)
            if rnd.random() < 0.015:
                opened = now - timedelta(days=rnd.randint(0, 10))
                is_open = rnd.random() < 0.35
                out.add(
                    Case.__table__,
                    {"id": uuid.uuid4(), "customer_id": cid, "process": "complaint",
                     "subject": f"complaint:{i}", "stage": None,
                     "state": "open" if is_open else "closed",
                     "facts": {"category": rnd.choice(CATEGORIES), "first_line_resolved": False},
                     "script_state": {}, "opened_at": opened, "opened_by": "bench",
                     "due": None, "closed_at": None if is_open else now, "updated_at": now},
                )  # fmt: skip
        out.flush_all()


def _done(
    out: _Batches, cid: uuid.UUID, process: str, subject: str, actions: list[str], now: datetime
) -> None:
    for action in actions:
        out.add(
            HistoryEntry.__table__,
            {"id": uuid.uuid4(), "customer_id": cid, "author": "bench", "created_at": now,
             "kind": "step", "text": f"{action} done", "rule_ids": [],
             "payload": {"process": process, "subject": subject, "action": action}},
        )  # fmt: skip


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def measure(db: Database, engine: str, today: date, customers: int) -> list[str]:
    lines = []
    for kind in KINDS:
        rows, first = _timed(lambda kind=kind: worklist(db, kind, today))
        best = min(_timed(lambda kind=kind: worklist(db, kind, today))[1] for _ in range(2))
        lines.append(f"{engine:<10} {kind:<12} {len(rows):>7} {first:8.3f} {min(first, best):8.3f}")
    numbers = [f"C-{i:07d}" for i in range(0, customers, max(1, customers // 20))]
    times = [_timed(lambda no=no: todo_for(db, no, today))[1] for no in numbers]
    lines.append(f"{engine:<10} {'todo':<12} {len(numbers):>7} {max(times):8.3f} {min(times):8.3f}")
    return lines


@contextmanager
def _database(engine: str, folder: Path) -> Iterator[Database]:
    if engine == "sqlite":
        db = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
        yield db
        db.dispose()
        return
    name = f"agent_assist_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, migrate=True)
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 3, 15))
    args = parser.parse_args(argv)
    print(f"{'engine':<10} {'kind':<12} {'rows':>7} {'first_s':>8} {'best_s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            with _database(engine, Path(tmp)) as db:
                _, seconds = _timed(lambda db=db: generate(db, args.customers, args.date))
                if engine == "postgresql":
                    with db.engine.begin() as conn:
                        conn.execute(text("ANALYZE"))
                print(f"{engine:<10} {'generate':<12} {args.customers:>7} {seconds:8.3f}")
                for line in measure(db, engine, args.date, args.customers):
                    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
