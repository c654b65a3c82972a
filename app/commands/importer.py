"""``agent-assist import KIND FILE.csv``: load partners, customers and their contracts.

Each rejected row is reported as ``FILE:LINE: column: reason`` on standard
error; the summary line goes to standard output. Exit code 0 when every row
was taken, 1 when any row was rejected, 2 when the file cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli import CommandError, add_db_option
from app.i18n import _

#: Kinds of file, in the order their data depends on each other.
KINDS = ("partners", "customers", "subscriptions", "device-plans", "bundles", "fair-use")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help=_("load partners, customers, subscriptions, ... from a CSV file"),
        description=_(
            "Load one kind of data from a CSV file (UTF-8, comma-separated, header row). "
            "Rows already in the database are updated or left alone, so a file can be "
            "imported again. Import in this order: partners, customers, subscriptions, "
            "device-plans, bundles, fair-use."
        ),
    )
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    parser.add_argument("file", metavar="FILE.csv", type=Path, help=_("the file to import"))
    add_db_option(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check and report everything, but write nothing"),
    )
    # Keep a --db given before the sub-command when none is given after it.
    for action in parser._actions:
        if action.dest == "db":
            action.default = argparse.SUPPRESS
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.config import current_user_name, resolve_db_url
    from app.services.importing import ImportFileError, Problem, check_file, run_import
    from app.store.db import Database, DatabaseError

    path: Path = args.file
    label = str(path)

    def report(problem: Problem) -> None:
        print(f"{label}:{problem.line}: {problem.column}: {problem.reason}", file=sys.stderr)

    try:
        check_file(args.kind, path)  # before the database is created
        db = Database(resolve_db_url(getattr(args, "db", None)), migrate=True)
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    except DatabaseError as exc:
        raise CommandError(str(exc)) from None
    try:
        summary = run_import(
            db, args.kind, path, author=current_user_name(), dry_run=args.dry_run, report=report
        )
    except ImportFileError as exc:  # the file changed under our feet
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()
    print(summary.text())
    return summary.exit_code
