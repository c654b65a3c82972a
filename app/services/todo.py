"""What to do now for one customer: the list the customer view and ``agent-assist todo`` show.

Every decision comes from the rules engine (``app/domain``); this module only
gathers the customer's records and tells the engine what is already done:

* **fair_use** - month M is the latest month with a fair-use record, if it is
  the month of ``today`` or the one before (records of later months are
  ignored: the list is as of ``today``). The stage is the engine's for M; the
  item is listed while the stage is at least 1 and an action of that stage is
  not done for M. An action is done when a history entry's payload has
  process ``fair_use``, subject M and that action. Due today, never overdue.
* **expiry** - one item per reminder the engine says is due (bundles and the
  reminders already sent from the database); overdue when its due date is
  before ``today``.
* **onboarding** - listed while the engine's stage is not the catch-all after
  the program (day 0-90) and a task is open or a VIP deadline is pending. A
  task is done when a history entry's payload has process ``onboarding`` and
  the task id as action; VIP dates are the customer's rating and the
  onboarding case's facts ``manager_assigned`` / ``manager_first_contact``.
  Due is the earliest open task's due date (with no open task, the earliest
  pending VIP deadline); overdue when that is before ``today`` or a VIP
  deadline is overdue.
* **complaint** - one item per open complaint case; the route is the case's
  fact ``route``, else the engine's for the case's facts (null when the facts
  do not say enough yet). Due is the case's due date, else the day it was
  opened plus ``follow_up.due_days`` of the complaint rule file.

* **open cases** - every other open case (a goodwill complaint, a contract
  request, an older fair-use month kept open) is an item of its own, in the
  form of a complaint item (``case_id``, ``due``, ``overdue``) with its
  ``subject`` and ``stage``; due is the case's due date, else ``today``. A
  reminder case is its reminder's item while that is due; once it was sent or
  a later reminder is due it is settled and not shown open.

Items are sorted overdue first, then by due date, then complaint, fair_use,
expiry, onboarding (other processes' cases after them), then by their ids.
Each item names the playbook flow that opens it and the step it stands at
(:class:`OpenTarget`): Enter continues the case there, never at step 1 again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.domain import complaints, expiry, fair_use, onboarding
from app.domain.calendar import month_start, previous_month
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet
from app.services import todo_queries as q
from app.services.errors import NotFoundError
from app.services.todo_items import (
    PROCESS_ORDER,
    CaseItem,
    ComplaintItem,
    ExpiryItem,
    FairUseItem,
    OnboardingItem,
    OnboardingTaskItem,
    OpenTarget,
    TodoItem,
    TodoList,
    VipDeadline,
    sort_key,
)
from app.services.todo_queries import BundleFacts
from app.store.db import Database
from app.store.models import Case, Customer, Process
from app.store.repositories import UnitOfWork

log = logging.getLogger(__name__)

__all__ = [
    "PROCESS_ORDER",
    "CaseItem",
    "ComplaintItem",
    "ExpiryItem",
    "FairUseItem",
    "OnboardingItem",
    "OnboardingTaskItem",
    "OpenTarget",
    "TodoItem",
    "TodoList",
    "VipDeadline",
    "sort_key",
    "todo_for",
    "todo_for_customer",
]


def month_key(day: date) -> str:
    """``2026-03`` for any day in March 2026 (the form of a fair-use subject)."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month_key(text: str) -> date | None:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        return None


