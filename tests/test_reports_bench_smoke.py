"""The reports benchmark still runs (timings are not asserted: machines differ)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "bench" / "bench_reports.py"


def test_reports_benchmark_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--customers", "1200", "--engines", "sqlite"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split()[:2] for line in lines[1:]] == [
        ["sqlite", "generate"],
        ["sqlite", "fair-use"],
        ["sqlite", "complaints"],
        ["sqlite", "onboarding"],
        ["sqlite", "reminders"],
        ["sqlite", "controlling"],
        ["sqlite", "orphaned-device-plans"],
    ]
    counts = {parts[1]: int(parts[2]) for parts in (line.split() for line in lines[2:])}
    assert counts["controlling"] == counts["orphaned-device-plans"] == 6  # every 200th
    assert counts["fair-use"] > 0 and counts["onboarding"] > 0
