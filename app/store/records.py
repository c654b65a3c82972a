"""The records behind "what to do now" and the worklists: records in, nothing decided.

Each function reads one kind of record for a set of customers - a list of
ids (one customer for the customer view) or a query selecting customer ids
(a worklist's candidates) - in a few statements, never one per customer.
Lists of ids are sent in chunks so no engine's limit on bound parameters is
reached; a query is sent as one ``IN (SELECT ...)``.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import Select, String, case, cast, literal_column, select
from sqlalchemy.orm import Session

from app.store.models import (
    Bundle,
    Case,
    CaseState,
    Customer,
    FairUseRecord,
    HistoryEntry,
    Process,
)


@dataclass(frozen=True)
class BundleFacts:
    """What the expiry rules need of a bundle (and what a reminder line shows)."""

    bundle_no: str
    name: str
    end_date: date
    sent: frozenset[str]


#: Ids per ``IN (...)`` list.
CHUNK = 500

T = TypeVar("T")


#: Whose records to read: customer ids, or a query selecting customer ids.
Customers = Sequence[uuid.UUID] | Select[Any]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _key(column: Any, raw: bool) -> Any:
    """``column`` (a customer id) as text when ``raw``: no ``uuid.UUID`` made and hashed per
    row (hex on SQLite, the dashed form on PostgreSQL; :func:`as_uuid` converts)."""
    return cast(column, String) if raw else column


def _run(session: Session, stmt: Any, raw: bool) -> Iterable[Any]:
    """Execute ``stmt``; when ``raw`` (a worklist's read of tens of thousands of rows) its
    rows come as the driver gives them, in batches: no ORM loading, no result processing
    (on SQLite dates and JSON stay text: :func:`_date`, :func:`_json`)."""
    if not raw:
        return session.execute(stmt)
    return _driver_rows(session.connection().execute(stmt))


def _driver_rows(result: Any) -> Iterator[Any]:
    cursor = result.cursor
    return chain.from_iterable(iter(lambda: cursor.fetchmany(5000), []))


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def as_uuid(key: Any) -> uuid.UUID:
    """A customer id read with ``raw=True``."""
    return key if isinstance(key, uuid.UUID) else uuid.UUID(key)


def _in(column: Any, customers: Customers) -> Iterator[Any]:
    """The conditions ``column IN (...)`` covering ``customers``, one per statement."""
    if isinstance(customers, Select):
        yield column.in_(customers.scalar_subquery())
        return
    for part in chunks(customers):
        yield column.in_(part)


def fair_use_records(
    session: Session,
    customers: Customers,
    *,
    since: str | None = None,
    until: str | None = None,
    raw: bool = False,
) -> dict[Any, dict[str, bool]]:
    """Customer -> {month "YYYY-MM": exceeded}, months within [since, until] when given;
    customers keyed as stored when ``raw`` (:func:`as_uuid` converts)."""
    out: dict[Any, dict[str, bool]] = defaultdict(dict)
    customer = _key(FairUseRecord.customer_id, raw)
    for condition in _in(FairUseRecord.customer_id, customers):
        stmt = select(customer, FairUseRecord.month, FairUseRecord.exceeded).where(condition)
        if since is not None:
            stmt = stmt.where(FairUseRecord.month >= since)
        if until is not None:
            stmt = stmt.where(FairUseRecord.month <= until)
        for customer_id, month, exceeded in _run(session, stmt, raw):
            out[customer_id][month] = bool(exceeded)
    return out


def fair_use_month_rows(session: Session, since: str, until: str) -> Iterator[Any]:
    """Rows (customer as text, month, exceeded) of every record in [since, until]: one range
    of the (month, exceeded, customer) index, read in index order instead of looking each
    candidate's records up (a worklist's tens of thousands); :func:`as_uuid` converts."""
    stmt = select(
        _key(FairUseRecord.customer_id, True), FairUseRecord.month, FairUseRecord.exceeded
    ).where(FairUseRecord.month >= since, FairUseRecord.month <= until)
    return iter(_run(session, stmt, True))


def fair_use_month_bits(session: Session, months: Sequence[str]) -> Iterator[Any]:
    """Rows (customer as text, bits) of every record in [months[0], months[-1]] (``months``
    in order), as :func:`fair_use_month_rows` but the record as a number the database
    computes: ``4 ** n`` for the n-th of ``months``, times 3 when it was over the limits;
    -1 for a month not among them (the rows of :func:`fair_use_month_rows` tell more)."""
    bits = case(
        {month: 4**n for n, month in enumerate(months)}, value=FairUseRecord.month, else_=-1
    ) * case((FairUseRecord.exceeded, 3), else_=1)
    stmt = select(_key(FairUseRecord.customer_id, True), bits).where(
        FairUseRecord.month >= months[0], FairUseRecord.month <= months[-1]
    )
    return iter(_run(session, stmt, True))


def _history_actions(
    session: Session, customers: Customers, process: str, raw: bool = False
) -> Iterator[Any]:
    """Rows (customer, payload subject, payload action) of the history entries of ``process``."""
    subject = HistoryEntry.payload["subject"].as_string()
    action = HistoryEntry.payload["action"].as_string()
    customer = _key(HistoryEntry.customer_id, raw)
    for condition in _in(HistoryEntry.customer_id, customers):
        stmt = select(customer, subject, action).where(
            condition,
            HistoryEntry.payload["process"].as_string() == process,
            action.is_not(None),
        )
        yield from _run(session, stmt, raw)


def fair_use_done(
    session: Session, customers: Customers, *, raw: bool = False
) -> dict[Any, set[tuple[str, str]]]:
    """Customer -> {(month, action)} done according to the history."""
    out: dict[Any, set[tuple[str, str]]] = defaultdict(set)
    for customer_id, subject, action in _history_actions(session, customers, "fair_use", raw):
        if isinstance(subject, str) and isinstance(action, str):
            out[customer_id].add((subject, action))
    return out


def onboarding_done(
    session: Session, customers: Customers, *, raw: bool = False
) -> dict[Any, set[str]]:
    """Customer -> onboarding task ids (and VIP actions) done according to the history."""
    out: dict[Any, set[str]] = defaultdict(set)
    for customer_id, _subject, action in _history_actions(session, customers, "onboarding", raw):
        if isinstance(action, str):
            out[customer_id].add(action)
    return out


def onboarding_facts(
    session: Session, customers: Customers, *, raw: bool = False
) -> dict[Any, dict[str, Any]]:
    """Customer -> the facts of their onboarding cases, later cases' values winning."""
    out: dict[Any, dict[str, Any]] = defaultdict(dict)
    for condition in _in(Case.customer_id, customers):
        stmt = (
            select(_key(Case.customer_id, raw), Case.facts)
            .where(condition, Case.process == Process.ONBOARDING)
            .order_by(Case.opened_at, Case.id)
        )
        for customer_id, facts in _run(session, stmt, raw):
            merged = out[customer_id]
            for key, value in (_json(facts) or {}).items():
                if value is not None:
                    merged[key] = value
    return out


