"""The items of "what to do now": one frozen dataclass per process, in the JSON of RULES_API.md.

Each item knows its due date, whether it is overdue, its id among items of
its process, the playbook flow that opens it (:class:`OpenTarget`) and its
``to_json()`` object for ``agent-assist todo --json``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

#: The order of processes among items due the same day.
PROCESS_ORDER: tuple[str, ...] = ("complaint", "fair_use", "expiry", "onboarding")
ONBOARDING_SUBJECT = "onboarding"


# --- items -----------------------------------------------------------------------------


def new_complaint_subject(today: date) -> str:
    """A fresh subject for a new complaint case: ``complaint:20260315-3fa9c2``."""
    return f"complaint:{today:%Y%m%d}-{uuid.uuid4().hex[:6]}"


#: Flows started on request about one of the customer's bundles: their subject names it.
BUNDLE_FLOWS: frozenset[tuple[str, str]] = frozenset({("expiry", "goodwill")})


def started_target(process: str, flow: str, today: date, about: str | None = None) -> OpenTarget:
    """Where a flow the agent starts on request runs: a new complaint gets its own
    subject, fair use the month (the partner's answer on this month's decision), a
    goodwill complaint ``goodwill:<bundle>`` (``about``: the bundle), anything else
    ``<flow>:<date>``."""
    if (process, flow) in BUNDLE_FLOWS and about:
        return OpenTarget(process, flow, f"{flow}:{about}", on_request=True)
    if process == "complaint":
        return OpenTarget(process, flow, new_complaint_subject(today), on_request=True)
    if process == "fair_use":
        return OpenTarget(process, flow, today.strftime("%Y-%m"), on_request=True)
    return OpenTarget(process, flow, f"{flow}:{today.isoformat()}", on_request=True)


@dataclass(frozen=True)
class OpenTarget:
    """The playbook flow that opens an item in the guided panel.

    ``step`` is the step the item names (a step id, or the rules engine's action
    a step carries out): a case that has no run of ``flow`` yet starts there, the
    steps before it counting as done. ``step_done``: that step is done too (the
    case waits, e.g. for a claim's answer), so the run shows finished.
    ``on_request``: the agent started the flow on a call, not from a due item; an
    open case of the subject running another flow then continues as it stands.
    """

    process: str
    flow: str | None
    subject: str | None
    case_id: uuid.UUID | None = None
    step: str | None = None
    step_done: bool = False
    on_request: bool = False


@dataclass(frozen=True)
class FairUseItem:
    month: str
    stage: int
    due: date
    overdue: bool
    #: The stage's actions not yet done for the month, in the rule file's order.
    actions: tuple[str, ...]
    process: ClassVar[str] = "fair_use"

    @property
    def item_id(self) -> str:
        return self.month

    @property
    def target(self) -> OpenTarget:
        step = self.actions[0] if self.actions else None
        return OpenTarget(self.process, f"stage_{self.stage}", self.month, step=step)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "month": self.month,
            "stage": self.stage,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class ExpiryItem:
    #: The operator's bundle identifier (``Bundle.bundle_no``).
    bundle_id: str
    reminder: str
    due: date
    overdue: bool
    bundle_name: str = ""
    end_date: date | None = None
    process: ClassVar[str] = "expiry"

    @property
    def item_id(self) -> str:
        return f"{self.bundle_id}:{self.reminder}"

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(self.process, "reminder", self.item_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "bundle_id": self.bundle_id,
            "reminder": self.reminder,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class OnboardingTaskItem:
    id: str
    stage: str
    due: date
    status: str  # "open" | "overdue"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "due": self.due.isoformat(), "status": self.status}


@dataclass(frozen=True)
class VipDeadline:
    """A VIP deadline that has not been met yet (``assign_manager`` / ``first_contact``)."""

    id: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class OnboardingItem:
    stage: str
    day: int
    due: date
    overdue: bool
    tasks: tuple[OnboardingTaskItem, ...]
    vip_overdue: tuple[str, ...]
    vip_pending: tuple[VipDeadline, ...] = ()
    process: ClassVar[str] = "onboarding"

    @property
    def item_id(self) -> str:
        return self.stage

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(self.process, self.stage, ONBOARDING_SUBJECT)

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "stage": self.stage,
            "day": self.day,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "tasks": [t.to_json() for t in self.tasks],
            "vip_overdue": list(self.vip_overdue),
        }


@dataclass(frozen=True)
class ComplaintItem:
    case_id: uuid.UUID
    route: str | None
    due: date
    overdue: bool
    subject: str | None = None
    flow: str | None = None
    category: str | None = None
    #: The step the case stands at (None: where its run stands, or the flow's start).
    step: str | None = None
    step_done: bool = False
    process: ClassVar[str] = "complaint"

    @property
    def item_id(self) -> str:
        return str(self.case_id)

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(
            self.process,
            self.flow,
            self.subject,
            self.case_id,
            step=self.step,
            step_done=self.step_done,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "case_id": str(self.case_id),
            "route": self.route,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class CaseItem:
    """An open case no other item stands for: a goodwill complaint, a contract request
    waiting for its date, an older fair-use month kept open for the partner's answer.

    Its JSON has the form of a complaint item (``case_id``, ``due``, ``overdue``) with
    the case's ``subject`` and ``stage``; ``due`` is the case's due date, else the day
    asked about (it can be done now).
    """

    process: str
    case_id: uuid.UUID
    subject: str | None
    stage: str | None
    due: date
    overdue: bool
    flow: str | None = None
    step: str | None = None
    step_done: bool = False
    #: The customer's bundles (number, name), for wording a subject that names one.
    bundles: tuple[tuple[str, str], ...] = ()

    @property
    def item_id(self) -> str:
        return str(self.case_id)

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(
            self.process,
            self.flow,
            self.subject,
            self.case_id,
            step=self.step,
            step_done=self.step_done,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "case_id": str(self.case_id),
            "subject": self.subject,
            "stage": self.stage,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
        }


TodoItem = FairUseItem | ExpiryItem | OnboardingItem | ComplaintItem | CaseItem


def sort_key(item: TodoItem) -> tuple[bool, date, int, str]:
    """Overdue first, then due date, then process order (other processes' cases after
    them), then the item's id."""
    order = (
        PROCESS_ORDER.index(item.process) if item.process in PROCESS_ORDER else len(PROCESS_ORDER)
    )
    return (not item.overdue, item.due, order, item.item_id)


@dataclass(frozen=True)
class TodoList:
    customer_id: uuid.UUID
    customer_no: str
    customer_name: str
    date: date
    items: tuple[TodoItem, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_no": self.customer_no,
            "date": self.date.isoformat(),
            "items": [item.to_json() for item in self.items],
        }
