"""How fast ``agent-assist import customers`` runs, on SQLite and PostgreSQL.

Generates its own files (three partners, N customers in four languages with
MSISDNs in mixed notations), then per engine imports the customers into an
empty database, imports the same file again (every row unchanged), and
imports it a third time with every name changed (every row updated, one
history entry each). Prints rows per second and the peak memory of the
process, which must not grow with N.

    .venv/bin/python tests/bench/bench_import.py --rows 100000
    .venv/bin/python tests/bench/bench_import.py --rows 20000 --engines sqlite
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.services.importing import run_import
from app.store.db import Database, make_engine

PG_ADMIN_URL = os.environ.get(
    "AGENT_ASSIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PARTNERS = [("KNU-ZH", "Kabelnetz Zürich", "CH", "de"), ("SD-JN", "山东联通", "CN", "zh"),
            ("MSK-01", "Связь-Москва", "RU", "ru")]  # fmt: skip
COLUMNS = [
    "customer_no",
    "msisdn",
    "name",
    "language",
    "partner",
    "customer_value",
    "vip",
    "products",
]
NAMES = {
    "de": ["Anna Müller", "Jürg Keller", "Beat Schmid", "Ursula Weiß"],
    "en": ["Emily Johnson", "Daniel O'Brien", "Sarah Smith"],
    "ru": ["Иван Петров", "Ольга Смирнова", "Пётр Ёлкин"],
    "zh": ["王芳", "李伟", "张静"],
}


def customer_row(i: int, suffix: str = "") -> list[str]:
    """One customer; the MSISDN notation varies with ``i``."""
    kind = i % 4
    if kind == 3:
        partner, language = "SD-JN", "zh"
        msisdn = f"136{i % 10**8:08d}" if i % 2 else f"+86 139 {i % 10**8:08d}"
    elif kind == 2:
        partner, language = "MSK-01", "ru"
        digits = f"{i % 10**7:07d}"
        msisdn = f"8 (912) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
    else:
        partner, language = "KNU-ZH", "en" if kind else "de"
        digits = f"{i % 10**7:07d}"
        notation = i % 3
        if notation == 0:
            msisdn = f"079 {digits[:3]} {digits[3:5]} {digits[5:]}"
        elif notation == 1:
            msisdn = f"+41 78 {digits[:3]} {digits[3:5]} {digits[5:]}"
        else:
            msisdn = f"004176{digits}"
    names = NAMES[language]
    name = f"{names[i % len(names)]} {i}{suffix}"
    vip = "true" if i % 50 == 0 else "false"
    return [f"C{i:08d}", msisdn, name, language, partner, str(1 + i % 4), vip, "mobile_tv;aio"]


def write_files(folder: Path, rows: int) -> tuple[Path, Path, Path]:
    partners = folder / "partners.csv"
    with partners.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "country", "language"])
        writer.writerows(PARTNERS)
    files = []
    for name, suffix in (("customers.csv", ""), ("customers-renamed.csv", " jr.")):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(customer_row(i, suffix) for i in range(rows))
        files.append(path)
    return partners, files[0], files[1]


@contextmanager
def sqlite_url(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'bench.sqlite3'}"


@contextmanager
def postgres_url() -> Iterator[str]:
    name = f"agent_assist_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(engine: str, url: str, files: tuple[Path, Path, Path], rows: int, batch: int) -> None:
    partners, customers, renamed = files
    db = Database(url, migrate=True)
    try:
        run_import(db, "partners", partners, author="bench")
        for label, path, expect in (
            ("new", customers, "imported"),
            ("unchanged", customers, "unchanged"),
            ("updated", renamed, "updated"),
        ):
            problems: list[object] = []
            start = time.perf_counter()
            summary = run_import(
                db, "customers", path, author="bench", batch_size=batch, report=problems.append
            )
            seconds = time.perf_counter() - start
            counted = getattr(summary, expect)
            if counted != rows or problems:
                print(f"{engine}: expected {rows} {expect}, got {summary.text()}: {problems[:3]}")
                raise SystemExit(1)
            print(
                f"{engine:<10} customers {label:<9} {rows:>8} rows {seconds:7.2f} s "
                f"{rows / seconds:9.0f} rows/s   peak memory {peak_mb():6.0f} MB",
                flush=True,
            )
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        files = write_files(folder, args.rows)
        print(f"generated {args.rows} customers in {time.perf_counter() - start:.2f} s")
        for engine in args.engines.split(","):
            context = sqlite_url(folder) if engine == "sqlite" else postgres_url()
            with context as url:
                bench(engine, url, files, args.rows, args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
