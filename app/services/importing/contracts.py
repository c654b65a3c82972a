"""Subscriptions, device plans, bundles and fair-use files: rows of a customer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from app.i18n import _
from app.services.importing.base import (
    Context,
    CustomerRows,
    RowRejectedError,
    by_key,
    reject,
)
from app.services.importing.cells import (
    Column,
    list_of,
    one_of,
    parse_amount,
    parse_bool,
    parse_count,
    parse_date,
    parse_month,
    text,
)
from app.store.models import (
    Bundle,
    DevicePlan,
    DevicePlanStatus,
    FairUseRecord,
    Subscription,
)

REMINDERS = ("month", "week")
STATUSES = tuple(s.value for s in DevicePlanStatus)


def _not_before(values: dict[str, Any], column: str, start: str) -> tuple[str, str] | None:
    later, earlier = values.get(column), values.get(start)
    if isinstance(later, date) and isinstance(earlier, date) and later < earlier:
        return column, _("{day} is before {start} {earlier}").format(
            day=later.isoformat(), start=start, earlier=earlier.isoformat()
        )
    return None


class Subscriptions(CustomerRows):
    """Keyed by customer and activation day: a new day is a new subscription."""

    kind = "subscriptions"
    columns = (
        Column("customer_no", text(32), required=True),
        Column("tariff", text(100), required=True),
        Column("monthly_fee", parse_amount, required=True),
        Column("activated", parse_date, required=True),
        Column("aio_discount", parse_amount),
        Column("data_mb", parse_count),
        Column("minutes", parse_count),
        Column("last_upgrade_effective", parse_date),
        Column("cancelled_effective", parse_date),
    )
    key = ("customer_no", "activated")
    fields: tuple[str, ...] = ("tariff", "monthly_fee", "aio_discount", "data_mb", "minutes")
    fields += ("last_upgrade_effective", "cancelled_effective")

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        super().prefetch(rows)
        self.subscriptions = by_key(
            self.store.subscriptions_of(set(self.customer_ids.values())),
            "customer_id",
            "activated",
        )

    def find(self, values: dict[str, Any]) -> Subscription | None:
        return self.subscriptions.get((self.customer_id(values), values["activated"]))

    def check(self, values: dict[str, Any], existing: Any | None) -> None:
        problems = [
            p
            for p in (
                _not_before(values, "last_upgrade_effective", "activated"),
                _not_before(values, "cancelled_effective", "activated"),
            )
            if p
        ]
        if problems:
            raise RowRejectedError(problems)

    def current(self, record: Subscription) -> dict[str, Any]:
        return {name: getattr(record, name) for name in self.fields}

    def create(self, values: dict[str, Any]) -> Subscription:
        customer_id = self.customer_id(values)
        subscription = Subscription(
            id=uuid.uuid4(),
            customer_id=customer_id,
            activated=values["activated"],
            **{name: values[name] for name in self.fields},
        )
        self.session.add(subscription)
        self.subscriptions[(customer_id, subscription.activated)] = subscription
        return subscription

    def subject(self, values: dict[str, Any]) -> str:
        return _("Subscription {tariff} activated {day}").format(
            tariff=values["tariff"], day=values["activated"].isoformat()
        )


def _amount_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with a device plan's amounts, by column."""
    financed, instalment = values["financed_amount"], values["instalment"]
    problems: list[tuple[str, str]] = []
    if instalment <= 0:
        problems.append(("instalment", _("must be more than 0.00")))
    elif instalment > financed:
        problems.append(
            (
                "instalment",
                _("{instalment} is more than the financed amount {financed}").format(
                    instalment=f"{instalment:.2f}", financed=f"{financed:.2f}"
                ),
            )
        )
    elif instalment * values["instalments_billed"] > financed:
        problems.append(
            (
                "instalments_billed",
                _("{count} instalments of {instalment} are more than {financed}").format(
                    count=values["instalments_billed"],
                    instalment=f"{instalment:.2f}",
                    financed=f"{financed:.2f}",
                ),
            )
        )
    return problems


