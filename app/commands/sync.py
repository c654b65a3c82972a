"""``agent-assist sync``: a branch office's replica and the shared server.

``sync configure URL`` makes the database (``--db`` or ``--demo``, a SQLite
file) a branch of the server at ``URL`` and pulls what the URL's login may
see; ``sync now [--json]`` pushes what was recorded here, then pulls what
changed; ``sync status [--json]`` says how the database stands; ``sync alarms
[--json]`` lists, on the server, what the sync could not reconcile (for a
supervisor). Exit codes as
MULTIUSER.md fixes them: 0 done, 2 bad usage (not a branch, a server of
another schema version, a replica that cannot be written), 3 the server
cannot be reached (everything recorded stays queued), 4 the server refused
the branch's login.

The sync machinery is imported inside the handlers: the command starts fast.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from app.cli import EXIT_REFUSED, CommandError
from app.commands import add_action, database, open_database
from app.i18n import _

if TYPE_CHECKING:
    from app.store.db import Database

EXIT_UNREACHABLE = 3
T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "sync",
        help=_("a branch office: keep a local database in step with the shared server"),
        description=_(
            "A branch office works on a local SQLite database, a replica of the shared "
            "server, and keeps working when the line is down; sync sends what was recorded "
            "here and brings what changed on the server."
        ),
    )
    actions = parser.add_subparsers(title=_("actions"), metavar="ACTION", required=True)
    configure = add_action(
        actions,
        "configure",
        _configure,
        help=_("make this database a branch of the server at URL"),
        description=_(
            "Make the database a branch replica of the server at URL "
            "(postgresql+psycopg://login@host:5432/dbname) and bring everything the "
            "login may see. The password is kept in the credential store, never in "
            "the database; AGENT_ASSIST_SYNC_PASSWORD gives it to scripts."
        ),
    )
    configure.add_argument("url", metavar="URL")
    add_action(
        actions,
        "now",
        _now,
        help=_("send what was recorded here, then bring what changed on the server"),
        description=_(
            "Send what was recorded on this branch, then bring what changed on the "
            "server. Exits with status 3 when the server cannot be reached; nothing is lost."
        ),
        json_help=_('write one JSON object: {"pushed", "pulled", "rejected", "pending"}'),
    )
    add_action(
        actions,
        "status",
        _status,
        help=_("how this database stands: mode, server reachable, entries waiting"),
        description=_(
            "Say whether this database is a desktop, a branch or the server, whether the "
            "server answers, how many entries wait to be sent or were refused, and when "
            "the last sync succeeded."
        ),
        json_help=_(
            'write one JSON object: {"mode", "online", "pending", "rejected", "last_sync"}'
        ),
    )
    add_action(
        actions,
        "alarms",
        _alarms,
        help=_("what the sync could not reconcile (supervisors, on the server)"),
        description=_(
            "List the server's sync alarms, newest first: rows a branch sent again with "
            "other content, history copies that differ, and two offices that took the same "
            "step of one case."
        ),
        json_help=_('write one JSON object: {"alarms": [{"created_at", "login", "table", ...}]}'),
    )


def _run(db: Database, action: Callable[[Database], T]) -> T:
    """``action(db)``, its sync errors as the command's exit codes; ``db`` closed after."""
    from app.services.errors import ServiceError
    from app.sync import ServerUnreachableError, SyncRefusedError

    try:
        return action(db)
    except ServerUnreachableError as exc:
        raise CommandError(str(exc), EXIT_UNREACHABLE) from None
    except SyncRefusedError as exc:
        raise CommandError(str(exc), EXIT_REFUSED) from None
    except ServiceError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()


def _configure(args: argparse.Namespace) -> int:
    from app.store.db import describe_url
    from app.sync import configure

    db = open_database(args)
    description = db.description()
    _run(db, lambda replica: configure(replica, args.url))
    print(
        _("{database} is a branch of {server} now.").format(
            database=description, server=describe_url(args.url)
        )
    )
    return 0


def _now(args: argparse.Namespace) -> int:
    from app.sync import sync_now

    result = _run(open_database(args), sync_now)
    if args.json:
        print(json.dumps(result.as_json()))
        return 0
    print(
        _("sent {pushed}, received {pulled}, waiting {pending}, refused {rejected}").format(
            **result.as_json()
        )
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    from app.sync import status

    with database(args) as db:
        state = status(db)
    if args.json:
        print(json.dumps(state.as_json()))
        return 0
    from app.sync.words import status_words

    print(status_words(state))
    return 0


def _alarms(args: argparse.Namespace) -> int:
    from app.sync.alarms import list_alarms

    with database(args) as db:
        items = list_alarms(db)
    if args.json:
        print(json.dumps({"alarms": [item.as_json() for item in items]}, ensure_ascii=False))
        return 0
    if not items:
        print(_("No sync alarms."))
    for item in items:
        when = f"{item.created_at:%Y-%m-%d %H:%M}"
        print(f"{when}  {item.kind}  {item.table} {item.row_id}  {item.login}")
    return 0
