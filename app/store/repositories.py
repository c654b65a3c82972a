"""Repositories: the queries the services need, and nothing that decides.

A repository wraps one session; :class:`UnitOfWork` opens the session, hands
out the repositories and commits once at the end of a use case, or rolls
everything back when anything failed, so a use case is all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

from sqlalchemy import Row, func, or_, select, tuple_, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from app.store.db import Database
from app.store.models import (
    Bundle,
    Case,
    CaseState,
    Customer,
    CustomerSearchTerm,
    DevicePlan,
    DevicePlanStatus,
    FairUseRecord,
    HistoryEntry,
    Letter,
    LetterStatus,
    MassIncident,
    Partner,
    Process,
    Subscription,
    Task,
)
from app.store.repositories_tickets import Tickets
from app.store.repositories_users import Users
from app.store.search import (
    SEARCH_TIMEOUT_MS,
    SearchCancel,
    clean_query,
    fold,
    msisdn_prefixes,
    prefix_end,
)
from app.store.types import utcnow


class Partners:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, partner_id: uuid.UUID) -> Partner | None:
        return self.session.get(Partner, partner_id)

    def by_code(self, code: str) -> Partner | None:
        return self.session.scalar(select(Partner).where(Partner.code == code))

    def all(self) -> Sequence[Partner]:
        return self.session.scalars(select(Partner).order_by(Partner.code)).all()

    def regions(self) -> tuple[str, ...]:
        """The partners' countries, most customers first: default MSISDN regions."""
        rows = self.session.execute(
            select(Partner.country, func.count(Customer.id))
            .outerjoin(Customer, Customer.partner_id == Partner.id)
            .group_by(Partner.country)
            .order_by(func.count(Customer.id).desc(), Partner.country)
        ).all()
        return tuple(country for country, _ in rows) or ("CH",)

    def countries(self) -> list[str]:
        """Every partner's country (read from the small partner table, never the customers)."""
        return [c for c in self.session.scalars(select(Partner.country).distinct()) if c]

    def names(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Partner id -> name, for the given ids."""
        if not ids:
            return {}
        rows = self.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
        return {pid: name for pid, name in rows}


class Customers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: uuid.UUID) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def by_no(self, customer_no: str) -> Customer | None:
        return self.session.scalar(select(Customer).where(Customer.customer_no == customer_no))

    def by_msisdn(self, msisdn: str) -> Sequence[Customer]:
        return self.session.scalars(select(Customer).where(Customer.msisdn == msisdn)).all()

    def with_details(self, customer_id: uuid.UUID) -> Customer | None:
        """A customer with partner, subscriptions, device plans and bundles loaded."""
        return self.session.scalar(
            select(Customer)
            .where(Customer.id == customer_id)
            .options(
                selectinload(Customer.partner),
                selectinload(Customer.subscriptions),
                selectinload(Customer.device_plans),
                selectinload(Customer.bundles),
            )
        )

    def search(
        self,
        query: str,
        regions: tuple[str, ...],
        limit: int = 50,
        cancel: SearchCancel | None = None,
        partner: uuid.UUID | None = None,
    ) -> Sequence[Customer]:
        """Customers whose number, MSISDN or a name word starts with ``query``.

        Customer numbers first (an exact one leads its range), then MSISDNs
        (an exact one leads), then names in the order of the word they were
        found by and then by name. Every branch is one index range scan read
        in index order with its own ``LIMIT``, so the 50 best come without
        sorting every match, also for a one-letter prefix on a million
        customers. ``cancel`` lets another thread abort the running query;
        ``partner`` limits every branch to that partner's customers inside the
        query, so a partner's login gets its 50 best, not what is left of everyone's.
        """
        text = clean_query(query)
        if not text or limit <= 0:
            return []
        if cancel is not None:
            cancel.attach(self.session)
        try:
            ids = self._search_ids(text, regions, limit, partner)
            if not ids:
                return []
            found = {
                c.id: c for c in self.session.scalars(select(Customer).where(Customer.id.in_(ids)))
            }
        finally:
            if cancel is not None:
                cancel.detach()
        return [found[i] for i in ids if i in found]

    def _search_ids(
        self, text: str, regions: tuple[str, ...], limit: int, partner: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        ids: dict[uuid.UUID, None] = {}

        def own(stmt: Any) -> Any:
            return stmt if partner is None else stmt.where(Customer.partner_id == partner)

        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(sql_text(f"SET LOCAL statement_timeout = {SEARCH_TIMEOUT_MS}"))
        for number in dict.fromkeys((text, text.upper())):
            stmt = own(select(Customer.id).where(_prefix(Customer.customer_no, number)))
            ids.update(
                dict.fromkeys(
                    self.session.scalars(stmt.order_by(Customer.customer_no).limit(limit))
                )
            )
        for prefix in msisdn_prefixes(text, regions):
            stmt = own(select(Customer.id).where(_prefix(Customer.msisdn, prefix)))
            rows = self.session.scalars(stmt.order_by(Customer.msisdn).limit(limit))
            ids.update(dict.fromkeys(rows))
        folded = fold(text)
        if folded and len(ids) < limit:
            ids.update(dict.fromkeys(self._name_ids(folded, limit - len(ids), set(ids), partner)))
        return list(ids)[:limit]

    def _name_ids(
        self, folded: str, wanted: int, seen: set[uuid.UUID], partner: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        """Customers with a name term starting with ``folded``, by term, then name.

        A customer found by several of its words is listed once, at its first.
        """
        term = CustomerSearchTerm
        base = select(term.term, term.sort_key, term.customer_id).where(_prefix(term.term, folded))
        if partner is not None:  # read in the term index's order, each term's customer checked
            base = base.join(Customer, Customer.id == term.customer_id).where(
                Customer.partner_id == partner
            )
        base = base.order_by(term.term, term.sort_key, term.customer_id)
        batch = max(4 * wanted, 64)
        found: list[uuid.UUID] = []
        after: tuple[str, str, uuid.UUID] | None = None
        while len(found) < wanted:
            stmt = (
                base
                if after is None
                else base.where(tuple_(term.term, term.sort_key, term.customer_id) > after)
            )
            rows = self.session.execute(stmt.limit(batch)).all()
            for row in rows:
                if row.customer_id not in seen:
                    seen.add(row.customer_id)
                    found.append(row.customer_id)
            if len(rows) < batch:
                break
            after = tuple(rows[-1])  # type: ignore[assignment]
        return found[:wanted]

    def count(self) -> int:
        return self.session.scalar(select(func.count(Customer.id))) or 0

    def any(self) -> bool:
        """Whether the database holds a customer at all (one index seek, not a count)."""
        return self.session.scalar(select(Customer.id).limit(1)) is not None


def _prefix(column: Any, prefix: str) -> Any:
    """``column`` starts with ``prefix``, as an index range scan."""
    end = prefix_end(prefix)
    return (column >= prefix) if end is None else (column >= prefix) & (column < end)


class Subscriptions:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current(self, customer_id: uuid.UUID) -> Subscription | None:
        """The customer's subscription that is not cancelled, else the latest one."""
        return self.session.scalar(
            select(Subscription)
            .where(Subscription.customer_id == customer_id)
            .order_by(Subscription.cancelled_effective.is_not(None), Subscription.activated.desc())
            .limit(1)
        )

    def active_device_plans(self, customer_id: uuid.UUID) -> Sequence[DevicePlan]:
        return self.session.scalars(
            select(DevicePlan).where(
                DevicePlan.customer_id == customer_id,
                DevicePlan.status == DevicePlanStatus.ACTIVE,
            )
        ).all()

    def device_plan(self, plan_no: str) -> DevicePlan | None:
        return self.session.scalar(select(DevicePlan).where(DevicePlan.plan_no == plan_no))

    def add_device_plan(
        self,
        subscription: Subscription,
        *,
        plan_no: str,
        device: str | None,
        activated: date,
        down_payment: Decimal,
        financed_amount: Decimal,
        instalment: Decimal,
    ) -> DevicePlan:
        """A new active device plan of ``subscription`` (none of its instalments billed)."""
        plan = DevicePlan(
            plan_no=plan_no,
            device=device,
            customer_id=subscription.customer_id,
            subscription_id=subscription.id,
            activated=activated,
            down_payment=down_payment,
            financed_amount=financed_amount,
            instalment=instalment,
            instalments_billed=0,
            status=DevicePlanStatus.ACTIVE,
        )
        self.session.add(plan)
        self.session.flush()
        return plan

    @staticmethod
    def cancel(subscription: Subscription, effective: date | None) -> None:
        """``subscription`` is cancelled, effective on ``effective``."""
        subscription.cancelled_effective = effective

    @staticmethod
    def upgraded(subscription: Subscription, effective: date | None) -> None:
        """``subscription`` was upgraded, effective on ``effective`` (what the downgrade
        lock reads)."""
        subscription.last_upgrade_effective = effective

    @staticmethod
    def end_device_plan(plan: DevicePlan, day: date) -> None:
        """``plan`` ends on ``day``."""
        plan.status = DevicePlanStatus.ENDED
        plan.ended = day


class Bundles:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: uuid.UUID, bundle_no: str) -> Bundle | None:
        return self.session.scalar(
            select(Bundle).where(Bundle.customer_id == customer_id, Bundle.bundle_no == bundle_no)
        )

    def of_customer(self, customer_id: uuid.UUID) -> Sequence[Bundle]:
        return self.session.scalars(
            select(Bundle).where(Bundle.customer_id == customer_id).order_by(Bundle.end_date)
        ).all()

    @staticmethod
    def mark_reminder_sent(bundle: Bundle, reminder: str) -> None:
        """``reminder`` of ``bundle`` is sent (the bundle's reminders sent only grow)."""
        sent = list(bundle.reminders_sent or [])
        if reminder not in sent:
            bundle.reminders_sent = [*sent, reminder]  # a new list: the JSON column sees it


