"""Reading the rule files: the one place the rules touch the file system.

``load_ruleset()`` reads the shipped set from ``resources/rules/`` (cached);
``load_ruleset(directory)`` reads another set with the same file names, e.g.
to try a policy change with ``agent-assist rules --rules DIR``.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from app.domain.ruleset import RULE_FILES, RuleFileError, RuleSet
from app.resources import resource_path
from app.services.textfile import read_text

__all__ = ["RuleFileError", "default_rules_dir", "load_ruleset", "read_rule_files"]


def default_rules_dir() -> Path:
    """The rule files shipped with the app."""
    return resource_path("rules")


#: A rule file is a few kilobytes; anything far larger is not one.
MAX_RULE_FILE_BYTES = 1_000_000
#: How deeply arrays and inline tables may nest (the shipped files: 2 levels).
MAX_TOML_DEPTH = 32
_TOML_TOKEN_RE = re.compile(
    r'''"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*|[\[\]{}]'''
)


def _nesting_problem(text: str) -> str | None:
    """Where arrays or inline tables nest deeper than :data:`MAX_TOML_DEPTH`."""
    depth = 0
    for token in _TOML_TOKEN_RE.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                return f"nested deeper than {MAX_TOML_DEPTH} levels (at line {line})"
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_text(
        path,
        MAX_RULE_FILE_BYTES,
        lambda problem: RuleFileError(path.name, "", problem),
        "rule file",
    )
    problem = _nesting_problem(text)
    if problem is not None:
        raise RuleFileError(path.name, "", f"not valid TOML: {problem}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(path.name, "", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise RuleFileError(path.name, "", "not valid TOML: nested too deeply") from None


def read_rule_files(directory: Path) -> dict[str, dict[str, Any]]:
    """The parsed TOML of every rule file in ``directory`` (file name -> mapping)."""
    if not directory.is_dir():
        raise RuleFileError(str(directory), "", "not a folder of rule files")
    return {name: _read_toml(directory / name) for name in RULE_FILES}


_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def line_of_key(text: str, key: str) -> int | None:
    """The line (from 1) of a dotted key (``credit.floor``, ``examples.3.output``) in a
    rule file, or of the nearest enclosing table or key that is found."""
    wanted = key.split(".")
    best: tuple[int, int] | None = None  # (parts matched, line)
    table: list[str] = []
    arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header:
            name = header[2]
            if header[1] == "[[":
                arrays[name] = arrays.get(name, -1) + 1
                table = [*name.split("."), str(arrays[name])]
            else:
                table = name.split(".")
            path = table
        else:
            assignment = _KEY_RE.match(line)
            if assignment is None:
                continue
            path = [*table, assignment[1]]
        matched = 0
        for have, want in zip(path, wanted, strict=False):
            if have != want:
                break
            matched += 1
        if matched == len(path) and matched and (best is None or matched > best[0]):
            best = (matched, number)
    return None if best is None else best[1]


def _with_line(directory: Path, exc: RuleFileError) -> RuleFileError:
    """``exc`` with the line of its key in the file (:meth:`RuleFileError.with_line`)."""
    if not exc.key:
        return exc
    try:
        text = (directory / exc.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return exc
    exc.line = line_of_key(text, exc.key)
    return exc


def _load(directory: Path) -> RuleSet:
    try:
        return RuleSet.from_mappings(read_rule_files(directory))
    except RuleFileError as exc:
        raise _with_line(directory, exc) from None


@cache
def _default_ruleset() -> RuleSet:
    return _load(default_rules_dir())


def load_ruleset(directory: Path | None = None) -> RuleSet:
    """The validated rule set from ``directory`` (default: the shipped one, cached).

    Raises :class:`RuleFileError` naming the file, key, problem and line.
    """
    if directory is None:
        return _default_ruleset()
    return _load(Path(directory))
