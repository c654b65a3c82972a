"""A guided step computes its guide's facts once per state, not at every place that asks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from app.processes.facts_once import facts_once
from app.processes.fair_use.guide import FairUseGuide
from app.services import runs
from app.store.db import Database
from tests.processes.test_fair_use_guide import STAGE_3, TODAY
from tests.processes.test_fair_use_guide import _customer as fair_use_customer


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every computation of the fair-use facts, by the flow it was for."""
    seen: list[str] = []
    facts = FairUseGuide.facts

    def counting(self: FairUseGuide, ctx: Any) -> Any:
        seen.append(ctx.state.flow)
        return facts(self, ctx)

    monkeypatch.setattr(FairUseGuide, "facts", counting)
    return seen


def test_a_step_without_answers_computes_the_facts_once_and_once_for_the_next_step(
    sqlite_db: Database, counted: list[str]
) -> None:
    customer = fair_use_customer(sqlite_db, exceeded=("2026-01", "2026-03"), within=("2026-02",))
    view = runs.open_run(sqlite_db, customer, "fair_use", "stage_1", subject="2026-03", today=TODAY)
    counted.clear()
    view = runs.complete_step(sqlite_db, view.case_id, {}, today=TODAY, author="anna")
    assert view.step_id == "record_sms_1"
    # Checking the answers, deciding and the guide's own check share one computation;
    # the next step's view is another state (its effects are written) and computes again.
    assert counted == ["stage_1", "stage_1"]


def test_a_decision_step_computes_the_facts_without_and_with_its_answers_only(
    sqlite_db: Database, counted: list[str]
) -> None:
    customer = fair_use_customer(sqlite_db, products=["internet"], exceeded=STAGE_3)
    view = runs.open_run(sqlite_db, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    view = runs.complete_step(sqlite_db, view.case_id, {"review_note": "3 Produkte"}, today=TODAY)
    counted.clear()
    answers = {
        "measure": "migration",
        "decision_date": "2026-03-12",
        "new_tariff": "ch_mobile_talk",
        "justification": "Handy dient als Internetanschluss zu Hause.",
    }
    view = runs.complete_step(sqlite_db, view.case_id, answers, today=TODAY, author="anna")
    assert view.step_id == "partner_ticket_decision"
    assert len(counted) == 3  # before the answers, with them (and the guide's check), next view


def _ctx(flow: str, answers: dict[str, Any], facts: dict[str, Any]) -> SimpleNamespace:
    case = SimpleNamespace(process=SimpleNamespace(value="fair_use"), facts=facts)
    state = SimpleNamespace(flow=flow)
    return SimpleNamespace(case=case, state=state, answers=answers)


def test_the_facts_are_computed_again_when_flow_answers_or_case_facts_change() -> None:
    computed: list[int] = []

    class Guide:
        def facts(self, ctx: Any) -> int:
            computed.append(1)
            return len(computed)

    guide = Guide()
    ctx = _ctx("stage_3", {"measure": None}, {})
    assert facts_once(guide, ctx) == facts_once(guide, ctx) == 1  # type: ignore[arg-type]
    ctx.answers = {"measure": "migration"}
    assert facts_once(guide, ctx) == 2  # type: ignore[arg-type]
    ctx.case.facts = {"decision": {"measure": "migration"}}
    assert facts_once(guide, ctx) == 3  # type: ignore[arg-type]
    ctx.state.flow = "partner_feedback"
    assert facts_once(guide, ctx) == 4  # type: ignore[arg-type]
    ctx.state.flow = "stage_3"
    assert facts_once(guide, ctx) == 3  # type: ignore[arg-type]  # that state again
    assert facts_once(guide, _ctx("stage_3", {}, {})) == 5  # type: ignore[arg-type]