class FairUse:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: uuid.UUID, month: str) -> FairUseRecord | None:
        return self.session.scalar(
            select(FairUseRecord).where(
                FairUseRecord.customer_id == customer_id, FairUseRecord.month == month
            )
        )

    def of_customer(self, customer_id: uuid.UUID) -> Sequence[FairUseRecord]:
        return self.session.scalars(
            select(FairUseRecord)
            .where(FairUseRecord.customer_id == customer_id)
            .order_by(FairUseRecord.month)
        ).all()


class Cases:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, case_id: uuid.UUID) -> Case | None:
        return self.session.get(Case, case_id)

    def open_for(self, customer_id: uuid.UUID) -> Sequence[Case]:
        return self.session.scalars(
            select(Case)
            .where(Case.customer_id == customer_id, Case.state == CaseState.OPEN)
            .order_by(Case.opened_at)
        ).all()

    def of_subject(
        self, customer_id: uuid.UUID, process: str, subject: str | None
    ) -> Sequence[Case]:
        """The customer's cases of ``process`` about ``subject``, open or closed, newest first."""
        return self.session.scalars(
            select(Case)
            .where(
                Case.customer_id == customer_id, Case.process == process, Case.subject == subject
            )
            .order_by(Case.opened_at.desc())
        ).all()

    def count_of(self, customer_id: uuid.UUID, process: str) -> int:
        """How many cases of ``process`` the customer has had, open or closed."""
        count = self.session.scalar(
            select(func.count(Case.id)).where(
                Case.customer_id == customer_id, Case.process == process
            )
        )
        return int(count or 0)

    def lock_for_event(self, case_id: uuid.UUID) -> None:
        """Lock the case's row until the transaction ends (``SELECT ... FOR UPDATE`` on
        PostgreSQL; SQLite's writer already excludes every other): an event appended
        meanwhile by another writer (a branch's sync on the server) is seen by the
        derivation that follows."""
        self.session.execute(select(Case.id).where(Case.id == case_id).with_for_update())

    def ids_of_subject(
        self, customer_id: uuid.UUID, process: Process, subject: str | None
    ) -> Sequence[uuid.UUID]:
        """The ids of the customer's cases of ``process`` about ``subject``, open or closed."""
        return self.session.scalars(
            select(Case.id).where(
                Case.customer_id == customer_id,
                Case.process == process,
                Case.subject == subject,
            )
        ).all()


