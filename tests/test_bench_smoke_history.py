"""The history browser's benchmark still runs, on both engines (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
def test_history_benchmark_prints_first_and_deep_pages_for_both_engines() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "history", "--customers", "200", "--samples", "3"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| ")]
    for engine in ("SQLite", "PostgreSQL"):
        mine = [r for r in rows if r[0].startswith(f"| {engine}")]
        names = {r[1] for r in mine}
        for filter_name in ("no filter", "agent", "partner", "process", "kind", "one month"):
            for depth in ("first", "deep"):
                assert f"history page: {filter_name}, {depth}" in names, (engine, done.stdout)
        for r in mine:
            if r[3] != "–":
                p50, p95, top = (float(v) for v in r[3:6])
                assert 0 < p50 <= p95 <= top
    assert "history entries" in done.stdout
