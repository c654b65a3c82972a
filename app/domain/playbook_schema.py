"""The schema of a playbook file: steps, words, inputs, branches and effects.

A playbook (``resources/playbooks/<process>.yaml``) is written by policy
authors, not programmers. It holds one or more *flows* (a stage-1 contact, a
downgrade request, a complaint intake, ...); a flow is a list of *steps*. A
step has a title and instructions for the agent, the words to say to the
customer, inputs to collect, *effects* that are recorded when the agent
completes the step (history entry, SMS, partner ticket, letter, case stage,
follow-up task) and *branches* that choose the next step.

Every text exists in all four languages (de, en, ru, zh). Placeholders are
``{name}`` fields naming facts the playbook declares; a text that uses an
undeclared fact, or a translation whose placeholders differ from the others,
is refused. Conditions are structured data (``{input: reached, equals: true}``),
never code, so a playbook can do nothing but choose among its own steps.

Errors name the file, the place (flow and step) and the problem::

    fair_use.yaml: flows.stage_1.steps.send_sms: say.ru: unknown placeholder {amount}
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

LANGUAGES = ("de", "en", "ru", "zh")
END = "end"
#: Facts every playbook may use without declaring them.
BUILTIN_FACTS = ("customer_name", "customer_no", "msisdn", "agent_name", "today", "partner_name")

_ID = r"^[a-z][a-z0-9_]*$"
Ident = Annotated[str, Field(pattern=_ID, max_length=64)]
RuleIdKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
_PLACEHOLDER = re.compile(r"^[a-z_][a-z0-9_]*$")


class PlaybookError(Exception):
    """A playbook that cannot be used, naming file, place and problem."""

    def __init__(
        self, file: str, where: str, problem: str, loc: tuple[str | int, ...] = ()
    ) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        #: The exact place of a schema problem (keys and list indexes), when known.
        self.loc = loc
        #: The line of the file the problem is at, when the reader knows it.
        self.line: int | None = None
        super().__init__(f"{file}: {where}: {problem}" if where else f"{file}: {problem}")

    def with_line(self) -> str:
        """The message with the line it is at, for people editing the file."""
        return f"{self} (line {self.line})" if self.line is not None else str(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of ``text``; raises ValueError for anything fancier."""
    names: set[str] = set()
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if spec or conversion or not _PLACEHOLDER.match(field):
            raise ValueError(f"placeholder {{{field}}} must be a plain {{name}}")
        names.add(field)
    return names


class Localized(RootModel[dict[str, str]]):
    """A text in every language: ``{de: ..., en: ..., ru: ..., zh: ...}``."""

    model_config = ConfigDict(frozen=True, strict=True)

    @model_validator(mode="after")
    def _every_language(self) -> Localized:
        given = set(self.root)
        missing = [lang for lang in LANGUAGES if lang not in given]
        if missing:
            raise ValueError(f"missing language(s): {', '.join(missing)}")
        extra = sorted(given - set(LANGUAGES))
        if extra:
            raise ValueError(f"unknown language(s): {', '.join(extra)}")
        empty = [lang for lang in LANGUAGES if not self.root[lang].strip()]
        if empty:
            raise ValueError(f"empty text for: {', '.join(empty)}")
        fields: dict[str, set[str]] = {}
        for lang in LANGUAGES:
            try:
                fields[lang] = placeholders(self.root[lang])
            except ValueError as exc:
                raise ValueError(f"{lang}: {exc}") from None
        reference = fields["en"]
        for lang in LANGUAGES:
            if fields[lang] != reference:
                ours, theirs = sorted(fields[lang]), sorted(reference)
                raise ValueError(f"{lang} uses placeholders {ours} but en uses {theirs}")
        return self

    def get(self, language: str) -> str:
        return self.root.get(language) or self.root["en"]

    @property
    def fields(self) -> set[str]:
        return placeholders(self.root["en"])


Scalar = bool | int | str