class Tasks:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, customer_id: uuid.UUID, case_id: uuid.UUID | None, kind: str, title: str, due: date
    ) -> Task:
        """A new open follow-up task (its title cut to the column's 200 characters)."""
        task = Task(customer_id=customer_id, case_id=case_id, kind=kind, title=title[:200], due=due)
        self.session.add(task)
        self.session.flush()
        return task


class Incidents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_for(self, partner_id: uuid.UUID | None) -> Sequence[MassIncident]:
        """Mass incidents not withdrawn, of the partner or of all partners; the partner's first,
        then the latest."""
        return self.session.scalars(
            select(MassIncident)
            .where(
                MassIncident.withdrawn_at.is_(None),
                or_(MassIncident.partner_id.is_(None), MassIncident.partner_id == partner_id),
            )
            .order_by(MassIncident.partner_id.is_(None), MassIncident.started_at.desc())
        ).all()


class Letters:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, letter_id: uuid.UUID) -> Letter | None:
        return self.session.get(Letter, letter_id)

    def of_customer(self, customer_id: uuid.UUID) -> Sequence[Letter]:
        """The customer's letters, latest request first."""
        return self.session.scalars(
            select(Letter)
            .where(Letter.customer_id == customer_id)
            .order_by(Letter.requested_at.desc(), Letter.id)
        ).all()

    def requested(
        self,
        *,
        document: str | None = None,
        between: tuple[datetime, datetime] | None = None,
    ) -> Sequence[Letter]:
        """Letters waiting to be issued, oldest first; optionally one document, or requested
        in [start, end)."""
        stmt = select(Letter).where(Letter.status == LetterStatus.REQUESTED)
        if document:
            stmt = stmt.where(Letter.document == document)
        if between is not None:
            stmt = stmt.where(Letter.requested_at >= between[0], Letter.requested_at < between[1])
        return self.session.scalars(stmt.order_by(Letter.requested_at, Letter.id)).all()

    def mark_issued(self, letter_id: uuid.UUID, **values: Any) -> bool:
        """Set ``values`` on the letter if it is still requested; False when it no longer was
        (issued meanwhile by someone else)."""
        result = self.session.execute(
            update(Letter)
            .where(Letter.id == letter_id, Letter.status == LetterStatus.REQUESTED)
            .values(status=LetterStatus.ISSUED, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


HistoryCursor = tuple[datetime, uuid.UUID]


class History:
    """Append and read history entries; there is deliberately no update or delete."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, entry: HistoryEntry) -> HistoryEntry:
        if entry.created_at is None:
            entry.created_at = utcnow()
        self.session.add(entry)
        return entry

    def page(
        self, customer_id: uuid.UUID, *, before: HistoryCursor | None = None, limit: int = 100
    ) -> Sequence[HistoryEntry]:
        """Up to ``limit`` entries, newest first, strictly older than ``before``.

        Keyset pagination on (created_at, id): every page costs the same,
        however deep into a long history the agent scrolls.
        """
        stmt = select(HistoryEntry).where(HistoryEntry.customer_id == customer_id)
        if before is not None:
            stmt = stmt.where(tuple_(HistoryEntry.created_at, HistoryEntry.id) < tuple_(*before))
        stmt = stmt.order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()).limit(limit)
        return self.session.scalars(stmt).all()

    def count(self, customer_id: uuid.UUID) -> int:
        return (
            self.session.scalar(
                select(func.count(HistoryEntry.id)).where(HistoryEntry.customer_id == customer_id)
            )
            or 0
        )

    def steps_of_case(self, case_id: uuid.UUID) -> Sequence[HistoryEntry]:
        """The case's completed guided steps (its events), oldest first."""
        return self.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.case_id == case_id, HistoryEntry.kind == "step")
            .order_by(HistoryEntry.created_at, HistoryEntry.id)
        ).all()

    def chain_links(self, customer_id: uuid.UUID) -> dict[uuid.UUID, tuple[str | None, str | None]]:
        """Entry id -> (origin, hash) of every entry of the customer: where each link of
        the hash chains was recorded and its hash."""
        rows = self.session.execute(
            select(HistoryEntry.id, HistoryEntry.origin, HistoryEntry.hash).where(
                HistoryEntry.customer_id == customer_id
            )
        )
        return {entry_id: (origin, hash_) for entry_id, origin, hash_ in rows}

    def whose(self, entry_id: uuid.UUID) -> Row[str, datetime, str] | None:
        """(customer_no, created_at, author) of one entry, to find it; None: no such entry."""
        return self.session.execute(
            select(Customer.customer_no, HistoryEntry.created_at, HistoryEntry.author)
            .join(Customer, Customer.id == HistoryEntry.customer_id, isouter=True)
            .where(HistoryEntry.id == entry_id)
        ).first()


class UnitOfWork:
    """One use case's transaction, with the repositories bound to it.

    ``with UnitOfWork(db) as uow: ...; uow.commit()`` — leaving the block
    without ``commit()`` (or with an exception) rolls everything back.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> UnitOfWork:
        self.session = self.db.session()
        self.partners = Partners(self.session)
        self.customers = Customers(self.session)
        self.subscriptions = Subscriptions(self.session)
        self.bundles = Bundles(self.session)
        self.fair_use = FairUse(self.session)
        self.cases = Cases(self.session)
        self.history = History(self.session)
        self.incidents = Incidents(self.session)
        self.tasks = Tasks(self.session)
        self.letters = Letters(self.session)
        self.users = Users(self.session)
        self.tickets = Tickets(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def add(self, obj: object) -> None:
        self.session.add(obj)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()
