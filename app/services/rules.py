"""Reading the rule files: the one place the rules touch the file system.

``load_ruleset()`` reads the shipped set from ``resources/rules/`` (cached);
``load_ruleset(directory)`` reads another set with the same file names, e.g.
to try a policy change with ``agent-assist rules --rules DIR``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from app.domain.ruleset import RULE_FILES, RuleFileError, RuleSet
from app.resources import resource_path

__all__ = ["RuleFileError", "default_rules_dir", "load_ruleset", "read_rule_files"]


def default_rules_dir() -> Path:
    """The rule files shipped with the app."""
    return resource_path("rules")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleFileError(path.name, "", f"rule file is missing from {path.parent}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(path.name, "", f"cannot be read ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(path.name, "", f"not valid TOML: {exc}") from None


def read_rule_files(directory: Path) -> dict[str, dict[str, Any]]:
    """The parsed TOML of every rule file in ``directory`` (file name -> mapping)."""
    if not directory.is_dir():
        raise RuleFileError(str(directory), "", "not a folder of rule files")
    return {name: _read_toml(directory / name) for name in RULE_FILES}


@cache
def _default_ruleset() -> RuleSet:
    return RuleSet.from_mappings(read_rule_files(default_rules_dir()))


def load_ruleset(directory: Path | None = None) -> RuleSet:
    """The validated rule set from ``directory`` (default: the shipped one, cached).

    Raises :class:`RuleFileError` naming the file, key and problem.
    """
    if directory is None:
        return _default_ruleset()
    return RuleSet.from_mappings(read_rule_files(Path(directory)))
