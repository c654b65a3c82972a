"""Guided runs: open a process for a customer, show a step, complete it, go back.

A run belongs to a case (one process for one customer, e.g. the fair-use
month 2026-03) and its state is stored on the case, so it resumes after the
app was closed. Completing a step is one transaction: the step's history
entry (with the rule ids behind the decision), its SMS, partner ticket,
letter request, follow-up task and case changes are all written, or none.
A case that is closed cannot be changed, only followed by a new entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.config import current_user_name
from app.domain import playbook as engine
from app.domain.playbook_schema import (
    CloseEffect,
    Effect,
    FactEffect,
    HistoryEffect,
    Input,
    LetterEffect,
    Localized,
    Playbook,
    PlaybookError,
    SmsEffect,
    StageEffect,
    Step,
    TaskEffect,
    TicketEffect,
)
from app.i18n import N_, _, format_date, format_money, translator, ui_language
from app.services.customers import currency_for_country, format_msisdn
from app.services.errors import NotFoundError, ServiceError, ValidationError
from app.services.guides import Facts, GuideContext, guide_for
from app.services.playbooks import explain, playbook_for
from app.services.rules import load_ruleset
from app.store.db import Database
from app.store.models import (
    Case,
    CaseState,
    Customer,
    HistoryEntry,
    Letter,
    PartnerTicket,
    Process,
    SmsMessage,
    Task,
)
from app.store.repositories import UnitOfWork
from app.store.types import utcnow

# --- what the window gets -----------------------------------------------------------


@dataclass(frozen=True)
class InputView:
    id: str
    kind: str
    label: str
    required: bool
    options: tuple[tuple[str, str], ...]
    #: The recorded answer, a draft, or None.
    value: bool | str | None


@dataclass(frozen=True)
class FactView:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class RunView:
    """The current step of a run, worded for the agent and the customer."""

    case_id: uuid.UUID
    customer_id: uuid.UUID
    process: str
    flow_id: str
    flow_title: str
    playbook_version: str
    finished: bool
    step_id: str | None
    step_title: str
    #: What the agent does, in the agent's language.
    do_text: str
    #: What the agent says, in the customer's language.
    say_text: str
    say_language: str
    inputs: tuple[InputView, ...]
    #: The decision, as facts with labels, in the agent's language.
    decision: tuple[FactView, ...]
    #: Why: the rules behind the decision, in plain words.
    reasons: tuple[str, ...]
    rule_ids: tuple[str, ...]
    done: int
    total: int
    can_go_back: bool
    #: The step was completed before (the agent went back to look at it).
    locked: bool
    #: What completing the previous step recorded, for the status line.
    recorded: tuple[str, ...] = ()


# --- use cases ----------------------------------------------------------------------------


def open_run(
    db: Database,
    customer_id: uuid.UUID,
    process: str,
    flow: str,
    *,
    subject: str | None = None,
    case_id: uuid.UUID | None = None,
    today: date | None = None,
) -> RunView:
    """Resume the open run of ``flow`` for this customer and subject, or start one.

    With ``case_id`` the run belongs to that case (e.g. a complaint recorded
    before); an open case of this process and subject that has no run yet
    (imported, or opened by someone else) is taken over rather than doubled.
    """
    today = today or date.today()
    playbook = _playbook(process)
    try:
        playbook.flow(flow)
    except KeyError:
        raise NotFoundError(_("The playbook has no flow {flow}.").format(flow=flow)) from None
    with UnitOfWork(db) as uow:
        customer = _customer(uow, customer_id)
        case = _open_case(uow, customer, process, flow, subject, case_id)
        if case is None:
            case = Case(
                customer_id=customer.id,
                process=Process(process),
                subject=subject,
                opened_by=current_user_name(),
                script_state=engine.start(playbook, flow).to_json(),
            )
            uow.add(case)
            uow.flush()
        view = _view(uow, playbook, customer, case, today)
        uow.commit()
    return view


def show_run(db: Database, case_id: uuid.UUID, *, today: date | None = None) -> RunView:
    with UnitOfWork(db) as uow:
        case, customer, playbook = _load(uow, case_id)
        return _view(uow, playbook, customer, case, today or date.today())


def complete_step(
    db: Database,
    case_id: uuid.UUID,
    answers: Mapping[str, object],
    *,
    today: date | None = None,
    author: str | None = None,
) -> RunView:
    """Complete the current step with ``answers``: validate, record, move on."""
    today = today or date.today()
    author = author or current_user_name()
    db.origin  # noqa: B018 - read (or created) first: writing it inside the step would lock SQLite
    with UnitOfWork(db) as uow:
        case, customer, playbook = _load(uow, case_id)
        state = _state(case)
        if case.state == CaseState.CLOSED or state.finished:
            raise ServiceError(_("This case is closed; add a new history entry instead."))
        ctx = _context(uow, customer, case, state, today, author)
        facts = guide_for(case.process.value).facts(ctx)
        fact_values = {**_builtin_facts(customer, author, today), **facts.values}
        try:
            step = engine.current_step(playbook, state)
            if step is not None and not engine.is_locked(state, step.id):
                # Branches and effects see the decision on this step's answers too.
                given = engine.validate_answers(step, answers, today, fact_values, state.answers)
                ctx.state = replace(state, answers={**state.answers, **given})
                facts = guide_for(case.process.value).facts(ctx)
                fact_values = {**_builtin_facts(customer, author, today), **facts.values}
            result = engine.advance(playbook, state, answers, fact_values, today)
        except engine.AnswerError as exc:
            raise ValidationError(
                _answer_message(playbook, state, exc), field=exc.input_id
            ) from exc
        recorded: list[str] = []
        if not engine.is_locked(state, result.step.id):
            ctx.state = result.state
            recorded = _record(uow, playbook, customer, case, result, facts, fact_values, ctx)
            guide_for(case.process.value).after_step(ctx, result.step, result.answers)
        case.script_state = result.state.to_json()
        if (
            result.state.finished
            and case.state == CaseState.OPEN
            and not case.facts.get("keep_open")
        ):
            case.state = CaseState.CLOSED
            case.closed_at = utcnow()
        uow.flush()
        view = _view(uow, playbook, customer, case, today, recorded=tuple(recorded))
        uow.commit()
    return view


def go_back(
    db: Database,
    case_id: uuid.UUID,
    drafts: Mapping[str, bool | str | None] | None = None,
    *,
    today: date | None = None,
) -> RunView:
    """Back to the previous step; what was typed into this one is kept."""
    with UnitOfWork(db) as uow:
        case, customer, playbook = _load(uow, case_id)
        state = _state(case)
        if case.state == CaseState.CLOSED or state.finished:
            raise ServiceError(_("This case is closed; add a new history entry instead."))
        case.script_state = engine.back(state, drafts).to_json()
        uow.flush()
        view = _view(uow, playbook, customer, case, today or date.today())
        uow.commit()
    return view


# --- recording a completed step -----------------------------------------------------------


def _record(
    uow: UnitOfWork,
    playbook: Playbook,
    customer: Customer,
    case: Case,
    result: engine.Advance,
    facts: Facts,
    fact_values: Mapping[str, Any],
    ctx: GuideContext,
) -> list[str]:
    """Write the step's effects and its history entry; return what was recorded."""
    step = result.step
    customer_language = customer.language
    agent_language = ui_language()
    currency = currency_for_country(customer.partner.country)
    recorded: list[str] = []
    payload: dict[str, Any] = {
        "process": case.process.value,
        "subject": case.subject,
        "flow": result.state.flow,
        "step": step.id,
        "action": step.action,
        "answers": {k: v for k, v in result.answers.items() if v is not None},
        "playbook_version": playbook.meta.version,
    }
    history_text: str | None = None
    for effect in result.effects:
        summary = _apply(uow, effect, customer, case, step, result, ctx, fact_values, currency)
        if isinstance(effect, HistoryEffect):
            history_text = _fill(effect.text, agent_language, fact_values, currency)
        if summary:
            kind, detail = summary
            payload.setdefault("effects", []).append({"type": effect.type, **detail})
            recorded.append(kind)
    flow_title = playbook.flow(result.state.flow).title.get(agent_language)
    title = _fill(step.title, agent_language, fact_values, currency)
    text = history_text or _("{flow}: {step} — done").format(flow=flow_title, step=title)
    if customer_language and history_text is None and step.say:
        payload["said"] = _fill(step.say, customer_language, fact_values, currency)
    uow.history.append(
        HistoryEntry(
            customer_id=customer.id,
            case_id=case.id,
            author=ctx.author,
            kind="step",
            text=text,
            payload=payload,
            rule_ids=list(facts.rule_ids),
            ruleset_version=facts.ruleset_version,
            origin=uow.db.origin,
        )
    )
    return recorded


