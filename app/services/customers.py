"""Finding a customer, seeing what they have, reading and adding to their history.

Each function is one use case in one transaction and hands back frozen
dataclasses, never ORM objects, so the window can keep them after the
session is gone and pass them between threads.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import phonenumbers
from babel.numbers import get_territory_currencies

from app.i18n import _
from app.services.errors import NotFoundError, ValidationError
from app.services.identity import author as current_author
from app.services.permissions import Action, check_customer, partner_scope, require
from app.store.db import Database
from app.store.models import HistoryEntry
from app.store.repositories import HistoryCursor, UnitOfWork
from app.store.search import SearchCancel as SearchCancel  # the search panel stops searches
from app.store.search import clean_query

#: The longest free-text note an agent can add (characters, after trimming).
NOTE_MAX_LENGTH = 4000
#: The longest author name the history can record (the column's width).
AUTHOR_MAX_LENGTH = 64
#: Currency when a partner's country has none known to babel.
FALLBACK_CURRENCY = "CHF"

if TYPE_CHECKING:
    from app.services.tickets import CustomerTicket

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- what callers get back -------------------------------------------------------


@dataclass(frozen=True)
class CustomerHit:
    """One line of the search results."""

    id: uuid.UUID
    customer_no: str
    name: str
    msisdn: str
    msisdn_display: str
    partner_name: str
    language: str
    vip: bool
    customer_value: int


@dataclass(frozen=True)
class PartnerInfo:
    code: str
    name: str
    country: str
    language: str
    currency: str


@dataclass(frozen=True)
class SubscriptionInfo:
    tariff: str
    monthly_fee: Decimal
    aio_discount: Decimal | None
    data_mb: int | None
    minutes: int | None
    activated: date
    last_upgrade_effective: date | None
    cancelled_effective: date | None


@dataclass(frozen=True)
class DevicePlanInfo:
    plan_no: str
    activated: date
    down_payment: Decimal
    financed_amount: Decimal
    instalment: Decimal
    instalments_billed: int
    #: The device's name as sold, when the import gave it.
    device: str | None = None


@dataclass(frozen=True)
class BundleInfo:
    bundle_no: str
    name: str
    end_date: date
    package_fee: Decimal | None


@dataclass(frozen=True)
class CaseInfo:
    id: uuid.UUID
    process: str
    subject: str | None
    stage: str | None
    opened_at: datetime
    due: date | None
    #: A complaint's category once it is chosen (the subject is a generated key).
    category: str | None = None


@dataclass(frozen=True)
class CustomerOverview:
    """Everything the customer view shows at once."""

    id: uuid.UUID
    customer_no: str
    name: str
    msisdn: str
    msisdn_display: str
    language: str
    customer_value: int
    vip: bool
    vip_rated: date | None
    activation_date: date | None
    products: tuple[str, ...]
    partner: PartnerInfo
    subscription: SubscriptionInfo | None
    device_plans: tuple[DevicePlanInfo, ...]
    bundles: tuple[BundleInfo, ...]
    open_cases: tuple[CaseInfo, ...]
    history_count: int
    #: The customer's tickets to the partner with their answers, newest first
    #: (:class:`app.services.tickets.CustomerTicket`).
    tickets: tuple[CustomerTicket, ...] = ()

    @property
    def currency(self) -> str:
        return self.partner.currency


@dataclass(frozen=True)
class HistoryItem:
    """One entry of a customer's timeline."""

    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    created_at: datetime
    author: str
    kind: str
    text: str
    rule_ids: tuple[str, ...] = ()
    refers_to: uuid.UUID | None = None

    @property
    def cursor(self) -> HistoryCursor:
        return (self.created_at, self.id)


@dataclass(frozen=True)
class HistoryPage:
    """Entries newest first; ``next_cursor`` fetches the next older page, None at the end."""

    items: tuple[HistoryItem, ...]
    next_cursor: HistoryCursor | None


# --- use cases -------------------------------------------------------------------