class DevicePlans(CustomerRows):
    """Keyed by plan number; needs a subscription; one active plan per customer."""

    kind = "device-plans"
    columns = (
        Column("customer_no", text(32), required=True),
        Column("plan_no", text(32), required=True),
        Column("activated", parse_date, required=True),
        Column("financed_amount", parse_amount, required=True),
        Column("instalment", parse_amount, required=True),
        Column("down_payment", parse_amount, default=Decimal("0.00")),
        Column("instalments_billed", parse_count, default=0),
        Column("status", one_of(STATUSES), default=DevicePlanStatus.ACTIVE.value),
        # The device's name as sold ("iPhone 16 128 GB"); optional, shown in letters.
        Column("device", text(200)),
    )
    key = ("plan_no",)
    fields = tuple(c.name for c in columns if c.name not in ("customer_no", "plan_no"))

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        #: customer_no -> plan_no -> the status the file gives it (None: as stored).
        self.file_plans: dict[str, dict[str, str | None]] = {}
        #: Plans this import made active (they were not before it).
        self.started: set[str] = set()

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        super().prefetch(rows)
        customer_ids = set(self.customer_ids.values())
        plans = self.store.device_plans_named_or_active(
            {row["plan_no"] for row in rows}, customer_ids
        )
        self.plans = {plan.plan_no: plan for plan in plans}
        self.active: dict[uuid.UUID, set[str]] = {}
        for plan in plans:
            if plan.status == DevicePlanStatus.ACTIVE:
                self.active.setdefault(plan.customer_id, set()).add(plan.plan_no)
        # The current subscription: not cancelled first, then the latest activated.
        self.subscription = self.store.current_subscription_ids(customer_ids)

    def find(self, values: dict[str, Any]) -> DevicePlan | None:
        customer_id = self.customer_id(values)
        plan = self.plans.get(values["plan_no"])
        if plan is not None and plan.customer_id != customer_id:
            owner = self.store.customer_no(plan.customer_id)
            raise reject(
                "plan_no",
                _("device plan {plan_no!r} belongs to customer {owner!r}").format(
                    plan_no=values["plan_no"], owner=owner or "?"
                ),
            )
        return plan

    def check(self, values: dict[str, Any], existing: Any | None) -> None:
        customer_id = self.customer_id(values)
        if existing is None and customer_id not in self.subscription:
            raise reject(
                "customer_no",
                _("customer {number!r} has no subscription: a device plan needs one").format(
                    number=values["customer_no"]
                ),
            )
        problems: list[tuple[str, str]] = []
        if values["status"] == DevicePlanStatus.ACTIVE:
            others = sorted(self._rivals(values["customer_no"], customer_id, values["plan_no"]))
            if others:
                problems.append(
                    (
                        "status",
                        _(
                            "customer {number!r} already has the active device plan {other!r}; "
                            "only one may be active"
                        ).format(number=values["customer_no"], other=others[0]),
                    )
                )
        problems.extend(_amount_problems(values))
        if problems:
            raise RowRejectedError(problems)

    # --- the whole file at once ----------------------------------------------------
    #
    # Whether a plan may be active depends on the customer's other plans, and a
    # file may end one plan and start another in any order. So the file is
    # surveyed first, and every row is judged against the state the whole file
    # leads to: a plan that a good row ends counts as ended wherever the row
    # stands; a plan active before the import and not ended stays active and
    # refuses a plan the file would start; two plans the file would start for
    # one customer refuse each other. The result is the same in every row order
    # and on the first run as on the second.

    surveys = True

    def survey(self, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """Note the status every well-formed row gives its plan (first row of a plan wins)."""
        for _line, values in rows:
            if "customer_no" not in values or "plan_no" not in values:
                continue
            full = {c.name: values.get(c.name, c.default) for c in self.columns}
            if _amount_problems(full):
                continue  # refused for itself: it changes nothing
            plans = self.file_plans.setdefault(values["customer_no"], {})
            plans.setdefault(values["plan_no"], values.get("status"))

    def _rivals(self, customer_no: str, customer_id: uuid.UUID, plan_no: str) -> set[str]:
        """The customer's other plans that would be active with ``plan_no`` after the file."""
        in_file = self.file_plans.get(customer_no, {})
        kept = {
            other
            for other in self.active.get(customer_id, set())
            if other not in self.started and in_file.get(other) != DevicePlanStatus.ENDED
        }
        if plan_no in kept:
            return kept - {plan_no}
        starting = {
            other
            for other, status in in_file.items()
            if other not in kept
            and status != DevicePlanStatus.ENDED
            and self._may_start(other, status, customer_id)
        }
        return (kept | starting) - {plan_no}

    def _may_start(self, plan_no: str, status: str | None, customer_id: uuid.UUID) -> bool:
        """Whether a row of the file can make ``plan_no`` an active plan of the customer."""
        plan = self.plans.get(plan_no)
        if plan is None:
            plan = self.store.device_plan(plan_no)
        if plan is None:  # a new plan: active unless the row says otherwise
            return status in (None, DevicePlanStatus.ACTIVE) and customer_id in self.subscription
        if plan.customer_id != customer_id:
            return False  # that row is refused: the plan is another customer's
        return status == DevicePlanStatus.ACTIVE

    def current(self, record: DevicePlan) -> dict[str, Any]:
        stored = {name: getattr(record, name) for name in self.fields}
        stored["status"] = DevicePlanStatus(record.status).value
        return stored

    def _track(self, plan: DevicePlan) -> None:
        active = self.active.setdefault(plan.customer_id, set())
        if plan.status == DevicePlanStatus.ACTIVE:
            if plan.plan_no not in active:
                self.started.add(plan.plan_no)  # active through this import
            active.add(plan.plan_no)
        else:
            active.discard(plan.plan_no)

    def create(self, values: dict[str, Any]) -> DevicePlan:
        customer_id = self.customer_id(values)
        plan = DevicePlan(
            id=uuid.uuid4(),
            customer_id=customer_id,
            subscription_id=self.subscription[customer_id],
            plan_no=values["plan_no"],
            **{name: values[name] for name in self.fields if name != "status"},
            status=DevicePlanStatus(values["status"]),
        )
        self.session.add(plan)
        self.plans[plan.plan_no] = plan
        self._track(plan)
        return plan

    def assign(self, record: DevicePlan, changes: dict[str, Any]) -> None:
        for column, value in changes.items():
            setattr(record, column, DevicePlanStatus(value) if column == "status" else value)
        self._track(record)

    def subject(self, values: dict[str, Any]) -> str:
        return _("Device plan {plan_no}").format(plan_no=values["plan_no"])


class Bundles(CustomerRows):
    """Keyed by customer and bundle id. Reminders already sent are never forgotten."""

    kind = "bundles"
    columns = (
        Column("customer_no", text(32), required=True),
        Column("bundle_id", text(64), required=True),
        Column("name", text(200), required=True),
        Column("end_date", parse_date, required=True),
        Column("package_fee", parse_amount),
        Column("reminders_sent", list_of(REMINDERS), default=[]),
    )
    key = ("customer_no", "bundle_id")

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        super().prefetch(rows)
        self.bundles = by_key(
            self.store.bundles_named(
                set(self.customer_ids.values()), {row["bundle_id"] for row in rows}
            ),
            "customer_id",
            "bundle_no",
        )

    def find(self, values: dict[str, Any]) -> Bundle | None:
        return self.bundles.get((self.customer_id(values), values["bundle_id"]))

    def current(self, record: Bundle) -> dict[str, Any]:
        return {
            "name": record.name,
            "end_date": record.end_date,
            "package_fee": record.package_fee,
            "reminders_sent": [r for r in REMINDERS if r in (record.reminders_sent or [])],
        }

    def merge(self, record: Bundle, changes: dict[str, Any]) -> dict[str, Any]:
        if "reminders_sent" in changes:
            sent = set(record.reminders_sent or []) | set(changes["reminders_sent"])
            changes = {**changes, "reminders_sent": [r for r in REMINDERS if r in sent]}
        return changes

    def create(self, values: dict[str, Any]) -> Bundle:
        customer_id = self.customer_id(values)
        bundle = Bundle(
            id=uuid.uuid4(),
            customer_id=customer_id,
            bundle_no=values["bundle_id"],
            name=values["name"],
            end_date=values["end_date"],
            package_fee=values["package_fee"],
            reminders_sent=values["reminders_sent"],
        )
        self.session.add(bundle)
        self.bundles[(customer_id, bundle.bundle_no)] = bundle
        return bundle

    def subject(self, values: dict[str, Any]) -> str:
        return _("Bundle {bundle_id} ({name})").format(
            bundle_id=values["bundle_id"], name=values["name"]
        )


class FairUse(CustomerRows):
    """Keyed by customer and month."""

    kind = "fair-use"
    columns = (
        Column("customer_no", text(32), required=True),
        Column("month", parse_month, required=True),
        Column("exceeded", parse_bool, required=True),
        Column("data_mb_used", parse_count),
        Column("limit_mb", parse_count),
    )
    key = ("customer_no", "month")
    fields = ("exceeded", "data_mb_used", "limit_mb")

    def prefetch(self, rows: Sequence[dict[str, Any]]) -> None:
        super().prefetch(rows)
        self.records = by_key(
            self.store.fair_use_records(
                set(self.customer_ids.values()), {row["month"] for row in rows}
            ),
            "customer_id",
            "month",
        )

    def find(self, values: dict[str, Any]) -> FairUseRecord | None:
        return self.records.get((self.customer_id(values), values["month"]))

    def current(self, record: FairUseRecord) -> dict[str, Any]:
        return {name: getattr(record, name) for name in self.fields}

    def create(self, values: dict[str, Any]) -> FairUseRecord:
        customer_id = self.customer_id(values)
        record = FairUseRecord(
            id=uuid.uuid4(),
            customer_id=customer_id,
            month=values["month"],
            **{name: values[name] for name in self.fields},
        )
        self.session.add(record)
        self.records[(customer_id, record.month)] = record
        return record

    def subject(self, values: dict[str, Any]) -> str:
        return _("Fair-use record {month}").format(month=values["month"])
