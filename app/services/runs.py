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
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.domain import playbook as engine
from app.domain.case_state import CaseChange
from app.domain.playbook_schema import (
    CloseEffect,
    Effect,
    FactEffect,
    HistoryEffect,
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
from app.i18n import N_, _, field_name, ui_language
from app.processes import Facts, GuideContext, guide_for
from app.processes.facts_once import facts_once
from app.services.case_record import move_cursor, record_step
from app.services.customers import currency_for_country
from app.services.errors import NotFoundError, ServiceError, ValidationError
from app.services.identity import author as current_author
from app.services.identity import signature
from app.services.permissions import Action, check_customer, require
from app.services.playbooks import playbook_for
from app.services.run_start import RunStart, has_run, open_case
from app.services.run_view import (
    RunView,
    build_view,
    builtin_facts,
    fill,
    guide_context,
    run_state,
)
from app.store.db import Database
from app.store.models import (
    Case,
    CaseState,
    Customer,
    HistoryEntry,
    Letter,
    PartnerTicket,
    SmsMessage,
    Task,
)
from app.store.repositories import UnitOfWork

# --- use cases ----------------------------------------------------------------------------


def open_run(
    db: Database,
    customer_id: uuid.UUID,
    process: str,
    flow: str,
    *,
    subject: str | None = None,
    case_id: uuid.UUID | None = None,
    step: str | None = None,
    step_done: bool = False,
    on_request: bool = False,
    today: date | None = None,
) -> RunView:
    """Continue the open case of this process and subject, or open one.

    There is never a second open case for one subject: with ``case_id`` the
    run belongs to that case (e.g. a complaint recorded before); otherwise the
    open case of this process and subject is continued — its run of ``flow``
    where it stands; a case without a run yet (imported, opened by someone
    else) or whose run finished but was kept open starts ``flow`` at ``step``
    (the step a to-do item names; the steps before it count as done). A case
    running another flow switches to ``flow`` when a to-do item names it, and
    continues as it stands when the agent started ``flow`` on request.
    """
    me = require(db, Action.RECORD)
    today = today or date.today()
    playbook = _playbook(process)
    try:
        playbook.flow(flow)
    except KeyError:
        raise NotFoundError(_("The playbook has no flow {flow}.").format(flow=flow)) from None
    start = RunStart(playbook, flow, step, step_done)
    with UnitOfWork(db) as uow:
        customer = _customer(uow, customer_id)
        check_customer(me, customer.partner_id, Action.RECORD)
        case = open_case(uow, customer, process, start, subject, case_id, on_request)
        if case is None:
            case = Case(
                customer_id=customer.id,
                process=process,  # a registered process: its playbook was found
                subject=subject,
                opened_by=current_author(db),
                script_state=start.state(None).to_json(),
            )
            uow.add(case)
            uow.flush()
        view = build_view(uow, playbook, customer, case, today)
        uow.commit()
    return view


def show_run(db: Database, case_id: uuid.UUID, *, today: date | None = None) -> RunView:
    me = require(db, Action.OPEN_CUSTOMERS)
    with UnitOfWork(db) as uow:
        case, customer, playbook = _load(uow, case_id)
        check_customer(me, customer.partner_id)
        return build_view(uow, playbook, customer, case, today or date.today())


def complete_step(
    db: Database,
    case_id: uuid.UUID,
    answers: Mapping[str, object],
    *,
    today: date | None = None,
    author: str | None = None,
) -> RunView:
    """Complete the current step with ``answers``: validate, record, move on."""
    me = require(db, Action.RECORD)
    today = today or date.today()
    author = signature(db, author)  # a user signs with their own login
    db.origin  # noqa: B018 - read (or created) first: writing it inside the step would lock SQLite
    with UnitOfWork(db) as uow:
        case, customer, playbook = _load(uow, case_id)
        check_customer(me, customer.partner_id, Action.RECORD)
        state = run_state(case)
        if case.state == CaseState.CLOSED or state.finished:
            raise ServiceError(_("This case is closed; add a new history entry instead."))
        ctx = guide_context(uow, customer, case, state, today, author)
        facts = facts_once(guide_for(case.process), ctx)
        fact_values = {**builtin_facts(customer, author, today), **facts.values}
        try:
            step = engine.current_step(playbook, state)
            if step is not None and not engine.is_locked(state, step.id):
                # Branches and effects see the decision on this step's answers too.
                given = engine.validate_answers(step, answers, today, fact_values, state.answers)
                ctx.state = replace(state, answers={**state.answers, **given})
                facts = facts_once(guide_for(case.process), ctx)
                fact_values = {**builtin_facts(customer, author, today), **facts.values}
            result = engine.advance(playbook, state, answers, fact_values, today)
        except engine.AnswerError as exc:
            raise ValidationError(
                _answer_message(playbook, state, exc), field=exc.input_id
            ) from exc
        recorded: list[str] = []
        if not engine.is_locked(state, result.step.id):
            ctx.state = result.state
            entry, change, recorded = _record(
                uow, playbook, customer, case, result, facts, fact_values, ctx
            )
            change = change.then(
                guide_for(case.process).after_step(ctx, result.step, result.answers)
            )
            record_step(uow, case, entry, change, result.state)
        elif result.state.finished and not case.facts.get("keep_open"):
            # Stepping over a step recorded before, and no branch leads on: the run ends and
            # closes the case by an event of its own, so its events derive it closed too.
            record_step(
                uow,
                case,
                _finish_entry(uow, playbook, case, result, ctx),
                CaseChange(),
                result.state,
            )
            recorded.append(_("Case closed"))
        else:  # stepping over a step recorded before: only the script's cursor moves
            move_cursor(case, result.state)
        uow.flush()
        view = build_view(uow, playbook, customer, case, today, recorded=tuple(recorded))
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
    me = require(db, Action.RECORD)
    with UnitOfWork(db) as uow:
        case, customer, playbook = _load(uow, case_id)
        check_customer(me, customer.partner_id, Action.RECORD)
        state = run_state(case)
        if case.state == CaseState.CLOSED or state.finished:
            raise ServiceError(_("This case is closed; add a new history entry instead."))
        move_cursor(case, engine.back(state, drafts))
        uow.flush()
        view = build_view(uow, playbook, customer, case, today or date.today())
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
) -> tuple[HistoryEntry, CaseChange, list[str]]:
    """Write the step's effects; return its history entry (not appended yet), what it
    changes on the case, and what was recorded."""
    step = result.step
    customer_language = customer.language
    agent_language = ui_language()
    currency = currency_for_country(customer.partner.country)
    recorded: list[str] = []
    payload: dict[str, Any] = {
        "process": case.process,
        "subject": case.subject,
        "flow": result.state.flow,
        "step": step.id,
        "action": step.action,
        "answers": {k: v for k, v in result.answers.items() if v is not None},
        "playbook_version": playbook.meta.version,
    }
    history_text: str | None = None
    change = CaseChange()
    for effect in result.effects:
        change = change.then(_change(effect, result))
        summary = _apply(uow, effect, customer, case, step, result, ctx, fact_values, currency)
        if isinstance(effect, HistoryEffect):
            history_text = fill(effect.text, agent_language, fact_values, currency)
        if summary:
            kind, detail = summary
            payload.setdefault("effects", []).append({"type": effect.type, **detail})
            recorded.append(kind)
    flow_title = playbook.flow(result.state.flow).title.get(agent_language)
    title = fill(step.title, agent_language, fact_values, currency)
    text = history_text or _("{flow}: {step} — done").format(flow=flow_title, step=title)
    if customer_language and history_text is None and step.say:
        payload["said"] = fill(step.say, customer_language, fact_values, currency)
    entry = HistoryEntry(
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
    return entry, change, recorded


def _finish_entry(
    uow: UnitOfWork, playbook: Playbook, case: Case, result: engine.Advance, ctx: GuideContext
) -> HistoryEntry:
    """The entry of a run that ended by stepping over a step recorded before: it records
    no answers and no action (nothing was done again), only that the run finished."""
    flow_title = playbook.flow(result.state.flow).title.get(ui_language())
    return HistoryEntry(
        customer_id=case.customer_id,
        case_id=case.id,
        author=ctx.author,
        kind="step",
        text=_("{flow}: finished, its last step recorded before").format(flow=flow_title),
        payload={
            "process": case.process,
            "subject": case.subject,
            "flow": result.state.flow,
            "step": result.step.id,
            "finished": True,
            "playbook_version": playbook.meta.version,
        },
        rule_ids=[],
        origin=uow.db.origin,
    )


def _change(effect: Effect, result: engine.Advance) -> CaseChange | None:
    """What a stage, fact or close effect changes on the case (see ``record_step``)."""
    if isinstance(effect, StageEffect):
        return CaseChange(stage=effect.to)
    if isinstance(effect, FactEffect):
        value = result.state.answers.get(effect.from_input) if effect.from_input else effect.value
        return CaseChange(facts={effect.key: value})
    if isinstance(effect, CloseEffect):
        return CaseChange(outcome=effect.outcome)
    return None


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
        text = fill(_sms(case, effect.template), customer.language, values, currency)
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
            subject=fill(effect.subject, partner.language, values, currency)[:200],
            body=fill(effect.body, partner.language, values, currency),
            created_by=ctx.author,
        )
        uow.add(ticket)
        uow.flush()
        return _("Ticket to the partner opened"), {"ticket_id": str(ticket.id), "kind": effect.kind}
    if isinstance(effect, LetterEffect):
        from app.services.letters import letter_language, letter_request_context

        # Checked against the template now: a letter that could not be issued is never requested.
        language = letter_language(customer, effect.document)
        context = letter_request_context(
            customer, effect.document, language, _json_facts(values), require_address=False
        )
        letter = Letter(
            customer_id=customer.id,
            case_id=case.id,
            document=effect.document,
            language=language,
            context=context,
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
            title=fill(effect.title, agent_language, values, currency)[:200],
            due=ctx.today + timedelta(days=effect.due_in_days),
        )
        uow.add(task)
        uow.flush()
        return _("Follow-up task created"), {"task_id": str(task.id), "due": task.due.isoformat()}
    if isinstance(effect, CloseEffect):  # the case itself changes in record_step
        return _("Case closed"), {"outcome": effect.outcome}
    return None  # stage and fact effects change the case; history effects are the entry's text


def _sms(case: Case, template: str) -> Localized:
    return _playbook(case.process).sms[template]


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
    "control": N_("{label}: remove the control characters."),
    "no_such_input": N_("{label}: this step has no such input."),
}


def _answer_message(playbook: Playbook, state: engine.RunState, exc: engine.AnswerError) -> str:
    label = exc.input_id
    step = engine.current_step(playbook, state)
    for item in step.inputs if step else ():
        if item.id == exc.input_id:
            label = item.label.get(ui_language())
    return _(_ANSWER_MESSAGES[exc.code]).format(label=field_name(label), **exc.params)


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
    if case is None or not has_run(case):
        raise NotFoundError(_("This case has no guided script."))
    return case, _customer(uow, case.customer_id), _playbook(case.process)
