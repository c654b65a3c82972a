"""What every process provides: its guide for the playbook runner, and its :class:`ProcessSpec`.

A guide is the glue between one process's playbook and the rules engine: it
computes the *facts* the playbook's words and branches use (the customer's
stage, an effective date, an amount), always by asking the rules engine, and
it records what is specific to its process when a step is completed (a
bundle's reminder marked as sent, a subscription's change date), through the
repositories of its unit of work. Words and
flow live in the playbook file; decisions live in ``app/domain``; a guide
never re-implements a rule. A guide reads the customer, its partner and the
case as plain read-only records (:class:`CustomerFacts`, :class:`PartnerFacts`,
:class:`CaseFacts`) and returns what a step changes on the case.
"""

from __future__ import annotations

import copy
import importlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from app.services.todo_items import TodoItem, WorklistRow

if TYPE_CHECKING:  # types only: the registry loads without SQLAlchemy or the playbook models
    from sqlalchemy.orm import Session

    from app.domain.case_state import CaseChange
    from app.domain.playbook import RunState
    from app.domain.playbook_schema import Playbook, Step
    from app.domain.ruleset import RuleSet
    from app.store.models import Case, Customer, Partner
    from app.store.records import BundleFacts
    from app.store.repositories import UnitOfWork


@dataclass(frozen=True)
class Facts:
    """Typed values for texts and conditions, and the rules behind them."""

    values: Mapping[str, Any] = field(default_factory=dict)
    rule_ids: tuple[str, ...] = ()
    ruleset_version: str | None = None


@dataclass(frozen=True)
class CustomerFacts:
    """The customer as a guide reads it: plain values, taken once per step.

    A guide never gets the stored customer: what it changes goes through the
    repositories of ``ctx.uow`` (a plan, a bundle's reminders), never through this.
    """

    id: uuid.UUID
    customer_no: str
    name: str
    language: str
    customer_value: int
    vip: bool
    vip_rated: date | None
    activation_date: date | None
    products: tuple[str, ...]
    partner_id: uuid.UUID

    @classmethod
    def of(cls, customer: Customer) -> CustomerFacts:
        return cls(
            id=customer.id,
            customer_no=customer.customer_no,
            name=customer.name,
            language=customer.language,
            customer_value=customer.customer_value,
            vip=bool(customer.vip),
            vip_rated=customer.vip_rated,
            activation_date=customer.activation_date,
            products=tuple(customer.products or ()),
            partner_id=customer.partner_id,
        )


@dataclass(frozen=True)
class PartnerFacts:
    """The customer's partner as a guide reads it."""

    id: uuid.UUID
    name: str
    #: The customer's market: its tariffs, currency and service phone.
    country: str

    @classmethod
    def of(cls, partner: Partner) -> PartnerFacts:
        return cls(id=partner.id, name=partner.name, country=partner.country)


@dataclass(frozen=True)
class CaseFacts:
    """The case as a guide reads it: plain values, taken once per step.

    Read-only: a guide returns what a step changes on its case (a
    :class:`~app.domain.case_state.CaseChange`) and the case's state is derived
    from its events (:mod:`app.services.case_record`); ``facts`` is a read-only
    copy of the case's facts.
    """

    id: uuid.UUID
    customer_id: uuid.UUID
    process: str
    subject: str | None
    stage: str | None
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, case: Case) -> CaseFacts:
        return cls(
            id=case.id,
            customer_id=case.customer_id,
            process=case.process,
            subject=case.subject,
            stage=case.stage,
            facts=MappingProxyType(copy.deepcopy(dict(case.facts or {}))),
        )


@dataclass
class GuideContext:
    """Everything a guide may look at while a step is shown or completed: the customer, its
    partner and the case as plain read-only records, the run's state, the rules, and the
    unit of work whose repositories the guide reads (and writes its process's own records)
    through."""

    uow: UnitOfWork
    customer: CustomerFacts
    partner: PartnerFacts
    case: CaseFacts
    state: RunState
    today: date
    rules: RuleSet
    author: str

    @property
    def answers(self) -> Mapping[str, Any]:
        return self.state.answers


class ProcessGuide(Protocol):
    """One process's guide. Implementations live in ``app/processes/<process>/guide.py``."""

    process: str

    def facts(self, ctx: GuideContext) -> Facts:
        """The facts for the current state of the run (may depend on answers so far)."""
        ...

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        """Check and record what is specific to this process once ``step`` is completed;
        return what it changes on the case (``ctx.case`` is a read-only record: the case's
        state is derived from its events, see :mod:`app.domain.case_state`)."""
        ...


class NoFacts:
    """A guide for a process that needs nothing beyond the built-in facts."""

    def __init__(self, process: str) -> None:
        self.process = process

    def facts(self, ctx: GuideContext) -> Facts:
        return Facts()

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        return None


