"""The complaint guided script: playbook file, guide facts and full routes on both engines."""

from __future__ import annotations

import re
import shutil
import tomllib
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.playbook_schema import Playbook
from app.letters.templates import load_template
from app.processes.complaint.guide import category_of_option, category_option
from app.processes.complaint.todo import complaint_entry_flow
from app.resources import resource_path
from app.services import runs
from app.services.errors import ValidationError
from app.services.letters import issue_letter
from app.services.playbooks import check_folder, read_playbook
from app.services.rules import load_ruleset
from app.services.todo import todo_for
from app.services.todo_items import new_complaint_subject
from app.store.db import Database
from app.store.models import (
    Case,
    CaseState,
    Letter,
    LetterStatus,
    MassIncident,
    Partner,
    Process,
    Subscription,
    Task,
)
from app.store.repositories import UnitOfWork
from tests.processes.helpers import add_customer
from tests.processes.helpers import case_row as _case
from tests.processes.helpers import fact as _fact
from tests.processes.helpers import history as _history
from tests.processes.helpers import rows as _rows

PLAYBOOK_FILE = resource_path("playbooks") / "complaint.yaml"
RULE_FILE = resource_path("rules") / "complaint.toml"
TODAY = date(2026, 3, 16)


# --- the playbook file ------------------------------------------------------------------


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return read_playbook(PLAYBOOK_FILE)


def test_playbook_loads_and_intake_is_the_entry_flow(tmp_path: Path) -> None:
    playbook = read_playbook(PLAYBOOK_FILE)
    assert playbook.flows[0].id == "intake" == complaint_entry_flow()
    assert playbook.flows[0].steps[0].id == "mass_incident_check"  # mass incidents first
    shutil.copy(PLAYBOOK_FILE, tmp_path / "complaint.yaml")
    assert [p for p in check_folder(tmp_path) if p.startswith("complaint.yaml")] == []
    text = (tmp_path / "complaint.yaml").read_text(encoding="utf-8")
    (tmp_path / "complaint.yaml").write_text(
        text.replace("goto: retained}", "goto: kept}"), encoding="utf-8"
    )
    broken = [p for p in check_folder(tmp_path) if p.startswith("complaint.yaml")]
    assert broken == ["complaint.yaml: flows.intake.steps.retention: next: goto kept is not a step"]


def test_every_rule_id_of_the_rule_file_is_explained(playbook: Playbook) -> None:
    with RULE_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    declared = {c["rule_id"] for c in table["channels"]}
    declared |= {r["rule_id"] for r in table["routing"]}
    declared |= {table["not_eligible"]["rule_id"], table["follow_up"]["rule_id"]}
    assert len(declared) == 13
    assert declared <= set(playbook.explanations)
    assert "ß" not in PLAYBOOK_FILE.read_text(encoding="utf-8")


def test_category_options_are_the_rule_categories_filtered_by_channel(
    playbook: Playbook,
) -> None:
    rules = load_ruleset().complaint
    step = next(s for s in playbook.flows[0].steps if s.id == "category")
    [item] = [i for i in step.inputs if i.id == "category"]
    options = [o.id for o in item.options]
    assert {category_of_option(o) for o in options} == set(rules.channel_of_category)
    for option in options:
        condition = item.option_when[option]
        assert condition.input == "channel"
        assert condition.equals == category_of_option(option).split(".")[0]
    channel_step = next(s for s in playbook.flows[0].steps if s.id == "channel")
    assert [o.id for o in channel_step.inputs[0].options] == [c.id for c in rules.channels]
    blockers = next(s for s in playbook.flows[0].steps if s.id == "retention").inputs[1]
    assert [o.id for o in blockers.options] == [f"b{b.id}" for b in rules.blockers]


def test_every_category_has_words_in_the_claim_letter() -> None:
    terms = load_template("claim_acknowledgement").term_keys["category"]
    categories = load_ruleset().complaint.channel_of_category
    assert set(categories) <= terms  # the letter words the rules' own ids
    assert category_option("billing_system.slow_service") == "billing_system__slow_service"


# --- runs on both engines -----------------------------------------------------------------


def _customer(db: Database, *, value: int = 3, language: str = "ru") -> tuple[uuid.UUID, str]:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="МТС Санкт-Петербург",
            country="RU",
            partner_language="ru",
            msisdn="+79161234567",
            name="Павел Морозов",
            language=language,
            customer_value=value,
            activation_date=date(2023, 5, 1),
            street="Невский пр., д. 28, кв. 5",
            postcode="191186",
            city="Санкт-Петербург",
        )
        uow.add(
            Subscription(
                customer_id=customer.id,
                tariff="Тарифище",
                monthly_fee=Decimal("650.00"),
                aio_discount=None,
                data_mb=None,
                minutes=None,
                activated=date(2023, 5, 1),
            )
        )
        uow.commit()
        return customer.id, customer.customer_no