def _apply(
    uow: UnitOfWork,
    effect: Effect,
    customer: Customer,
    case: Case,
    step: Step,
    result: engine.Advance,
    ctx: GuideContext,
    values: Mapping[str, Any],
    currency: str,
) -> tuple[str, dict[str, Any]] | None:
    agent_language = ui_language()
    if isinstance(effect, SmsEffect):
        text = _fill(_sms(case, effect.template), customer.language, values, currency)
        sms = SmsMessage(
            customer_id=customer.id,
            case_id=case.id,
            msisdn=customer.msisdn,
            language=customer.language,
            template_id=effect.template,
            text=text,
            created_by=ctx.author,
        )
        uow.add(sms)
        uow.flush()
        return _("SMS queued"), {"sms_id": str(sms.id), "template": effect.template}
    if isinstance(effect, TicketEffect):
        partner = customer.partner
        ticket = PartnerTicket(
            customer_id=customer.id,
            case_id=case.id,
            partner_id=partner.id,
            kind=effect.kind,
            subject=_fill(effect.subject, partner.language, values, currency)[:200],
            body=_fill(effect.body, partner.language, values, currency),
            created_by=ctx.author,
        )
        uow.add(ticket)
        uow.flush()
        return _("Ticket to the partner opened"), {"ticket_id": str(ticket.id), "kind": effect.kind}
    if isinstance(effect, LetterEffect):
        letter = Letter(
            customer_id=customer.id,
            case_id=case.id,
            document=effect.document,
            language=customer.language,
            context=_json_facts(values),
            requested_by=ctx.author,
        )
        uow.add(letter)
        uow.flush()
        return _("Letter requested"), {"letter_id": str(letter.id), "document": effect.document}
    if isinstance(effect, TaskEffect):
        task = Task(
            customer_id=customer.id,
            case_id=case.id,
            kind=effect.kind,
            title=_fill(effect.title, agent_language, values, currency)[:200],
            due=ctx.today + timedelta(days=effect.due_in_days),
        )
        uow.add(task)
        uow.flush()
        return _("Follow-up task created"), {"task_id": str(task.id), "due": task.due.isoformat()}
    if isinstance(effect, StageEffect):
        case.stage = effect.to
        return None
    if isinstance(effect, FactEffect):
        value = result.state.answers.get(effect.from_input) if effect.from_input else effect.value
        case.facts = {**case.facts, effect.key: value}
        return None
    if isinstance(effect, CloseEffect):
        case.state = CaseState.CLOSED
        case.closed_at = utcnow()
        case.facts = {**case.facts, "outcome": effect.outcome}
        return _("Case closed"), {"outcome": effect.outcome}
    return None  # history effects become the step's entry text


