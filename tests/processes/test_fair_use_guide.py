"""The fair-use guided script: playbook file, guide facts and full runs on both engines."""

from __future__ import annotations

import shutil
import tomllib
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.fair_use import FairUseCase, MeasureDecision, evaluate
from app.domain.playbook_schema import Playbook
from app.i18n import format_decimal, set_ui_language
from app.processes.fair_use.guide import month_value
from app.resources import resource_path
from app.services import runs
from app.services.errors import ValidationError
from app.services.playbooks import check_folder, read_playbook
from app.services.rules import load_ruleset
from app.services.run_view import format_fact
from app.store.db import Database
from app.store.models import (
    CaseState,
    FairUseRecord,
    Letter,
    PartnerTicket,
    SmsMessage,
    Subscription,
    Task,
)
from app.store.repositories import UnitOfWork
from tests.processes.helpers import add_customer
from tests.processes.helpers import case_row as _case
from tests.processes.helpers import fact as _fact
from tests.processes.helpers import history as _history
from tests.processes.helpers import localized as _localized
from tests.processes.helpers import rows as _rows

TODAY = date(2026, 3, 15)
PLAYBOOK_FILE = resource_path("playbooks") / "fair_use.yaml"


# --- the playbook file ------------------------------------------------------------------


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return read_playbook(PLAYBOOK_FILE)


def test_playbook_loads_and_the_folder_check_finds_no_problem_in_it(tmp_path: Path) -> None:
    playbook = read_playbook(PLAYBOOK_FILE)
    assert {f.id for f in playbook.flows} == {"stage_1", "stage_2", "stage_3", "partner_feedback"}
    shutil.copy(PLAYBOOK_FILE, tmp_path / "fair_use.yaml")
    problems = check_folder(tmp_path)
    assert [p for p in problems if p.startswith("fair_use.yaml")] == []
    # the check does look at the file: a broken copy is reported with its place
    text = (tmp_path / "fair_use.yaml").read_text(encoding="utf-8")
    (tmp_path / "fair_use.yaml").write_text(
        text.replace("template: sms_2", "template: sms_9"), encoding="utf-8"
    )
    broken = [p for p in check_folder(tmp_path) if p.startswith("fair_use.yaml")]
    assert broken == [
        "fair_use.yaml: flows.stage_2.steps.send_sms_2: effects.1: unknown SMS template sms_9"
    ]


def _rule_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "rule_id" and isinstance(value, str):
                yield value
            else:
                yield from _rule_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _rule_ids(item)


def test_every_rule_id_of_the_rule_file_is_explained(playbook: Playbook) -> None:
    with (resource_path("rules") / "fair_use.toml").open("rb") as fh:
        table = tomllib.load(fh)
    declared = set(_rule_ids({k: v for k, v in table.items() if k != "examples"}))
    assert len(declared) == 12
    assert declared <= set(playbook.explanations)
    # and what the engine actually emits is among them
    rules = load_ruleset().fair_use
    months = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    emitted: set[str] = set()
    for month in [date(2025, 12, 1), *months]:
        for tv, combo in [(True, True), (False, False)]:
            emitted.update(evaluate(FairUseCase(month, months, tv, combo), rules).rule_ids)
    for measure, agrees in [("migration", False), ("termination", True)]:
        decision = MeasureDecision(date(2026, 3, 12), measure, agrees)
        case = FairUseCase(date(2026, 3, 1), months, decision=decision)
        emitted.update(evaluate(case, rules).rule_ids)
    # the partner's answer deadlines are the ticket queue's, not the engine's
    assert emitted == declared - {a.rule_id for a in rules.partner_answers}


def test_swiss_german_texts_write_ss(playbook: Playbook) -> None:
    texts = list(_localized(playbook))
    assert len(texts) > 80
    assert [t.root["de"] for t in texts if "ß" in t.root["de"]] == []
    assert "ß" not in PLAYBOOK_FILE.read_text(encoding="utf-8")


def test_sms_texts_are_sms_length_and_sms_2_is_firmer(playbook: Playbook) -> None:
    values = {
        "customer_name": "Hans Müller-Brunner",
        "service_phone": "+41 44 555 10 10",
        "month": "September 2026",
    }
    for template in ("sms_1", "sms_2"):
        for language in ("de", "en", "ru", "zh"):
            text = playbook.sms[template].get(language).format(**values)
            # GSM-7 texts: at most two parts; Cyrillic and Chinese (UCS-2): at most three
            limit = 306 if language in ("de", "en") else 201
            assert len(text) <= limit, (template, language, len(text))
    # with a name of usual length, SMS no. 1 fits one GSM-7 part
    usual = {**values, "customer_name": "Hans Müller"}
    for language in ("de", "en"):
        assert len(playbook.sms["sms_1"].get(language).format(**usual)) <= 160
    # the second SMS names both consequences
    assert "Kündigung" in playbook.sms["sms_2"].get("de")
    assert "Kündigung" not in playbook.sms["sms_1"].get("de")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "März 2026"), ("en", "March 2026"), ("ru", "март 2026"), ("zh", "2026年3月")],
)
def test_month_is_worded_per_language_and_plain_for_conditions(
    language: str, expected: str
) -> None:
    value = month_value(date(2026, 3, 1))
    assert expected in format_fact(value, language, "CHF")
    assert str(value) == "2026-03"


