"""The operator-scale benchmark still runs, on both engines (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIGURES = [
    "search: full MSISDN",
    "search: customer number",
    "search: first 6 digits",
    "search: 3–5 letter name prefix",
    "search: 1–2 letter prefix",
]


@pytest.mark.postgres
def test_scale_benchmark_prints_every_figure_for_both_engines() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "scale", "--customers", "300", "--samples", "5",
         "--cold-start-runs", "0"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Machine:" in out and "cores" in out
    assert "300 customers" in out
    rows = [line.split(" | ") for line in out.splitlines() if line.startswith("| ")]
    for engine in ("SQLite", "PostgreSQL"):
        for figure in FIGURES:
            found = [r for r in rows if r[0].startswith(f"| {engine}") and r[1] == figure]
            assert found, (engine, figure, out)
            p50, p95, top = (float(v) for v in found[0][3:6])
            assert 0 < p50 <= p95 <= top
        opened = [r for r in rows if r[0].startswith(f"| {engine}") and r[1].startswith("open ")]
        assert len(opened) == 2


def test_the_bench_module_explains_its_use() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 2 and "scale" in done.stderr
