"""The ``onboarding`` worklist: customers activated within the program's days; one row
per open task of the current stage or overdue, and per pending VIP deadline."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes.onboarding.todo import ONBOARDING_SUBJECT, onboarding_decision, vip_pending
from app.services.todo_items import OpenTarget, WorklistRow, row, urgent_first
from app.store import records


def onboarding_worklist(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    last_day = max(s.last_day for s in rules.onboarding.stages if s.last_day is not None)
    candidates = records.activated_candidates(today - timedelta(days=last_day), today)
    customers = records.customer_facts(session, candidates)
    done = records.onboarding_done(session, candidates)
    facts = records.onboarding_facts(session, candidates)
    rows: list[WorklistRow] = []
    for cid, c in customers.items():
        case_facts = facts.get(cid, {})
        decision = onboarding_decision(
            c.activation_date,
            today,
            rules,
            vip_rated=c.vip_rated,
            case_facts=case_facts,
            done=done.get(cid, set()),
        )
        if decision is None:
            continue
        for task in decision.tasks:
            if task.status == "overdue" or (task.status == "open" and task.stage == decision.stage):
                target = OpenTarget("onboarding", task.stage, ONBOARDING_SUBJECT)
                overdue = task.status == "overdue"
                rows.append(row(c, "onboarding", task.id, task.stage, task.due, overdue, target))
        for deadline in vip_pending(decision, case_facts):
            target = OpenTarget("onboarding", decision.stage, ONBOARDING_SUBJECT)
            rows.append(
                row(
                    c,
                    "onboarding",
                    deadline.id,
                    decision.stage,
                    deadline.due,
                    deadline.overdue,
                    target,
                )
            )
    rows.sort(key=urgent_first)
    return rows
