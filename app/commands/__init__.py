"""Sub-commands of ``agent-assist``, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets
``handler`` (a function ``(args) -> int`` returning the exit code). Modules
import their heavy dependencies (Qt, SQLAlchemy, reportlab) inside the handler,
so ``agent-assist rules`` starts without loading the GUI or the database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.store.db import Database

#: Module names below ``app.commands``, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "db",
    "demo",
    "diagnostics",
    "history",
    "importer",
    "letters",
    "playbooks",
    "report",
    "rules",
    "sync",
    "todo",
    "users",
    "worklist",
)


def open_database(args: argparse.Namespace) -> Database:
    """The database the command works on (``--db``, ``--demo`` or the default).

    A database that cannot be used is a clear line with exit code 2
    (:class:`app.cli.CommandError`), never a traceback.
    """
    from app.cli import CommandError
    from app.config import resolve_db_url
    from app.store.db import Database, DatabaseError

    try:
        return Database(resolve_db_url(getattr(args, "db", None)))
    except DatabaseError as exc:
        raise CommandError(str(exc)) from None


def add_action(
    actions: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str | None = None,
    json_help: str | None = None,
) -> argparse.ArgumentParser:
    """An ACTION of a command that works on a database: its parser, with ``--json``
    (``json_help`` says what it writes; none: no ``--json``), ``--db``/``--demo`` and
    ``handler``. The caller adds the action's own arguments to the parser returned."""
    from app.cli import add_db_option

    parser: argparse.ArgumentParser = actions.add_parser(name, help=help, description=description)
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help)
    add_db_option(parser)
    parser.set_defaults(handler=handler)
    return parser


@contextmanager
def database(args: argparse.Namespace) -> Iterator[Database]:
    """The command's database (:func:`open_database`) for the ``with`` block, disposed
    when the block ends, however it ends."""
    db = open_database(args)
    try:
        yield db
    finally:
        db.dispose()


def print_json(data: Any) -> None:
    """``data`` as one JSON object on standard output (``--json``), non-ASCII as it is."""
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
