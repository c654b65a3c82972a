"""``agent-assist db``: schema maintenance for IT (upgrade, status)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli import add_db_option
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
    upgrade = actions.add_parser("upgrade", help=_("create or upgrade the schema to this version"))
    add_db_option(upgrade)
    upgrade.set_defaults(handler=_upgrade)
    status = actions.add_parser("status", help=_("show the database in use and its schema version"))
    add_db_option(status)
    status.set_defaults(handler=_status)


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
    from sqlalchemy.exc import OperationalError

    from app.cli import CommandError
    from app.store.db import current_revision, head_revision

    db = _open(args, migrate=False)
    try:
        current = current_revision(db.engine)
    except OperationalError as exc:
        raise CommandError(
            _("cannot open the database {database}: {reason}").format(
                database=db.description(), reason=exc.orig
            )
        ) from exc
    head = head_revision()
    print(_("database: {database}").format(database=db.description()))
    print(
        _("schema version: {current} (this program: {head})").format(
            current=current or _("none"), head=head
        )
    )
    if current != head:
        print(_("run 'agent-assist db upgrade' to bring the schema up to date"))
        return 1
    return 0
