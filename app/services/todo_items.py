"""The shapes of "what to do now" and of worklist rows, in the JSON of RULES_API.md.

Each process defines its own item (``app/processes/<process>/todo.py``); every
item knows its due date, whether it is overdue, its id among items of
its process, the playbook flow that opens it (:class:`OpenTarget`) and its
``to_json()`` object for ``agent-assist todo --json``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

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


class OnCase(Protocol):
    """An item that stands for one case: Enter opens the case where it stands."""

    @property
    def process(self) -> str: ...
    @property
    def case_id(self) -> uuid.UUID: ...
    @property
    def flow(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def step(self) -> str | None: ...
    @property
    def step_done(self) -> bool: ...


def case_target(item: OnCase) -> OpenTarget:
    """Where the item of a case opens: its flow, at the step it names, on that case."""
    return OpenTarget(
        item.process,
        item.flow,
        item.subject,
        item.case_id,
        step=item.step,
        step_done=item.step_done,
    )


class DueOnCase(OnCase, Protocol):
    @property
    def due(self) -> date: ...
    @property
    def overdue(self) -> bool: ...


class OfOneCase:
    """What every item standing for one case shares (a mixin of its dataclass): its id is
    the case's, it opens the case where it stands (:func:`case_target`), and its JSON has
    the case's form: ``process``, ``case_id``, the item's own keys, ``due``, ``overdue``."""

    @property
    def item_id(self: OnCase) -> str:
        return str(self.case_id)

    @property
    def target(self: OnCase) -> OpenTarget:
        return case_target(self)

    def case_json(self: DueOnCase, **own: Any) -> dict[str, Any]:
        """The item's JSON, with ``own`` keys between the case and the due date."""
        return {
            "process": self.process,
            "case_id": str(self.case_id),
            **own,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class CaseItem(OfOneCase):
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

    def to_json(self) -> dict[str, Any]:
        return self.case_json(subject=self.subject, stage=self.stage)


class TodoItem(Protocol):
    """An item of "what to do now": each process defines its own in its ``todo`` module."""

    @property
    def process(self) -> str: ...
    @property
    def due(self) -> date: ...
    @property
    def overdue(self) -> bool: ...
    @property
    def item_id(self) -> str: ...
    @property
    def target(self) -> OpenTarget: ...
    def to_json(self) -> dict[str, Any]: ...


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


@dataclass(frozen=True)
class WorklistRow:
    """One line of a worklist, and the playbook flow that opens it."""

    customer_id: uuid.UUID
    customer_no: str
    customer_name: str
    process: str
    #: fair_use: the stage; expiry: the reminder; onboarding: the task or VIP
    #: deadline; complaint: the route ("" while undecided).
    what: str
    #: fair_use: the month; expiry: the bundle; onboarding: the stage;
    #: complaint: the category (else the case's subject).
    about: str
    due: date
    overdue: bool
    target: OpenTarget

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_no": self.customer_no,
            "customer_name": self.customer_name,
            "process": self.process,
            "what": self.what,
            "about": self.about,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "flow": self.target.flow,
            "subject": self.target.subject,
            "case_id": str(self.target.case_id) if self.target.case_id else None,
        }


def urgent_first(row: WorklistRow) -> tuple[bool, date, str, str]:
    """Overdue first, then due date, customer and subject; ties keep the rule file's order."""
    return (not row.overdue, row.due, row.customer_no, row.about)


def row(
    customer: Any, process: str, what: str, about: str, due: date, overdue: bool, target: OpenTarget
) -> WorklistRow:
    """A worklist row for ``customer`` (anything with ``id``, ``customer_no`` and ``name``)."""
    return WorklistRow(
        customer.id, customer.customer_no, customer.name, process, what, about, due, overdue, target
    )
