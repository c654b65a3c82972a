"""``agent-assist worklist KIND``: who needs what today, across all customers.

Kinds: ``fair-use`` (this month's fair-use customers by stage), ``reminders``
(expiry reminders due today or overdue), ``onboarding`` (onboarding tasks due
or overdue), ``complaints`` (open complaints and claims). Without ``--json``
one readable line per row in the UI language; with ``--json`` one object
``{"kind", "date", "rows": [...]}``. An unknown kind or a malformed date exits 2.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli import CommandError, add_db_option
from app.commands.todo import (
    EXIT_INVALID,
    ROUTE_WORDS,
    add_date_option,
    due_words,
    keep_global_db,
    open_database,
    parse_day,
    print_json,
)
from app.i18n import _

if TYPE_CHECKING:
    from app.domain.ruleset import RuleSet
    from app.services.worklists import WorklistRow

KINDS = ("fair-use", "reminders", "onboarding", "complaints")


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
    parser.add_argument(
        "kind", metavar="KIND", help=_("one of: %(kinds)s") % {"kinds": ", ".join(KINDS)}
    )
    add_date_option(parser)
    add_db_option(parser)
    keep_global_db(parser)
    parser.add_argument("--json", action="store_true", help=_("write the rows as one JSON object"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``agent-assist worklist``; returns the exit code."""
    from app.services.rules import load_ruleset
    from app.services.worklists import worklist

    if args.kind not in KINDS:
        raise CommandError(
            _("unknown worklist {kind!r}; expected one of: {kinds}").format(
                kind=args.kind, kinds=", ".join(KINDS)
            ),
            EXIT_INVALID,
        )
    day = parse_day(args.date)
    db = open_database(args)
    try:
        rows = worklist(db, args.kind, day)
    finally:
        db.dispose()
    if args.json:
        print_json(
            {"kind": args.kind, "date": day.isoformat(), "rows": [r.to_json() for r in rows]}
        )
        return 0
    if not rows:
        print(_("The worklist is empty."))
        return 0
    rules = load_ruleset()
    for row in rows:
        print(describe_row(row, rules))
    return 0


def describe_row(row: WorklistRow, rules: RuleSet) -> str:
    """One readable line for a row, in the UI language."""
    if row.process == "fair_use":
        what = _("fair use {month}, stage {stage}").format(month=row.about, stage=row.what)
    elif row.process == "expiry":
        titles = {r.id: r.title for r in rules.expiry.reminders}
        what = _("{reminder}: {bundle}").format(
            reminder=_(titles.get(row.what, row.what)), bundle=row.about
        )
    elif row.process == "onboarding":
        titles = {t.id: t.title for t in rules.onboarding.tasks}
        titles |= {
            "assign_manager": _("Assign an account manager"),
            "first_contact": _("First contact by the account manager"),
        }
        what = _("onboarding: {task}").format(task=_(titles.get(row.what, row.what)))
    else:
        route = _(ROUTE_WORDS[row.what]) if row.what in ROUTE_WORDS else _("route not decided")
        what = _("complaint {about}: {route}").format(about=row.about, route=route)
    return _("{when}: {no} {name} — {what}").format(
        when=due_words(row.due, row.overdue), no=row.customer_no, name=row.customer_name, what=what
    )
