"""``agent-assist todo CUSTOMER_NO``: what to do now for one customer.

The same list the customer view shows. Without ``--json`` one readable line
per item in the UI language; with ``--json`` the object of RULES_API.md. An
unknown customer number exits 1, a malformed date 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from app.cli import CommandError, add_db_option
from app.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from app.domain.ruleset import RuleSet
    from app.services.todo import TodoItem
    from app.store.db import Database

EXIT_NOT_FOUND = 1
EXIT_INVALID = 2

#: Complaint routes in words (the rule file names them by id only).
ROUTE_WORDS = {
    "mass_incident": N_("handle by the mass-incident algorithm"),
    "consultation": N_("consultation"),
    "second_line": N_("second line: on-line retention"),
    "retained": N_("customer retained"),
    "claim": N_("claim"),
}


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
    keep_global_db(parser)
    parser.add_argument("--json", action="store_true", help=_("write the list as one JSON object"))
    parser.set_defaults(handler=run)


def add_date_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help=_("the day to look at (default: today)")
    )


def keep_global_db(parser: argparse.ArgumentParser) -> None:
    """Keep a ``--db`` given before the sub-command when none is given after it."""
    for action in parser._actions:
        if action.dest == "db":
            action.default = argparse.SUPPRESS


def parse_day(text: str | None) -> date:
    """``--date`` as a date (today when absent); exit 2 when malformed."""
    if text is None:
        return date.today()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("--date: expected a date written YYYY-MM-DD, got {value!r}").format(value=text),
            EXIT_INVALID,
        ) from None


def open_database(args: argparse.Namespace) -> Database:
    from app.config import resolve_db_url
    from app.store.db import Database, DatabaseError

    try:
        return Database(resolve_db_url(getattr(args, "db", None)))
    except DatabaseError as exc:
        raise CommandError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Handle ``agent-assist todo``; returns the exit code."""
    from app.services.errors import NotFoundError
    from app.services.rules import load_ruleset
    from app.services.todo import todo_for

    day = parse_day(args.date)
    customer_no = args.customer_no.strip()
    db = open_database(args)
    try:
        todo = todo_for(db, customer_no, day)
    except NotFoundError as exc:
        raise CommandError(str(exc), EXIT_NOT_FOUND) from None
    finally:
        db.dispose()
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
    rules = load_ruleset()
    for item in todo.items:
        print(describe_item(item, rules))
    return 0


def _day(value: date) -> str:
    from app.i18n import format_date

    return format_date(value)


def _month(key: str) -> str:
    from app.i18n import format_date

    year, month = key.split("-")
    return format_date(date(int(year), int(month), 1), fmt="LLLL y")


def due_words(due: date, overdue: bool) -> str:
    """ "due 25 Jun 2026" or "OVERDUE since 23 Jun 2026"."""
    if overdue:
        return _("OVERDUE since {date}").format(date=_day(due))
    return _("due {date}").format(date=_day(due))


def describe_item(item: TodoItem, rules: RuleSet) -> str:
    """One readable line for an item, in the UI language."""
    from app.services.todo import ComplaintItem, ExpiryItem, FairUseItem, OnboardingItem

    when = due_words(item.due, item.overdue)
    if isinstance(item, FairUseItem):
        titles = {a.id: a.title for s in rules.fair_use.stages for a in s.actions}
        return _("{when}: fair use {month}, stage {stage}; to do: {actions}").format(
            when=when,
            month=_month(item.month),
            stage=item.stage,
            actions="; ".join(_(titles.get(a, a)) for a in item.actions),
        )
    if isinstance(item, ExpiryItem):
        titles = {r.id: r.title for r in rules.expiry.reminders}
        return _("{when}: {reminder} — {bundle} ({bundle_id}) ends {end}").format(
            when=when,
            reminder=_(titles.get(item.reminder, item.reminder)),
            bundle=item.bundle_name or item.bundle_id,
            bundle_id=item.bundle_id,
            end=_day(item.end_date) if item.end_date else "–",
        )
    if isinstance(item, OnboardingItem):
        stages = {s.id: s.title for s in rules.onboarding.stages}
        count = len(item.tasks)
        text = _("{when}: onboarding day {day}, {stage}; {tasks}").format(
            when=when,
            day=item.day,
            stage=_(stages.get(item.stage, item.stage)),
            tasks=ngettext("{count} open task", "{count} open tasks", count).format(count=count),
        )
        if item.vip_overdue:
            words = {
                "assign_manager": _("account manager not assigned"),
                "first_contact": _("manager's first contact missing"),
            }
            text += _("; VIP overdue: {what}").format(
                what=", ".join(words.get(v, v) for v in item.vip_overdue)
            )
        return text
    assert isinstance(item, ComplaintItem)
    route = _(ROUTE_WORDS[item.route]) if item.route in ROUTE_WORDS else _("route not decided")
    about = item.category or item.subject or str(item.case_id)
    return _("{when}: complaint {about}: {route}").format(when=when, about=about, route=route)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
