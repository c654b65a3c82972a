"""A case's state, derived from its step events: one owner for stage, facts and script.

A case (one process for one customer) keeps its ``stage``, ``facts``, open or
closed state and the guided script's state (flow, path, answers, completed
steps) in columns. Those columns are a cache: :func:`derive_case_state`
computes them from the case's step events, the history entries written when a
step is completed, and nothing else writes them. Each step entry's payload
carries, under :data:`PAYLOAD_KEY`, what the step changed (a
:class:`CaseChange`: the playbook's stage, fact and close effects and what the
process's guide decided), the script's state after the step, and the event it
followed (``after``); the first event of a case also carries the case as it
stood before it (``base``: what an import, the demo or an older version of the
program had put there).

The derivation does not ask the rules again: an event carries the rules'
decision as taken (with the rule ids in its history entry), so replaying it
gives the same case however the rule files changed since.

Order. Events are applied in the order of ``(created_at, id)`` — the
recording desktop's clock, then the entry's id — except that an event is never
applied before the event it followed (a desktop with a clock behind still comes
after what it saw). This order depends only on the set of events, so two
offices that advanced one case offline and then exchanged their entries derive
the same case whichever entries arrived first.

A real conflict is two events recording the same step of the same flow where
neither followed the other: two desktops each took, say, the stage-3 decision
of one fair-use month. The earlier by the order above wins; the later one, and
every event that followed it, are set aside: they change nothing and are
reported in :attr:`DerivedCase.conflicts` so a supervisor can be shown them.
So are events recorded on a copy of the case that another office had closed
meanwhile. Later events of one run simply follow the earlier ones (a run
started again, e.g. an onboarding stage whose customer was not reached, follows
its earlier run, so it is no conflict).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

#: The key of a step entry's payload that carries its :class:`CaseEvent`.
PAYLOAD_KEY = "case"

#: Why an event was set aside (see :class:`Conflict`).
SAME_STEP = "same_step"
AFTER_SET_ASIDE = "after_set_aside"
CASE_CLOSED = "case_closed"


@dataclass(frozen=True)
class CaseChange:
    """What one completed step changes on its case.

    ``stage`` and ``subject`` and ``due`` (ISO date) replace the case's when
    given; ``facts`` are merged in, key by key; ``outcome`` closes the case
    with that outcome (a playbook's close effect).
    """

    stage: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    subject: str | None = None
    due: str | None = None

    def then(self, later: CaseChange | None) -> CaseChange:
        """This change followed by ``later`` (whose values win)."""
        if later is None:
            return self
        return CaseChange(
            stage=later.stage if later.stage is not None else self.stage,
            facts={**self.facts, **later.facts},
            outcome=later.outcome if later.outcome is not None else self.outcome,
            subject=later.subject if later.subject is not None else self.subject,
            due=later.due if later.due is not None else self.due,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"facts": dict(self.facts)}
        for key in ("stage", "outcome", "subject", "due"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseChange:
        return cls(
            stage=_text(data.get("stage")),
            facts=dict(data.get("facts") or {}),
            outcome=_text(data.get("outcome")),
            subject=_text(data.get("subject")),
            due=_text(data.get("due")),
        )


@dataclass(frozen=True)
class CaseBase:
    """The case as it stood before its first event (imported, opened, or older)."""

    stage: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    due: str | None = None
    closed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "facts": dict(self.facts),
            "subject": self.subject,
            "due": self.due,
            "closed": self.closed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseBase:
        return cls(
            stage=_text(data.get("stage")),
            facts=dict(data.get("facts") or {}),
            subject=_text(data.get("subject")),
            due=_text(data.get("due")),
            closed=bool(data.get("closed", False)),
        )


@dataclass(frozen=True)
class CaseEvent:
    """One completed step of a case, as its history entry records it."""

    id: str
    created_at: datetime
    flow: str
    step: str
    change: CaseChange = field(default_factory=CaseChange)
    #: The guided script's state after the step (``RunState.to_json()`` without drafts).
    run: Mapping[str, Any] = field(default_factory=dict)
    #: The id of the case's event this one followed; None for a case's first.
    after: str | None = None
    #: The case before its first event (only on a first event).
    base: CaseBase | None = None

    def payload(self) -> dict[str, Any]:
        """What the step entry's payload carries under :data:`PAYLOAD_KEY`."""
        out: dict[str, Any] = {
            "after": self.after,
            "change": self.change.to_json(),
            "run": dict(self.run),
        }
        if self.base is not None:
            out["base"] = self.base.to_json()
        return out

    @classmethod
    def from_entry(
        cls, entry_id: object, created_at: datetime, payload: Mapping[str, Any]
    ) -> CaseEvent | None:
        """The event a step entry records; None for an entry without one (written by an
        older version, or not a step)."""
        data = payload.get(PAYLOAD_KEY)
        if not isinstance(data, Mapping):
            return None
        base = data.get("base")
        return cls(
            id=str(entry_id),
            created_at=created_at,
            flow=str(payload.get("flow") or ""),
            step=str(payload.get("step") or ""),
            change=CaseChange.from_json(data.get("change") or {}),
            run=dict(data.get("run") or {}),
            after=_text(data.get("after")),
            base=CaseBase.from_json(base) if isinstance(base, Mapping) else None,
        )


@dataclass(frozen=True)
class Conflict:
    """An event set aside: it changed nothing (see the module's docstring)."""

    event: str
    flow: str
    step: str
    reason: str
    #: The event that won over it (same step), or the one it followed (after a set-aside one),
    #: or the one that closed the case.
    because_of: str | None = None


@dataclass(frozen=True)
class DerivedCase:
    """A case's state as its events say."""

    stage: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    due: str | None = None
    closed: bool = False
    #: When the event that closed the case was recorded.
    closed_at: datetime | None = None
    #: The guided script's state (``RunState`` JSON, without drafts); None without events.
    run: Mapping[str, Any] | None = None
    #: The events applied, in order; the last is what the next event follows.
    applied: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def last(self) -> str | None:
        return self.applied[-1] if self.applied else None


def derive_case_state(events: Iterable[CaseEvent], base: CaseBase | None = None) -> DerivedCase:
    """The case's state from its events, whatever order they are given in.

    ``base`` is the case before its events when no event carries one (the base
    of the first event applied wins over it).
    """
    ordered = _order(events)
    by_id = {e.id: e for e in ordered}
    first_base = next((e.base for e in ordered if e.base is not None), None)
    start = first_base or base or CaseBase()
    state = DerivedCase(
        stage=start.stage,
        facts=dict(start.facts),
        subject=start.subject,
        due=start.due,
        closed=start.closed,
    )
    facts: dict[str, Any] = dict(start.facts)
    ancestors: dict[str, frozenset[str]] = {}
    done: dict[tuple[str, str], list[str]] = {}
    set_aside: set[str] = set()
    applied: list[str] = []
    conflicts: list[Conflict] = []
    closed_by: str | None = None
    for event in ordered:
        parent = event.after if event.after in by_id else None
        ancestors[event.id] = (
            ancestors.get(parent, frozenset()) | {parent} if parent else frozenset()
        )
        reason: tuple[str, str | None] | None = None
        if parent in set_aside:
            reason = (AFTER_SET_ASIDE, parent)
        else:
            rival = next(
                (
                    other
                    for other in done.get((event.flow, event.step), ())
                    if other not in ancestors[event.id]
                ),
                None,
            )
            if rival is not None:
                reason = (SAME_STEP, rival)
            elif state.closed and closed_by not in ancestors[event.id] | {None}:
                reason = (CASE_CLOSED, closed_by)
        if reason is not None:
            set_aside.add(event.id)
            conflicts.append(Conflict(event.id, event.flow, event.step, *reason))
            continue
        done.setdefault((event.flow, event.step), []).append(event.id)
        applied.append(event.id)
        change = event.change
        facts.update(change.facts)
        closes = change.outcome is not None or (
            bool(event.run.get("finished")) and not facts.get("keep_open")
        )
        if change.outcome is not None:
            facts["outcome"] = change.outcome
        state = replace(
            state,
            stage=change.stage if change.stage is not None else state.stage,
            subject=change.subject if change.subject is not None else state.subject,
            due=change.due if change.due is not None else state.due,
            run=dict(event.run) if event.run else state.run,
        )
        if closes and not state.closed:
            state = replace(state, closed=True, closed_at=event.created_at)
            closed_by = event.id
    return replace(state, facts=facts, applied=tuple(applied), conflicts=tuple(conflicts))


def _order(events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """By ``(created_at, id)``, each event after the one it followed (when that is known)."""
    unique = {e.id: e for e in events}
    children: dict[str, list[CaseEvent]] = {}
    ready: list[tuple[datetime, str]] = []
    for event in unique.values():
        if event.after in unique and event.after != event.id:
            children.setdefault(event.after, []).append(event)
        else:
            ready.append((event.created_at, event.id))
    heapq.heapify(ready)
    out: list[CaseEvent] = []
    while ready:
        _when, event_id = heapq.heappop(ready)
        out.append(unique[event_id])
        for child in children.pop(event_id, ()):
            heapq.heappush(ready, (child.created_at, child.id))
    # A cycle of "after" links cannot come from a desktop; its events follow, in order.
    rest = sorted(
        (e for kids in children.values() for e in kids), key=lambda e: (e.created_at, e.id)
    )
    seen = {e.id for e in out}
    out.extend(e for e in rest if e.id not in seen)
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