def _sms(case: Case, template: str) -> Localized:
    return _playbook(case.process.value).sms[template]


# --- building the view ------------------------------------------------------------------


def _view(
    uow: UnitOfWork,
    playbook: Playbook,
    customer: Customer,
    case: Case,
    today: date,
    recorded: tuple[str, ...] = (),
) -> RunView:
    state = _state(case)
    author = current_user_name()
    ctx = _context(uow, customer, case, state, today, author)
    facts = guide_for(case.process.value).facts(ctx)
    values = {**_builtin_facts(customer, author, today), **facts.values}
    agent = ui_language()
    currency = currency_for_country(customer.partner.country)
    flow = playbook.flow(state.flow)
    step = engine.current_step(playbook, state)
    done, total = engine.progress(playbook, state)
    common: dict[str, Any] = {
        "case_id": case.id,
        "customer_id": customer.id,
        "process": case.process.value,
        "flow_id": flow.id,
        "flow_title": _fill(flow.title, agent, values, currency),
        "playbook_version": playbook.meta.version,
        "say_language": customer.language,
        "rule_ids": facts.rule_ids,
        "reasons": tuple(explain(rule_id, agent) for rule_id in facts.rule_ids),
        "done": done,
        "total": total,
        "recorded": recorded,
    }
    if step is None or case.state == CaseState.CLOSED:
        return RunView(
            **common,
            finished=True,
            step_id=None,
            step_title=_("Finished"),
            do_text="",
            say_text="",
            inputs=(),
            decision=_decision(playbook, (), values, agent, currency),
            can_go_back=False,
            locked=True,
        )
    locked = engine.is_locked(state, step.id)
    inputs = tuple(
        InputView(
            id=item.id,
            kind=item.type,
            label=_fill(item.label, agent, values, currency),
            required=item.required,
            options=tuple(
                (o.id, _fill(o.label, agent, values, currency))
                for o in item.options
                if o.id in engine.visible_options(item, state.answers, values)
            ),
            value=_input_value(item, state, values),
        )
        for item in step.inputs
    )
    return RunView(
        **common,
        finished=False,
        step_id=step.id,
        step_title=_fill(step.title, agent, values, currency),
        do_text=_fill(step.do, agent, values, currency) if step.do else "",
        say_text=_fill(step.say, customer.language, values, currency) if step.say else "",
        inputs=inputs,
        decision=_decision(playbook, step.show, values, agent, currency),
        can_go_back=len(state.path) > 1,
        locked=locked,
    )


