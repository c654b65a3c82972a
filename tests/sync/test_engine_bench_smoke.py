"""The sync benchmark runs at a small scale (the figures are the benchmark's, by hand)."""

from __future__ import annotations

import pytest

from tests.bench.__main__ import main

pytestmark = pytest.mark.postgres


def test_the_sync_benchmark_pushes_and_pulls_a_few_entries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sync", "--entries", "300"]) == 0
    out = capsys.readouterr().out
    assert "push 300 pending entries" in out and "pull 300 new entries" in out
