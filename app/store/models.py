"""The database schema: SQLAlchemy 2 typed mappings for all five processes.

Conventions:

* Every row that can be created on a branch office's desktop while offline has
  a UUID key, so rows from several machines merge without renumbering.
* History entries are append-only events; the database refuses UPDATE and
  DELETE on them (triggers in the migration) and the ORM refuses too. Each
  entry is a link of its installation's hash chain (:mod:`app.store.chain`).
* What changes (a case's stage, a ticket's status) is a projection that the
  services update in the same transaction as the event that changed it.
* Money is :class:`~app.store.types.Money` (exact, minor units); points in
  time are timezone-aware UTC; calendar dates are ``date``; months are text
  ``YYYY-MM`` (sortable).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from app.store import chain as _chain
from app.store.enums import Role as Role  # re-exported: the screens import it without SQLAlchemy
from app.store.types import Money, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's declared mapping
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        date: Date(),
        Decimal: Money(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


def _enum(cls: type[enum.Enum]) -> Enum:
    """A portable enum column: text with the enum's values, no native type."""
    return Enum(
        cls,
        native_enum=False,
        validate_strings=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class Process(enum.StrEnum):
    """The shipped processes' names, for the code that names one. A case's ``process``
    column is plain text: any process registered in ``app.processes`` may be stored
    without a migration, the service layer checks the name against that registry."""

    FAIR_USE = "fair_use"
    EXPIRY = "expiry"
    CONTRACT = "contract"
    ONBOARDING = "onboarding"
    COMPLAINT = "complaint"


class CaseState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class DevicePlanStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class SmsStatus(enum.StrEnum):
    QUEUED = "queued"
    EXPORTED = "exported"


class LetterStatus(enum.StrEnum):
    REQUESTED = "requested"
    ISSUED = "issued"


PRODUCTS = ("mobile_tv", "combo", "internet", "aio")
LANGUAGES = ("de", "en", "ru", "zh")


# --- people ------------------------------------------------------------------


class Partner(Base):
    """A partner network operator (the Swiss source's KNU)."""

    __tablename__ = "partners"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="CH")
    language: Mapped[str] = mapped_column(String(5), default="de")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customers: Mapped[list[Customer]] = relationship(back_populates="partner")


class User(Base):
    """Someone who works with the app: agent, partner staff, supervisor, admin."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.AGENT)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partners.id"))
    language: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- customers and what they have -------------------------------------------------


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("customer_value BETWEEN 1 AND 4", name="customer_value_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_no: Mapped[str] = mapped_column(String(32), unique=True)
    msisdn: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    name: Mapped[str] = mapped_column(String(200))
    #: ``name`` case-folded, for case-insensitive search on every engine.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    language: Mapped[str] = mapped_column(String(5))
    customer_value: Mapped[int] = mapped_column(Integer, default=1)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    vip_rated: Mapped[date | None]
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partners.id"), index=True)
    products: Mapped[list[str]] = mapped_column(default=list)
    #: Day 0 of onboarding; indexed for the onboarding worklist.
    activation_date: Mapped[date | None] = mapped_column(index=True)
    #: Postal address for letters, as the country writes it (``street`` may
    #: hold house, flat and district: "ул. Тверская, д. 7, кв. 12").
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    #: ISO 3166 alpha-2; none means the partner's country.
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship(back_populates="customers")
    search_terms: Mapped[list[CustomerSearchTerm]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    subscriptions: Mapped[list[Subscription]] = relationship(back_populates="customer")
    device_plans: Mapped[list[DevicePlan]] = relationship(back_populates="customer")
    bundles: Mapped[list[Bundle]] = relationship(back_populates="customer")


class CustomerSearchTerm(Base):
    """A word of a customer's name, folded, for indexed as-you-type search."""

    __tablename__ = "customer_search_terms"
    __table_args__ = (
        # Read in this order with a LIMIT, a prefix search never sorts its matches.
        Index("ix_customer_search_terms_term_sort_key", "term", "sort_key", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The customer's ``search_name``: names found by one term come in name order.
    sort_key: Mapped[str] = mapped_column(String(200), default="", server_default="")


class Subscription(Base):
    """A subscription ("Abo"): tariff, fees and included allowances."""

    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    tariff: Mapped[str] = mapped_column(String(100))
    monthly_fee: Mapped[Decimal]
    aio_discount: Mapped[Decimal | None]
    data_mb: Mapped[int | None]
    minutes: Mapped[int | None]
    activated: Mapped[date]
    last_upgrade_effective: Mapped[date | None]
    cancelled_effective: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="subscriptions")
    device_plans: Mapped[list[DevicePlan]] = relationship(back_populates="subscription")


class DevicePlan(Base):
    """A phone bought in instalments ("Geräteplan"). At most one active per subscription."""

    __tablename__ = "device_plans"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_no: Mapped[str] = mapped_column(String(32), unique=True)
    #: The device's name as the shop sold it ("iPhone 16 128 GB"); None when not imported.
    device: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    #: Null only while orphaned (subscription order deleted and re-entered).
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subscriptions.id"), index=True
    )
    activated: Mapped[date]
    down_payment: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    financed_amount: Mapped[Decimal]
    instalment: Mapped[Decimal]
    instalments_billed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[DevicePlanStatus] = mapped_column(
        _enum(DevicePlanStatus), default=DevicePlanStatus.ACTIVE
    )
    ended: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="device_plans")
    subscription: Mapped[Subscription | None] = relationship(back_populates="device_plans")