def _incidents(db: Database, customer: uuid.UUID) -> None:
    """Active: one for the customer's partner, one for all; plus a withdrawn and a foreign one."""
    now = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    with UnitOfWork(db) as uow:
        own = uow.customers.get(customer)
        assert own is not None
        other = Partner(code=f"P-{uuid.uuid4().hex[:6]}", name="Другой партнёр", country="RU")
        uow.add(other)
        uow.flush()
        rows = [
            ("Сбой USSD *100#", ["other.self_service"], None, timedelta(days=2), None),
            (
                "Рассинхронизация баланса после обновления АСР",
                ["billing_system.balance_desync", "billing_system.charge_while_blocked"],
                own.partner_id,
                timedelta(days=1),
                None,
            ),
            ("Старый сбой", ["shop.dissatisfaction"], None, timedelta(days=9), timedelta(days=3)),
            ("Сбой у другого партнёра", ["other.self_service"], other.id, timedelta(0), None),
        ]
        for title, categories, partner_id, age, withdrawn in rows:
            uow.add(
                MassIncident(
                    title=title,
                    instructions=f"1. Сообщить абоненту о проблеме «{title}».\n"
                    "2. Претензию не заполнять.",
                    categories=categories,
                    partner_id=partner_id,
                    started_at=now - age,
                    withdrawn_at=now - withdrawn if withdrawn else None,
                    created_by="supervisor",
                )
            )
        uow.commit()


def _open(db: Database, customer: uuid.UUID) -> runs.RunView:
    return runs.open_run(
        db, customer, "complaint", "intake", subject=new_complaint_subject(TODAY), today=TODAY
    )


def _step(db: Database, view: runs.RunView, answers: dict[str, object]) -> runs.RunView:
    return runs.complete_step(db, view.case_id, answers, today=TODAY, author="o.ivanova")


def _classify(
    db: Database, customer: uuid.UUID, category: str, summary: str = "Списали деньги дважды"
) -> runs.RunView:
    view = _open(db, customer)
    view = _step(db, view, {"incident": "none"})
    assert view.step_id == "channel"
    view = _step(db, view, {"channel": category.split(".")[0]})
    assert view.step_id == "category"
    view = _step(db, view, {"category": category_option(category), "summary": summary})
    assert view.step_id == "first_line"
    return view


def _assert_every_step_recorded(db: Database, case_id: uuid.UUID, steps: list[str]) -> None:
    entries = [e for e in _history(db, case_id) if e.kind == "step"]
    assert [e.payload["step"] for e in entries] == steps
    for entry in entries:
        assert entry.rule_ids, entry.payload["step"]
        assert entry.author == "o.ivanova"
        assert entry.payload["process"] == "complaint"
        assert entry.payload["subject"].startswith("complaint:20260316-")
        assert entry.ruleset_version == "2026.1"


def test_active_mass_incidents_come_first_and_a_match_follows_its_algorithm(
    db: Database,
) -> None:
    customer, _no = _customer(db)
    _incidents(db, customer)
    view = _open(db, customer)
    assert view.step_id == "mass_incident_check"
    [incident] = view.inputs
    assert [label for _id, label in incident.options] == [
        "No – not a mass incident",
        "Рассинхронизация баланса после обновления АСР",  # the customer's partner's first
        "Сбой USSD *100#",
    ]
    assert "Старый сбой" not in _fact(view, "active_incidents")
    assert "Павел Морозов" in view.say_text and "Здравствуйте" in view.say_text

    view = _step(db, view, {"incident": "incident_1"})
    assert view.step_id == "mass_incident"
    assert "Претензию не заполнять" in view.do_text
    assert _fact(view, "route") == "Mass incident – mandatory algorithm"
    assert "complaint.route.mass_incident" in view.rule_ids
    view = _step(db, view, {})
    assert view.finished

    case = _case(db, view.case_id)
    assert case.state == CaseState.CLOSED and case.stage == "mass_incident"
    assert case.facts["route"] == "mass_incident" and case.facts["claim"] is False
    assert case.facts["category"] == "billing_system.balance_desync"
    assert case.facts["mass_incident"] is True and case.facts["outcome"] == "mass_incident"
    assert case.subject is not None and case.subject.startswith("complaint:20260316-")
    _assert_every_step_recorded(db, view.case_id, ["mass_incident_check", "mass_incident"])
    assert _rows(db, Letter, view.case_id) == [] and _rows(db, Task, view.case_id) == []


