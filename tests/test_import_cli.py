"""``agent-assist import`` as operators run it: a separate process, the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.resources import resource_path


def agent_assist(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_import_in_a_process_with_the_database_from_the_environment(tmp_path: Path) -> None:
    db_file = tmp_path / "new" / "agent-assist.sqlite3"
    env = {**os.environ, "AGENT_ASSIST_DB": f"sqlite:///{db_file}", "LANGUAGE": "en"}
    samples = resource_path("samples", "import")

    result = agent_assist("import", "partners", str(samples / "partners.csv"), env=env)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "imported 4, updated 0, unchanged 0, rejected 0\n",
        "",
    )
    assert db_file.exists()  # created and migrated on first use

    bad = tmp_path / "customers.csv"
    bad.write_text(
        "customer_no,msisdn,name,language,partner\n"
        "X-1,079 123 45 67,Good,de,KNU-ZH\n"
        "X-2,079 123 45 68,Nobody's,de,NOPE\n",
        encoding="utf-8",
    )
    result = agent_assist("import", "customers", str(bad), "--dry-run", env=env)
    assert result.returncode == 1
    assert result.stdout == (
        "dry run, nothing written: would import 1, update 0, leave 0 unchanged, reject 1\n"
    )
    assert result.stderr == (
        f"{bad}:3: partner: unknown partner 'NOPE' (a dry run writes nothing, so partners "
        "of a partners file that was only checked with --dry-run are not known yet: import "
        "that file first)\n"
    )

    result = agent_assist("import", "customers", str(tmp_path / "missing.csv"), env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"agent-assist: {tmp_path / 'missing.csv'}: no such file\n"