class Condition(_Strict):
    """A test on an answer or a fact; exactly one subject, at most one test."""

    input: Ident | None = None
    fact: Ident | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    is_set: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        subjects = [
            k for k in ("input", "fact", "all", "any", "not_") if getattr(self, k) is not None
        ]
        if len(subjects) != 1:
            raise ValueError("a condition names exactly one of: input, fact, all, any, not")
        tests = [
            k for k in ("equals", "not_equals", "in_", "is_set") if getattr(self, k) is not None
        ]
        if subjects[0] in ("input", "fact") and len(tests) > 1:
            raise ValueError("a condition has at most one test: equals, not_equals, in, is_set")
        if subjects[0] not in ("input", "fact") and tests:
            raise ValueError("all/any/not take conditions, not tests")
        return self

    def inputs(self) -> Iterator[str]:
        if self.input:
            yield self.input
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            yield from child.inputs()

    def facts(self) -> Iterator[str]:
        if self.fact:
            yield self.fact
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            yield from child.facts()


Condition.model_rebuild()


class Option(_Strict):
    id: Ident
    label: Localized


InputType = Literal["choice", "yes_no", "date", "amount", "text"]


class Input(_Strict):
    """Something the agent enters; validated before the step can be completed."""

    id: Ident
    type: InputType
    label: Localized
    required: bool = True
    #: When given, the input is required exactly when this holds (``required`` is
    #: then ignored): e.g. a new tariff only when the measure is a migration.
    required_when: Condition | None = None
    options: list[Option] = []
    #: Choice options shown only when their condition holds (by option id).
    option_when: dict[str, Condition] = {}
    #: A choice whose options are data, not words of the playbook: the fact of
    #: this name is a list of values, each value's ``str()`` an option id and
    #: its words the option's label (e.g. the tariffs a customer may move to).
    options_fact: Ident | None = None
    #: For dates: earliest/latest as days relative to today (e.g. -365, 0).
    min_days: int | None = None
    max_days: int | None = None
    #: For amounts: bounds as decimal strings.
    min_amount: str | None = None
    max_amount: str | None = None
    max_length: int = Field(default=2000, ge=1, le=20000)
    #: A fact whose value fills the input when it has no answer or draft yet
    #: (e.g. amounts already recorded on the case).
    default_fact: Ident | None = None

    @model_validator(mode="after")
    def _options(self) -> Input:
        if self.type == "choice" and not self.options and not self.options_fact:
            raise ValueError(f"choice input {self.id} needs options or options_fact")
        if self.options and self.options_fact:
            raise ValueError(f"choice input {self.id} has options or options_fact, not both")
        if self.type != "choice" and (self.options or self.option_when or self.options_fact):
            raise ValueError(f"only choice inputs have options ({self.id} is {self.type})")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate option ids in {self.id}")
        unknown = set(self.option_when) - set(ids)
        if unknown:
            raise ValueError(f"option_when names unknown options: {sorted(unknown)}")
        return self


class _Effect(_Strict):
    when: Condition | None = None


class HistoryEffect(_Effect):
    type: Literal["history"]
    text: Localized


class SmsEffect(_Effect):
    type: Literal["sms"]
    template: Ident


class TicketEffect(_Effect):
    type: Literal["ticket"]
    kind: Ident
    subject: Localized
    body: Localized


class LetterEffect(_Effect):
    type: Literal["letter"]
    document: Ident


class StageEffect(_Effect):
    type: Literal["stage"]
    to: str = Field(min_length=1, max_length=40)


class TaskEffect(_Effect):
    type: Literal["task"]
    kind: Ident
    title: Localized
    due_in_days: int = Field(ge=0, le=365)


class FactEffect(_Effect):
    """Record a value on the case: an answer (``from_input``) or a constant."""

    type: Literal["fact"]
    key: Ident
    from_input: Ident | None = None
    value: Scalar | None = None


