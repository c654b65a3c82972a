"""The command line as a whole: help on every level, --db before or after a command."""

from __future__ import annotations

import argparse
import json

import pytest

from app import commands
from app.cli import CommandError, build_parser, main
from app.commands import COMMAND_MODULES
from app.store.db import Database


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


def test_a_command_disposes_its_database_however_it_ends(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    disposed: list[str] = []
    real_dispose = Database.dispose

    def dispose(self: Database) -> None:
        disposed.append(self.url)
        real_dispose(self)

    monkeypatch.setattr(Database, "dispose", dispose)
    # Refused with a message (no such customer: exit 1), and done (an empty worklist, as JSON).
    assert main(["todo", "C-404", "--db", sqlite_db.url]) == 1
    assert "has no customers yet" in capsys.readouterr().err
    assert main(["worklist", "fair-use", "--json", "--db", sqlite_db.url]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == []
    assert disposed == [sqlite_db.url, sqlite_db.url]


def test_database_is_disposed_when_the_block_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    class Opened:
        disposed = False

        def dispose(self) -> None:
            self.disposed = True

    opened = Opened()
    monkeypatch.setattr(commands, "open_database", lambda args: opened)
    with pytest.raises(CommandError), commands.database(argparse.Namespace()) as db:
        assert db is opened and not opened.disposed
        raise CommandError("stop")
    assert opened.disposed


def test_print_json_writes_one_line_keeping_non_ascii(capsys: pytest.CaptureFixture[str]) -> None:
    commands.print_json({"name": "Zürich 拉萨"})
    assert capsys.readouterr().out == '{"name": "Zürich 拉萨"}\n'


def test_add_action_declares_json_db_and_the_handler() -> None:
    def handler(args: argparse.Namespace) -> int:
        return 0

    parser = argparse.ArgumentParser()
    actions = parser.add_subparsers()
    commands.add_action(actions, "plain", handler, help="h")
    listing = commands.add_action(actions, "list", handler, help="h", json_help="as JSON")
    listing.add_argument("who")
    args = parser.parse_args(["list", "anna", "--json", "--db", "sqlite:///x"])
    assert (args.who, args.json, args.db, args.handler) == ("anna", True, "sqlite:///x", handler)
    assert parser.parse_args(["plain", "--demo"]).demo is True
    with pytest.raises(SystemExit):
        parser.parse_args(["plain", "--json"])
