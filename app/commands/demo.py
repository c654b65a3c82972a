"""``agent-assist demo``: create or reset the demo database."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date

from app.cli import add_db_option
from app.i18n import _

#: The years a reference date may name: the demo spreads its data years around it.
MIN_YEAR, MAX_YEAR = 1900, 2999
#: More customers than this would take hours to create.
MAX_CUSTOMERS = 1_000_000


def _date(value: str) -> date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date in the form YYYY-MM-DD: {value}").format(value=value)
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(
            _("expected a year from {first} to {last}: {value}").format(
                first=MIN_YEAR, last=MAX_YEAR, value=value
            )
        )
    return day


def register(subparsers: argparse._SubParsersAction) -> None:
    from app.services.demo import DEFAULT_CUSTOMERS, DEFAULT_SEED

    parser = subparsers.add_parser(
        "demo",
        help=_("create or reset the demo database with realistic customers"),
        description=_(
            "Create a demo database with realistic customers in German, English, "
            "Russian and Chinese, with cases in every stage of every process. All "
            "dates are relative to the reference date, so the demo always looks "
            "current; the same seed and date always give the same data. An existing "
            "demo database is reset after confirmation; a database that is not a "
            "demo database is only replaced with --yes."
        ),
    )
    add_db_option(parser)
    parser.add_argument(
        "--yes",
        action="store_true",
        help=_("reset without asking (also replaces a database that is not a demo database)"),
    )
    parser.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help=_("reference date the demo is built around (default: today)"),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=_("random seed (default: {seed})").format(seed=DEFAULT_SEED),
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=DEFAULT_CUSTOMERS,
        metavar="N",
        help=_("number of customers (default: {count})").format(count=DEFAULT_CUSTOMERS),
    )
    parser.set_defaults(handler=run)


def _confirm(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:
        return False
    return answer.strip().casefold() in {"y", "yes", _("y").casefold(), _("yes").casefold()}


def run(args: argparse.Namespace) -> int:
    from app.cli import CommandError
    from app.config import demo_db_url
    from app.i18n import format_decimal, ngettext
    from app.services.demo import create_demo, inspect_target, minimum_customers
    from app.store.db import DatabaseError

    url = args.db or demo_db_url()
    if args.customers < minimum_customers():
        raise CommandError(
            _("--customers must be at least {minimum} (the showcase customers)").format(
                minimum=minimum_customers()
            )
        )
    if args.customers > MAX_CUSTOMERS:
        raise CommandError(_("--customers may be at most {maximum}").format(maximum=MAX_CUSTOMERS))
    try:
        target = inspect_target(url)
    except DatabaseError as exc:
        raise CommandError(str(exc)) from exc
    if target.has_data:
        if target.demo_mark is None and not args.yes:
            raise CommandError(
                ngettext(
                    "{database} holds {count} customer and is not a demo database; it was "
                    "left unchanged. To delete its data and create the demo there anyway, "
                    "run the command again with --yes.",
                    "{database} holds {count} customers and is not a demo database; it was "
                    "left unchanged. To delete its data and create the demo there anyway, "
                    "run the command again with --yes.",
                    target.customers,
                ).format(database=target.description, count=target.customers)
            )
        if not args.yes:
            if not sys.stdin.isatty():
                raise CommandError(
                    _(
                        "{database} already holds a demo database. Resetting it deletes all "
                        "its data and needs confirmation, but there is no terminal to ask "
                        "on: run the command again with --yes."
                    ).format(database=target.description)
                )
            prompt = _("Delete all data in {database} and create the demo again? [y/N] ")
            if not _confirm(prompt.format(database=target.description)):
                print(_("Nothing was changed."))
                return 1
    try:
        summary = create_demo(
            url,
            seed=args.seed,
            reference=args.date,
            customers=args.customers,
            replace_foreign=args.yes,
        )
    except DatabaseError as exc:
        raise CommandError(str(exc)) from exc
    print(
        _("Demo database ready: {database}").format(database=summary.description),
    )
    print(
        _(
            "{customers} customers, {history} history entries, {rows} rows in "
            "{seconds} s (seed {seed}, reference date {date})"
        ).format(
            customers=format_decimal(summary.count("customers")),
            history=format_decimal(summary.count("history_entries")),
            rows=format_decimal(summary.total_rows),
            seconds=f"{summary.seconds:.1f}",
            seed=summary.seed,
            date=summary.reference.isoformat(),
        )
    )
    print(_("Customers worth a look:"))
    for customer_no, description in summary.showcase:
        print(f"  {customer_no}  {_(description)}")
    return 0
