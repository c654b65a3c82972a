"""Hostile rule files: every edit is loaded or refused naming the file, never a traceback.

The shipped rule files are damaged line by line (lines removed, doubled,
replaced by deep nesting, 40-digit amounts, stray tables, random text) and
loaded as ``agent-assist rules --rules DIR`` would: the set loads, or a
:class:`RuleFileError` names the file (and the line or key); the command exits
0 or 2.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.domain.ruleset import RULE_FILES
from app.services.rules import RuleFileError, default_rules_dir, load_ruleset

HOSTILE_LINES = [
    "x = " + "[" * 2000 + "]" * 2000,
    "x = " + "{a = " * 2000 + "1" + "}" * 2000,
    'floor = "' + "9" * 40 + '.00"',
    'floor = "-' + "9" * 29 + '"',
    "notice_months = 99999999999999999999999",
    "notice_months = -1",
    "[[examples]]",
    "[meta]",
    'input = """' + "[" * 500 + '"""',
    "input = '" + '{"a":' * 100 + "'",
    "valid_from = 9999-12-31",
    "version = ''",
    "days_before = ３",
    "\x00",
    "\ufeff",
    "x = nan",
    "= 1",
]


@st.composite
def damaged_sets(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, its damaged text)."""
    file = draw(st.sampled_from(sorted(RULE_FILES)))
    lines = (default_rules_dir() / file).read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "double", "replace", "insert"]))
        new = draw(st.sampled_from(HOSTILE_LINES) | st.text(max_size=30))
        if kind == "delete":
            del lines[index]
        elif kind == "double":
            lines.insert(index, lines[index])
        elif kind == "replace":
            lines[index] = new
        else:
            lines.insert(index, new)
        if not lines:
            lines = [""]
    return file, "\n".join(lines) + "\n"


def _load(file: str, text: str) -> tuple[str | None, int, str, str]:
    """Load the set with one damaged file; (error, exit code, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "rules"
        shutil.copytree(default_rules_dir(), folder)
        (folder / file).write_text(text, encoding="utf-8")
        error: str | None = None
        try:
            load_ruleset(folder)
        except RuleFileError as exc:
            error = exc.with_line()
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin = _Stdin(b'{"today": "2026-06-25", "bundles": []}')  # type: ignore[assignment]
        sys.stdout, sys.stderr = out, err
        try:
            code = main(["rules", "expiry", "--rules", str(folder)])
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
    return error, code, out.getvalue(), err.getvalue()


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_sets())
def test_damaged_rule_files_load_or_name_the_file(case: tuple[str, str]) -> None:
    file, text = case
    error, code, out, err = _load(file, text)
    if error is None:
        assert code == 0, err
        return
    assert error.startswith(f"{file}: "), error
    assert "line " in error, error
    assert code == 2
    assert json.loads(out)["error"]["message"].endswith(error)
    assert "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("line", HOSTILE_LINES[:4])
def test_hostile_lines_are_refused_naming_file_and_place(line: str) -> None:
    file = "goodwill.toml"
    text = (default_rules_dir() / file).read_text(encoding="utf-8")
    text = text.replace('floor = "0.00"', line, 1)
    error, code, _out, err = _load(file, text)
    assert code == 2, err
    assert error is not None and error.startswith(f"{file}: ")
    assert "line " in error or "credit.floor" in error, error
