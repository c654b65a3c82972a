"""``agent-assist history``: the customers' history from the command line.

``history verify`` checks every hash chain of the history (one per recording
installation) and names the first entry that does not match. Exit codes as
MULTIUSER.md fixes them: 0 every chain matches, 1 a check failed, 2 bad usage
or a database that cannot be used, 4 a login that sees only its partner's part.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from app.cli import CommandError, add_db_option
from app.i18n import _, ngettext

if TYPE_CHECKING:
    from app.store.db import Database

EXIT_CHECK_FAILED = 1
#: MULTIUSER.md: the action is not this user's to take.
EXIT_REFUSED = 4


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "history",
        help=_("the customers' history: check that nobody has changed it"),
        description=_(
            "Work with the history of what was done for customers. Every entry is "
            "a link of a hash chain per installation that recorded it, so a changed "
            "or removed entry is found by 'history verify'."
        ),
    )
    actions = parser.add_subparsers(title=_("actions"), metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help=_("check every hash chain and name the first entry that does not match"),
        description=_(
            "Check every hash chain of the history in the database and name the first "
            "entry that does not match. Exits with status 0 when every chain matches, "
            "1 when one does not."
        ),
    )
    add_db_option(verify)
    verify.add_argument(
        "--json",
        action="store_true",
        help=_("write one JSON object with chains, entries, ok and first_bad"),
    )
    verify.set_defaults(handler=_verify)


def open_database(args: argparse.Namespace) -> Database:
    """The database the command works on; a clear line (exit 2) when it cannot be used."""
    from app.config import resolve_db_url
    from app.store.db import Database, DatabaseError

    try:
        return Database(resolve_db_url(getattr(args, "db", None)))
    except DatabaseError as exc:
        raise CommandError(str(exc)) from None


def _verify(args: argparse.Namespace) -> int:
    from app.store.chain import PartialViewError, verify_database

    db = open_database(args)
    try:
        report = verify_database(db)
    except PartialViewError as exc:
        raise CommandError(str(exc), EXIT_REFUSED) from None
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return 0 if report.ok else EXIT_CHECK_FAILED
    checked = ngettext(
        "{entries} history entry in {chains} chain(s)",
        "{entries} history entries in {chains} chain(s)",
        report.entries,
    ).format(entries=report.entries, chains=report.chains)
    if report.ok:
        print(_("{checked}: every entry matches").format(checked=checked))
    else:
        print(
            _("{checked}: entry {entry} does not match: {reason}").format(
                checked=checked, entry=report.first_bad, reason=report.first_reason
            )
        )
    return 0 if report.ok else EXIT_CHECK_FAILED
