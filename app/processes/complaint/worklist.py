"""The ``complaints`` worklist: open complaint cases, claims included; one row per case,
most urgent first."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes.complaint.todo import case_item, complaint_entry_flow
from app.services.todo_items import WorklistRow, row, urgent_first
from app.store import records


def complaints_worklist(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    cases = records.open_complaints(session)
    candidates = records.open_complaint_candidates()
    customers = records.customer_facts(session, candidates) if cases else {}
    entry_flow = complaint_entry_flow() if cases else None
    rows: list[WorklistRow] = []
    for case in cases:
        c = customers[case.customer_id]
        item = case_item(case, c.customer_value, today, rules, entry_flow)
        about = item.category or item.subject or str(item.case_id)
        rows.append(
            row(c, item.process, item.route or "", about, item.due, item.overdue, item.target)
        )
    rows.sort(key=urgent_first)
    return rows