def _input_value(
    item: Input, state: engine.RunState, values: Mapping[str, Any]
) -> bool | str | None:
    """The recorded answer, else the draft, else the input's default fact as the
    agent would type it (amounts ``24.50``, dates ``YYYY-MM-DD``)."""
    if item.id in state.answers:
        return state.answers[item.id]
    if item.id in state.drafts:
        return state.drafts[item.id]
    default = values.get(item.default_fact) if item.default_fact else None
    if default is None or isinstance(default, bool):
        return default
    if isinstance(default, Decimal):
        return f"{default:.2f}"
    if isinstance(default, date):
        return default.isoformat()
    return str(default)


def _decision(
    playbook: Playbook,
    keys: tuple[str, ...] | list[str],
    values: Mapping[str, Any],
    language: str,
    currency: str,
) -> tuple[FactView, ...]:
    return tuple(
        FactView(
            key=key,
            label=playbook.facts[key].get(language) if key in playbook.facts else key,
            value=format_fact(values.get(key), language, currency),
        )
        for key in keys
    )


#: Booleans in the decision box, worded in the language of the text they go into.
YES, NO = N_("yes"), N_("no")


# --- facts and words ----------------------------------------------------------------------


def format_fact(value: Any, language: str, currency: str) -> str:
    """A fact's value worded for ``language``: dates and money by babel."""
    words = translator(language)
    if value is None:
        return "–"
    format_for = getattr(value, "format_for", None)
    if callable(format_for):  # a value that words itself (a month, a measure's label)
        return str(format_for(language))
    if isinstance(value, bool):
        return words.gettext(YES if value else NO)
    if isinstance(value, date):
        return format_date(value, language)
    if isinstance(value, Decimal):
        return format_money(value, currency, language)
    if isinstance(value, list | tuple):
        return ", ".join(format_fact(v, language, currency) for v in value)
    return str(value)


def _fill(text: Localized, language: str, values: Mapping[str, Any], currency: str) -> str:
    needed = text.fields
    formatted = {k: format_fact(values.get(k), language, currency) for k in needed}
    return engine.render(text, language, formatted)


def _builtin_facts(customer: Customer, author: str, today: date) -> dict[str, Any]:
    return {
        "customer_name": customer.name,
        "customer_no": customer.customer_no,
        "msisdn": format_msisdn(customer.msisdn),
        "agent_name": author,
        "today": today,
        "partner_name": customer.partner.name,
    }


