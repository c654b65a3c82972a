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
from app.store.models import Case, CaseState, Customer, Partner, Process
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
