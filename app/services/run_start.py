"""Where a guided run starts: the open case it runs on, and the step it starts at.

A to-do item names a flow and a step (or the action the step carries out); a
run opened from it starts there, with the steps on the way recorded and the
answers they would have given taken from what the case keeps. With no step
named, a case without a run starts where its history says it stands, so no
caller restarts a case at step 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.domain import playbook as engine
from app.domain.playbook_schema import Flow, Playbook
from app.i18n import _
from app.processes import CaseFacts, guide_for
from app.services.case_record import move_cursor
from app.services.errors import NotFoundError
from app.store.models import Case, Customer
from app.store.repositories import UnitOfWork


class RunStart:
    """How a run of ``flow`` starts on a case: at the step a to-do item names."""

    def __init__(
        self, playbook: Playbook, flow: str, step: str | None, step_done: bool = False
    ) -> None:
        self.playbook = playbook
        self.flow = flow
        self.step = step
        self.step_done = step_done

    def state(self, case: Case | None) -> engine.RunState:
        """A new run; from the named step on, the steps on the way to it recorded, and the
        answers they would have given taken from what the case keeps (its guide says)."""
        fresh = engine.start(self.playbook, self.flow)
        flow = self.playbook.flow(self.flow)
        target = step_named(flow, self.step)
        if target is None or (target == fresh.path[0] and not self.step_done):
            return fresh
        before = path_to(flow, target)
        answers: dict[str, engine.Answer] = {}
        if case is not None:
            kept = case_answers(case)
            skipped = set(before) | ({target} if self.step_done else set())
            for step in flow.steps:
                if step.id in skipped:
                    for item in step.inputs:
                        if item.id in kept:
                            answers[item.id] = kept[item.id]
        recorded = (*before, target) if self.step_done else before
        return replace(
            fresh, path=(target,), recorded=recorded, answers=answers, finished=self.step_done
        )


def step_named(flow: Flow, name: str | None) -> str | None:
    """The id of the step ``name`` names: a step id, else the first step carrying out
    that action; None when the flow has no such step."""
    if not name:
        return None
    for step in flow.steps:
        if step.id == name:
            return step.id
    return next((step.id for step in flow.steps if step.action == name), None)


def path_to(flow: Flow, target: str) -> tuple[str, ...]:
    """The steps on the shortest way from the flow's first step to ``target`` (without it)."""
    first = flow.steps[0].id
    ids = [s.id for s in flow.steps]
    came_from: dict[str, str | None] = {first: None}
    queue = [first]
    while queue:
        current = queue.pop(0)
        if current == target:
            break
        step = engine.step_of(flow, current)
        position = ids.index(current)
        following = [b.goto for b in step.next] or (
            [ids[position + 1]] if position + 1 < len(ids) else []
        )
        for nxt in following:
            if nxt in ids and nxt not in came_from:
                came_from[nxt] = current
                queue.append(nxt)
    if target not in came_from:
        return ()
    way: list[str] = []
    node = came_from[target]
    while node is not None:
        way.append(node)
        node = came_from[node]
    return tuple(reversed(way))


def case_answers(case: Case) -> Mapping[str, Any]:
    """Answers of earlier steps the case keeps, by input id (its guide knows where)."""
    guide = guide_for(case.process)
    kept = getattr(guide, "answers_on_case", None)
    return kept(CaseFacts.of(case)) if callable(kept) else {}


def where_it_stands(uow: UnitOfWork, case: Case, start: RunStart) -> RunStart:
    """``start``, or — when no step is named — the step the case stands at by its history
    (the first whose action is not done), so no caller restarts a case at step 1."""
    if start.step is not None or start.step_done:
        return start
    from app.services.todo import case_position
    from app.store import records

    done = records.actions_done(uow.session, [case.customer_id])
    actions = done.get((case.customer_id, case.process, case.subject), set())
    flow, step, step_done = case_position(case, actions)
    if flow != start.flow or step is None:
        return start
    return RunStart(start.playbook, start.flow, step, step_done)


def has_run(case: Case) -> bool:
    """Whether the case carries a guided run (not just, say, an imported note)."""
    state = case.script_state or {}
    return bool(state.get("flow")) and bool(state.get("path"))


def open_case(
    uow: UnitOfWork,
    customer: Customer,
    process: str,
    start: RunStart,
    subject: str | None,
    case_id: uuid.UUID | None = None,
    on_request: bool = False,
) -> Case | None:
    """The open case to run ``start.flow`` on, if there is one (see :func:`open_run`).

    In order: the case of this subject already running the flow; one without a
    run, or whose run finished but was kept open (``keep_open``), or finished and
    is to run again (``rerun``: e.g. an onboarding stage whose customer could not
    be reached) — these start the flow; then one running another flow.
    """
    flow = start.flow
    candidates = [
        case
        for case in uow.cases.open_for(customer.id)
        if case.process == process and (case.id == case_id if case_id else case.subject == subject)
    ]
    if case_id and not candidates:
        raise NotFoundError(_("This case is closed or does not belong to this customer."))
    for case in candidates:
        again = case.script_state.get("finished") and case.facts.get("rerun")
        if has_run(case) and case.script_state.get("flow") == flow and not again:
            return case
    for case in candidates:
        finished = has_run(case) and case.script_state.get("finished")
        if not has_run(case):
            move_cursor(case, where_it_stands(uow, case, start).state(case))
            return case
        if finished and (case.facts.get("keep_open") or case.facts.get("rerun")):
            move_cursor(case, start.state(case))
            return case
    for case in candidates:
        if not on_request:
            move_cursor(case, start.state(case))
        return case
    return None
