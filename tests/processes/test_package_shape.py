"""Each process is one package under app/processes, below the screens and commands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.processes import processes
from tests.domain.test_layering import imported_modules

PROCESSES_DIR = Path(__file__).resolve().parents[2] / "app" / "processes"
ABOVE = ("app.ui", "app.commands", "app.cli", "PySide6")


@pytest.mark.parametrize("path", sorted(PROCESSES_DIR.rglob("*.py")), ids=str)
def test_a_process_module_imports_nothing_of_the_screens_or_commands(path: Path) -> None:
    for module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
        assert not module.startswith(ABOVE), f"{path.name} imports {module}"


def test_every_process_lives_in_its_own_package() -> None:
    names = [spec.name for spec in processes()]
    # Registration order is the order of "Start a process" (contract third, as before).
    assert names == ["fair_use", "expiry", "contract", "onboarding", "complaint"]
    for spec in processes():
        assert (PROCESSES_DIR / spec.name / "__init__.py").is_file()
        assert spec.guide_module == f"app.processes.{spec.name}.guide"
        for hook in (spec.todo, spec.covers_case, spec.item_words, spec.row_words):
            module = getattr(hook, "__module__", "")
            if (
                hook is not None
                and module.startswith("app.processes.")
                and module != "app.processes.base"
            ):
                assert module.startswith(f"app.processes.{spec.name}")
        for build in spec.worklists.values():
            assert build.__module__.startswith(f"app.processes.{spec.name}.")
