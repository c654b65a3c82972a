"""The demo builder: deterministic rows for every table, as plain dicts.

Everything is derived from one :class:`random.Random` seeded by the caller
and from the reference date; ids are UUIDv5 under a namespace made from the
seed, timestamps are the reference date minus some days. Two builders with
the same seed, reference date and moment of building produce the same rows,
in the same order. No timestamp is later than the moment the demo is built
(:meth:`DemoBuilder.finish` moves the reference day's events before it, in
their order), so the agent's first entries come after the demo's. The rows
are written by :mod:`app.services.demo.service` with bulk inserts.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.services.demo.addresses import demo_address
from app.services.demo.names import (
    AGENTS_BY_LANGUAGE,
    COUNTRY_OF_PARTNER,
    PARTNERS,
    STAFF,
    mobile_number,
)
from app.services.demo.texts import history_text
from app.store.chain import chain_rows, fill_browse_tables
from app.store.search import name_terms

#: The rule-set version the demo's decisions are recorded under.
RULESET_VERSION = "2026.1"
#: Office hours (UTC minutes of the day) in which demo events happen.
DAY_START, DAY_END = 7 * 60, 16 * 60
#: On the reference date itself, events happen before this minute (so the
#: demo does not show events later than the morning it was created for).
TODAY_END = 8 * 60
#: How long before the moment of building the demo's last event happens at the latest.
LEEWAY = timedelta(minutes=1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def month_end(day: date) -> date:
    return add_months(first_of_month(day), 1) - timedelta(days=1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class CustomerRef:
    """What the scenario code needs to know about a customer it created."""

    id: uuid.UUID
    no: str
    name: str
    language: str
    partner: str
    partner_id: uuid.UUID
    country: str
    msisdn: str
    value: int
    products: tuple[str, ...]
    activation: date

    @property
    def agent_language(self) -> str:
        """The language the agents serving this customer write in (the desk's)."""
        return self.language


class DemoBuilder:
    """Collects the demo rows; ``rows[table_name]`` is a list of column dicts."""

    def __init__(
        self, seed: int, reference: date, origin: str, now: datetime | None = None
    ) -> None:
        self.seed = seed
        self.today = reference
        self.now = latest_moment(reference, now)
        self.origin = origin
        self.rng = random.Random(seed)
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"agent-assist/demo/{seed}")
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.partner_ids: dict[str, uuid.UUID] = {}
        self.msisdns: set[str] = set()
        self.names: set[str] = set()
        self._serial: dict[str, int] = defaultdict(int)
        self._deferred_history: list[dict[str, Any]] = []
        #: History entries written so far per customer.
        self.history_count: dict[uuid.UUID, int] = defaultdict(int)

    # --- ids and time -----------------------------------------------------------

    def uid(self, kind: str, key: object = None) -> uuid.UUID:
        """A stable id: the same kind and key give the same UUID for the same seed."""
        if key is None:
            self._serial[kind] += 1
            key = self._serial[kind]
        return uuid.uuid5(self.namespace, f"{kind}:{key}")

    def next_no(self, kind: str, start: int) -> int:
        self._serial["no:" + kind] += 1
        return start + self._serial["no:" + kind] - 1

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, day: date, minute: int | None = None) -> datetime:
        """A point in time on ``day`` during office hours, never after the reference morning."""
        day = min(day, self.today)
        if minute is None:
            minute = self.rng.randrange(DAY_START, DAY_END)
        if day == self.today:
            minute = min(minute, TODAY_END - 2 - self.rng.randrange(59))
        second = self.rng.randrange(60)
        return datetime.combine(day, time(minute // 60, minute % 60, second), UTC)

    def agent(self, customer: CustomerRef) -> str:
        return self.rng.choice(AGENTS_BY_LANGUAGE[customer.language])

    # --- reference data -----------------------------------------------------------

    def add_partners_and_staff(self) -> None:
        created = datetime.combine(add_months(self.today, -60), time(9, 0), UTC)
        for spec in PARTNERS:
            pid = self.uid("partner", spec.code)
            self.partner_ids[spec.code] = pid
            self.rows["partners"].append(
                dict(
                    id=pid,
                    code=spec.code,
                    name=spec.name,
                    country=spec.country,
                    language=spec.language,
                    created_at=created,
                    updated_at=created,
                )
            )
        for staff in STAFF:
            self.rows["users"].append(
                dict(
                    id=self.uid("user", staff.login),
                    login=staff.login,
                    display_name=staff.display_name,
                    role=staff.role,
                    partner_id=self.partner_ids[staff.partner] if staff.partner else None,
                    language=staff.language,
                    active=True,
                    created_at=created,
                )
            )

    # --- customers and what they have --------------------------------------------------

    def add_customer(
        self,
        language: str,
        partner: str,
        *,
        activation: date,
        value: int = 2,
        vip_rated: date | None = None,
        products: tuple[str, ...] = (),
        name: str | None = None,
        msisdn: str | None = None,
    ) -> CustomerRef:
        from app.services.demo.names import person_name

        number = self.next_no("customer", 10000)
        no = f"C-{number}"
        if name is None:
            name = person_name(self.rng, language)
            for _attempt in range(5):
                if name not in self.names:
                    break
                name = person_name(self.rng, language)
        self.names.add(name)
        country = COUNTRY_OF_PARTNER[partner]
        if msisdn is None:
            msisdn = mobile_number(self.rng, country, self.msisdns)
        else:
            self.msisdns.add(msisdn)
        cid = self.uid("customer", no)
        created = self.at(min(activation, self.today), 8 * 60)
        address = demo_address(self.seed, no, partner, country)
        self.rows["customers"].append(
            dict(
                id=cid,
                customer_no=no,
                msisdn=msisdn,
                name=name,
                search_name=name.casefold()[:200],
                language=language,
                customer_value=value,
                vip=vip_rated is not None,
                vip_rated=vip_rated,
                partner_id=self.partner_ids[partner],
                products=sorted(products),
                activation_date=activation,
                street=address.street,
                postcode=address.postcode,
                city=address.city,
                country=address.country,
                created_at=created,
                updated_at=created,
            )
        )
        for term in sorted(name_terms(name)):
            self.rows["customer_search_terms"].append(
                dict(customer_id=cid, term=term, sort_key=name.casefold()[:200])
            )
        ref = CustomerRef(
            cid,
            no,
            name,
            language,
            partner,
            self.partner_ids[partner],
            country,
            msisdn,
            value,
            tuple(sorted(products)),
            activation,
        )
        self.history(
            ref,
            self.at(activation, 7 * 60 + 5),
            "import",
            "import",
            author="import",
            partner=partner,
        )
        if vip_rated is not None:
            self.history(ref, self.at(vip_rated), "note", "ob_vip", value=value)
        return ref

    # --- work on customers ----------------------------------------------------------

    def case(
        self,
        customer: CustomerRef,
        process: str,
        subject: str | None,
        stage: str | None,
        *,
        opened: datetime,
        facts: dict[str, Any] | None = None,
        closed: datetime | None = None,
        due: date | None = None,
        by: str | None = None,
        script_state: dict[str, Any] | None = None,
    ) -> uuid.UUID:
        cid = self.uid("case")
        self.rows["cases"].append(
            dict(
                id=cid,
                customer_id=customer.id,
                process=process,
                subject=subject,
                stage=stage,
                state="closed" if closed else "open",
                facts=facts or {},
                script_state=script_state or {},
                opened_at=opened,
                opened_by=by or self.agent(customer),
                due=due,
                closed_at=closed,
                updated_at=closed or opened,
            )
        )
        return cid

    def history(
        self,
        customer: CustomerRef,
        when: datetime,
        kind: str,
        key: str | None,
        *,
        text: str | None = None,
        author: str | None = None,
        case_id: uuid.UUID | None = None,
        payload: dict[str, Any] | None = None,
        rule_ids: list[str] | None = None,
        refers_to: uuid.UUID | None = None,
        language: str | None = None,
        **values: object,
    ) -> uuid.UUID:
        """Record a history entry, worded in the author's (agent's) language."""
        hid = self.uid("history")
        self.history_count[customer.id] += 1
        if text is None:
            assert key is not None
            text = history_text(key, language or customer.agent_language, **values)
        row = dict(
            id=hid,
            customer_id=customer.id,
            case_id=case_id,
            author=author or self.agent(customer),
            created_at=when,
            kind=kind,
            text=text,
            payload=payload or {},
            rule_ids=rule_ids or [],
            ruleset_version=RULESET_VERSION if rule_ids else None,
            refers_to=refers_to,
            origin=self.origin,
        )
        # A correction must follow the entry it corrects (foreign key order).
        (self._deferred_history if refers_to else self.rows["history_entries"]).append(row)
        return hid

    def finish(self) -> dict[str, list[dict[str, Any]]]:
        """The rows per table, corrections after the entries they correct, and
        no timestamp later than :attr:`now`."""
        self.rows["history_entries"].extend(self._deferred_history)
        self._deferred_history = []
        keep_before(self.rows, datetime.combine(self.today, time(0), UTC), self.now)
        # Every entry joins this installation's hash chain, in the order written.
        chain_rows(self.rows["history_entries"], {})
        fill_browse_tables(self.rows)  # the history browser's filter columns
        return dict(self.rows)


def latest_moment(reference: date, now: datetime | None) -> datetime:
    """The latest a demo event may happen: the reference day's morning
    (:data:`TODAY_END`), or just before ``now`` when the demo is built earlier
    that day. A reference date after ``now`` keeps its morning."""
    morning = datetime.combine(reference, time(TODAY_END // 60, TODAY_END % 60), UTC)
    if now is None:
        return morning
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    latest = now.astimezone(UTC) - LEEWAY
    midnight = datetime.combine(reference, time(0), UTC)
    return min(morning, latest) if latest > midnight else morning


def keep_before(rows: dict[str, list[dict[str, Any]]], start: datetime, latest: datetime) -> None:
    """Move every timestamp after ``start`` into ``start``..``latest`` when one is
    later than ``latest``: scaled, so events keep their order."""
    stamps = [
        value
        for table in rows.values()
        for row in table
        for value in row.values()
        if isinstance(value, datetime) and value > start
    ]
    last = max(stamps, default=latest)
    if last <= latest:
        return
    span, room = last - start, latest - start
    for table in rows.values():
        for row in table:
            for key, value in row.items():
                if isinstance(value, datetime) and value > start:
                    row[key] = start + room * ((value - start) / span)
