"""The README's set-up commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _shell_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = _shell_blocks(setup)
    assert len(blocks) == 2
    assert all("\n" not in b for b in blocks), "each set-up command is one line"
    install_and_run, install_and_test = blocks
    assert install_and_run.endswith("agent-assist --demo")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"^TEST_COMMAND='(.*)'$", ci, re.M)
    assert match is not None
    assert match.group(1) == install_and_test


def test_every_command_in_the_readme_exists() -> None:
    from app.commands import COMMAND_MODULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`agent-assist ([a-z]+)", readme))
    module_for = {"import": "importer"}
    missing = {n for n in named if module_for.get(n, n) not in COMMAND_MODULES}
    assert not missing, f"README names commands that do not exist: {missing}"


def test_ci_runs_the_linters_and_the_type_checker_on_what_the_readme_installs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip().startswith(".venv/bin/")]
    assert any(c.startswith(".venv/bin/ruff check app tests") for c in commands), commands
    assert any(c.startswith(".venv/bin/ruff format --check app tests") for c in commands)
    assert any(c.startswith(".venv/bin/mypy") for c in commands)
    # Their findings fail the run, and the suite's summary stays the last line.
    assert ci.index("/mypy") < ci.index('bash -c "$TEST_COMMAND"')
    assert "checks=1" in ci and "$checks" in ci