def search_customers(
    db: Database, query: str, limit: int = 50, cancel: SearchCancel | None = None
) -> list[CustomerHit]:
    """Customers whose number, MSISDN (any notation) or a name word starts with ``query``.

    Exact customer number or MSISDN first, then numbers, then names. ``cancel``
    lets the caller stop the search on the server when it is superseded (it
    then raises :class:`SearchCancelledError` or the driver's cancel error).
    """
    who = require(db, Action.OPEN_CUSTOMERS)
    text = clean_query(query)
    if not text:
        return []
    with UnitOfWork(db) as uow:
        # Only a query with digits can be a phone number: names skip the partners' countries.
        regions = _msisdn_regions(uow) if any(c.isdigit() for c in text) else ()
        scope = partner_scope(who)
        customers = uow.customers.search(text, regions, limit=limit, cancel=cancel, partner=scope)
        if scope is not None:  # a partner's login: its own partner's customers only
            customers = [c for c in customers if c.partner_id == scope]
        names = uow.partners.names({c.partner_id for c in customers})
        return [
            CustomerHit(
                id=c.id,
                customer_no=c.customer_no,
                name=c.name,
                msisdn=c.msisdn,
                msisdn_display=format_msisdn(c.msisdn),
                partner_name=names.get(c.partner_id, ""),
                language=c.language,
                vip=c.vip,
                customer_value=c.customer_value,
            )
            for c in customers
        ]


def customer_overview(db: Database, customer_id: uuid.UUID) -> CustomerOverview:
    """Identity, partner, products, subscription, device plans, bundles and open cases."""
    who = require(db, Action.OPEN_CUSTOMERS)
    with UnitOfWork(db) as uow:
        customer = uow.customers.with_details(customer_id)
        if customer is None:
            raise NotFoundError(_("The customer no longer exists."))
        check_customer(who, customer.partner_id)
        partner = customer.partner
        subscription = uow.subscriptions.current(customer_id)
        plans = uow.subscriptions.active_device_plans(customer_id)
        bundles = uow.bundles.of_customer(customer_id)
        cases = uow.cases.open_for(customer_id)
        from app.processes.expiry.todo import settled_reminder_ids

        settled = settled_reminder_ids(uow.session, customer_id, cases, date.today())
        cases = [case for case in cases if case.id not in settled]
        return CustomerOverview(
            id=customer.id,
            customer_no=customer.customer_no,
            name=customer.name,
            msisdn=customer.msisdn,
            msisdn_display=format_msisdn(customer.msisdn),
            language=customer.language,
            customer_value=customer.customer_value,
            vip=customer.vip,
            vip_rated=customer.vip_rated,
            activation_date=customer.activation_date,
            products=tuple(customer.products or ()),
            partner=PartnerInfo(
                code=partner.code,
                name=partner.name,
                country=partner.country,
                language=partner.language,
                currency=currency_for_country(partner.country),
            ),
            subscription=None
            if subscription is None
            else SubscriptionInfo(
                tariff=subscription.tariff,
                monthly_fee=subscription.monthly_fee,
                aio_discount=subscription.aio_discount,
                data_mb=subscription.data_mb,
                minutes=subscription.minutes,
                activated=subscription.activated,
                last_upgrade_effective=subscription.last_upgrade_effective,
                cancelled_effective=subscription.cancelled_effective,
            ),
            device_plans=tuple(
                DevicePlanInfo(
                    plan_no=p.plan_no,
                    activated=p.activated,
                    down_payment=p.down_payment,
                    financed_amount=p.financed_amount,
                    instalment=p.instalment,
                    instalments_billed=p.instalments_billed,
                    device=p.device,
                )
                for p in sorted(plans, key=lambda p: (p.activated, p.plan_no))
            ),
            bundles=tuple(
                BundleInfo(
                    bundle_no=b.bundle_no,
                    name=b.name,
                    end_date=b.end_date,
                    package_fee=b.package_fee,
                )
                for b in bundles
            ),
            open_cases=tuple(
                CaseInfo(
                    id=c.id,
                    process=str(c.process),
                    subject=c.subject,
                    stage=c.stage,
                    opened_at=c.opened_at,
                    due=c.due,
                    category=_text_or_none(c.facts.get("category")),
                )
                for c in cases
            ),
            history_count=uow.history.count(customer_id),
            tickets=_tickets(uow, customer_id),
        )