def parse_iso_date(value: Any) -> date | None:
    """A date from a case fact (ISO text or a date); None when it is not one."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


# --- asking the rules engine, one process at a time ------------------------------------


def fair_use_item(
    records: Mapping[str, bool],
    done: Iterable[tuple[str, str]],
    today: date,
    rules: RuleSet,
    *,
    mobile_tv: bool = False,
    combo: bool = False,
) -> FairUseItem | None:
    """The fair-use item from the customer's records (month -> exceeded).

    ``done`` holds (subject, action) pairs from the history.
    """
    this_month = month_start(today)
    months = {m: ex for key, ex in records.items() if (m := parse_month_key(key)) is not None}
    known = [m for m in months if m <= this_month]
    if not known:
        return None
    latest = max(known)
    if latest not in (this_month, previous_month(this_month)):
        return None
    decision = fair_use.evaluate(
        fair_use.FairUseCase(
            month=latest,
            exceeded_months=[m for m in known if months[m]],
            mobile_tv=mobile_tv,
            combo=combo,
        ),
        rules.fair_use,
    )
    if decision.stage < 1:
        return None
    subject = month_key(latest)
    done_here = {action for subj, action in done if subj == subject}
    open_actions = tuple(a for a in decision.actions if a not in done_here)
    if not open_actions:
        return None
    return FairUseItem(subject, decision.stage, today, False, open_actions)


def expiry_items(bundles: Sequence[BundleFacts], today: date, rules: RuleSet) -> list[ExpiryItem]:
    """One item per reminder the engine says is due on ``today``."""
    known = rules.expiry.reminder_ids
    by_no = {b.bundle_no: b for b in bundles}
    decision = expiry.evaluate(
        today,
        [expiry.Bundle(b.bundle_no, b.end_date, b.sent & known) for b in by_no.values()],
        rules.expiry,
    )
    return [
        ExpiryItem(
            bundle_id=due.bundle_id,
            reminder=due.reminder,
            due=due.due_date,
            overdue=due.due_date < today,
            bundle_name=by_no[due.bundle_id].name,
            end_date=by_no[due.bundle_id].end_date,
        )
        for due in decision.due
    ]


def onboarding_decision(
    activation_date: date | None,
    today: date,
    rules: RuleSet,
    *,
    vip_rated: date | None = None,
    case_facts: Mapping[str, Any] | None = None,
    done: Iterable[str] = (),
) -> onboarding.OnboardingDecision | None:
    """The engine's onboarding decision, or None outside days 0-90 (or without activation)."""
    if activation_date is None or today < activation_date:
        return None
    facts = case_facts or {}
    assigned = parse_iso_date(facts.get("manager_assigned"))
    contacted = parse_iso_date(facts.get("manager_first_contact"))
    done_tasks = tuple(sorted(set(done) & rules.onboarding.task_ids))
    try:
        decision = onboarding.evaluate(
            onboarding.OnboardingCase(
                activation_date, today, vip_rated, assigned, contacted, done_tasks
            ),
            rules.onboarding,
        )
    except RuleInputError as exc:
        # VIP dates that contradict each other (e.g. assigned before a newer
        # rating): the deadlines start again from the rating.
        log.warning("onboarding facts ignored: %s", exc)
        decision = onboarding.evaluate(
            onboarding.OnboardingCase(activation_date, today, vip_rated, None, None, done_tasks),
            rules.onboarding,
        )
    if decision.stage == rules.onboarding.stages[-1].id:  # the catch-all after the program
        return None
    return decision


def vip_pending(
    decision: onboarding.OnboardingDecision, facts: Mapping[str, Any]
) -> list[VipDeadline]:
    """The VIP deadlines not met yet: assignment, then first contact."""
    pending: list[VipDeadline] = []
    vip = decision.vip
    if vip.assign_due is not None and parse_iso_date(facts.get("manager_assigned")) is None:
        pending.append(
            VipDeadline(
                onboarding.ASSIGN_MANAGER, vip.assign_due, onboarding.ASSIGN_MANAGER in vip.overdue
            )
        )
    if (
        vip.first_contact_due is not None
        and parse_iso_date(facts.get("manager_first_contact")) is None
    ):
        pending.append(
            VipDeadline(
                onboarding.FIRST_CONTACT,
                vip.first_contact_due,
                onboarding.FIRST_CONTACT in vip.overdue,
            )
        )
    return pending


def onboarding_item(
    decision: onboarding.OnboardingDecision | None,
    today: date,
    case_facts: Mapping[str, Any] | None = None,
) -> OnboardingItem | None:
    """The onboarding item while tasks are open or VIP deadlines pending."""
    if decision is None:
        return None
    tasks = tuple(
        OnboardingTaskItem(t.id, t.stage, t.due, t.status)
        for t in decision.tasks
        if t.status != "done"
    )
    pending = tuple(vip_pending(decision, case_facts or {}))
    if not tasks and not pending:
        return None
    due = min(t.due for t in tasks) if tasks else min(p.due for p in pending)
    return OnboardingItem(
        stage=decision.stage,
        day=decision.day,
        due=due,
        overdue=due < today or bool(decision.vip.overdue),
        tasks=tasks,
        vip_overdue=decision.vip.overdue,
        vip_pending=pending,
    )