class Bundle(Base):
    """A bundle, package or promotion with an end date (expiry reminders)."""

    __tablename__ = "bundles"
    __table_args__ = (UniqueConstraint("customer_id", "bundle_no"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    #: The operator's identifier of the bundle (``bundle_id`` in imports).
    bundle_no: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    end_date: Mapped[date] = mapped_column(index=True)
    package_fee: Mapped[Decimal | None]
    #: Reminders already sent: ``month`` and/or ``week``. Only ever grows.
    reminders_sent: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="bundles")


class FairUseRecord(Base):
    """One customer's usage against the fair-use limits in one month."""

    __tablename__ = "fair_use_records"
    __table_args__ = (
        UniqueConstraint("customer_id", "month"),
        Index("ix_fair_use_records_month_exceeded", "month", "exceeded", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    exceeded: Mapped[bool] = mapped_column(Boolean)
    data_mb_used: Mapped[int | None]
    limit_mb: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- work on a customer ----------------------------------------------------------


class Case(Base):
    """One running process for one customer (a fair-use month, a complaint, ...)."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    #: A registered process's name (``app.processes``), e.g. ``fair_use``.
    process: Mapped[str] = mapped_column(String(32), index=True)
    #: What the case is about within its process: a month, a bundle, a request.
    subject: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[CaseState] = mapped_column(_enum(CaseState), default=CaseState.OPEN)
    #: Process facts (complaint category, chosen measure, claim number, ...).
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Where the guided script stands (current step, answers), for resuming.
    script_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(64))
    due: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HistoryEntry(Base):
    """An immutable record of something done for a customer.

    Never updated or deleted; a correction is a new entry whose
    ``refers_to`` names the entry it corrects.
    """

    __tablename__ = "history_entries"
    __table_args__ = (
        Index(None, "customer_id", "created_at", "id"),
        Index(None, "origin", "chain_seq", unique=True),
        # The history browser's filters, each in its order (migration 0007).
        Index("ix_history_entries_created_at_id", "created_at", "id"),
        Index("ix_history_entries_partner_created_at", "partner_id", "created_at", "id"),
        Index("ix_history_entries_kind_created_at", "kind", "created_at", "id"),
        # These carry the other filters' columns after (created_at, id): a combination
        # walking one of them is checked in the index, the table read for a match only
        # (migration 0011). Process + stage: one seek to the pair (migration 0010).
        *(
            Index(f"ix_history_entries_{name}_created_at", *key, "created_at", "id", *carried)
            for name, key, carried in (
                ("author", ("author",), ("partner_id", "process", "stage", "kind")),
                ("process", ("process",), ("partner_id", "author", "stage", "kind")),
                ("stage", ("stage",), ("partner_id", "author", "process", "kind")),
                ("process_stage", ("process", "stage"), ("partner_id", "author", "kind")),
            )
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: Login of who did it (a name, so entries stay readable after sync).
    author: Mapped[str] = mapped_column(String(64))
    #: The desktop's clock when it happened (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What happened: ``note``, ``sms``, ``ticket``, ``letter``, ``import``, ``step`` ...
    kind: Mapped[str] = mapped_column(String(40))
    #: What people read in the timeline, in the words of the moment.
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rule_ids: Mapped[list[str]] = mapped_column(default=list)
    ruleset_version: Mapped[str | None] = mapped_column(String(32))
    refers_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("history_entries.id"))
    #: The installation that wrote it (for sync between offices).
    origin: Mapped[str | None] = mapped_column(String(64))
    #: Tamper evidence (:mod:`app.store.chain`): the position in the origin's
    #: hash chain, the hash of the entry before it and this entry's own hash.
    chain_seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    #: What the history browser filters by, copied when the entry is written
    #: (not part of the hash): the customer's partner, the case's process
    #: (or the payload's) and the stage the case stood at.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    process: Mapped[str | None] = mapped_column(String(32))
    stage: Mapped[str | None] = mapped_column(String(40))


class PartnerTicket(Base):
    """A ticket to the partner; its status follows its feedback."""

    __tablename__ = "partner_tickets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), default=TicketStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))

    feedback: Mapped[list[TicketFeedback]] = relationship(
        back_populates="ticket", order_by="TicketFeedback.created_at"
    )


class TicketFeedback(Base):
    """The partner's answer on a ticket (append-only)."""

    __tablename__ = "ticket_feedback"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_tickets.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: For decision tickets: does the partner agree? Null when not asked.
    agrees: Mapped[bool | None]
    text: Mapped[str] = mapped_column(Text)

    ticket: Mapped[PartnerTicket] = relationship(back_populates="feedback")


class SmsMessage(Base):
    """An SMS in the outbox, with its final text in the customer's language."""

    __tablename__ = "sms_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    msisdn: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    template_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[SmsStatus] = mapped_column(
        _enum(SmsStatus), default=SmsStatus.QUEUED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    exported_at: Mapped[datetime | None]


class Letter(Base):
    """A letter: requested by a process step, then issued as an archived PDF."""

    __tablename__ = "letters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    document: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    #: The facts the letter is filled from, frozen at request time.
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[LetterStatus] = mapped_column(
        _enum(LetterStatus), default=LetterStatus.REQUESTED
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str | None] = mapped_column(String(32))
    issued_at: Mapped[datetime | None]
    issued_by: Mapped[str | None] = mapped_column(String(64))
    #: Archived file below the data directory, and its SHA-256.
    pdf_path: Mapped[str | None] = mapped_column(String(400))
    sha256: Mapped[str | None] = mapped_column(String(64))


class Task(Base):
    """A follow-up with a due date (a call-back, a VIP deadline, ...)."""

    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MassIncident(Base):
    """A problem affecting many customers, with its mandatory handling algorithm."""

    __tablename__ = "mass_incidents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    #: The handling algorithm agents must follow while the incident is active.
    instructions: Mapped[str] = mapped_column(Text)
    #: Complaint category ids the incident applies to.
    categories: Mapped[list[str]] = mapped_column(default=list)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partners.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(64))


class AppMeta(Base):
    """Key/value facts about this database (installation id, sync marks)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- kept in step automatically -------------------------------------------------


@event.listens_for(Session, "before_flush")
def _index_customer_names(session: Session, _ctx: object, _instances: object) -> None:
    from app.store.search import name_terms

    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Customer):
            continue
        obj.search_name = obj.name.casefold()[:200]
        terms = name_terms(obj.name)
        current = {t.term: t for t in obj.search_terms}
        for term, row in current.items():
            if term not in terms:
                obj.search_terms.remove(row)
            elif row.sort_key != obj.search_name:
                row.sort_key = obj.search_name
        for term in sorted(terms - current.keys()):
            obj.search_terms.append(CustomerSearchTerm(term=term, sort_key=obj.search_name))


# --- the ORM side of "history is append-only" ------------------------------------


class ImmutableRowError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_history_changes(session: Session, _ctx: object, _instances: object) -> None:
    for obj in session.dirty:
        if isinstance(obj, HistoryEntry | TicketFeedback) and session.is_modified(obj):
            raise ImmutableRowError(f"{type(obj).__name__} {obj.id} is immutable")
    for obj in session.deleted:
        if isinstance(obj, HistoryEntry | TicketFeedback):
            raise ImmutableRowError(f"{type(obj).__name__} {obj.id} cannot be deleted")


# --- tamper evidence: every new history entry joins its origin's hash chain ----------

event.listen(Session, "before_flush", _chain.chain_new_entries)
event.listen(Session, "do_orm_execute", _chain.chain_bulk_insert)

# --- the branch sync's tables (defined on this Base, kept apart) ----------------------

from app.store import sync_tables as _sync_tables  # noqa: E402, F401