# --- a process, as the to-do list, the worklists, the window and ``rules`` see it ----------


@dataclass
class TodoContext:
    """One customer's records, read once and shared by every process's to-do items (the
    customer as a plain read-only record, as a guide gets it)."""

    uow: UnitOfWork
    customer: CustomerFacts
    today: date
    rules: RuleSet
    #: Every open case of the customer, of any process, oldest first.
    open_cases: Sequence[Case] = ()
    #: The customer's bundles (what expiry reminders and goodwill flows are about).
    bundles: Sequence[BundleFacts] = ()


#: A worklist: the rows of one kind across all customers on a day.
WorklistBuilder = Callable[["Session", date, "RuleSet"], Sequence[WorklistRow]]


#: In ``playbook_ids``: the steps every flow of the playbook must have.
EVERY_FLOW = "*"


def _never(case: Case, items: Sequence[TodoItem]) -> bool:
    return False


@dataclass(frozen=True)
class ProcessSpec:
    """Everything one process contributes, behind one small interface.

    ``name`` is the process id (``fair_use``); ``guide_module`` the module that
    defines its ``GUIDE`` (imported on first use); ``playbook_ids`` the flow and
    step ids its code relies on, flow id -> step ids (``playbooks check`` fails
    when its playbook lacks one); ``todo`` its items of "what to do now" for one
    customer; ``covers_case`` whether one of those items already stands for an
    open case of the process (otherwise the case is listed on its own);
    ``worklists`` its worklists by kind and ``worklist_titles`` their names (the
    worklist window's and ``agent-assist worklist``'s); ``item_words`` / ``row_words``
    how its items and worklist rows read; ``start_words`` how "Start a process" names
    one of its startable flows.
    """

    name: str
    #: The process's name as the agent reads it, marked with ``N_`` ("Fair use").
    label: str = ""
    guide_module: str | None = None
    playbook_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    todo: Callable[[TodoContext], Iterable[TodoItem]] | None = None
    covers_case: Callable[[Case, Sequence[TodoItem]], bool] = _never
    worklists: Mapping[str, WorklistBuilder] = field(default_factory=dict)
    #: Worklist kind -> its name, marked with ``N_`` ("Fair use by stage").
    worklist_titles: Mapping[str, str] = field(default_factory=dict)
    item_words: Callable[[Any], tuple[str, str]] | None = None
    row_words: Callable[[WorklistRow], str] | None = None
    #: How "Start a process" words a startable flow, ``{flow}`` its title, marked with
    #: ``N_`` ("New complaint: {flow}"); None: the flow's title.
    start_words: str | None = None
    #: The order among items due the same day (lower first); None: after all others.
    urgency: int | None = None

    @property
    def guide(self) -> ProcessGuide:
        """The process's guide (one that adds no facts when it has none)."""
        if self.guide_module is None:
            return NoFacts(self.name)
        guide: ProcessGuide = importlib.import_module(self.guide_module).GUIDE
        return guide

    def missing_ids(self, playbook: Playbook) -> list[tuple[str, str | None]]:
        """(flow, step) of the ids this process relies on that ``playbook`` lacks; step None:
        the whole flow is missing."""
        flows = {flow.id: {step.id for step in flow.steps} for flow in playbook.flows}
        missing: list[tuple[str, str | None]] = []
        for flow_id, steps in self.playbook_ids.items():
            if flow_id == EVERY_FLOW:
                missing.extend(
                    (flow, step)
                    for flow, have in flows.items()
                    for step in steps
                    if step not in have
                )
            elif flow_id not in flows:
                missing.append((flow_id, None))
            else:
                missing.extend((flow_id, step) for step in steps if step not in flows[flow_id])
        return missing


@dataclass(frozen=True)
class ProcessDeclaration:
    """What the window needs of a process before any of its code loads: its name, how the
    agent reads it, its worklists' kinds and titles (both marked with ``N_``), in order.
    ``module`` defines ``PROCESS``, the whole :class:`ProcessSpec` (guide, to-do items,
    worklists, wording), which the registry imports the first time something uses it."""

    name: str
    label: str
    module: str
    worklist_titles: Mapping[str, str] = field(default_factory=dict)

    def load(self) -> ProcessSpec:
        """The process's spec; it must agree with this declaration."""
        spec: ProcessSpec = importlib.import_module(self.module).PROCESS
        if (spec.name, spec.label, dict(spec.worklist_titles), tuple(spec.worklists)) != (
            self.name,
            self.label,
            dict(self.worklist_titles),
            tuple(self.worklist_titles),
        ):
            raise ValueError(f"{self.module}.PROCESS does not match the declaration of {self.name}")
        return spec
