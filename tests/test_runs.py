"""Guided runs against the database: which case a run belongs to, and broken playbooks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import runs
from app.services.errors import ServiceError
from app.services.playbooks import default_playbooks_dir, use_playbooks_dir
from app.services.run_view import format_fact
from app.store.db import Database
from app.store.models import Case, CaseState, Customer, FairUseRecord, Partner, Process
from app.store.repositories import UnitOfWork

TODAY = date(2026, 3, 12)


def _customer(db: Database) -> Customer:
    with UnitOfWork(db) as uow:
        partner = Partner(code="KNU-1", name="Kabelnetz Nordwest AG", country="CH", language="de")
        uow.add(partner)
        uow.flush()
        customer = Customer(
            customer_no="C-1",
            msisdn="+41791234567",
            name="Hans Müller",
            language="de",
            customer_value=3,
            partner_id=partner.id,
        )
        uow.add(customer)
        uow.commit()
        return customer


def _cases(db: Database) -> int:
    with UnitOfWork(db) as uow:
        return uow.session.scalar(select(func.count(Case.id))) or 0


def test_a_named_case_without_a_run_is_taken_over_not_doubled(db: Database) -> None:
    customer = _customer(db)
    with UnitOfWork(db) as uow:
        case = Case(
            customer_id=customer.id,
            process=Process.COMPLAINT,
            subject="recorded earlier",
            stage="second_line",
            opened_by="m.keller",
            facts={"category": "billing_system.balance_desync"},
        )
        uow.add(case)
        uow.commit()
    flow = runs.playbook_for("complaint").flows[0].id
    view = runs.open_run(db, customer.id, "complaint", flow, case_id=case.id, today=TODAY)
    assert view.case_id == case.id
    assert _cases(db) == 1
    again = runs.open_run(db, customer.id, "complaint", flow, case_id=case.id, today=TODAY)
    assert again.case_id == case.id
    assert _cases(db) == 1


def test_a_closed_or_foreign_case_cannot_be_named(db: Database) -> None:
    customer = _customer(db)
    with UnitOfWork(db) as uow:
        case = Case(
            customer_id=customer.id,
            process=Process.COMPLAINT,
            subject="old",
            state=CaseState.CLOSED,
            opened_by="m.keller",
        )
        uow.add(case)
        uow.commit()
    flow = runs.playbook_for("complaint").flows[0].id
    with pytest.raises(ServiceError, match="closed or does not belong"):
        runs.open_run(db, customer.id, "complaint", flow, case_id=case.id, today=TODAY)
    assert _cases(db) == 1


@pytest.fixture
def broken_playbooks(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), folder)
    (folder / "complaint.yaml").write_text("meta: [", encoding="utf-8")
    use_playbooks_dir(folder)
    yield folder
    use_playbooks_dir(None)


def test_a_broken_playbook_is_a_clear_message_and_records_nothing(
    sqlite_db: Database, broken_playbooks: Path
) -> None:
    customer = _customer(sqlite_db)
    with pytest.raises(ServiceError, match=r"complaint\.yaml: line 1, column 8: not valid YAML"):
        runs.open_run(sqlite_db, customer.id, "complaint", "intake", today=TODAY)
    assert _cases(sqlite_db) == 0


def test_complaint_categories_are_worded_in_every_language() -> None:
    from app.services.playbooks import complaint_category_label
    from app.services.rules import load_ruleset

    rules = load_ruleset().complaint
    for channel in rules.channels:
        for category in channel.categories:
            ident = f"{channel.id}.{category.id}"
            for language in ("de", "en", "ru", "zh"):
                assert complaint_category_label(ident, language) != ident
    assert complaint_category_label("billing_system.balance_desync", "ru") == (
        "Рассинхронизация баланса"
    )


@pytest.mark.parametrize(
    ("language", "yes", "no"), [("de", "ja", "nein"), ("ru", "да", "нет"), ("zh", "是", "否")]
)
def test_yes_and_no_in_the_decision_box_are_worded(language: str, yes: str, no: str) -> None:
    from app.i18n import reload_translations

    reload_translations()
    assert format_fact(True, language, "CHF") == yes
    assert format_fact(False, language, "CHF") == no


def test_load_all_reads_every_playbook_so_the_window_only_hits_the_cache() -> None:
    from app.services import playbooks

    playbooks.use_playbooks_dir(None)  # empty the cache
    assert playbooks._shipped.cache_info().currsize == 0
    playbooks.load_all()
    assert playbooks._shipped.cache_info().currsize == len(playbooks.PROCESSES)


def test_flows_an_agent_may_start_on_request_are_named_by_the_playbooks() -> None:
    from app.services.playbooks import startable_flows

    started = [(process, flow.id) for process, flow in startable_flows()]
    assert started == [
        ("fair_use", "partner_feedback"),
        ("expiry", "goodwill"),
        ("contract", "cancel"),
        ("contract", "partner_cancel"),
        ("contract", "upgrade"),
        ("contract", "downgrade"),
        ("contract", "cancel_device_plan"),
        ("contract", "new_device_plan"),
        ("complaint", "intake"),
    ]


def test_a_started_flow_gets_the_subject_its_process_expects() -> None:
    from app.services.todo_items import started_target

    day = date(2026, 3, 12)
    assert started_target("contract", "cancel", day).subject == "cancel:2026-03-12"
    assert started_target("fair_use", "partner_feedback", day).subject == "2026-03"
    first = started_target("complaint", "intake", day).subject
    second = started_target("complaint", "intake", day).subject
    assert first is not None and first.startswith("complaint:20260312-")
    assert first != second  # every new complaint is a case of its own


# --- one open case per subject; a to-do continues its case at the step it names --------


def _open_cases(db: Database) -> list[tuple[str, str | None]]:
    with UnitOfWork(db) as uow:
        found = uow.session.scalars(select(Case).where(Case.state == CaseState.OPEN)).all()
        return [(case.process, case.subject) for case in found]


def _case_left_by_an_import(db: Database, customer: Customer) -> Case:
    """A stage-3 month whose first four actions were done elsewhere (the demo, an import):
    its script state is no run, its decision is on the case."""
    with UnitOfWork(db) as uow:
        for month in ("2026-01", "2026-02", "2026-03"):
            uow.add(FairUseRecord(customer_id=customer.id, month=month, exceeded=True))
        case = Case(
            customer_id=customer.id,
            process=Process.FAIR_USE,
            subject="2026-03",
            stage="3",
            opened_by="m.keller",
            script_state={"next_action": "execute_measure"},
            facts={"decision": {"date": "2026-03-10", "measure": "termination"}},
        )
        uow.add(case)
        uow.commit()
        return case


def test_a_case_without_a_run_continues_at_the_step_the_item_names_with_its_decision(
    db: Database,
) -> None:
    customer = _customer(db)
    case = _case_left_by_an_import(db, customer)
    target = {"subject": "2026-03", "step": "execute_measure"}  # an action id names its step
    view = runs.open_run(db, customer.id, "fair_use", "stage_3", **target, today=TODAY)
    assert view.case_id == case.id
    assert view.step_id == "execute_measure" and not view.locked
    assert (view.done, view.total) == (4, 5) and not view.can_go_back
    measure = next(f for f in view.decision if f.key == "measure")
    assert measure.value not in ("", "–")  # the decision on the case, not an empty answer
    again = runs.open_run(db, customer.id, "fair_use", "stage_3", **target, today=TODAY)
    assert again.case_id == case.id and again.step_id == "execute_measure"
    assert _open_cases(db) == [("fair_use", "2026-03")]


@pytest.mark.parametrize(
    ("flow", "step", "on_request"),
    [
        ("stage_3", None, False),
        ("stage_3", "review_products", False),
        ("stage_1", "sms_1", False),
        ("partner_feedback", None, True),
        ("partner_feedback", None, False),
    ],
)
def test_there_is_never_a_second_open_case_for_one_subject(
    db: Database, flow: str, step: str | None, on_request: bool
) -> None:
    """Whatever flow is opened for a subject that has an open case, that case goes on."""
    customer = _customer(db)
    case = _case_left_by_an_import(db, customer)
    runs.open_run(db, customer.id, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    view = runs.open_run(
        db,
        customer.id,
        "fair_use",
        flow,
        subject="2026-03",
        step=step,
        on_request=on_request,
        today=TODAY,
    )
    assert view.case_id == case.id
    assert _open_cases(db) == [("fair_use", "2026-03")]


def test_a_flow_started_on_request_continues_the_open_case_as_it_stands(db: Database) -> None:
    """The partner's answer, asked for while the month's stage 3 is still going on."""
    customer = _customer(db)
    _case_left_by_an_import(db, customer)
    first = runs.open_run(
        db,
        customer.id,
        "fair_use",
        "stage_3",
        subject="2026-03",
        step="execute_measure",
        today=TODAY,
    )
    again = runs.open_run(
        db,
        customer.id,
        "fair_use",
        "partner_feedback",
        subject="2026-03",
        on_request=True,
        today=TODAY,
    )
    assert again.case_id == first.case_id and again.flow_id == "stage_3"
    assert again.step_id == first.step_id == "execute_measure"
    assert len(_open_cases(db)) == 1


def test_a_case_whose_named_step_is_done_shows_its_run_finished(db: Database) -> None:
    """A claim waits for its answer: the item names the claim step as done, nothing is redone."""
    customer = _customer(db)
    with UnitOfWork(db) as uow:
        case = Case(
            customer_id=customer.id,
            process=Process.COMPLAINT,
            subject="billing_system.balance_desync",
            stage="claim",
            opened_by="m.keller",
            facts={"category": "billing_system.balance_desync", "route": "claim"},
        )
        uow.add(case)
        uow.commit()
    view = runs.open_run(
        db,
        customer.id,
        "complaint",
        "intake",
        case_id=case.id,
        step="claim",
        step_done=True,
        today=TODAY,
    )
    assert view.finished and view.case_id == case.id
    with UnitOfWork(db) as uow:
        assert uow.cases.get(case.id).state == CaseState.OPEN  # the claim still waits


def test_without_a_named_step_a_case_goes_on_where_its_history_says(db: Database) -> None:
    """Any caller (a worklist, a screen pop) continues the case, never at step 1 again."""
    from app.store.models import HistoryEntry

    customer = _customer(db)
    case = _case_left_by_an_import(db, customer)
    with UnitOfWork(db) as uow:
        for action in ("review_products", "decide_measure"):
            uow.history.append(
                HistoryEntry(
                    customer_id=customer.id,
                    author="m.keller",
                    kind="step",
                    text=action,
                    payload={"process": "fair_use", "subject": "2026-03", "action": action},
                )
            )
        uow.commit()
    view = runs.open_run(db, customer.id, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    assert view.case_id == case.id
    assert view.step_id == "partner_ticket_decision" and view.done == 2
