"""A broken rule file, playbook or database URL: every entry point says so in one line.

Each sub-command that reads the rules or the playbooks — ``todo``,
``worklist``, ``letters``, ``demo``, ``import`` — exits 2 with the line
``agent-assist rules`` shows (file, place, problem) instead of a traceback.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import app.services.rules as rules_module
from app.cli import main
from app.services.demo import create_demo
from app.services.playbooks import default_playbooks_dir, use_playbooks_dir
from app.services.rules import default_rules_dir

REFERENCE = date(2026, 3, 15)
WORKLISTS = ["fair-use", "reminders", "onboarding", "complaints"]

COMMANDS = [
    ["todo", "C-10001"],
    ["todo", "C-10005", "--json"],
    ["todo", "C-10025", "--date", "2026-03-20"],
    ["worklist", "fair-use"],
    ["worklist", "reminders"],
    ["worklist", "onboarding"],
    ["worklist", "complaints", "--json"],
]
#: Commands that may not need every file (they must still never show a traceback).
OTHER_COMMANDS = [["letters", "batch"], ["letters", "batch", "--month", "2026-03"]]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_demo(f"sqlite:///{path.as_posix()}", seed=7, reference=REFERENCE)
    return path


@pytest.fixture
def demo_url(demo_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_file, copy)
    return f"sqlite:///{copy.as_posix()}"


@pytest.fixture
def broken_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shipped rules with an array left open at the top of ``fair_use.toml``."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    path = folder / "fair_use.toml"
    path.write_text("broken = [1, 2\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(rules_module, "default_rules_dir", lambda: folder)
    rules_module._default_ruleset.cache_clear()
    yield "fair_use.toml"
    rules_module._default_ruleset.cache_clear()


@pytest.fixture
def broken_playbooks(tmp_path: Path) -> Iterator[str]:
    """The shipped playbooks with a step of ``expiry.yaml`` named twice."""
    folder = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), folder)
    path = folder / "expiry.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: reminder\n", "  - id: reminder\n    id: other\n", 1))
    use_playbooks_dir(folder)
    yield "expiry.yaml"
    use_playbooks_dir(None)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_broken_rule_file_is_one_line_and_exit_2(
    args: list[str], demo_url: str, broken_rules: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run([*args, "--db", demo_url], capsys)
    assert code == 2, err
    assert err.startswith(f"agent-assist: Rule files: {broken_rules}: "), err
    assert "line " in err and err.count("\n") == 1


@pytest.mark.parametrize("args", OTHER_COMMANDS, ids=" ".join)
def test_other_commands_with_broken_rules_answer_or_say_so(
    args: list[str], demo_url: str, broken_rules: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run([*args, "--db", demo_url], capsys)
    if code != 0:
        assert code == 2 and err.startswith(f"agent-assist: Rule files: {broken_rules}: "), err


@pytest.mark.parametrize("args", COMMANDS + OTHER_COMMANDS, ids=" ".join)
def test_a_broken_playbook_is_one_line_and_exit_2(
    args: list[str], demo_url: str, broken_playbooks: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run([*args, "--db", demo_url], capsys)
    if code == 0:  # it words its lines without that playbook
        return
    assert code == 2, err
    assert err.startswith(f"agent-assist: Playbook files: {broken_playbooks}: "), err
    assert err.count("\n") == 1


def test_demo_with_broken_rules_is_one_line(
    tmp_path: Path, broken_rules: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{(tmp_path / 'new-demo.sqlite3').as_posix()}"
    code, err = _run(["demo", "--yes", "--db", url, "--date", "2026-03-15"], capsys)
    assert code in (0, 2)
    if code == 2:
        assert err.startswith(f"agent-assist: Rule files: {broken_rules}: "), err


HOSTILE_DATES = [
    "9999-12-31",
    "0001-01-01",
    "２０２６-０３-１５",
    "2026-02-30",
    "2026-3-15",
    "\x00",
]


@pytest.mark.parametrize("value", HOSTILE_DATES)
@pytest.mark.parametrize(
    "args",
    [["todo", "C-10001"], *([["worklist", kind] for kind in WORKLISTS])],
    ids=" ".join,
)
def test_hostile_dates_are_one_line_and_exit_2(
    args: list[str], value: str, demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run([*args, "--date", value, "--db", demo_url], capsys)
    assert code == 2, err
    assert err.startswith("agent-assist: --date: ") and err.count("\n") == 1, err


@pytest.mark.parametrize("value", HOSTILE_DATES)
def test_the_demo_refuses_hostile_dates(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{(tmp_path / 'demo.sqlite3').as_posix()}"
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--yes", "--date", value, "--db", url])
    assert exited.value.code == 2
    assert "--date" in capsys.readouterr().err


def test_the_demo_refuses_absurd_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{(tmp_path / 'demo.sqlite3').as_posix()}"
    code, err = _run(["demo", "--yes", "--customers", "100000000", "--db", url], capsys)
    assert code == 2 and "--customers" in err


@pytest.mark.parametrize(
    "value", ["9999-12", "0000-01", "２０２６-０３", "2026-13", "2026-3", "\x00"]
)
def test_letters_batch_refuses_hostile_months(
    value: str, demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(["letters", "batch", "--month", value, "--db", demo_url], capsys)
    assert code == 2, err
    assert err.startswith("agent-assist: ") and err.count("\n") == 1, err
