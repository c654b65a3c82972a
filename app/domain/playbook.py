"""Running a playbook flow: where the agent stands, what was answered, what next.

A run's state is plain JSON-able data (stored on the case, so a run resumes
after the app was closed). The agent completes the current step with its
answers; the engine validates them, picks the effects that apply, and moves
to the step the first matching branch names. Every completed step is
recorded (in the history, with its effects) and *locked*: what was sent or
written stays as it was, and its answers can no longer change (a correction
is a new history entry). Back goes to the previous step to look at it; what
the agent had typed into the step it left is kept as a draft, so going
forward again restores it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.domain.playbook_schema import (
    END,
    Condition,
    Effect,
    Flow,
    Input,
    Localized,
    Playbook,
    Step,
)

Answer = bool | str | None
Facts = Mapping[str, Any]


class AnswerError(ValueError):
    """An answer that cannot be accepted, naming the input.

    ``code`` and ``params`` let the user interface word the problem in the
    agent's language; ``message`` is the English wording for logs and tests.
    """

    def __init__(self, input_id: str, code: str, message: str, **params: str) -> None:
        super().__init__(f"{input_id}: {message}")
        self.input_id = input_id
        self.code = code
        self.message = message
        self.params = params


class RunFinishedError(RuntimeError):
    """The flow is finished: it cannot change, only be followed by a new entry."""


@dataclass(frozen=True)
class RunState:
    """Where a run of one flow stands. ``path[-1]`` is the current step."""

    playbook: str
    version: str
    flow: str
    path: tuple[str, ...]
    answers: Mapping[str, Answer] = field(default_factory=dict)
    recorded: tuple[str, ...] = ()
    finished: bool = False
    #: Unvalidated input of steps the agent left with Back (input id -> raw value).
    drafts: Mapping[str, Answer] = field(default_factory=dict)

    @property
    def current(self) -> str | None:
        return None if self.finished else self.path[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook,
            "version": self.version,
            "flow": self.flow,
            "path": list(self.path),
            "answers": dict(self.answers),
            "recorded": list(self.recorded),
            "finished": self.finished,
            "drafts": dict(self.drafts),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunState:
        return cls(
            playbook=str(data["playbook"]),
            version=str(data["version"]),
            flow=str(data["flow"]),
            path=tuple(data["path"]),
            answers=dict(data.get("answers", {})),
            recorded=tuple(data.get("recorded", ())),
            finished=bool(data.get("finished", False)),
            drafts=dict(data.get("drafts", {})),
        )


@dataclass(frozen=True)
class Advance:
    """The result of completing a step: the new state and what to record."""

    state: RunState
    step: Step
    effects: tuple[Effect, ...]
    #: Answers of the completed step, validated and typed.
    answers: Mapping[str, Answer]


def start(playbook: Playbook, flow_id: str) -> RunState:
    flow = playbook.flow(flow_id)
    return RunState(
        playbook=playbook.meta.id,
        version=playbook.meta.version,
        flow=flow.id,
        path=(flow.steps[0].id,),
    )


def step_of(flow: Flow, step_id: str) -> Step:
    for step in flow.steps:
        if step.id == step_id:
            return step
    raise KeyError(step_id)


def current_step(playbook: Playbook, state: RunState) -> Step | None:
    if state.current is None:
        return None
    return step_of(playbook.flow(state.flow), state.current)


def is_locked(state: RunState, step_id: str) -> bool:
    return step_id in state.recorded


# --- conditions -----------------------------------------------------------------------


def holds(condition: Condition, answers: Mapping[str, Answer], facts: Facts) -> bool:
    if condition.all is not None:
        return all(holds(c, answers, facts) for c in condition.all)
    if condition.any is not None:
        return any(holds(c, answers, facts) for c in condition.any)
    if condition.not_ is not None:
        return not holds(condition.not_, answers, facts)
    value = answers.get(condition.input) if condition.input else facts.get(condition.fact or "")
    if condition.equals is not None:
        return _same(value, condition.equals)
    if condition.not_equals is not None:
        return not _same(value, condition.not_equals)
    if condition.in_ is not None:
        return any(_same(value, option) for option in condition.in_)
    if condition.is_set is not None:
        return (value not in (None, "")) == condition.is_set
    return bool(value)


def _same(value: Any, expected: bool | int | str) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    return value is not None and str(value) == str(expected)


def fact_options(item: Input, facts: Facts) -> list[tuple[str, Any]]:
    """(id, value) of the options a choice input takes from its ``options_fact``:
    each value of the fact's list, its ``str()`` the option id."""
    if not item.options_fact:
        return []
    values = facts.get(item.options_fact)
    if not isinstance(values, list | tuple):
        return []
    return [(str(value), value) for value in values if value is not None]


