"""``agent-assist users``: who may work with the database (admin only).

Exit codes as MULTIUSER.md fixes them: 0 done, 2 bad usage or input,
4 refused (the current user is no admin, or not a user at all).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app.cli import CommandError, add_db_option
from app.commands import add_action, database, print_json
from app.i18n import _

ROLES = ("agent", "partner", "supervisor", "admin")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "users",
        help=_("add, list and disable the users of the database (admin)"),
        description=_(
            "Manage who may work with the database. On the shared PostgreSQL server a "
            "user is a login: 'users add' creates it, grants its role and records the "
            "user in one step. On a SQLite file a user is the operating-system login."
        ),
    )
    actions = parser.add_subparsers(title=_("actions"), metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help=_("add a user, or change the role of one"),
        description=_(
            "Add LOGIN as a user with ROLE. On PostgreSQL the login is created (or enabled) "
            "and granted its role; a password is asked for when the command runs in a "
            "terminal (empty: none, for single sign-on), never taken from the command line."
        ),
    )
    add.add_argument("login", metavar="LOGIN")
    add.add_argument("--role", required=True, choices=ROLES, help=_("what the user may do"))
    add.add_argument(
        "--partner", metavar="PARTNER_CODE", help=_("the partner a partner's user belongs to")
    )
    add.add_argument("--name", metavar="NAME", help=_("the name shown for the user"))
    add.add_argument(
        "--no-password",
        action="store_true",
        help=_("do not ask for a password (single sign-on or trust authentication)"),
    )
    add_db_option(add)
    add.set_defaults(handler=_add)

    add_action(
        actions,
        "list",
        _list,
        help=_("list the users"),
        json_help=_(
            'write one JSON object: {"users": [{"login", "name", "role", "partner", "active"}]}'
        ),
    )
    disable = add_action(
        actions, "disable", _disable, help=_("disable a user (the history keeps naming them)")
    )
    disable.add_argument("login", metavar="LOGIN")


def _ask_password(login: str) -> str | None:
    """The new login's password, asked twice on the terminal; ``None`` for none."""
    while True:
        first = getpass.getpass(
            _("Password for {login} (empty: none, for single sign-on): ").format(login=login)
        )
        if not first:
            return None
        if getpass.getpass(_("The same password again: ")) == first:
            return first
        print(_("The two passwords differ; try again."), file=sys.stderr)


def _add(args: argparse.Namespace) -> int:
    from app.services.errors import NotFoundError, ValidationError
    from app.services.users import add_user, check_login

    try:
        check_login(args.login)
    except ValidationError as exc:
        raise CommandError(str(exc)) from None
    with database(args) as db:
        password = None
        if db.dialect == "postgresql" and not args.no_password and sys.stdin.isatty():
            password = _ask_password(args.login)
        try:
            user = add_user(
                db,
                args.login,
                args.role,
                partner_code=args.partner,
                display_name=args.name,
                password=password,
            )
        except (ValidationError, NotFoundError) as exc:
            raise CommandError(str(exc)) from None
    print(
        _("{login} is a user with the role {role}.").format(login=user.login, role=user.role.value)
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from app.services.users import list_users

    with database(args) as db:
        users = list_users(db)
    if args.json:
        print_json({"users": [u.to_json() for u in users]})
        return 0
    for user in users:
        state = "" if user.active else "  " + _("(disabled)")
        partner = f"  {user.partner_code}" if user.partner_code else ""
        print(f"{user.login}\t{user.role.value}{partner}\t{user.display_name}{state}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    from app.services.errors import NotFoundError
    from app.services.users import disable_user

    with database(args) as db:
        try:
            user = disable_user(db, args.login)
        except NotFoundError as exc:
            raise CommandError(str(exc)) from None
    print(_("{login} is disabled.").format(login=user.login))
    return 0