def bundles_of(
    session: Session,
    customers: Customers | None = None,
    *,
    ending_after: date | None = None,
    ending_by: date | None = None,
    raw: bool = False,
) -> dict[Any, list[BundleFacts]]:
    """Customer -> bundles, optionally only those ending in (ending_after, ending_by]."""
    stmt = select(
        _key(Bundle.customer_id, raw),
        Bundle.bundle_no,
        Bundle.name,
        Bundle.end_date,
        Bundle.reminders_sent,
    )
    if ending_after is not None:
        stmt = stmt.where(Bundle.end_date > ending_after)
    if ending_by is not None:
        stmt = stmt.where(Bundle.end_date <= ending_by)
    out: dict[Any, list[BundleFacts]] = defaultdict(list)
    # A worklist reads tens of thousands: each distinct date and list is decoded once.
    days: dict[Any, date] = {}
    sent_sets: dict[Any, frozenset[str]] = {}

    def collect(rows: Iterable[Any]) -> None:
        for customer_id, bundle_no, name, end_date, sent in rows:
            day = days.get(end_date)
            if day is None:
                day = days[end_date] = _date(end_date)
            try:
                were_sent = sent_sets[sent]
            except KeyError:
                were_sent = sent_sets[sent] = frozenset(_json(sent) or ())
            except TypeError:  # a list, as PostgreSQL's driver gives JSON
                were_sent = frozenset(_json(sent) or ())
            out[customer_id].append(BundleFacts(bundle_no, name, day, were_sent))

    if customers is None:
        collect(_run(session, stmt, raw))
    else:
        for condition in _in(Bundle.customer_id, customers):
            collect(_run(session, stmt.where(condition), raw))
    return out