def visible_options(item: Input, answers: Mapping[str, Answer], facts: Facts) -> list[str]:
    """The ids of a choice input's options that apply now."""
    return [
        o.id
        for o in item.options
        if o.id not in item.option_when or holds(item.option_when[o.id], answers, facts)
    ] + [option_id for option_id, _value in fact_options(item, facts)]


# --- answers --------------------------------------------------------------------------


def parse_answer(
    item: Input,
    raw: object,
    today: date,
    facts: Facts,
    answers: Mapping[str, Answer] | None = None,
) -> Answer:
    """Check one raw answer (text from a form, or a bool) against its input.

    ``answers`` are the answers given so far, for ``required_when``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if item.required_when is not None:
            required = holds(item.required_when, answers or {}, facts)
        else:
            required = item.required
        if required:
            raise AnswerError(item.id, "required", "an answer is required")
        return None
    if item.type == "yes_no":
        if isinstance(raw, bool):
            return raw
        raise AnswerError(item.id, "yes_no", "answer yes or no")
    if not isinstance(raw, str):
        raise AnswerError(item.id, "text", "expected text")
    text = raw.strip()
    if item.type == "choice":
        known = {o.id for o in item.options} | {i for i, _value in fact_options(item, facts)}
        if text not in known:
            raise AnswerError(item.id, "not_option", f"{text!r} is not one of the options")
        return text
    if item.type == "date":
        return _parse_date(item, text, today)
    if item.type == "amount":
        return _parse_amount(item, text)
    if len(text) > item.max_length:
        limit = str(item.max_length)
        raise AnswerError(item.id, "too_long", f"at most {limit} characters", limit=limit)
    if _CONTROL.search(text):
        raise AnswerError(item.id, "control", "control characters are not text")
    return text


#: Control characters other than tab and line breaks, and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: ASCII digits only (``\d`` would take any script's digits).
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AMOUNT = re.compile(r"-?([0-9]{1,12})(\.[0-9]{1,2})?")
#: Years a date answer may name: the rules count months and years on from it.
MIN_YEAR, MAX_YEAR = 1900, 2999


def _parse_date(item: Input, text: str, today: date) -> str:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        value = date.fromisoformat(text)
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(text)
    except ValueError:
        raise AnswerError(item.id, "not_date", f"{text!r} is not a date (YYYY-MM-DD)") from None
    if item.min_days is not None and value < (earliest := today + timedelta(days=item.min_days)):
        raise AnswerError(
            item.id, "date_min", f"the date must be on or after {earliest}", limit=str(earliest)
        )
    if item.max_days is not None and value > (latest := today + timedelta(days=item.max_days)):
        raise AnswerError(
            item.id, "date_max", f"the date must be on or before {latest}", limit=str(latest)
        )
    return value.isoformat()


def _parse_amount(item: Input, text: str) -> str:
    if not _AMOUNT.fullmatch(text):  # ASCII digits, at most 12 before the point
        raise AnswerError(item.id, "not_amount", f"{text!r} is not an amount such as 24.50")
    amount = Decimal(text)
    if item.min_amount is not None and amount < Decimal(item.min_amount):
        raise AnswerError(
            item.id, "amount_min", f"at least {item.min_amount}", limit=item.min_amount
        )
    if item.max_amount is not None and amount > Decimal(item.max_amount):
        raise AnswerError(
            item.id, "amount_max", f"at most {item.max_amount}", limit=item.max_amount
        )
    return f"{amount:.2f}"


def validate_answers(
    step: Step,
    raw: Mapping[str, object],
    today: date,
    facts: Facts,
    earlier: Mapping[str, Answer] | None = None,
) -> dict[str, Answer]:
    """Check every input of ``step``; ``earlier`` are the answers of steps before it."""
    unknown = set(raw) - {i.id for i in step.inputs}
    if unknown:
        raise AnswerError(min(unknown), "no_such_input", "this step has no such input")
    answers: dict[str, Answer] = {}
    for item in step.inputs:
        so_far = {**(earlier or {}), **answers}
        answers[item.id] = parse_answer(item, raw.get(item.id), today, facts, so_far)
        if item.type == "choice" and answers[item.id] is not None:
            allowed = visible_options(item, {**(earlier or {}), **answers}, facts)
            if answers[item.id] not in allowed:
                raise AnswerError(
                    item.id, "not_possible", f"{answers[item.id]!r} is not possible here"
                )
    return answers


# --- moving -----------------------------------------------------------------------------


def next_step_id(flow: Flow, step: Step, answers: Mapping[str, Answer], facts: Facts) -> str:
    """The first branch whose condition holds; without branches, the following step."""
    for branch in step.next:
        if branch.when is None or holds(branch.when, answers, facts):
            return branch.goto
    if step.next:
        return END  # branches given, none matched: the flow ends here
    ids = [s.id for s in flow.steps]
    position = ids.index(step.id)
    return ids[position + 1] if position + 1 < len(ids) else END


def advance(
    playbook: Playbook,
    state: RunState,
    raw_answers: Mapping[str, object],
    facts: Facts,
    today: date,
) -> Advance:
    """Complete the current step: validate, choose effects, move on."""
    if state.finished:
        raise RunFinishedError("this flow is finished")
    flow = playbook.flow(state.flow)
    step = step_of(flow, state.path[-1])
    if is_locked(state, step.id):
        # Recorded before (the agent went back to look): keep its answers, record nothing.
        answers = {i.id: state.answers.get(i.id) for i in step.inputs}
        effects: tuple[Effect, ...] = ()
    else:
        answers = validate_answers(step, raw_answers, today, facts, state.answers)
        everything = {**state.answers, **answers}
        effects = tuple(
            e for e in step.effects if e.when is None or holds(e.when, everything, facts)
        )
    all_answers = {**state.answers, **answers}
    target = next_step_id(flow, step, all_answers, facts)
    recorded = state.recorded if step.id in state.recorded else (*state.recorded, step.id)
    drafts = {k: v for k, v in state.drafts.items() if k not in answers}
    new_state = replace(state, answers=all_answers, recorded=recorded, drafts=drafts)
    if target == END:
        new_state = replace(new_state, finished=True)
    else:
        new_state = replace(new_state, path=(*state.path, target))
    return Advance(state=new_state, step=step, effects=effects, answers=answers)


def back(state: RunState, drafts: Mapping[str, Answer] | None = None) -> RunState:
    """Go to the previous step, keeping what was typed into this one as a draft."""
    if state.finished:
        raise RunFinishedError("this flow is finished")
    if len(state.path) < 2:
        return state
    kept = {**state.drafts, **(drafts or {})}
    return replace(state, path=state.path[:-1], drafts=kept)


def progress(playbook: Playbook, state: RunState) -> tuple[int, int]:
    """(steps done, steps in the flow) for a progress bar."""
    total = len(playbook.flow(state.flow).steps)
    done = len(set(state.recorded))
    return (min(done, total), total)


def render(text: Localized | str, language: str, values: Mapping[str, str]) -> str:
    """Fill a text's ``{placeholders}`` with values already formatted for ``language``."""
    template = text.get(language) if isinstance(text, Localized) else text
    return template.format_map(_Missing(values))


class _Missing(dict[str, str]):
    """Leave an unknown placeholder visible instead of failing mid-call."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
