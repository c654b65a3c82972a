"""The import benchmark runs end to end on a small file (its figures are not checked)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent / "bench" / "bench_import.py"


@pytest.mark.postgres
def test_bench_import_runs_on_both_engines() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--rows", "300", "--batch", "100"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = re.findall(
        r"^(sqlite|postgresql) +customers (new|unchanged|updated) +300 rows .* rows/s",
        result.stdout,
        re.MULTILINE,
    )
    assert lines == [
        (engine, label)
        for engine in ("sqlite", "postgresql")
        for label in ("new", "unchanged", "updated")
    ]