def open_complaints(session: Session, customers: Customers | None = None) -> list[Case]:
    """Open complaint cases (of the given customers, or all), oldest first."""
    stmt = (
        select(Case)
        .where(Case.process == Process.COMPLAINT, Case.state == CaseState.OPEN)
        .order_by(Case.opened_at, Case.id)
    )
    if customers is None:
        return list(session.scalars(stmt))
    cases: list[Case] = []
    for condition in _in(Case.customer_id, customers):
        cases.extend(session.scalars(stmt.where(condition)))
    return cases


def actions_done(
    session: Session, customers: Customers
) -> dict[tuple[uuid.UUID, str, str | None], set[str]]:
    """(customer, process, subject) -> the actions done according to the history."""
    process = HistoryEntry.payload["process"].as_string()
    subject = HistoryEntry.payload["subject"].as_string()
    action = HistoryEntry.payload["action"].as_string()
    out: dict[tuple[uuid.UUID, str, str | None], set[str]] = defaultdict(set)
    for condition in _in(HistoryEntry.customer_id, customers):
        stmt = select(HistoryEntry.customer_id, process, subject, action).where(
            condition, process.is_not(None), action.is_not(None)
        )
        for customer_id, proc, subj, act in session.execute(stmt):
            if isinstance(proc, str) and isinstance(act, str):
                out[(customer_id, proc, subj if isinstance(subj, str) else None)].add(act)
    return out


def open_cases(session: Session, customers: Customers) -> list[Case]:
    """Every open case of the given customers, of any process, oldest first."""
    stmt = select(Case).where(Case.state == CaseState.OPEN).order_by(Case.opened_at, Case.id)
    cases: list[Case] = []
    for condition in _in(Case.customer_id, customers):
        cases.extend(session.scalars(stmt.where(condition)))
    return cases


@dataclass(frozen=True)
class CustomerFacts:
    """What the rules and a worklist row need of a customer."""

    id: uuid.UUID
    customer_no: str
    name: str
    customer_value: int
    products: frozenset[str]
    activation_date: date | None
    vip_rated: date | None


def customer_facts(session: Session, customers: Customers) -> dict[uuid.UUID, CustomerFacts]:
    """Customer id -> :class:`CustomerFacts`."""
    out: dict[uuid.UUID, CustomerFacts] = {}
    columns = (
        Customer.id,
        Customer.customer_no,
        Customer.name,
        Customer.customer_value,
        Customer.products,
        Customer.activation_date,
        Customer.vip_rated,
    )
    for condition in _in(Customer.id, customers):
        for row in session.execute(select(*columns).where(condition)):
            cid, no, name, value, products, activation, vip_rated = row
            out[cid] = CustomerFacts(
                cid, no, name, value, frozenset(products or ()), activation, vip_rated
            )
    return out


class WorklistCustomer:
    """What the rules and a worklist row need of a customer, its id kept as stored
    (:func:`as_uuid` on first use): a worklist reads tens of thousands of them."""

    __slots__ = (
        "_id",
        "activation_date",
        "customer_no",
        "customer_value",
        "key",
        "name",
        "products",
        "vip_rated",
    )

    def __init__(
        self,
        key: Any,
        customer_no: str,
        name: str,
        customer_value: int,
        products: frozenset[str],
        activation_date: date | None,
        vip_rated: date | None,
    ) -> None:
        self.key = key
        self.customer_no = customer_no
        self.name = name
        self.customer_value = customer_value
        self.products = products
        self.activation_date = activation_date
        self.vip_rated = vip_rated
        self._id: uuid.UUID | None = None

    @property
    def id(self) -> uuid.UUID:
        found = self._id
        if found is None:  # made once: the onboarding list has a dozen rows a customer
            found = self._id = as_uuid(self.key)
        return found