# --- runs on both engines -----------------------------------------------------------------


def _customer(
    db: Database,
    *,
    language: str = "de",
    partner_language: str = "de",
    products: list[str] | None = None,
    exceeded: tuple[str, ...] = ("2026-03",),
    within: tuple[str, ...] = (),
    name: str = "Hans Müller",
) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="Kabelnetz Nordwest AG",
            country="CH",
            partner_language=partner_language,
            msisdn="+41791234567",
            name=name,
            language=language,
            products=products or [],
        )
        uow.add(
            Subscription(
                customer_id=customer.id,
                tariff="Flat Max",
                monthly_fee=Decimal("69.00"),
                aio_discount=None,
                data_mb=None,
                minutes=None,
                activated=date(2024, 3, 7),
            )
        )
        for month in exceeded:
            uow.add(
                FairUseRecord(
                    customer_id=customer.id,
                    month=month,
                    exceeded=True,
                    data_mb_used=182_400,
                    limit_mb=100_000,
                )
            )
        for month in within:
            uow.add(
                FairUseRecord(
                    customer_id=customer.id, month=month, exceeded=False, data_mb_used=9_000
                )
            )
        uow.commit()
        return customer.id


@pytest.mark.parametrize(
    ("language", "month_words"),
    [("de", "März 2026"), ("ru", "март 2026"), ("zh", "2026年3月")],
)
def test_stage_1_sends_sms_1_in_the_customers_language_and_closes(
    db: Database, language: str, month_words: str
) -> None:
    customer = _customer(
        db, language=language, exceeded=("2026-01", "2026-03"), within=("2026-02",)
    )
    view = runs.open_run(db, customer, "fair_use", "stage_1", subject="2026-03", today=TODAY)
    assert view.step_id == "send_sms_1"
    assert _fact(view, "stage") == "1"
    assert "fair_use.stage.1.first_month" in view.rule_ids
    view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    assert view.step_id == "record_sms_1"
    view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    assert view.finished

    [sms] = _rows(db, SmsMessage, view.case_id)
    assert (sms.language, sms.template_id, sms.msisdn) == (language, "sms_1", "+41791234567")
    assert "Hans Müller" in sms.text and month_words in sms.text
    assert "+41 44 555 10 10" in sms.text
    assert "{" not in sms.text and "–" not in sms.text

    entries = _history(db, view.case_id)
    assert [e.payload["action"] for e in entries] == ["sms_1", "history_entry"]
    for entry in entries:
        assert entry.author == "anna"
        assert entry.payload["subject"] == "2026-03"
        assert "fair_use.stage.1.first_month" in entry.rule_ids
        assert entry.ruleset_version == "2026.1"
    assert "SMS no. 1 sent to +41 79 123 45 67" in entries[1].text
    case = _case(db, view.case_id)
    assert (case.state, case.stage, case.subject) == (CaseState.CLOSED, "1", "2026-03")


def test_stage_2_opens_a_ticket_in_the_partners_language_and_a_follow_up_task(
    db: Database,
) -> None:
    customer = _customer(db, language="de", partner_language="ru", exceeded=("2026-02", "2026-03"))
    view = runs.open_run(db, customer, "fair_use", "stage_2", subject="2026-03", today=TODAY)
    while not view.finished:
        view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")

    [sms] = _rows(db, SmsMessage, view.case_id)
    assert sms.template_id == "sms_2" and "März 2026" in sms.text and "{" not in sms.text
    [ticket] = _rows(db, PartnerTicket, view.case_id)
    assert ticket.kind == "fair_use_contact"
    assert "Hans Müller" in ticket.subject
    assert "единого сценария" in ticket.body and "март 2026" in ticket.body
    assert (
        f"{format_decimal(182_400, 'ru')} MB" in ticket.body
        and "Flat" in ticket.body
        and "AiO" in ticket.body
    )
    assert "{" not in ticket.body
    [task] = _rows(db, Task, view.case_id)
    assert task.kind == "fair_use_partner_feedback" and task.due == date(2026, 3, 22)
    entries = _history(db, view.case_id)
    assert [e.payload["action"] for e in entries] == [
        "sms_2",
        "history_entry",
        "partner_ticket_contact",
    ]
    assert all("fair_use.stage.2.second_month" in e.rule_ids for e in entries)
    assert _case(db, view.case_id).stage == "2"


