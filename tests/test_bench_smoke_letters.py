"""The letters benchmark still runs (timings are not asserted: machines differ)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent / "bench" / "bench_letters.py"


def test_letters_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--letters", "5", "--repeat", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[1:5]] == ["de", "en", "ru", "zh"]
    assert lines[-1].startswith("5 letters: ")
