"""``agent-assist db``: schema maintenance for IT (upgrade, status)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.commands import add_action
from app.i18n import _

if TYPE_CHECKING:
    from app.store.db import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "db",
        help=_("database maintenance: create or upgrade the schema, show its status"),
        description=_(
            "Create or upgrade the database schema. Run 'db upgrade' once on a "
            "shared PostgreSQL server after installing a new version; desktops "
            "with a local SQLite file upgrade by themselves."
        ),
    )
    actions = parser.add_subparsers(title=_("actions"), metavar="ACTION", required=True)
    add_action(actions, "upgrade", _upgrade, help=_("create or upgrade the schema to this version"))
    add_action(
        actions, "status", _status, help=_("show the database in use and its schema version")
    )


def _open(args: argparse.Namespace, *, migrate: bool) -> Database:
    from app.cli import CommandError
    from app.config import resolve_db_url
    from app.store.db import Database, DatabaseError

    try:
        return Database(resolve_db_url(args.db), migrate=migrate)
    except DatabaseError as exc:
        raise CommandError(str(exc)) from exc


def _upgrade(args: argparse.Namespace) -> int:
    from app.store.db import current_revision

    db = _open(args, migrate=True)
    print(
        _("{database}: schema at version {revision}").format(
            database=db.description(), revision=current_revision(db.engine)
        )
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    """Which database, and whether its schema is this program's.

    Exits 0 when the program can work on the database as it is, or brings it up
    to date by itself (a desktop's SQLite file is created and upgraded when the
    application starts); 1 when someone has to run ``db upgrade`` first (a shared
    server's schema that is missing or behind, or a schema newer than this program).
    """
    from sqlalchemy.exc import OperationalError

    from app.cli import CommandError
    from app.config import resolve_db_url, sqlite_file
    from app.store.db import current_revision, describe_url, head_revision, parse_db_url

    url = resolve_db_url(args.db)
    parse_db_url(url)  # a malformed URL is one line naming what is wrong (exit 2)
    head = head_revision()
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        # Opening the file would create it: say what will happen instead.
        print(_("database: {database}").format(database=describe_url(url)))
        print(_("schema: not created yet (this program: {head})").format(head=head))
        print(
            _("the application creates it when it starts; 'agent-assist db upgrade' creates it now")
        )
        return 0
    db = _open(args, migrate=False)
    try:
        current = current_revision(db.engine)
    except OperationalError as exc:
        raise CommandError(
            _("cannot open the database {database}: {reason}").format(
                database=db.description(), reason=exc.orig
            )
        ) from exc
    finally:
        db.dispose()
    print(_("database: {database}").format(database=db.description()))
    if current is None:
        print(_("schema: not created yet (this program: {head})").format(head=head))
    else:
        print(
            _("schema version: {current} (this program: {head})").format(current=current, head=head)
        )
    if current == head:
        return 0
    if current is not None and not is_known_revision(current):
        print(
            _(
                "the schema is newer than this program: install the version that created it, "
                "or ask IT"
            )
        )
        return 1
    if path is not None:
        print(
            _(
                "the application brings it up to date when it starts; "
                "'agent-assist db upgrade' does it now"
            )
        )
        return 0
    print(_("run 'agent-assist db upgrade' to bring the schema up to date"))
    return 1


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this program's migrations (not a newer program's)."""
    from alembic.script import ScriptDirectory

    from app.store.db import _alembic_config, make_engine

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises for a revision it does not know
        return False
