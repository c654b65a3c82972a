"""What the guided panel shows of a run: the step worded for agent and customer.

Building a :class:`RunView` asks the process's guide for the facts (always
computed by the rules engine) and words every text: what the agent does in
the agent's language, what the agent says in the customer's, and the decision
with the rules behind it in plain words. Dates and money are worded by babel.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.config import current_user_name
from app.domain import playbook as engine
from app.domain.playbook_schema import Input, Localized, Playbook
from app.i18n import (
    N_,
    _,
    format_date,
    format_money,
    tidy_sentence,
    translator,
    ui_language,
)
from app.processes import CaseFacts, CustomerFacts, GuideContext, PartnerFacts, guide_for
from app.services.customers import currency_for_country, format_msisdn
from app.services.playbooks import explain
from app.services.rules import load_ruleset
from app.store.models import Case, CaseState, Customer
from app.store.repositories import UnitOfWork

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


# --- building the view ------------------------------------------------------------------


def build_view(
    uow: UnitOfWork,
    playbook: Playbook,
    customer: Customer,
    case: Case,
    today: date,
    recorded: tuple[str, ...] = (),
) -> RunView:
    state = run_state(case)
    author = current_user_name()
    ctx = guide_context(uow, customer, case, state, today, author)
    facts = guide_for(case.process).facts(ctx)
    values = {**builtin_facts(customer, author, today), **facts.values}
    agent = ui_language()
    currency = currency_for_country(customer.partner.country)
    flow = playbook.flow(state.flow)
    step = engine.current_step(playbook, state)
    done, total = engine.progress(playbook, state)
    common: dict[str, Any] = {
        "case_id": case.id,
        "customer_id": customer.id,
        "process": case.process,
        "flow_id": flow.id,
        "flow_title": fill(flow.title, agent, values, currency),
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
            label=fill(item.label, agent, values, currency),
            required=item.required,
            options=tuple(
                (o.id, fill(o.label, agent, values, currency))
                for o in item.options
                if o.id in engine.visible_options(item, state.answers, values)
            )
            + tuple(
                (option_id, format_fact(value, agent, currency))
                for option_id, value in engine.fact_options(item, values)
            ),
            value=_input_value(item, state, values),
        )
        for item in step.inputs
    )
    return RunView(
        **common,
        finished=False,
        step_id=step.id,
        step_title=fill(step.title, agent, values, currency),
        do_text=fill(step.do, agent, values, currency) if step.do else "",
        say_text=fill(step.say, customer.language, values, currency) if step.say else "",
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


def fill(text: Localized, language: str, values: Mapping[str, Any], currency: str) -> str:
    needed = text.fields
    formatted = {k: format_fact(values.get(k), language, currency) for k in needed}
    return tidy_sentence(engine.render(text, language, formatted))


def builtin_facts(customer: Customer, author: str, today: date) -> dict[str, Any]:
    return {
        "customer_name": customer.name,
        "customer_no": customer.customer_no,
        "msisdn": format_msisdn(customer.msisdn),
        "agent_name": author,
        "today": today,
        "partner_name": customer.partner.name,
    }


def run_state(case: Case) -> engine.RunState:
    return engine.RunState.from_json(case.script_state)


def guide_context(
    uow: UnitOfWork,
    customer: Customer,
    case: Case,
    state: engine.RunState,
    today: date,
    author: str,
) -> GuideContext:
    """The guide's view of one step: the customer, its partner and the case as plain
    read-only records (taken here, once), never the stored rows."""
    return GuideContext(
        uow=uow,
        customer=CustomerFacts.of(customer),
        partner=PartnerFacts.of(customer.partner),
        case=CaseFacts.of(case),
        state=state,
        today=today,
        rules=load_ruleset(),
        author=author,
    )
