"""The command line as a whole: help on every level, --db before or after a command."""

from __future__ import annotations

import pytest

from app.cli import build_parser, main
from app.commands import COMMAND_MODULES


def test_db_may_stand_before_or_after_the_sub_command() -> None:
    parser = build_parser()
    assert parser.parse_args(["--db", "sqlite:///a", "todo", "C-1"]).db == "sqlite:///a"
    assert parser.parse_args(["todo", "C-1", "--db", "sqlite:///b"]).db == "sqlite:///b"
    assert parser.parse_args(["--db", "sqlite:///a", "todo", "C-1", "--db", "sqlite:///b"]).db == (
        "sqlite:///b"
    )
    assert parser.parse_args(["todo", "C-1"]).db is None


@pytest.mark.parametrize("name", ["import" if m == "importer" else m for m in COMMAND_MODULES])
def test_every_command_explains_itself(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([name, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: agent-assist")
    assert len(out.splitlines()) > 3


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in COMMAND_MODULES:
        assert ("import" if name == "importer" else name) in out
