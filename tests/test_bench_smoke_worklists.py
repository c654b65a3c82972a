"""The worklist benchmark still runs (timings are not asserted: machines differ)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "bench" / "bench_worklists.py"


def test_worklist_benchmark_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--customers", "1500", "--engines", "sqlite"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    measured = [line.split()[:2] for line in lines[1:]]
    assert measured == [
        ["sqlite", "generate"],
        ["sqlite", "fair-use"],
        ["sqlite", "reminders"],
        ["sqlite", "onboarding"],
        ["sqlite", "complaints"],
        ["sqlite", "todo"],
    ]
    rows = {parts[1]: int(parts[2]) for parts in (line.split() for line in lines[2:])}
    assert rows["fair-use"] > 0 and rows["reminders"] > 0 and rows["onboarding"] > 0