def test_resolved_by_the_first_line_is_a_documented_consultation(db: Database) -> None:
    customer, _no = _customer(db, value=1)
    view = _classify(db, customer, "shop.incompetence", "Неверно оформили договор")
    assert _fact(view, "category").startswith("Incompetence")
    view = _step(db, view, {"resolved": True})
    assert view.step_id == "consultation"
    assert "complaint.route.first_line_resolved" in view.rule_ids
    with pytest.raises(ValidationError, match="Information given"):
        _step(db, view, {})
    view = _step(db, view, {"consultation_note": "Разъяснены условия договора"})
    assert view.finished
    case = _case(db, view.case_id)
    assert (case.state, case.stage, case.facts["route"]) == (
        CaseState.CLOSED,
        "consultation",
        "consultation",
    )
    assert case.facts["channel"] == "shop" and case.facts["summary"] == "Неверно оформили договор"
    _assert_every_step_recorded(
        db,
        view.case_id,
        ["mass_incident_check", "channel", "category", "first_line", "consultation"],
    )
    assert "Разъяснены условия договора" in _history(db, view.case_id)[-1].text


def test_second_line_not_in_normal_mode_the_first_line_files_the_claim(
    db: Database,
) -> None:
    customer, number = _customer(db, value=1)
    view = _classify(db, customer, "contact_centre.improper_service", "Оператор прервал звонок")
    view = _step(db, view, {"resolved": False})
    assert view.step_id == "second_line_mode"
    view = _step(db, view, {"second_line_normal": False})
    assert view.step_id == "claim"
    assert "complaint.route.first_line_files_claim" in view.rule_ids
    assert "complaint.eligibility.service_quality.contact_centre" in view.rule_ids
    claim_no = _fact(view, "claim_no")
    assert re.fullmatch(r"CL-20260316-[0-9A-F]{6}", claim_no)
    assert claim_no in view.say_text and "19 марта 2026" in view.say_text
    view = _step(db, view, {})
    assert view.finished

    case = _case(db, view.case_id)
    assert case.state == CaseState.OPEN and case.stage == "claim"
    assert case.facts["claim_no"] == claim_no and case.facts["route"] == "claim"
    assert case.facts["claim"] is True and case.facts["second_line_normal"] is False
    assert case.due == TODAY + timedelta(days=3)
    [task] = _rows(db, Task, view.case_id)
    assert task.kind == "complaint_claim" and task.due == TODAY + timedelta(days=3)
    assert claim_no in task.title
    [letter] = _rows(db, Letter, view.case_id)
    assert letter.document == "claim_acknowledgement" and letter.language == "ru"
    assert letter.context["claim"] == {
        "number": claim_no,
        "category": "contact_centre.improper_service",
        "filed_on": "2026-03-16",
        "answer_by": "2026-03-19",
        "summary": "Оператор прервал звонок",
    }
    items = [i for i in todo_for(db, number, TODAY).items if i.process == "complaint"]
    assert [(i.route, i.due) for i in items] == [("claim", TODAY + timedelta(days=3))]
    entries = _history(db, view.case_id)
    assert "complaint.follow_up.due" in entries[-1].rule_ids
    assert claim_no in entries[-1].text


def test_retention_succeeded_closes_the_complaint_as_retained(db: Database) -> None:
    customer, _no = _customer(db, value=4, language="de")
    view = _classify(db, customer, "billing_system.migration")
    view = _step(db, view, {"resolved": False})
    view = _step(db, view, {"second_line_normal": True})
    assert view.step_id == "retention"
    assert _fact(view, "route") == "Second line – retention"
    case = _case(db, view.case_id)
    assert case.stage == "second_line" and case.facts["route"] == "second_line"
    assert "Guten Tag Павел Морозов" in view.say_text
    view = _step(db, view, {"retention": "succeeded"})
    assert view.step_id == "retained"
    view = _step(db, view, {"agreement": "Tarifwechsel heute manuell ausgeführt"})
    assert view.finished
    case = _case(db, view.case_id)
    assert case.state == CaseState.CLOSED and case.facts["route"] == "retained"
    assert "complaint.route.retained" in _history(db, view.case_id)[-1].rule_ids
    assert _rows(db, Letter, view.case_id) == []