def worklist_customers(session: Session, customers: Select[Any]) -> dict[Any, WorklistCustomer]:
    """Raw customer id -> :class:`WorklistCustomer` of a worklist's candidates, in one
    statement, in customer number order (the database's collation); the products list is
    decoded once per distinct list, not once per row.

    On SQLite the candidates are found by id first and then read in the order they are
    stored (by rowid): read in id order (random in the file), tens of thousands of rows
    cost a third more."""
    chosen = Customer.id.in_(customers.scalar_subquery())
    if session.get_bind().dialect.name == "sqlite":
        candidate = Customer.__table__.alias("candidate")
        found: Select[Any] = select(literal_column("candidate.rowid")).where(
            candidate.c.id.in_(customers.scalar_subquery())
        )
        chosen = literal_column("customers.rowid").in_(found.scalar_subquery())
    return _worklist_customers(session, chosen)


def activated_customers(session: Session, first: date, last: date) -> dict[Any, WorklistCustomer]:
    """:func:`worklist_customers` of the customers activated on a day in [first, last],
    read along the activation date's index (no lookup of each by its id)."""
    return _worklist_customers(
        session, Customer.activation_date >= first, Customer.activation_date <= last
    )


def _worklist_customers(session: Session, *conditions: Any) -> dict[Any, WorklistCustomer]:
    # A few thousand distinct days and a few distinct product lists (read as text, or
    # NULL) among tens of thousands of customers: each decoded once, looked up inline.
    products_of: dict[str | None, frozenset[str]] = {}
    days: dict[Any, Any] = {None: None}
    stmt = select(
        _key(Customer.id, True),
        Customer.customer_no,
        Customer.name,
        Customer.customer_value,
        cast(Customer.products, String),  # as text: decoded here once per distinct list
        Customer.activation_date,
        Customer.vip_rated,
    ).where(*conditions)
    # In number order, the database sorting (without holding Python's interpreter): the
    # lists are in that order within a due date or stage, and sort the customers no more.
    stmt = stmt.order_by(Customer.customer_no)
    out: dict[Any, WorklistCustomer] = {}
    absent: Any = object()
    known_products, known_day = products_of.get, days.get
    for key, no, name, value, listed, activation, vip_rated in _run(session, stmt, True):
        products = known_products(listed, absent)
        if products is absent:
            products = products_of[listed] = frozenset(_json(listed) or ())
        active = known_day(activation, absent)
        if active is absent:
            active = days[activation] = _date(activation)
        rated = known_day(vip_rated, absent)
        if rated is absent:
            rated = days[vip_rated] = _date(vip_rated)
        out[key] = WorklistCustomer(key, no, name, value, products, active, rated)
    return out


# --- worklist candidates: queries selecting customer ids, run as part of the reads above ----
# No DISTINCT: ``IN (SELECT ...)`` needs none, and with it SQLite walks the whole table in
# customer order (the unique index) instead of the range of the month's or date's index.


def fair_use_candidates(months: Sequence[str]) -> Select[Any]:
    """Customers with a fair-use record over the limits in one of ``months``."""
    return select(FairUseRecord.customer_id).where(
        FairUseRecord.month.in_(list(months)), FairUseRecord.exceeded.is_(True)
    )


def bundle_candidates(ending_after: date, ending_by: date) -> Select[Any]:
    """Customers with a bundle ending in (ending_after, ending_by]."""
    return select(Bundle.customer_id).where(
        Bundle.end_date > ending_after, Bundle.end_date <= ending_by
    )


def activated_candidates(first: date, last: date) -> Select[Any]:
    """Customers activated on a day in [first, last]."""
    return select(Customer.id).where(
        Customer.activation_date >= first, Customer.activation_date <= last
    )


def open_complaint_candidates() -> Select[Any]:
    """Customers with an open complaint case."""
    return select(Case.customer_id).where(
        Case.process == Process.COMPLAINT, Case.state == CaseState.OPEN
    )