def complaint_route(facts: Mapping[str, Any], customer_value: int, rules: RuleSet) -> str | None:
    """The case's recorded route, else the engine's for its facts (None: not enough facts)."""
    route = facts.get("route")
    if isinstance(route, str) and route:
        return route
    category = facts.get("category")
    if not isinstance(category, str):
        return None
    retention = facts.get("retention")
    blocker = facts.get("blocker")
    value = facts.get("customer_value", customer_value)
    try:
        decision = complaints.evaluate(
            complaints.ComplaintCase(
                category=category,
                customer_value=value if isinstance(value, int) else customer_value,
                mass_incident=bool(facts.get("mass_incident", False)),
                first_line_resolved=bool(facts.get("first_line_resolved", False)),
                second_line_normal=bool(facts.get("second_line_normal", True)),
                retention=retention if retention in ("succeeded", "impossible") else None,
                blocker=blocker if isinstance(blocker, int) else None,
            ),
            rules.complaint,
        )
    except RuleInputError:
        return None
    return decision.route


def complaint_item(
    *,
    case_id: uuid.UUID,
    subject: str | None,
    facts: Mapping[str, Any],
    script_state: Mapping[str, Any] | None,
    due: date | None,
    opened_at: datetime,
    customer_value: int,
    today: date,
    rules: RuleSet,
    default_flow: str | None = None,
) -> ComplaintItem:
    """The item of one open complaint case."""
    if due is None:
        opened = opened_at.astimezone().date() if opened_at.tzinfo else opened_at.date()
        due = opened + timedelta(days=rules.complaint.follow_up.due_days)
    from app.processes.complaint.guide import step_of_route

    running = (script_state or {}).get("flow")
    flow = running or default_flow
    category = facts.get("category")
    recorded = facts.get("route")
    step, step_done = (None, False) if running else step_of_route(recorded)
    return ComplaintItem(
        case_id=case_id,
        route=complaint_route(facts, customer_value, rules),
        due=due,
        overdue=due < today,
        subject=subject,
        flow=flow if isinstance(flow, str) else None,
        category=category if isinstance(category, str) else None,
        step=step,
        step_done=step_done,
    )


def settled_reminder(
    case: Case, bundles: Sequence[BundleFacts], today: date, rules: RuleSet
) -> bool:
    """Whether ``case`` is an expiry reminder case with nothing left to do: its reminder
    was sent, a later reminder of its bundle is due (it is superseded), or the bundle
    ended. Such a case is not shown open, and sending the later reminder closes it."""
    from app.processes.expiry.guide import goodwill_bundle, reminder_subject

    parsed = reminder_subject(case.subject)
    if case.process != Process.EXPIRY or parsed is None or goodwill_bundle(case.subject):
        return False
    bundle_no, reminder = parsed
    bundle = next((b for b in bundles if b.bundle_no == bundle_no), None)
    if bundle is None:
        return False
    if reminder in bundle.sent or bundle.end_date <= today:
        return True
    order = [(day, r.id) for day, r in expiry.reminder_dates(bundle.end_date, rules.expiry)]
    ids = [ident for _day, ident in order]
    if reminder not in ids or not rules.expiry.supersede.enabled:
        return False
    return any(day <= today for day, _ident in order[ids.index(reminder) + 1 :])


