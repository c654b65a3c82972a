"""``agent-assist worklist KIND``: who needs what today, across all customers.

Kinds, as the registered processes bring them: ``fair-use`` (this month's
fair-use customers by stage), ``reminders`` (expiry reminders due today or
overdue), ``onboarding`` (onboarding tasks due or overdue), ``complaints`` (open
complaints and claims). Without ``--json`` one readable line per row in the UI
language; with ``--json`` one object ``{"kind", "date", "rows": [...]}``. An unknown
kind or a malformed date exits 2.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from app.cli import CommandError, add_db_option
from app.commands import database, print_json
from app.commands.todo import EXIT_INVALID, add_date_option, parse_day
from app.i18n import _

if TYPE_CHECKING:
    from app.services.worklists import WorklistRow


def kinds() -> tuple[str, ...]:
    """Every worklist kind, as the registered processes (``app.processes``) bring them."""
    from app.processes import worklists

    return tuple(worklists())


class _Kinds:
    """The kinds in the help, read from the registry only when the help is shown (loading
    the processes would slow down every command's start)."""

    def __str__(self) -> str:
        return ", ".join(kinds())


def __getattr__(name: str) -> Any:
    if name == "KINDS":  # the registered kinds, as they stand now
        return kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "worklist",
        help=_("a worklist across all customers (no window)"),
        description=_(
            "List the customers who need something today: fair-use customers by stage, "
            "reminders due, onboarding tasks due or overdue, open complaints and claims. "
            "Each row names the customer and the guided script that handles it."
        ),
    )
    kind = parser.add_argument("kind", metavar="KIND", help=_("one of: %(kinds)s"))
    kind.kinds = _Kinds()  # type: ignore[attr-defined]  # argparse fills %(kinds)s from it
    add_date_option(parser)
    add_db_option(parser)
    parser.add_argument("--json", action="store_true", help=_("write the rows as one JSON object"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``agent-assist worklist``; returns the exit code."""
    from app.services.worklists import worklist

    known = kinds()
    if args.kind not in known:
        raise CommandError(
            _("unknown worklist {kind!r}; expected one of: {kinds}").format(
                kind=args.kind, kinds=", ".join(known)
            ),
            EXIT_INVALID,
        )
    day = parse_day(args.date)
    with database(args) as db:
        rows = worklist(db, args.kind, day)
    if args.json:
        print_json(
            {"kind": args.kind, "date": day.isoformat(), "rows": [r.to_json() for r in rows]}
        )
        return 0
    if not rows:
        print(_("The worklist is empty."))
        return 0
    for row in rows:
        print(describe_row(row, day))
    return 0


def describe_row(row: WorklistRow, today: date) -> str:
    """One readable line for a row, in the UI language (the worklist window's words)."""
    from app.services.wording import due_words, row_words

    return _("{when}: {no} {name} — {what}").format(
        when=due_words(row.due, row.overdue, today),
        no=row.customer_no,
        name=row.customer_name,
        what=row_words(row),
    )