def _json_facts(values: Mapping[str, Any]) -> dict[str, Any]:
    """Facts frozen into a letter request: JSON values (dates ISO, money as text)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = f"{value:.2f}"
        elif isinstance(value, bool | int | str) or value is None:
            out[key] = value
        elif isinstance(value, list | tuple):
            out[key] = [_json_facts({"v": v})["v"] for v in value]
        elif isinstance(value, Mapping):
            out[key] = _json_facts(value)
        else:
            out[key] = str(value)
    return out


_ANSWER_MESSAGES = {
    "required": N_("{label}: an answer is required."),
    "yes_no": N_("{label}: answer yes or no."),
    "text": N_("{label}: enter text."),
    "not_option": N_("{label}: choose one of the options."),
    "not_possible": N_("{label}: this option is not possible here."),
    "not_date": N_("{label}: enter a date as YYYY-MM-DD."),
    "date_min": N_("{label}: the date must be on or after {limit}."),
    "date_max": N_("{label}: the date must be on or before {limit}."),
    "not_amount": N_("{label}: enter an amount such as 24.50."),
    "amount_min": N_("{label}: the amount must be at least {limit}."),
    "amount_max": N_("{label}: the amount must be at most {limit}."),
    "too_long": N_("{label}: at most {limit} characters."),
    "no_such_input": N_("{label}: this step has no such input."),
}


def _answer_message(playbook: Playbook, state: engine.RunState, exc: engine.AnswerError) -> str:
    label = exc.input_id
    step = engine.current_step(playbook, state)
    for item in step.inputs if step else ():
        if item.id == exc.input_id:
            label = item.label.get(ui_language())
    return _(_ANSWER_MESSAGES[exc.code]).format(label=label, **exc.params)


# --- loading ---------------------------------------------------------------------------------


def _playbook(process: str) -> Playbook:
    try:
        return playbook_for(process)
    except KeyError:
        raise NotFoundError(
            _("There is no playbook for {process}.").format(process=process)
        ) from None
    except PlaybookError as exc:
        raise ServiceError(_("The playbook cannot be used: {problem}").format(problem=exc)) from exc


def _customer(uow: UnitOfWork, customer_id: uuid.UUID) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(_("This customer does not exist (any more)."))
    return customer


def _load(uow: UnitOfWork, case_id: uuid.UUID) -> tuple[Case, Customer, Playbook]:
    case = uow.cases.get(case_id)
    if case is None or not case.script_state:
        raise NotFoundError(_("This case has no guided script."))
    return case, _customer(uow, case.customer_id), _playbook(case.process.value)


def _state(case: Case) -> engine.RunState:
    return engine.RunState.from_json(case.script_state)


def _open_case(
    uow: UnitOfWork,
    customer: Customer,
    process: str,
    flow: str,
    subject: str | None,
    case_id: uuid.UUID | None = None,
) -> Case | None:
    """The open case to run ``flow`` on, if there is one.

    In order: the named case; the case of this subject already running
    ``flow``; one whose run finished but was kept open (``keep_open``) or that
    has no run yet — both continue with ``flow``. A finished run of ``flow``
    itself starts again only when the case says so (``rerun``: e.g. an
    onboarding stage whose customer could not be reached).
    """
    candidates = [
        case
        for case in uow.cases.open_for(customer.id)
        if case.process.value == process
        and (case.id == case_id if case_id else case.subject == subject)
    ]
    if case_id and not candidates:
        raise NotFoundError(_("This case is closed or does not belong to this customer."))
    for case in candidates:
        again = case.script_state.get("finished") and case.facts.get("rerun")
        if case.script_state and case.script_state.get("flow") == flow and not again:
            return case
    for case in candidates:
        finished_kept = case.script_state.get("finished") and case.facts.get("keep_open")
        if finished_kept or not case.script_state:
            case.script_state = engine.start(_playbook(process), flow).to_json()
            return case
    return None


def _context(
    uow: UnitOfWork,
    customer: Customer,
    case: Case,
    state: engine.RunState,
    today: date,
    author: str,
) -> GuideContext:
    return GuideContext(
        uow=uow,
        customer=customer,
        case=case,
        state=state,
        today=today,
        rules=load_ruleset(),
        author=author,
    )