class CloseEffect(_Effect):
    type: Literal["close"]
    outcome: Ident


Effect = Annotated[
    HistoryEffect
    | SmsEffect
    | TicketEffect
    | LetterEffect
    | StageEffect
    | TaskEffect
    | FactEffect
    | CloseEffect,
    Field(discriminator="type"),
]


class Branch(_Strict):
    """``goto`` when ``when`` holds (no ``when``: always). First match wins."""

    when: Condition | None = None
    goto: Ident


class Step(_Strict):
    id: Ident
    title: Localized
    #: The rules engine's action or task id this step carries out (``sms_1``,
    #: ``first_callback``); recorded in the history, so "what to do now" knows
    #: it is done.
    action: Ident | None = None
    #: What the agent does (shown in the agent's language).
    do: Localized | None = None
    #: What the agent says (shown in the customer's language).
    say: Localized | None = None
    inputs: list[Input] = []
    #: Facts shown in the "decision and why" box, in this order.
    show: list[Ident] = []
    effects: list[Effect] = []
    next: list[Branch] = []


class Flow(_Strict):
    id: Ident
    title: Localized
    #: The agent may start this flow when the customer or partner calls about it
    #: (a contract request, a new complaint), not only from a due to-do item.
    startable: bool = False
    steps: list[Step] = Field(min_length=1)


class Meta(_Strict):
    id: Ident
    #: A registered process (the service layer passes their names to :func:`load_playbook`).
    process: Ident
    version: str = Field(min_length=1, max_length=32)
    valid_from: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    title: Localized


class Playbook(_Strict):
    meta: Meta
    #: Facts the texts and conditions may use, with a label for the decision box.
    facts: dict[Ident, Localized] = {}
    #: SMS texts by template id (what ``sms`` effects send).
    sms: dict[Ident, Localized] = {}
    #: The process's rule ids in plain words, for the "why" of a decision.
    explanations: dict[RuleIdKey, Localized] = {}
    flows: list[Flow] = Field(min_length=1)

    def flow(self, flow_id: str) -> Flow:
        for flow in self.flows:
            if flow.id == flow_id:
                return flow
        raise KeyError(flow_id)


# --- loading and cross-checks -------------------------------------------------------


def _where(loc: tuple[Any, ...], data: Mapping[str, Any]) -> tuple[str, str]:
    """Turn pydantic's location into ``flows.<id>.steps.<id>`` and the rest."""
    parts: list[str] = []
    node: Any = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(str(ident) if ident else str(key))
        elif isinstance(node, dict) and key in node:
            node = node[key]
            parts.append(str(key))
        else:
            parts.append(str(key))
            node = None
    # Split after the step (or flow) so the message reads "file: place: field: problem".
    text = ".".join(p for p in parts if p not in ("function-after[_every_language()]",))
    match = re.match(r"^(flows\.[^.]+(?:\.steps\.[^.]+)?)\.?(.*)$", text)
    if match:
        return match.group(1), match.group(2)
    return "", text


def load_playbook(file: str, data: object, processes: Collection[str] | None = None) -> Playbook:
    """Validate parsed YAML; raise :class:`PlaybookError` naming file, place and problem.

    ``processes``: the known process names (the registered processes, which the domain
    does not know); None accepts any."""
    if not isinstance(data, dict):
        raise PlaybookError(file, "", "a playbook file is a mapping with meta, facts, sms, flows")
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        place, field = _where(tuple(error["loc"]), data)
        message = str(error["msg"]).removeprefix("Value error, ")
        problem = f"{field}: {message}" if field else message
        raise PlaybookError(file, place, problem, tuple(error["loc"])) from None
    if processes is not None and playbook.meta.process not in processes:
        raise PlaybookError(
            file,
            "meta.process",
            f"is {playbook.meta.process}, expected one of: {', '.join(processes)}",
            ("meta", "process"),
        )
    check_references(file, playbook)
    return playbook


