"""What to do now for one customer: the list the customer view and ``agent-assist todo`` show.

Every decision comes from the rules engine (``app/domain``); each process's
package (``app/processes/<process>/todo.py``) gathers its records and lists its
items. This module asks every registered process, then adds:

* **open cases** - every other open case (a goodwill complaint, a contract
  request, an older fair-use month kept open) is an item of its own, in the
  form of a complaint item (``case_id``, ``due``, ``overdue``) with its
  ``subject`` and ``stage``; due is the case's due date, else ``today``. A
  reminder case is its reminder's item while that is due; once it was sent or
  a later reminder is due it is settled and not shown open.

Items are sorted overdue first, then by due date, then by their process's
``urgency`` (complaint, fair_use, expiry, onboarding; other processes' cases after
them), then by their ids.
Each item names the playbook flow that opens it and the step it stands at
(:class:`OpenTarget`): Enter continues the case there, never at step 1 again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from app.processes import CustomerFacts, TodoContext, processes, spec_of
from app.processes.fair_use.guide import PARTNER_FEEDBACK
from app.services.errors import NotFoundError
from app.services.todo_items import CaseItem, OpenTarget, TodoItem, TodoList
from app.store import records
from app.store.db import Database
from app.store.models import Case, Customer, Process
from app.store.records import BundleFacts
from app.store.repositories import UnitOfWork

__all__ = [
    "CaseItem",
    "OpenTarget",
    "TodoItem",
    "TodoList",
    "sort_key",
    "todo_for",
    "todo_for_customer",
]


def sort_key(item: TodoItem) -> tuple[bool, date, int, str]:
    """Overdue first, then due date, then the process's urgency (other processes' cases
    after them), then the item's id."""
    spec = spec_of(item.process)
    urgency = spec.urgency if spec is not None else None
    return (not item.overdue, item.due, 99 if urgency is None else urgency, item.item_id)


def case_position(case: Case, done: Iterable[str] = ()) -> tuple[str | None, str | None, bool]:
    """(flow, step, step done) where an open case stands, for its to-do item.

    A case with a run stands where the run stands (a fair-use decision kept open goes
    on with the partner's answer). Otherwise (opened by an import,
    the demo or an older version) its flow is the one its subject (``<flow>:...``),
    its ``action`` fact, its stage or its subject names. It stands at its stage when
    that is a step of the flow; else, when actions of the flow are ``done`` (by the
    history, or the case's ``action`` fact), at the first step whose action is not,
    or after the last one (done: the case waits); else at the flow's start.
    """
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for

    state = case.script_state or {}
    if isinstance(state.get("flow"), str) and state.get("path"):
        kept = state.get("finished") and (case.facts or {}).get("keep_open")
        if kept and case.process == Process.FAIR_USE and state["flow"] != PARTNER_FEEDBACK:
            return PARTNER_FEEDBACK, None, False  # the decision waits for the partner's answer
        return state["flow"], None, False
    try:
        flows = {flow.id: flow for flow in playbook_for(case.process).flows}
    except (PlaybookError, KeyError):
        return None, None, False
    subject = case.subject or ""
    facts = case.facts or {}
    action = facts.get("action")
    names = (subject.partition(":")[0], action, case.stage, subject, f"stage_{case.stage}")
    flow = next((flows[n] for n in names if isinstance(n, str) and n in flows), None)
    if flow is None:
        return None, None, False
    if any(step.id == case.stage for step in flow.steps):
        return flow.id, case.stage, False
    finished = set(done) | ({action} if isinstance(action, str) else set())
    carried = [step for step in flow.steps if step.action in finished]
    if not carried:
        return flow.id, None, False
    left = next((s for s in flow.steps if s.action and s.action not in finished), None)
    if left is not None:
        return flow.id, left.id, False
    return flow.id, carried[-1].id, True


def case_items(
    cases: Iterable[Case],
    items: Sequence[TodoItem],
    today: date,
    done: Mapping[tuple[uuid.UUID, str, str | None], set[str]] | None = None,
    bundles: Sequence[BundleFacts] = (),
) -> list[CaseItem]:
    """An item for every open case no other item stands for.

    A process's ``covers_case`` says when one of its items stands for the case
    (complaint cases have their own items; the fair-use month and the onboarding
    case of an item are that item; a reminder case is the reminder's item while it
    is due and has nothing left to do once it is sent or superseded by a later one).
    """
    out: list[CaseItem] = []
    for case in cases:
        process = case.process
        spec = spec_of(process)
        if spec is not None and spec.covers_case(case, items):
            continue
        actions = (done or {}).get((case.customer_id, process, case.subject), set())
        flow, step, step_done = case_position(case, actions)
        due = case.due or today
        out.append(
            CaseItem(
                process=process,
                case_id=case.id,
                subject=case.subject,
                stage=case.stage,
                due=due,
                overdue=due < today,
                flow=flow,
                step=step,
                step_done=step_done,
                bundles=tuple((b.bundle_no, b.name) for b in bundles),
            )
        )
    return out


# --- the use case -------------------------------------------------------------------------


def todo_for(db: Database, customer_no: str, today: date | None = None) -> TodoList:
    """What to do now for the customer with ``customer_no``, most urgent first.

    Raises :class:`NotFoundError` when there is no such customer.
    """
    from app.i18n import _
    from app.services.permissions import Action, check_customer, require

    me = require(db, Action.OPEN_CUSTOMERS)
    with UnitOfWork(db) as uow:
        customer = uow.customers.by_no(customer_no)
        if customer is None:
            raise NotFoundError(
                _("There is no customer with the number {no}.").format(no=customer_no)
            )
        check_customer(me, customer.partner_id)
        return _todo(uow, customer, today or date.today())


def todo_for_customer(db: Database, customer_id: uuid.UUID, today: date | None = None) -> TodoList:
    """:func:`todo_for` by the customer's id (what the customer view has at hand)."""
    from app.i18n import _
    from app.services.permissions import Action, check_customer, require

    me = require(db, Action.OPEN_CUSTOMERS)
    with UnitOfWork(db) as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFoundError(_("This customer does not exist (any more)."))
        check_customer(me, customer.partner_id)
        return _todo(uow, customer, today or date.today())


def bundle_choices(db: Database, customer_id: uuid.UUID) -> tuple[tuple[str, str], ...]:
    """(bundle number, name) of the customer's bundles, the latest ending first: what a
    flow about a bundle (a goodwill complaint) is started for."""
    with UnitOfWork(db) as uow:
        bundles = records.bundles_of(uow.session, [customer_id]).get(customer_id, [])
    ordered = sorted(bundles, key=lambda b: (b.end_date, b.bundle_no), reverse=True)
    return tuple((b.bundle_no, b.name) for b in ordered)


def _todo(uow: UnitOfWork, customer: Customer, today: date) -> TodoList:
    """Gather the customer's records, ask every process for its items, sort."""
    from app.services.rules import load_ruleset

    ids = [customer.id]
    ctx = TodoContext(
        uow,
        CustomerFacts.of(customer),
        today,
        load_ruleset(),
        open_cases=records.open_cases(uow.session, ids),
        bundles=records.bundles_of(uow.session, ids).get(customer.id, []),
    )
    items: list[TodoItem] = []
    for spec in processes():
        if spec.todo is not None:
            items.extend(spec.todo(ctx))
    done = records.actions_done(uow.session, ids)
    items.extend(case_items(ctx.open_cases, items, today, done, ctx.bundles))
    return TodoList(
        customer_id=customer.id,
        customer_no=customer.customer_no,
        customer_name=customer.name,
        date=today,
        items=tuple(sorted(items, key=sort_key)),
    )