def test_a_flow_that_does_not_fit_the_stage_is_refused_and_nothing_is_written(
    db: Database,
) -> None:
    customer = _customer(db, exceeded=("2026-02", "2026-03"))
    view = runs.open_run(db, customer, "fair_use", "stage_1", subject="2026-03", today=TODAY)
    with pytest.raises(ValidationError, match="stage 2"):
        runs.complete_step(db, view.case_id, {}, today=TODAY)
    assert _rows(db, SmsMessage, view.case_id) == []
    assert _history(db, view.case_id) == []
    assert runs.show_run(db, view.case_id, today=TODAY).step_id == "send_sms_1"


STAGE_3 = ("2026-01", "2026-02", "2026-03")


def test_stage_3_with_mobile_tv_and_combo_never_offers_termination(db: Database) -> None:
    customer = _customer(db, products=["mobile_tv", "combo"], exceeded=STAGE_3)
    view = runs.open_run(db, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    assert "fair_use.exception.mobile_tv_combo" in view.rule_ids
    view = runs.complete_step(db, view.case_id, {}, today=TODAY)
    assert view.step_id == "decide_measure"
    [measure] = [i for i in view.inputs if i.id == "measure"]
    assert [option for option, _label in measure.options] == ["migration"]
    assert _fact(view, "termination_allowed") == "no"
    before = len(_history(db, view.case_id))
    answers = {"measure": "termination", "decision_date": "2026-03-12", "justification": "x"}
    with pytest.raises(ValidationError) as refused:
        runs.complete_step(db, view.case_id, answers, today=TODAY)
    assert refused.value.field == "measure"
    assert len(_history(db, view.case_id)) == before
    assert runs.show_run(db, view.case_id, today=TODAY).step_id == "decide_measure"


def _run_stage_3(db: Database, customer: uuid.UUID, measure: str = "migration") -> uuid.UUID:
    view = runs.open_run(db, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    view = runs.complete_step(db, view.case_id, {"review_note": "3 Produkte"}, today=TODAY)
    answers = {
        "measure": measure,
        "decision_date": "2026-03-12",
        "new_tariff": "ch_mobile_talk",
        "justification": "Handy dient als Internetanschluss zu Hause.",
    }
    view = runs.complete_step(db, view.case_id, answers, today=TODAY, author="anna")
    assert view.step_id == "partner_ticket_decision"
    while not view.finished:
        view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    return view.case_id


def test_stage_3_migration_takes_effect_on_the_first_of_next_month(db: Database) -> None:
    set_ui_language("de")
    customer = _customer(db, products=["internet"], exceeded=STAGE_3)
    view = runs.open_run(db, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    assert _fact(view, "monthly_fee") == "CHF\xa069.00"
    assert _fact(view, "products") == "Internet zu Hause"
    view = runs.complete_step(db, view.case_id, {}, today=TODAY)
    answers = {
        "measure": "migration",
        "decision_date": "2026-03-12",
        "new_tariff": "ch_mobile_talk",
        "justification": "Nutzung",
    }
    view = runs.complete_step(db, view.case_id, answers, today=TODAY)
    assert _fact(view, "effective_date") == "01.04.2026"
    assert _fact(view, "decision_date") == "12.03.2026"
    assert _fact(view, "measure") == "Migration auf einen anderen Preisplan"
    assert "fair_use.measure.migration" in view.rule_ids
    assert any("1. des Monats" in reason for reason in view.reasons)
    while not view.finished:
        view = runs.complete_step(db, view.case_id, {}, today=TODAY)

    letters = {letter.document: letter for letter in _rows(db, Letter, view.case_id)}
    assert set(letters) == {"fair_use_migration", "fair_use_partner_note"}
    context = letters["fair_use_migration"].context
    assert context["decision"]["effective_date"] == "2026-04-01"
    assert context["decision"]["date"] == "2026-03-12"
    assert context["decision"]["exceeded_months"] == list(STAGE_3)
    assert context["decision"]["tariff"] == "Flat Max"
    # The new plan is the catalogue's, with its fee: never typed.
    assert context["decision"]["new_tariff"] == "Mobile Talk"
    assert context["decision"]["new_monthly_fee"] == "29.00"
    [ticket] = _rows(db, PartnerTicket, view.case_id)
    assert ticket.kind == "fair_use_decision"
    assert "Migration auf einen anderen Preisplan" in ticket.body
    assert "01.04.2026" in ticket.body and "Begründung: Nutzung" in ticket.body
    entries = _history(db, view.case_id)
    assert [e.payload["action"] for e in entries] == [
        "review_products",
        "decide_measure",
        "partner_ticket_decision",
        "letter_to_partner",
        "execute_measure",
    ]
    assert "fair_use.measure.migration" in entries[1].rule_ids
    case = _case(db, view.case_id)
    assert case.state == CaseState.OPEN and case.stage == "3"
    assert case.facts["keep_open"] is True
    assert case.facts["decision"]["measure"] == "migration"


def test_termination_letter_and_end_of_month(db: Database) -> None:
    customer = _customer(db, exceeded=STAGE_3)
    case_id = _run_stage_3(db, customer, "termination")
    documents = sorted(letter.document for letter in _rows(db, Letter, case_id))
    assert documents == ["fair_use_partner_note", "fair_use_termination"]
    entries = _history(db, case_id)
    assert "31/03/2026" in entries[-1].text


def test_decision_date_defaults_to_today_and_cannot_precede_the_month(db: Database) -> None:
    customer = _customer(db, exceeded=STAGE_3)
    view = runs.open_run(
        db, customer, "fair_use", "stage_3", subject="2026-03", today=date(2026, 3, 5)
    )
    view = runs.complete_step(db, view.case_id, {}, today=date(2026, 3, 5))
    early = {
        "measure": "migration",
        "decision_date": "2026-02-27",
        "new_tariff": "ch_mobile_talk",
        "justification": "x",
    }
    with pytest.raises(ValidationError, match="2026-03"):
        runs.complete_step(db, view.case_id, early, today=date(2026, 3, 5))
    view = runs.complete_step(
        db,
        view.case_id,
        {"measure": "migration", "new_tariff": "ch_smart_abo_s", "justification": "x"},
        today=date(2026, 3, 5),
    )
    assert _fact(view, "decision_date") == "05/03/2026"
    assert _case(db, view.case_id).facts["decision"]["date"] == "2026-03-05"


def test_partner_disagrees_bills_overuse_from_the_decision_date_and_reports(
    db: Database,
) -> None:
    customer = _customer(db, exceeded=STAGE_3)
    case_id = _run_stage_3(db, customer)
    view = runs.open_run(
        db, customer, "fair_use", "partner_feedback", subject="2026-03", today=date(2026, 3, 20)
    )
    assert view.case_id == case_id  # the case kept open for the answer continues
    assert _fact(view, "measure") == "Migration to another price plan"
    view = runs.complete_step(db, case_id, {"agrees": False}, today=date(2026, 3, 20))
    assert view.step_id == "report_controlling"
    assert _fact(view, "bill_overuse_to_partner_from") == "12/03/2026"
    assert _fact(view, "report_to_controlling") == "yes"
    assert "fair_use.partner_disagrees" in view.rule_ids
    view = runs.complete_step(db, case_id, {}, today=date(2026, 3, 20), author="anna")
    assert view.finished

    tasks = {t.kind: t for t in _rows(db, Task, case_id)}
    assert tasks["controlling_report"].due == date(2026, 3, 20)
    assert "12/03/2026" in tasks["controlling_report"].title
    last = _history(db, case_id)[-1]
    assert "from 12/03/2026" in last.text and "Controlling" in last.text
    assert "fair_use.partner_disagrees" in last.rule_ids
    case = _case(db, case_id)
    assert case.state == CaseState.CLOSED and case.facts["outcome"] == "partner_disagrees"


def test_partner_agrees_closes_the_case_without_a_report(db: Database) -> None:
    customer = _customer(db, exceeded=STAGE_3)
    case_id = _run_stage_3(db, customer)
    view = runs.open_run(
        db, customer, "fair_use", "partner_feedback", subject="2026-03", today=TODAY
    )
    view = runs.complete_step(db, case_id, {"agrees": True}, today=TODAY)
    assert view.finished
    assert [t.kind for t in _rows(db, Task, case_id)] == ["fair_use_partner_answer"]
    assert "fair_use.partner_disagrees" not in _history(db, case_id)[-1].rule_ids
    assert _case(db, case_id).facts["outcome"] == "partner_agrees"


def test_partner_feedback_without_a_decision_is_refused(db: Database) -> None:
    customer = _customer(db, exceeded=STAGE_3)
    view = runs.open_run(
        db, customer, "fair_use", "partner_feedback", subject="2026-03", today=TODAY
    )
    with pytest.raises(ValidationError, match="no stage-3 decision"):
        runs.complete_step(db, view.case_id, {"agrees": True}, today=TODAY)
    assert _history(db, view.case_id) == []