def settled_reminder_ids(
    session: Session, customer_id: uuid.UUID, cases: Iterable[Case], today: date
) -> set[uuid.UUID]:
    """The ids of those of the customer's open ``cases`` that are settled reminders
    (:func:`settled_reminder`): what the customer view does not show open."""
    from app.services.rules import load_ruleset

    reminders = [case for case in cases if case.process == Process.EXPIRY]
    if not reminders:
        return set()
    bundles = q.bundles_of(session, [customer_id]).get(customer_id, [])
    rules = load_ruleset()
    return {case.id for case in reminders if settled_reminder(case, bundles, today, rules)}


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
    from app.processes.fair_use.guide import PARTNER_FEEDBACK
    from app.services.playbooks import playbook_for

    state = case.script_state or {}
    if isinstance(state.get("flow"), str) and state.get("path"):
        kept = state.get("finished") and (case.facts or {}).get("keep_open")
        if kept and case.process == Process.FAIR_USE and state["flow"] != PARTNER_FEEDBACK:
            return PARTNER_FEEDBACK, None, False  # the decision waits for the partner's answer
        return state["flow"], None, False
    try:
        flows = {flow.id: flow for flow in playbook_for(case.process.value).flows}
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

    Complaint cases have their own items; the fair-use month and the onboarding
    case of an item are that item; a reminder case is the reminder's item while it
    is due and has nothing left to do once it is sent or superseded by a later one.
    """
    from app.processes.expiry.guide import goodwill_bundle

    months = {item.month for item in items if isinstance(item, FairUseItem)}
    onboarding_listed = any(isinstance(item, OnboardingItem) for item in items)
    out: list[CaseItem] = []
    for case in cases:
        process = case.process.value
        if process == "complaint":
            continue
        if process == "fair_use" and case.subject in months:
            continue
        if process == "onboarding" and onboarding_listed:
            continue
        if process == "expiry" and goodwill_bundle(case.subject) is None:
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


def complaint_entry_flow() -> str | None:
    """The first flow of the complaint playbook: where a case without a script starts."""
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for

    try:
        return playbook_for("complaint").flows[0].id
    except (PlaybookError, KeyError):
        return None


# --- the use case -------------------------------------------------------------------------


def todo_for(db: Database, customer_no: str, today: date | None = None) -> TodoList:
    """What to do now for the customer with ``customer_no``, most urgent first.

    Raises :class:`NotFoundError` when there is no such customer.
    """
    from app.i18n import _

    with UnitOfWork(db) as uow:
        customer = uow.customers.by_no(customer_no)
        if customer is None:
            raise NotFoundError(
                _("There is no customer with the number {no}.").format(no=customer_no)
            )
        return _todo(uow, customer, today or date.today())


def todo_for_customer(db: Database, customer_id: uuid.UUID, today: date | None = None) -> TodoList:
    """:func:`todo_for` by the customer's id (what the customer view has at hand)."""
    from app.i18n import _

    with UnitOfWork(db) as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFoundError(_("This customer does not exist (any more)."))
        return _todo(uow, customer, today or date.today())


def bundle_choices(db: Database, customer_id: uuid.UUID) -> tuple[tuple[str, str], ...]:
    """(bundle number, name) of the customer's bundles, the latest ending first: what a
    flow about a bundle (a goodwill complaint) is started for."""
    with UnitOfWork(db) as uow:
        bundles = q.bundles_of(uow.session, [customer_id]).get(customer_id, [])
    ordered = sorted(bundles, key=lambda b: (b.end_date, b.bundle_no), reverse=True)
    return tuple((b.bundle_no, b.name) for b in ordered)


def _todo(uow: UnitOfWork, customer: Customer, today: date) -> TodoList:
    """Gather the customer's records, ask the rules engine per process, sort."""
    from app.services.rules import load_ruleset

    rules = load_ruleset()
    ids = [customer.id]
    session = uow.session
    items: list[TodoItem] = []
    products = set(customer.products or ())
    fu = fair_use_item(
        q.fair_use_records(session, ids).get(customer.id, {}),
        q.fair_use_done(session, ids).get(customer.id, set()),
        today,
        rules,
        mobile_tv="mobile_tv" in products,
        combo="combo" in products,
    )
    if fu is not None:
        items.append(fu)
    bundles = q.bundles_of(session, ids).get(customer.id, [])
    items.extend(expiry_items(bundles, today, rules))
    facts = q.onboarding_facts(session, ids).get(customer.id, {})
    decision = onboarding_decision(
        customer.activation_date,
        today,
        rules,
        vip_rated=customer.vip_rated,
        case_facts=facts,
        done=q.onboarding_done(session, ids).get(customer.id, set()),
    )
    ob = onboarding_item(decision, today, facts)
    if ob is not None:
        items.append(ob)
    open_cases = q.open_cases(session, ids)
    items.extend(case_items(open_cases, items, today, q.actions_done(session, ids), bundles))
    cases = [case for case in open_cases if case.process == Process.COMPLAINT]
    entry_flow = complaint_entry_flow() if cases else None
    items.extend(
        complaint_item(
            case_id=case.id,
            subject=case.subject,
            facts=case.facts or {},
            script_state=case.script_state,
            due=case.due,
            opened_at=case.opened_at,
            customer_value=customer.customer_value,
            today=today,
            rules=rules,
            default_flow=entry_flow,
        )
        for case in cases
    )
    return TodoList(
        customer_id=customer.id,
        customer_no=customer.customer_no,
        customer_name=customer.name,
        date=today,
        items=tuple(sorted(items, key=sort_key)),
    )