def _tickets(uow: UnitOfWork, customer_id: uuid.UUID) -> tuple[CustomerTicket, ...]:
    from app.services.rules import load_ruleset
    from app.services.tickets import customer_tickets

    return customer_tickets(uow.session, customer_id, date.today(), load_ruleset())


def history_page(
    db: Database,
    customer_id: uuid.UUID,
    before: HistoryCursor | None = None,
    limit: int = 200,
) -> HistoryPage:
    """Up to ``limit`` entries older than ``before`` (the newest when None), newest first."""
    if limit < 1:
        raise ValidationError(_("A history page must hold at least one entry."), "limit")
    who = require(db, Action.OPEN_CUSTOMERS)
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(customer_id)
        if customer is not None:
            check_customer(who, customer.partner_id)
        rows = uow.history.page(customer_id, before=before, limit=limit + 1)
        items = tuple(_history_item(e) for e in rows[:limit])
        more = len(rows) > limit
        return HistoryPage(items=items, next_cursor=items[-1].cursor if more else None)


def add_note(
    db: Database, customer_id: uuid.UUID, text: str, author: str | None = None
) -> HistoryItem:
    """Record a free-text note in the history, by ``author`` (default: who is working)."""
    me = require(db, Action.RECORD)
    body = clean_note_text(text)
    who = (author if author is not None else current_author(db)).strip()
    if me.registered:  # a user signs with their own login, whatever a caller passes
        who = me.login
    if not who:
        raise ValidationError(_("The agent name is empty; set it in the settings."), "author")
    if len(who) > AUTHOR_MAX_LENGTH:
        raise ValidationError(
            _("The agent name is longer than {limit} characters.").format(limit=AUTHOR_MAX_LENGTH),
            "author",
        )
    origin = db.origin
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFoundError(_("The customer no longer exists."))
        check_customer(me, customer.partner_id, Action.RECORD)
        entry = uow.history.append(
            HistoryEntry(customer_id=customer_id, author=who, kind="note", text=body, origin=origin)
        )
        uow.flush()
        item = _history_item(entry)
        uow.commit()
        return item


def clean_note_text(text: str) -> str:
    """The note as it will be stored, or a ValidationError saying what is wrong."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ValidationError(_("The note is empty."), "text")
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The note has {length} characters; at most {limit} are allowed.").format(
                length=len(body), limit=NOTE_MAX_LENGTH
            ),
            "text",
        )
    if _CONTROL_CHARS.search(body):
        raise ValidationError(_("The note contains control characters."), "text")
    return body


# --- helpers ---------------------------------------------------------------------


@lru_cache(maxsize=4096)  # 50 per keystroke: libphonenumber's parse costs 0.1 ms each
def format_msisdn(msisdn: str) -> str:
    """``+41791234567`` -> ``+41 79 123 45 67``; anything unparsable as it is."""
    try:
        number = phonenumbers.parse(msisdn, None)
    except phonenumbers.NumberParseException:
        return msisdn
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def currency_for_country(country: str) -> str:
    """The currency in use in ``country`` (ISO 3166 alpha-2): CH -> CHF, CN -> CNY."""
    try:
        currencies = get_territory_currencies(country.upper())
    except (ValueError, LookupError):
        currencies = []
    return currencies[0] if currencies else FALLBACK_CURRENCY


def _msisdn_regions(uow: UnitOfWork) -> tuple[str, ...]:
    """The partners' countries: where a national-notation number may come from.

    Read from the (small) partner table rather than counting customers, so a
    keystroke never scans the customer table.
    """
    regions = sorted({country.upper() for country in uow.partners.countries()})
    return tuple(regions) or ("CH",)


def _history_item(entry: HistoryEntry) -> HistoryItem:
    return HistoryItem(
        id=entry.id,
        customer_id=entry.customer_id,
        case_id=entry.case_id,
        created_at=entry.created_at,
        author=entry.author,
        kind=entry.kind,
        text=entry.text,
        rule_ids=tuple(entry.rule_ids or ()),
        refers_to=entry.refers_to,
    )


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
