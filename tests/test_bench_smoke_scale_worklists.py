"""The worklists' scale benchmark still runs (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.services.worklists import KINDS

ROOT = Path(__file__).resolve().parents[1]


def test_worklists_benchmark_prints_every_list_and_the_window() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "worklists", "--customers", "300"],
        capture_output=True, text=True, timeout=600, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| SQLite")]
    names = {r[1] for r in rows}
    for kind in KINDS:
        assert f"{kind} worklist (rows for the window)" in names, done.stdout
        assert f"window: {kind}, longest GUI stall" in names, done.stdout
        assert f"window: {kind}, GUI RSS (MB, not ms)" in names, done.stdout
