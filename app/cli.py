"""The ``agent-assist`` command: the GUI by default, sub-commands for headless work."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from app import APP_NAME, __version__
from app.commands import COMMAND_MODULES
from app.i18n import _

#: The exit code of a command whose database (the demo's) does not exist yet.
EXIT_NOT_CREATED = 1
#: MULTIUSER.md: the action is not this user's to take (their role, an unknown login).
EXIT_REFUSED = 4


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_db_option(parser: argparse.ArgumentParser, *, demo: bool = True) -> None:
    """The ``--db URL`` option every database-using command shares.

    It may stand before or after the sub-command; when absent from the
    sub-command it does not hide one given before it (``agent-assist --db URL
    todo C-1``), so the default lives on the top-level parser only.
    """
    parser.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=_(
            "database URL (sqlite:///path or postgresql+psycopg://user@host/db); "
            "default: $AGENT_ASSIST_DB, then the settings, then a SQLite file "
            "in the per-user data directory"
        ),
    )
    if not demo:  # the top level has its own --demo (for the window and every command)
        return
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help=_(
            "work on the demo database (the one 'agent-assist --demo' opens and "
            "'agent-assist demo' creates) instead of the default one"
        ),
    )
    parser.set_defaults(uses_db=True)


def use_demo_database(args: argparse.Namespace) -> None:
    """Point a database-using sub-command at the demo database when ``--demo`` is given.

    ``--demo`` may stand before or after the sub-command, as ``--db`` may. Only
    ``agent-assist demo`` creates the demo database; every other command says
    so when it does not exist yet, instead of working on an empty new file.
    """
    if not getattr(args, "demo", False) or not getattr(args, "uses_db", False):
        return
    from app.config import demo_db_url, sqlite_file

    if args.db:
        raise CommandError(_("--db and --demo name two databases: give only one of them"))
    args.db = demo_db_url()
    path = sqlite_file(args.db)
    if args.command != "demo" and path is not None and not path.is_file():
        raise CommandError(
            _(
                "the demo database {path} has not been created yet: run 'agent-assist demo' "
                "(or open the window once with 'agent-assist --demo')"
            ).format(path=path),
            EXIT_NOT_CREATED,
        )


def describe_setup_error(exc: BaseException) -> str | None:
    """One translated line for a broken rule or playbook file or database URL, else None.

    Every entry point (each sub-command, the window) reads the rule files and
    playbooks; when one of them is broken the agent sees the same line
    ``agent-assist rules`` shows, never a traceback.
    """
    from app.domain.playbook_schema import PlaybookError
    from app.domain.rule_schema import RuleFileError
    from app.store.db import DatabaseError

    if isinstance(exc, RuleFileError):
        return _("Rule files: %(problem)s") % {"problem": exc.with_line()}
    if isinstance(exc, PlaybookError):
        return _("Playbook files: %(problem)s") % {"problem": exc.with_line()}
    if isinstance(exc, DatabaseError):
        return str(exc)
    return None


def _refused(exc: BaseException) -> bool:
    """Whether ``exc`` refuses the action to this user (their role or an unknown login)."""
    from app.services.identity import UnknownUserError
    from app.services.permissions import PermissionDenied

    return isinstance(exc, PermissionDenied | UnknownUserError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-assist",
        description=_(
            "%(app)s guides call-centre agents through fair use, expiring bundles, "
            "contract rules, onboarding and complaints. Without a sub-command it "
            "opens the application window."
        )
        % {"app": APP_NAME},
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help=_(
            "open the application on the demo database (created on first use); "
            "with a command, work on the demo database"
        ),
    )
    parser.add_argument(
        "--open",
        metavar="CUSTOMER",
        help=_(
            "open the window on this customer: a customer number, a phone number in any "
            "notation or a name (for the telephony system's screen pop)"
        ),
    )
    add_db_option(parser, demo=False)
    parser.set_defaults(handler=None, db=None, uses_db=False)
    subparsers = parser.add_subparsers(title=_("commands"), metavar="COMMAND", dest="command")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"app.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.config import startup_ui_language
    from app.i18n import set_ui_language

    set_ui_language(startup_ui_language())
    parser = build_parser()
    args = parser.parse_args(argv)
    from app.logs import log_startup, setup_logging

    setup_logging()
    log_startup(args.command)
    try:
        if args.handler is None:
            from app.ui.app import run_gui

            return run_gui(db=args.db, demo=args.demo, open_query=args.open)
        use_demo_database(args)
        return int(args.handler(args))
    except CommandError as exc:
        print(f"agent-assist: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``agent-assist todo ... | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        if _refused(exc):
            # MULTIUSER.md: a refused action (role, unknown login) is exit code 4.
            print(f"agent-assist: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        message = describe_setup_error(exc)
        if message is None:
            raise
        print(f"agent-assist: {message}", file=sys.stderr)
        return 2
