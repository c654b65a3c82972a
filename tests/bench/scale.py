"""Operator scale: how fast Agent Assist answers on a million customers.

Builds a database of N customers with subscriptions, device plans, bundles,
fair-use records and history entries (``--entries`` per customer on average,
one customer with up to 10,000 of them), streamed in chunks so memory stays
bounded, on SQLite and/or PostgreSQL; then times the service functions the
window calls and prints one Markdown table: p50/p95/max per figure, with the
machine, the engine and the scale.

    .venv/bin/python -m tests.bench scale --customers 1000000 --engines sqlite,postgresql
    .venv/bin/python -m tests.bench scale --customers 2000 --samples 20   # the CI smoke size

``--keep DIR`` keeps the SQLite file there (and the PostgreSQL database) and
reuses it when it already holds the same scale, so figures can be re-measured
without rebuilding.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from app.store.db import Database, make_engine
from app.store.models import (
    Bundle,
    Customer,
    CustomerSearchTerm,
    DevicePlan,
    FairUseRecord,
    HistoryEntry,
    Partner,
    Subscription,
)
from app.store.search import name_terms

PG_ADMIN_URL = os.environ.get(
    "AGENT_ASSIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CHUNK = 2000  # customers generated and inserted per transaction
HEAVY_ENTRIES = 10_000
TODAY = date(2026, 3, 15)

FIRST = [
    "Anna",
    "Andreas",
    "Beat",
    "Bruno",
    "Carla",
    "Claudia",
    "Daniel",
    "Doris",
    "Elena",
    "Erich",
    "Fabian",
    "Franziska",
    "Georg",
    "Gabriela",
    "Hans",
    "Heidi",
    "Ivan",
    "Irina",
    "Jan",
    "Julia",
    "Karl",
    "Katharina",
    "Lukas",
    "Laura",
    "Martin",
    "Maria",
    "Max",
    "Monika",
    "Nina",
    "Niklaus",
    "Olga",
    "Oliver",
    "Peter",
    "Petra",
    "Quirin",
    "Rita",
    "Reto",
    "Sabine",
    "Stefan",
    "Tatjana",
    "Thomas",
    "Ursula",
    "Urs",
    "Vera",
    "Viktor",
    "Walter",
    "Wanda",
    "Xaver",
    "Yvonne",
    "Zoe",
    "Zoran",
    "Ольга",
    "Дмитрий",
    "Анна",
    "Сергей",
    "Наталья",
    "Müller",
]
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bru",
    "da",
    "de",
    "di",
    "do",
    "el",
    "en",
    "er",
    "fa",
    "fe",
    "fi",
    "ga",
    "ge",
    "gu",
    "ha",
    "he",
    "hu",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "pa",
    "pe",
    "pi",
    "ra",
    "re",
    "ri",
    "ro",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "un",
    "va",
    "ve",
    "wa",
    "we",
    "wi",
    "ze",
    "zi",
    "zu",
]
ENDINGS = ("", "er", "mann", "li", "ov", "ova", "ski", "berg", "hof", "ner", "i", "o")
CN_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华建国平"
KINDS = ("note", "step", "sms", "letter", "ticket")
PROCESSES = ("fair_use", "expiry", "contract", "onboarding", "complaint", "note")
#: Stages an entry's case may stand at (the history browser's stage filter).
STAGES = ("stage_1", "stage_2", "stage_3", "offer", "waiting", "closed")
#: What entries say (the history browser's free-text filter finds "roaming" in 1 of 8).
TEXTS = (
    "Call about the last invoice",
    "Fair use: customer informed about the limit",
    "Offered a bigger data plan",
    "Roaming charges explained",
    "SMS sent: reminder",
    "Letter requested: contract confirmation",
    "Ticket to the partner: disputed usage",
    "Customer will call back",
)
TARIFFS = ("Mobile S", "Mobile M", "Mobile L", "Mobile XL")
DEVICES = ("iPhone 16 128 GB", "Galaxy S25", "Pixel 9", "Xiaomi 15")


# --- the database -------------------------------------------------------------------


def _surnames(rnd: random.Random, count: int = 6000) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        word = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3)))
        names.add((word + rnd.choice(ENDINGS)).capitalize())
    return sorted(names)


def _name(rnd: random.Random, surnames: list[str]) -> str:
    if rnd.random() < 0.05:
        return rnd.choice(CN_FAMILY) + "".join(
            rnd.choice(CN_GIVEN) for _ in range(rnd.randint(1, 2))
        )
    # Zipf-like: a few surnames are very common, as in a real customer base.
    surname = surnames[min(int(rnd.paretovariate(1.1)) - 1, len(surnames) - 1) * 7 % len(surnames)]
    if rnd.random() < 0.5:
        surname = rnd.choice(surnames)
    if rnd.random() < 0.08:
        surname += "-" + rnd.choice(surnames)
    return f"{rnd.choice(FIRST)} {surname}"


def build(db: Database, customers: int, entries: int, seed: int = 1) -> None:
    """``customers`` customers with their products and ~``entries`` history entries each."""
    rnd = random.Random(seed)
    surnames = _surnames(rnd)
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    partners = [
        (uuid.uuid4(), "KNU-B", "Bench Nord AG", "CH", "de"),
        (uuid.uuid4(), "KNU-W", "Bench West SA", "CH", "fr"),
        (uuid.uuid4(), "CN-B", "Bench 通信", "CN", "zh"),
    ]
    with db.engine.begin() as conn:
        conn.execute(
            insert(Partner.__table__),
            [{"id": p, "code": code, "name": name, "country": country, "language": lang,
              "created_at": now, "updated_at": now}
             for p, code, name, country, lang in partners],
        )  # fmt: skip
    heavy = min(HEAVY_ENTRIES, max(10, customers * entries // 10))
    for start in range(0, customers, CHUNK):
        rows: dict[Any, list[dict[str, Any]]] = {}

        def add(
            table: Any, row: dict[str, Any], rows: dict[Any, list[dict[str, Any]]] = rows
        ) -> None:
            rows.setdefault(table, []).append(row)

        for i in range(start, min(start + CHUNK, customers)):
            _customer(add, rnd, surnames, partners, i, now, heavy if i == 0 else entries)
        with db.engine.begin() as conn:
            for table in (
                Customer.__table__,
                CustomerSearchTerm.__table__,
                Subscription.__table__,
                DevicePlan.__table__,
                Bundle.__table__,
                FairUseRecord.__table__,
                HistoryEntry.__table__,
            ):
                if rows.get(table):
                    conn.execute(insert(table), rows[table])
    if db.dialect == "postgresql":  # as autovacuum would, later: index-only scans need it
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _customer(
    add: Callable[[Any, dict[str, Any]], None],
    rnd: random.Random,
    surnames: list[str],
    partners: list[tuple[uuid.UUID, str, str, str, str]],
    i: int,
    now: datetime,
    entries: int,
) -> None:
    cid = uuid.uuid4()
    chinese = rnd.random() < 0.05
    partner = partners[2] if chinese else partners[i % 2]
    name = _name(rnd, surnames) if not chinese else rnd.choice(CN_FAMILY) + rnd.choice(CN_GIVEN)
    msisdn = f"+86136{i:08d}" if chinese else f"+417{rnd.choice('5689')}{i:07d}"
    activation = TODAY - timedelta(days=rnd.randint(0, 3000))
    search_name = name.casefold()[:200]
    add(
        Customer.__table__,
        {"id": cid, "customer_no": f"C-{i:07d}", "msisdn": msisdn, "name": name,
         "search_name": search_name, "language": "zh" if chinese else partner[4],
         "customer_value": 1 + i % 4, "vip": i % 50 == 0, "vip_rated": None,
         "partner_id": partner[0], "products": ["mobile_tv"] if i % 7 == 0 else [],
         "activation_date": activation, "created_at": now, "updated_at": now},
    )  # fmt: skip
    for term in sorted(name_terms(name)):
        add(
            CustomerSearchTerm.__table__,
            {"customer_id": cid, "term": term, "sort_key": search_name},
        )
    sub_id = uuid.uuid4()
    add(
        Subscription.__table__,
        {"id": sub_id, "customer_id": cid, "tariff": rnd.choice(TARIFFS),
         "monthly_fee": Decimal(rnd.choice(("29.00", "49.00", "69.00"))), "aio_discount": None,
         "data_mb": 10240, "minutes": None, "activated": activation,
         "last_upgrade_effective": None, "cancelled_effective": None,
         "created_at": now, "updated_at": now},
    )  # fmt: skip
    if rnd.random() < 0.3:
        add(
            DevicePlan.__table__,
            {"id": uuid.uuid4(), "plan_no": f"D-{i:07d}", "device": rnd.choice(DEVICES),
             "customer_id": cid, "subscription_id": sub_id, "activated": activation,
             "down_payment": Decimal("0.00"), "financed_amount": Decimal("720.00"),
             "instalment": Decimal("30.00"), "instalments_billed": rnd.randint(0, 24),
             "status": "active", "ended": None, "created_at": now, "updated_at": now},
        )  # fmt: skip
    if rnd.random() < 0.2:
        add(
            Bundle.__table__,
            {"id": uuid.uuid4(), "customer_id": cid, "bundle_no": f"B-{i:07d}",
             "name": "Datenpaket 5 GB", "end_date": TODAY + timedelta(days=rnd.randint(-30, 180)),
             "package_fee": None, "reminders_sent": [], "created_at": now, "updated_at": now},
        )  # fmt: skip
    if rnd.random() < 0.1:
        for back in range(4):
            month = date(TODAY.year, TODAY.month, 1) - timedelta(days=28 * back)
            add(
                FairUseRecord.__table__,
                {"id": uuid.uuid4(), "customer_id": cid, "month": f"{month:%Y-%m}",
                 "exceeded": rnd.random() < 0.6, "data_mb_used": 12000, "limit_mb": 10240,
                 "created_at": now, "updated_at": now},
            )  # fmt: skip
    spread = min(5, entries)  # on average ``entries``; exactly that for the heavy customer
    count = entries if entries > 100 else rnd.randint(entries - spread, entries + spread)
    for k in range(count):
        process = rnd.choice(PROCESSES)
        stage = None if process == "note" else rnd.choice(STAGES)
        add(
            HistoryEntry.__table__,
            {"id": uuid.uuid4(), "customer_id": cid, "case_id": None,
             "author": f"agent{rnd.randint(1, 200):03d}",
             "created_at": now - timedelta(minutes=rnd.randint(0, 1_000_000) + k),
             "kind": rnd.choice(KINDS), "text": rnd.choice(TEXTS),
             "payload": {"process": process}, "rule_ids": [], "ruleset_version": None,
             "refers_to": None, "origin": None, "chain_seq": None, "prev_hash": None,
             "hash": None, "partner_id": partner[0], "process": process, "stage": stage},
        )  # fmt: skip


# --- measuring ------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    target: str
    times: list[float]  # seconds
    note: str = ""

    def cells(self) -> list[str]:
        if not self.times:
            return ["–", "–", "–", self.note or "not measured"]
        ordered = sorted(self.times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        ms = [statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000]
        return [f"{v:.1f}" for v in ms] + [self.note or f"n={len(ordered)}"]


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _national(msisdn: str) -> str:
    return "0" + msisdn[3:] if msisdn.startswith("+41") else msisdn


def measure(db: Database, samples: int, seed: int = 2) -> list[Figure]:
    """Every figure of the table, through the service functions the window calls."""
    from app.services.customers import customer_overview, history_page, search_customers

    rnd = random.Random(seed)
    with db.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Customer.__table__)) or 0
        picks = []
        for _ in range(samples):
            no = f"C-{rnd.randrange(total):07d}"
            row = conn.execute(
                select(Customer.id, Customer.msisdn, Customer.name).where(
                    Customer.customer_no == no
                )
            ).one()
            picks.append((no, *row))
        heavy = conn.scalar(select(Customer.id).where(Customer.customer_no == "C-0000000"))
        assert heavy is not None
        heavy_entries = conn.scalar(
            select(func.count())
            .select_from(HistoryEntry.__table__)
            .where(HistoryEntry.customer_id == heavy)
        )

    def search(queries: list[str]) -> list[float]:
        search_customers(db, queries[0])  # the first use settles the connection pool
        return [_timed(lambda q=q: search_customers(db, q)) for q in queries]

    def words(lo: int, hi: int) -> list[str]:
        out = []
        for _, _, _, name in picks:
            word = rnd.choice(name.split())
            out.append(word[: rnd.randint(lo, hi)])
        return out

    def open_customer(cid: uuid.UUID) -> None:
        customer_overview(db, cid)
        history_page(db, cid)

    letters = "abcdefghiklmnoprstwz"
    short = [rnd.choice(letters) + (rnd.choice(letters) if k % 2 else "") for k in range(samples)]
    figures = [
        Figure("search: full MSISDN", "p95 < 15", search([_national(m) for _, _, m, _ in picks])),
        Figure("search: customer number", "p95 < 15", search([no for no, *_ in picks])),
        Figure(
            "search: first 6 digits", "p95 < 15", search([_national(m)[:6] for _, _, m, _ in picks])
        ),
        Figure("search: 3–5 letter name prefix", "p95 < 15", search(words(3, 5))),
        Figure("search: 1–2 letter prefix", "p95 < 15", search(short)),
        Figure(
            f"open the customer with {heavy_entries:,} entries (overview + first page)",
            "< 60",
            [_timed(lambda: open_customer(heavy)) for _ in range(max(3, samples // 10))],
        ),
        Figure(
            "open a customer not opened before (overview + first page)",
            "< 100",
            [_timed(lambda c=c: open_customer(c)) for _, c, _, _ in picks[: max(3, samples // 4)]],
        ),
    ]
    figures.append(_worklist_figure(db))
    from tests.bench.bench_history import history_figures

    figures.extend(history_figures(db, max(5, samples // 5)))
    figures.append(
        Figure(
            "longest GUI stall (heartbeat)",
            "< 50",
            [],
            "not measured here: tests/ui heartbeat test",
        )
    )
    return figures


def _worklist_figure(db: Database) -> Figure:
    try:
        from app.services.worklists import worklist
    except ImportError:  # pragma: no cover - the service moved
        return Figure("fair-use worklist", "< 2000", [], "not measured")
    return Figure(
        "fair-use worklist (whole list)",
        "< 2000",
        [_timed(lambda: worklist(db, "fair-use", TODAY))],
        "n=1",
    )


COLD_START = """
import sys, time
t0 = time.perf_counter()
from app.ui.app import create_application, open_database
from app.ui.main_window import MainWindow
app = create_application(["agent-assist"])
window = MainWindow()
window.show()
app.processEvents()
shown = time.perf_counter() - t0
db = open_database(sys.argv[1])
window.set_database(db)
app.processEvents()
ready = time.perf_counter() - t0
import uuid
from app.services.customers import customer_overview, history_page
t1 = time.perf_counter()
customer_overview(db, uuid.UUID(sys.argv[2]))
history_page(db, uuid.UUID(sys.argv[2]))
print(shown, ready, time.perf_counter() - t1)
"""


def cold_start_figures(url: str, customer_id: uuid.UUID, runs: int) -> list[Figure]:
    """A fresh process: window shown, database open (interactive), first customer opened."""
    names = [
        ("cold start: window shown", "< 800"),
        ("cold start: window interactive on this database", "< 800"),
        ("first open of a customer in a new process", "< 100"),
    ]
    if runs < 1:
        return [Figure(name, target, [], "not measured") for name, target in names]
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AGENT_ASSIST_AGENT_NAME="Bench")
    times: list[list[float]] = [[], [], []]
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", COLD_START, url, str(customer_id)],
            capture_output=True, text=True, cwd=root, env=env, check=True,
        )  # fmt: skip
        for column, value in zip(times, done.stdout.split()[-3:], strict=True):
            column.append(float(value))
    return [Figure(n, t, column, f"n={runs}") for (n, t), column in zip(names, times, strict=True)]


# --- the machine, the databases, the table ------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        memory = f"{ram:.0f} GB RAM"
    except (ValueError, OSError, AttributeError):
        memory = "RAM unknown"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores, {memory}, {system}"


@contextmanager
def database(
    engine: str, folder: Path, keep: bool, name: str = "agent_assist_bench_scale"
) -> Iterator[tuple[Database, str]]:
    if engine == "sqlite":
        path = folder / (
            "bench-scale.sqlite3" if name == "agent_assist_bench_scale" else f"{name}.sqlite3"
        )
        db = Database(f"sqlite:///{path}")
        try:
            yield db, f"SQLite {_sqlite_version()}"
        finally:
            db.dispose()
        return
    name = name if keep else f"agent_assist_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        version = conn.scalar(text("SHOW server_version"))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, migrate=True)
    try:
        yield db, f"PostgreSQL {version}"
    finally:
        db.dispose()
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _some_customer(db: Database) -> uuid.UUID:
    """A customer from the middle of the base, one the measurements did not open."""
    with db.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Customer.__table__)) or 1
        no = f"C-{total // 2 + 1:07d}" if total > 2 else "C-0000000"
        found = conn.scalar(select(Customer.id).where(Customer.customer_no == no))
    return found or uuid.uuid4()


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Customer.__table__)) or 0


def table(rows: list[tuple[str, str, Figure]], header: str) -> str:
    lines = [
        header,
        "",
        "| engine | figure | target (ms) | p50 (ms) | p95 (ms) | max (ms) | |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine, scale, figure in rows:
        lines.append(
            "| " + " | ".join([engine, figure.name, figure.target, *figure.cells()]) + " |"
        )
        del scale
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench scale", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--customers", type=int, default=2000, help="scale (default 2000: the CI smoke size)"
    )
    parser.add_argument("--entries", type=int, default=10, help="history entries per customer")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--samples", type=int, default=200, help="queries per search figure")
    parser.add_argument(
        "--cold-start-runs", type=int, default=3, help="fresh processes started (0: none)"
    )
    parser.add_argument("--keep", type=Path, help="build in (and reuse from) this folder")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, Figure]] = []
    builds = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for engine in args.engines.split(","):
            with database(engine, folder, args.keep is not None) as (db, label):
                built = _count(db)
                if built not in (0, args.customers):
                    print(
                        f"{engine}: holds {built} customers, not {args.customers}", file=sys.stderr
                    )
                    return 2
                if built == 0:
                    seconds = _timed(lambda db=db: build(db, args.customers, args.entries))
                    builds.append(f"{label}: built in {seconds:.0f} s")
                with db.engine.connect() as conn:
                    entries = conn.scalar(select(func.count()).select_from(HistoryEntry.__table__))
                for figure in measure(db, args.samples):
                    rows.append((label, "", figure))
                pick = _some_customer(db)
                for figure in cold_start_figures(db.url, pick, args.cold_start_runs):
                    rows.append((label, "", figure))
                builds.append(f"{label}: {args.customers:,} customers, {entries:,} history entries")
    header = "\n".join([f"Machine: {machine()}", *builds])
    print(table(rows, header))
    return 0
