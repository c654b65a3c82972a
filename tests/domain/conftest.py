"""Fixtures for the rules tests: the shipped rule set and editable copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain.ruleset import RuleSet
from app.services.rules import default_rules_dir, load_ruleset


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_ruleset()


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped rule files."""
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target


@pytest.fixture
def edit_rule(rules_copy: Path) -> Callable[[str, str, str], RuleSet]:
    """Replace ``old`` by ``new`` in one copied rule file and load the copy."""

    def edit(file: str, old: str, new: str) -> RuleSet:
        path = rules_copy / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return load_ruleset(rules_copy)

    return edit
