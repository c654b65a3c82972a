"""Hostile playbook files: checked or refused naming file and place, never a traceback.

Keys given twice (YAML would keep the last silently), flows and steps sharing
an id, 10,000-deep nesting, alias bombs and random damage to the shipped
playbooks: ``playbooks check`` prints ``FILE: place: problem`` lines and exits
0 or 1; the problem names the line for YAML problems and the flow and step for
schema problems.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.domain.playbook_schema import PlaybookError
from app.services.playbooks import PROCESSES, default_playbooks_dir, read_playbook

SHIPPED = {p: (default_playbooks_dir() / f"{p}.yaml").read_text("utf-8") for p in PROCESSES}


def _check(process: str, text: str) -> tuple[int, list[str], str]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(default_playbooks_dir(), folder, dirs_exist_ok=True)
        (folder / f"{process}.yaml").write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            code = main(["playbooks", "check", str(folder)])
        finally:
            sys.stdout, sys.stderr = saved
    return code, out.getvalue().splitlines(), err.getvalue()


def _problem(process: str, text: str) -> str:
    code, lines, err = _check(process, text)
    assert code == 1, lines
    assert err == ""
    assert len(lines) == 1 and lines[0].startswith(f"{process}.yaml: "), lines
    return lines[0]


def test_a_key_given_twice_names_its_line() -> None:
    text = SHIPPED["expiry"].replace("  - id: goodwill\n", "  - id: goodwill\n    id: other\n")
    line = _problem("expiry", text)
    duplicate = text.splitlines().index("    id: other") + 1
    assert f"line {duplicate}," in line and "'id'" in line and "twice" in line


def test_a_step_given_twice_in_a_mapping_names_its_line() -> None:
    text = SHIPPED["complaint"]
    text = text.replace("        title:", "        title: {en: a}\n        title:", 1)
    assert "line " in _problem("complaint", text)


def _line(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_a_flow_id_given_twice_names_the_flow() -> None:
    text = SHIPPED["expiry"].replace("  - id: goodwill\n", "  - id: reminder\n")
    assert _problem("expiry", text) == (
        "expiry.yaml: flows.reminder: duplicate flow id reminder "
        f"(line {_line(text, '  - id: reminder')})"
    )


def test_a_step_id_given_twice_names_flow_and_step() -> None:
    text = SHIPPED["complaint"].replace("      - id: channel\n", "      - id: mass_incident\n", 1)
    line = _problem("complaint", text)
    assert line == (
        "complaint.yaml: flows.intake: duplicate step id mass_incident "
        f"(line {_line(text, '  - id: intake')})"
    )


def test_a_schema_problem_names_the_line_of_the_value() -> None:
    text = SHIPPED["expiry"].replace('version: "2026.1"', "version: ''", 1)
    line = _line(text, "  version: ''")
    assert _problem("expiry", text) == (
        f"expiry.yaml: meta.version: String should have at least 1 character (line {line})"
    )


@pytest.mark.parametrize(
    "nest",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "\n".join("  " * i + "a:" for i in range(200)) + " 1",
    ],
    ids=["flow-lists", "flow-maps", "block-maps"],
)
def test_deep_nesting_names_its_line(nest: str) -> None:
    text = SHIPPED["fair_use"] + "\nextra:\n  " + nest.replace("\n", "\n  ") + "\n"
    line = _problem("fair_use", text)
    assert "nested deeper than" in line and re.search(r": line \d+, column \d+:", line)


def test_an_alias_bomb_is_refused_quickly() -> None:
    bomb = "lol0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10)
    )
    line = _problem("onboarding", SHIPPED["onboarding"] + bomb)
    assert "aliases expand" in line


HOSTILE_LINES = [
    "[" * 300,
    "- id: x",
    "  - id: intake",
    "      - id: intake",
    "id: id",
    "&a [*a]",
    "*nothing",
    "!!python/object:os.system ls",
    "\t",
    "'",
    "meta: 5",
    "steps: []",
    "    body: 5",
    "        title: 5",
    "x: 99999999999999999999999999999999999",
]


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, str]:
    process = draw(st.sampled_from(PROCESSES))
    lines = SHIPPED[process].splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "double", "replace", "insert"]))
        new = draw(st.sampled_from(HOSTILE_LINES) | st.text(max_size=20))
        if kind == "delete":
            del lines[index]
        elif kind == "double":
            lines.insert(index, lines[index])
        elif kind == "replace":
            lines[index] = new
        else:
            lines.insert(index, new)
    return process, "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_playbooks_are_checked_or_refused_naming_the_file(case: tuple[str, str]) -> None:
    process, text = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{process}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            read_playbook(path)
        except PlaybookError as exc:
            assert str(exc).startswith(f"{process}.yaml: ")
            shown = exc.with_line()
            assert re.search(r"line \d+", shown) or "is missing" in shown, shown


def test_a_character_yaml_refuses_names_its_line_in_one_line() -> None:
    lines = SHIPPED["fair_use"].splitlines()
    lines.insert(20, "  \x1f")
    line = _problem("fair_use", "\n".join(lines) + "\n")
    assert line == (
        "fair_use.yaml: line 21, column 3: not valid YAML: the character U+001F is not allowed"
    )
