"""``agent-assist history``: the customers' history from the command line.

``history add CUSTOMER --text TEXT`` records a note by the current user and
prints the new entry's id; ``history list CUSTOMER [--json]`` prints a
customer's entries, newest first. Both check what the current user may do
exactly as the window does (exit 4 when refused); ``CUSTOMER`` is a
customer number, a phone number in any notation or a name, as for ``--open``.

``history verify`` checks every hash chain of the history (one per recording
installation) and names the first entry that does not match. Exit codes as
MULTIUSER.md fixes them: 0 every chain matches, 1 a check failed, 2 bad usage
or a database that cannot be used, 4 a login that sees only its partner's part.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.cli import EXIT_REFUSED, CommandError, add_db_option
from app.commands import add_action, database, print_json
from app.i18n import _

if TYPE_CHECKING:
    from app.services.customers import CustomerHit
    from app.store.db import Database

EXIT_CHECK_FAILED = 1


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
    add_action(
        actions,
        "verify",
        _verify,
        help=_("check every hash chain and name the first entry that does not match"),
        description=_(
            "Check every hash chain of the history in the database and name the first "
            "entry that does not match. Exits with status 0 when every chain matches, "
            "1 when one does not."
        ),
        json_help=_("write one JSON object with chains, entries, ok and first_bad"),
    )

    add = actions.add_parser(
        "add",
        help=_("record a note by the current user; prints the new entry's id"),
        description=_(
            "Record a note in a customer's history, by the current user. CUSTOMER is a "
            "customer number, a phone number in any notation or a name."
        ),
    )
    add.add_argument("customer", metavar="CUSTOMER")
    add.add_argument("--text", required=True, metavar="TEXT", help=_("the note"))
    add_db_option(add)
    add.set_defaults(handler=_add)

    listing = add_action(
        actions,
        "list",
        _list,
        help=_("a customer's history, newest first"),
        description=_(
            "Print a customer's history entries, newest first. CUSTOMER is a customer "
            "number, a phone number in any notation or a name."
        ),
        json_help=_(
            'write one JSON object: {"customer_no", "entries": [{"id", "created_at", '
            '"author", "kind", "text", "origin", "hash"}]}'
        ),
    )
    listing.add_argument("customer", metavar="CUSTOMER")


def _verify(args: argparse.Namespace) -> int:
    from app.services.history_check import check_words, from_report
    from app.store.chain import PartialViewError, verify_database

    with database(args) as db:
        try:
            report = verify_database(db)
        except PartialViewError as exc:
            raise CommandError(str(exc), EXIT_REFUSED) from None
    if args.json:
        print_json(report.as_json())
        return 0 if report.ok else EXIT_CHECK_FAILED
    print(check_words(from_report(report)))
    return 0 if report.ok else EXIT_CHECK_FAILED


def find_customer(db: Database, query: str) -> CustomerHit:
    """The one customer ``query`` names (number, phone number, name), as the current user sees.

    An exact customer number or phone number wins; otherwise the query must
    match exactly one customer. Bad input is a :class:`CommandError` (exit 2).
    """
    from app.logs import mask
    from app.services.customers import search_customers

    hits = search_customers(db, query, limit=10)
    if not hits:
        # Error lines name customers by number and never repeat a phone number in full.
        raise CommandError(_("No customer matches {query!r}.").format(query=mask(query)))
    wanted = query.strip().casefold()
    digits = "".join(ch for ch in query if ch.isdigit()).lstrip("0")
    exact = [
        hit
        for hit in hits
        if hit.customer_no.casefold() == wanted
        or (len(digits) >= 6 and hit.msisdn.lstrip("+").endswith(digits))
    ]
    if len(hits) == 1:
        return hits[0]
    if len(exact) == 1:
        return exact[0]
    raise CommandError(
        _(
            "{query!r} matches more than one customer: {customers}; give the customer number."
        ).format(query=mask(query), customers=", ".join(hit.customer_no for hit in hits[:5]))
    )


def _add(args: argparse.Namespace) -> int:
    from app.services.customers import add_note
    from app.services.errors import NotFoundError, ValidationError

    with database(args) as db:
        customer = find_customer(db, args.customer)
        try:
            entry = add_note(db, customer.id, args.text)
        except (ValidationError, NotFoundError) as exc:
            raise CommandError(str(exc)) from None
    print(entry.id)
    return 0


def _list(args: argparse.Namespace) -> int:
    from app.services.customers import HistoryItem, history_page
    from app.store.repositories import UnitOfWork

    with database(args) as db:
        customer = find_customer(db, args.customer)
        items: list[HistoryItem] = []
        page = history_page(db, customer.id, limit=500)
        items.extend(page.items)
        while page.next_cursor is not None:
            page = history_page(db, customer.id, before=page.next_cursor, limit=500)
            items.extend(page.items)
        with UnitOfWork(db) as uow:
            chained = uow.history.chain_links(customer.id)
    entries = [
        {
            "id": str(item.id),
            "created_at": _utc_text(item.created_at),
            "author": item.author,
            "kind": item.kind,
            "text": item.text,
            "origin": chained.get(item.id, (None, None))[0],
            "hash": chained.get(item.id, (None, None))[1],
        }
        for item in items
    ]
    if args.json:
        print_json({"customer_no": customer.customer_no, "entries": entries})
        return 0
    print(f"{customer.customer_no}  {customer.name}")
    for entry in entries:
        first_line = entry["text"].splitlines()[0] if entry["text"] else ""
        print(f"{entry['created_at']}  {entry['author']}  {entry['kind']}  {first_line}")
    return 0


def _utc_text(moment: datetime) -> str:
    """``moment`` (UTC; naive as SQLite gives it back) as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