def test_retention_impossible_files_a_claim_with_number_letter_and_task(
    db: Database,
) -> None:
    customer, _no = _customer(db, value=3)
    view = _classify(db, customer, "billing_system.balance_desync", "Баланс в ЛК не совпадает")
    view = _step(db, view, {"resolved": False})
    view = _step(db, view, {"second_line_normal": True})
    before = len(_history(db, view.case_id))
    with pytest.raises(ValidationError) as missing:
        _step(db, view, {"retention": "impossible"})
    assert missing.value.field == "blocker"
    assert len(_history(db, view.case_id)) == before
    view = _step(db, view, {"retention": "impossible", "blocker": "b2"})
    assert view.step_id == "claim"
    assert "complaint.route.claim" in view.rule_ids
    assert "complaint.eligibility.claims.billing_system" in view.rule_ids
    assert _fact(view, "blocker").startswith("2 – needs long review")
    view = _step(db, view, {})
    assert view.finished

    [letter] = _rows(db, Letter, view.case_id)
    assert letter.context["claim"]["category"] == "billing_system.balance_desync"
    info = issue_letter(db, letter.id, "o.ivanova", on=TODAY)
    assert info.status == LetterStatus.ISSUED.value and info.sha256
    [task] = _rows(db, Task, view.case_id)
    assert task.kind == "complaint_claim"
    case = _case(db, view.case_id)
    assert case.facts["blocker"] == 2 and case.facts["retention"] == "impossible"
    _assert_every_step_recorded(
        db,
        view.case_id,
        [
            *("mass_incident_check", "channel", "category", "first_line", "second_line_mode"),
            *("retention", "claim"),
        ],
    )


def test_a_value_1_billing_claim_ends_as_a_consultation(db: Database) -> None:
    customer, _no = _customer(db, value=1)
    view = _classify(db, customer, "billing_system.slow_service", "Смена тарифа идёт неделю")
    assert _fact(view, "claim_allowed") == "no"
    view = _step(db, view, {"resolved": False})
    view = _step(db, view, {"second_line_normal": True})
    view = _step(db, view, {"retention": "impossible", "blocker": "b1"})
    assert view.step_id == "consultation"
    assert "complaint.eligibility.not_eligible" in view.rule_ids
    assert any("documented consultation" in reason for reason in view.reasons)
    view = _step(db, view, {"consultation_note": "Объяснены сроки смены тарифа"})
    case = _case(db, view.case_id)
    assert case.state == CaseState.CLOSED and case.facts["route"] == "consultation"
    assert case.facts["claim"] is False and "claim_no" not in case.facts
    assert _rows(db, Letter, view.case_id) == [] and _rows(db, Task, view.case_id) == []


def test_a_complaint_classified_before_continues_with_the_second_line(db: Database) -> None:
    """An open complaint recorded without a script (e.g. imported) resumes at retention."""
    customer, number = _customer(db, value=2)
    with UnitOfWork(db) as uow:
        case = Case(
            customer_id=customer,
            process=Process.COMPLAINT,
            subject="complaint:20260315-a1b2c3",
            stage="second_line",
            opened_by="import",
            facts={
                "category": "contact_centre.improper_service",
                "channel": "contact_centre",
                "first_line_resolved": False,
                "retention": None,
                "summary": "грубость оператора",
            },
        )
        uow.add(case)
        uow.commit()
        case_id = case.id
    [item] = [i for i in todo_for(db, number, TODAY).items if i.process == "complaint"]
    assert item.target.flow == "intake" and item.target.case_id == case_id
    view = runs.open_run(
        db,
        customer,
        "complaint",
        "intake",
        case_id=case_id,
        subject=item.target.subject,
        today=TODAY,
    )
    assert view.case_id == case_id and view.step_id == "mass_incident_check"
    view = _step(db, view, {"incident": "none"})
    assert view.step_id == "retention"
    assert "грубость оператора" in view.say_text


def test_an_incident_without_categories_is_classified_then_follows_its_algorithm(
    db: Database,
) -> None:
    customer, _no = _customer(db)
    with UnitOfWork(db) as uow:
        uow.add(
            MassIncident(
                title="Авария на базовой станции",
                instructions="Сообщить срок восстановления: сегодня до 18:00.",
                categories=[],
                created_by="supervisor",
            )
        )
        uow.commit()
    view = _open(db, customer)
    view = _step(db, view, {"incident": "incident_1"})
    assert view.step_id == "channel"  # the engine needs a category before it can route
    view = _step(db, view, {"channel": "other"})
    view = _step(db, view, {"category": "other__self_service", "summary": "Нет связи"})
    assert view.step_id == "mass_incident"
    assert "до 18:00" in view.do_text
    view = _step(db, view, {})
    case = _case(db, view.case_id)
    assert case.facts["route"] == "mass_incident" and case.facts["category"] == "other.self_service"
    _assert_every_step_recorded(
        db, view.case_id, ["mass_incident_check", "channel", "category", "mass_incident"]
    )
