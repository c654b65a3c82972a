"""``agent-assist todo CUSTOMER_NO``: what to do now for one customer.

The same list the customer view shows. Without ``--json`` one readable line
per item in the UI language; with ``--json`` the object of RULES_API.md. An
unknown customer number exits 1, a malformed date 2.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from app.cli import CommandError, add_db_option
from app.commands import database, print_json
from app.i18n import _

if TYPE_CHECKING:
    from app.services.todo import TodoItem
    from app.store.db import Database

EXIT_NOT_FOUND = 1
EXIT_INVALID = 2
#: The years ``--date`` may name (as the rules' JSON input).
MIN_YEAR, MAX_YEAR = 1900, 2999


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "todo",
        help=_("what to do now for one customer (no window)"),
        description=_(
            "List what to do now for one customer: fair-use actions, expiry reminders, "
            "onboarding tasks and open complaints, most urgent first, decided by the "
            "rules engine. An unknown customer number exits with status 1, a malformed "
            "date with status 2."
        ),
    )
    parser.add_argument("customer_no", metavar="CUSTOMER_NO", help=_("the customer number"))
    add_date_option(parser)
    add_db_option(parser)
    parser.add_argument("--json", action="store_true", help=_("write the list as one JSON object"))
    parser.set_defaults(handler=run)


def add_date_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help=_("the day to look at (default: today)")
    )


def parse_day(text: str | None) -> date:
    """``--date`` as a date (today when absent); exit 2 when malformed."""
    if text is None:
        return date.today()
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("--date: expected a date written YYYY-MM-DD, got {value!r}").format(value=text),
            EXIT_INVALID,
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # the rules count months on from it
        raise CommandError(
            _("--date: expected a year from {first} to {last}, got {value!r}").format(
                first=MIN_YEAR, last=MAX_YEAR, value=text
            ),
            EXIT_INVALID,
        )
    return day


def run(args: argparse.Namespace) -> int:
    """Handle ``agent-assist todo``; returns the exit code."""
    from app.services.errors import NotFoundError
    from app.services.todo import todo_for

    day = parse_day(args.date)
    customer_no = args.customer_no.strip()
    with database(args) as db:
        try:
            todo = todo_for(db, customer_no, day)
        except NotFoundError as exc:
            raise CommandError(not_found_message(db, exc), EXIT_NOT_FOUND) from None
    if args.json:
        print_json(todo.to_json())
        return 0
    if not todo.items:
        print(
            _("Nothing to do for {name} ({no}) on {date}.").format(
                name=todo.customer_name, no=todo.customer_no, date=_day(todo.date)
            )
        )
        return 0
    for item in todo.items:
        print(describe_item(item, todo.date))
    return 0


def not_found_message(db: Database, exc: Exception) -> str:
    """The service's "no such customer", and why when the database has no customers at all
    (the default database, while the customers are in the demo's)."""
    from app.store.repositories import UnitOfWork

    with UnitOfWork(db) as uow:
        if uow.customers.any():
            return str(exc)
    return _(
        "{problem} The database in use ({database}) has no customers yet: import them, "
        "or add --demo to work on the demo database."
    ).format(problem=exc, database=db.description())


def _day(value: date) -> str:
    from app.i18n import format_date

    return format_date(value)


def describe_item(item: TodoItem, today: date) -> str:
    """One readable line for an item, in the UI language (the customer view's words)."""
    from app.services.wording import due_words, item_words

    title, details = item_words(item)
    return _("{when}: {title} — {details}").format(
        when=due_words(item.due, item.overdue, today), title=title, details=details
    )