def _texts(step: Step) -> Iterator[tuple[str, Localized]]:
    for name in ("title", "do", "say"):
        value = getattr(step, name)
        if value is not None:
            yield name, value
    for item in step.inputs:
        yield f"inputs.{item.id}.label", item.label
        for option in item.options:
            yield f"inputs.{item.id}.options.{option.id}", option.label
    for index, effect in enumerate(step.effects):
        for name in ("text", "subject", "body", "title"):
            value = getattr(effect, name, None)
            if isinstance(value, Localized):
                yield f"effects.{index}.{name}", value


def check_references(file: str, playbook: Playbook) -> None:
    """Every goto, placeholder, fact, input and SMS template a playbook names exists."""
    known_facts = set(playbook.facts) | set(BUILTIN_FACTS)
    for sms_id, text in playbook.sms.items():
        unknown = text.fields - known_facts
        if unknown:
            raise PlaybookError(file, f"sms.{sms_id}", f"unknown placeholder {{{min(unknown)}}}")
    flow_ids = [flow.id for flow in playbook.flows]
    for flow in playbook.flows:
        if flow_ids.count(flow.id) > 1:
            raise PlaybookError(file, f"flows.{flow.id}", f"duplicate flow id {flow.id}")
    for flow in playbook.flows:
        step_ids = [s.id for s in flow.steps]
        duplicates = {s for s in step_ids if step_ids.count(s) > 1}
        if duplicates:
            raise PlaybookError(file, f"flows.{flow.id}", f"duplicate step id {min(duplicates)}")
        input_ids: list[str] = [i.id for s in flow.steps for i in s.inputs]
        dup_inputs = {i for i in input_ids if input_ids.count(i) > 1}
        if dup_inputs:
            raise PlaybookError(
                file, f"flows.{flow.id}", f"input id {min(dup_inputs)} is used by two steps"
            )
        for step in flow.steps:
            where = f"flows.{flow.id}.steps.{step.id}"
            for name, text in _texts(step):
                unknown = text.fields - known_facts
                if unknown:
                    raise PlaybookError(
                        file, where, f"{name}: unknown placeholder {{{min(unknown)}}}"
                    )
            conditions = [b.when for b in step.next if b.when] + [
                e.when for e in step.effects if e.when
            ]
            conditions += [c for i in step.inputs for c in i.option_when.values()]
            conditions += [i.required_when for i in step.inputs if i.required_when]
            for condition in conditions:
                for name in condition.inputs():
                    if name not in input_ids:
                        raise PlaybookError(file, where, f"condition names unknown input {name}")
                for name in condition.facts():
                    if name not in known_facts:
                        raise PlaybookError(file, where, f"condition names unknown fact {name}")
            for item in step.inputs:
                if item.default_fact and item.default_fact not in known_facts:
                    problem = f"inputs.{item.id}.default_fact: unknown fact {item.default_fact}"
                    raise PlaybookError(file, where, problem)
                if item.options_fact and item.options_fact not in known_facts:
                    problem = f"inputs.{item.id}.options_fact: unknown fact {item.options_fact}"
                    raise PlaybookError(file, where, problem)
            for fact in step.show:
                if fact not in known_facts:
                    raise PlaybookError(file, where, f"show: unknown fact {fact}")
            for branch in step.next:
                if branch.goto != END and branch.goto not in step_ids:
                    raise PlaybookError(file, where, f"next: goto {branch.goto} is not a step")
            for index, effect in enumerate(step.effects):
                if isinstance(effect, SmsEffect) and effect.template not in playbook.sms:
                    raise PlaybookError(
                        file, where, f"effects.{index}: unknown SMS template {effect.template}"
                    )
                if (
                    isinstance(effect, FactEffect)
                    and effect.from_input
                    and effect.from_input not in input_ids
                ):
                    raise PlaybookError(
                        file, where, f"effects.{index}: unknown input {effect.from_input}"
                    )
