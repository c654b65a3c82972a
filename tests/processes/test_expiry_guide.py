"""The expiry guided script: reminders and the goodwill complaint, on both engines."""

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
from sqlalchemy import select

from app.domain.playbook_schema import Playbook
from app.domain.rule_schema import RuleFileError
from app.letters.render import render_letter
from app.letters.templates import load_template
from app.resources import resource_path
from app.services import runs
from app.services.errors import ValidationError
from app.services.playbooks import check_folder, read_playbook
from app.services.rules import default_rules_dir, load_ruleset
from app.services.todo import todo_for_customer
from app.store.db import Database
from app.store.models import (
    Bundle,
    Case,
    CaseState,
    Customer,
    Letter,
    Process,
    SmsMessage,
    Task,
)
from app.store.repositories import UnitOfWork
from tests.processes.helpers import add_customer
from tests.processes.helpers import case_row as _case
from tests.processes.helpers import fact as _fact
from tests.processes.helpers import history as _history
from tests.processes.helpers import localized as _localized
from tests.processes.helpers import rows as _rows

PLAYBOOK_FILE = resource_path("playbooks") / "expiry.yaml"
END = date(2026, 6, 30)
LAPSED = date(2025, 12, 31)
MARCH = date(2026, 3, 5)  # ten days before the consumer-rights day


# --- the playbook file and the rule files -------------------------------------------------


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return read_playbook(PLAYBOOK_FILE)


def test_playbook_loads_and_a_broken_default_fact_is_named(tmp_path: Path) -> None:
    assert {f.id for f in read_playbook(PLAYBOOK_FILE).flows} == {"reminder", "goodwill"}
    shutil.copy(PLAYBOOK_FILE, tmp_path / "expiry.yaml")
    assert [p for p in check_folder(tmp_path) if p.startswith("expiry.yaml")] == []
    text = (tmp_path / "expiry.yaml").read_text(encoding="utf-8")
    (tmp_path / "expiry.yaml").write_text(
        text.replace("default_fact: case_month_2", "default_fact: case_month_9"), encoding="utf-8"
    )
    assert [p for p in check_folder(tmp_path) if p.startswith("expiry.yaml")] == [
        "expiry.yaml: flows.goodwill.steps.enter_months: "
        "inputs.month_2.default_fact: unknown fact case_month_9"
    ]


def _rule_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("rule_id") and isinstance(value, str):
                yield value
            else:
                yield from _rule_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _rule_ids(item)


def test_every_rule_id_of_expiry_and_goodwill_is_explained_in_four_languages(
    playbook: Playbook,
) -> None:
    declared: set[str] = set()
    for name in ("expiry.toml", "goodwill.toml"):
        with (resource_path("rules") / name).open("rb") as fh:
            table = tomllib.load(fh)
        declared |= set(_rule_ids({k: v for k, v in table.items() if k != "examples"}))
    assert declared == {
        "expiry.reminder.month_before",
        "expiry.reminder.week_before",
        "expiry.reminder.later_supersedes_earlier",
        "goodwill.credit.counterfactual_bill",
        "goodwill.credit.sum_of_months",
        "goodwill.factor.consumer_rights_day_near",
    }
    assert declared <= set(playbook.explanations)
    for rule_id in declared:
        assert set(playbook.explanations[rule_id].root) == {"de", "en", "ru", "zh"}


def test_consumer_rights_day_is_near_within_the_window_before_it() -> None:
    day = load_ruleset().goodwill.consumer_rights_day
    assert day is not None and (day.month, day.day, day.days_before) == (3, 15, 30)
    assert day.is_near(date(2026, 3, 15)) and day.is_near(date(2026, 2, 13))
    assert not day.is_near(date(2026, 2, 12))
    assert not day.is_near(date(2026, 3, 16))  # passed: next year's is far
    assert day.next_on_or_after(date(2026, 3, 16)) == date(2027, 3, 15)


def test_a_consumer_rights_day_that_is_not_in_every_year_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    path = folder / "goodwill.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("month = 3\nday = 15", "month = 2\nday = 29"),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as refused:
        load_ruleset(folder)
    assert str(refused.value) == (
        "goodwill.toml: consumer_rights_day.day: 02-29 is not a day of every year"
    )


def test_words_follow_the_glossary(playbook: Playbook) -> None:
    assert "ß" not in PLAYBOOK_FILE.read_text(encoding="utf-8")
    texts = list(_localized(playbook))
    chinese = " ".join(t.root["zh"] for t in texts)
    for term in ("您好", "非常抱歉", "流量套餐", "套餐外流量费", "最低消费", "返还", "重新开通"):
        assert term in chinese, term
    german = " ".join(t.root["de"] for t in texts)
    for term in ("Kulanzgutschrift", "ausserhalb des Pakets", "Mindestumsatz", "Erinnerungs-SMS"):
        assert term in german, term
    russian = " ".join(t.root["ru"] for t in texts)
    for term in ("сверх пакета", "компенсац", "минимальный платёж", "SMS-напоминание"):
        assert term in russian, term


def test_sms_texts_fit_three_parts(playbook: Playbook) -> None:
    values = {
        "customer_name": "Hans Müller-Brunner",
        "bundle_name": "Datenpaket Europa 5 GB",
        "end_date": "30. September 2026",
        "service_phone": "+41 44 555 10 10",
        "granted_credit": "CHF 168.82",
        "package_fee": "CHF 15.00",
    }
    for template, text in playbook.sms.items():
        for language in ("de", "en", "ru", "zh"):
            filled = text.get(language).format(**values)
            limit = 459 if language in ("de", "en") else 201
            assert len(filled) <= limit, (template, language, len(filled))


# --- records ------------------------------------------------------------------------------


def _customer(
    db: Database,
    *,
    language: str = "zh",
    country: str = "CN",
    sent: tuple[str, ...] = (),
    end: date = END,
    fee: Decimal | None = Decimal("5.00"),
    vip: bool = False,
    case_facts: dict[str, Any] | None = None,
    complaints: int = 0,
) -> tuple[uuid.UUID, str]:
    """A customer with one bundle; with ``case_facts`` also an open goodwill case."""
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="西藏拉萨代理",
            country=country,
            partner_language="zh",
            msisdn="+8613612346712",
            name="黄建国",
            language=language,
            vip=vip,
            activation_date=date(2024, 11, 20),
        )
        bundle_no = f"B-{uuid.uuid4().hex[:5]}"
        uow.add(
            Bundle(
                customer_id=customer.id,
                bundle_no=bundle_no,
                name="5元GPRS数据流量套餐",
                end_date=end,
                package_fee=fee,
                reminders_sent=list(sent),
            )
        )
        for _n in range(complaints):
            uow.add(
                Case(
                    customer_id=customer.id,
                    process=Process.COMPLAINT,
                    subject=f"complaint:{uuid.uuid4().hex[:6]}",
                    opened_by="l.wang",
                    state=CaseState.CLOSED,
                )
            )
        if case_facts is not None:
            uow.add(
                Case(
                    customer_id=customer.id,
                    process=Process.EXPIRY,
                    subject=f"goodwill:{bundle_no}",
                    opened_by="l.wang",
                    facts=case_facts,
                )
            )
        uow.commit()
        return customer.id, bundle_no


def _sent(db: Database, customer: uuid.UUID, bundle_no: str) -> list[str]:
    with UnitOfWork(db) as uow:
        bundle = uow.bundles.get(customer, bundle_no)
        assert bundle is not None
        return list(bundle.reminders_sent)


# --- the reminder flow ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "end_words"),
    [
        ("zh", "2026年6月30日"),
        ("de", "30. Juni 2026"),
        ("ru", "30 июня 2026"),
        ("en", "30 June 2026"),
    ],
)
def test_month_reminder_queues_the_sms_and_marks_the_bundle(
    db: Database, language: str, end_words: str
) -> None:
    customer, bundle_no = _customer(db, language=language)
    today = date(2026, 5, 30)
    view = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:month", today=today
    )
    assert view.step_id == "send_reminder"
    assert _fact(view, "reminder_due") == "yes"
    assert "expiry.reminder.month_before" in view.rule_ids
    view = runs.complete_step(db, view.case_id, {}, today=today, author="l.wang")
    assert view.finished

    [sms] = _rows(db, SmsMessage, view.case_id)
    assert (sms.template_id, sms.language) == ("reminder_month", language)
    assert "5元GPRS数据流量套餐" in sms.text and end_words in sms.text
    # The customer-service number of the operator's company in the partner's country (CN).
    assert "+86 21 5555 1010" in sms.text and "{" not in sms.text
    assert ".." not in sms.text  # "30 июня 2026 г." ends a sentence by itself
    assert _sent(db, customer, bundle_no) == ["month"]
    [entry] = _history(db, view.case_id)
    assert entry.author == "l.wang" and entry.payload["subject"] == f"{bundle_no}:month"
    assert "expiry.reminder.month_before" in entry.rule_ids
    assert entry.ruleset_version == "2026.1"
    case = _case(db, view.case_id)
    assert (case.state, case.stage) == (CaseState.CLOSED, "month")


def test_week_reminder_when_the_month_reminder_was_superseded_marks_only_week(
    db: Database,
) -> None:
    customer, bundle_no = _customer(db)
    today = date(2026, 6, 25)
    [item] = todo_for_customer(db, customer, today).items
    assert (item.target.flow, item.target.subject) == ("reminder", f"{bundle_no}:week")
    # the month reminder is superseded: refused, nothing written
    view = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:month", today=today
    )
    assert _fact(view, "reminder_due") == "no"
    with pytest.raises(ValidationError, match=r"not due on .*one week before the end"):
        runs.complete_step(db, view.case_id, {}, today=today)
    assert _rows(db, SmsMessage, view.case_id) == [] and _history(db, view.case_id) == []
    assert _sent(db, customer, bundle_no) == []

    view = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:week", today=today
    )
    assert _fact(view, "reminder_due_date") == "23/06/2026"
    assert "expiry.reminder.later_supersedes_earlier" in view.rule_ids
    view = runs.complete_step(db, view.case_id, {}, today=today)
    [sms] = _rows(db, SmsMessage, view.case_id)
    assert sms.template_id == "reminder_week" and "2026年6月30日" in sms.text
    assert _sent(db, customer, bundle_no) == ["week"]
    assert todo_for_customer(db, customer, today).items == ()  # done


def test_reminders_sent_only_grow_and_a_sent_reminder_is_not_sent_twice(db: Database) -> None:
    customer, bundle_no = _customer(db, sent=("month",))
    today = date(2026, 6, 24)
    view = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:week", today=today
    )
    runs.complete_step(db, view.case_id, {}, today=today)
    assert _sent(db, customer, bundle_no) == ["month", "week"]
    again = runs.open_run(
        db, customer, "expiry", "reminder", subject=f"{bundle_no}:week", today=today
    )
    assert again.case_id != view.case_id  # the first case is closed
    with pytest.raises(ValidationError, match="No reminder one week before the end is due"):
        runs.complete_step(db, again.case_id, {}, today=today)
    assert _rows(db, SmsMessage, again.case_id) == []
    assert _sent(db, customer, bundle_no) == ["month", "week"]


# --- the goodwill flow ------------------------------------------------------------------------

WORKED_MONTHS = {
    "month_1": "2026-01-15",
    "other_charges_1": "67.38",
    "out_of_bundle_data_1": "13.28",
    "month_2": "2026-02-01",
    "other_charges_2": "100.00",
    "out_of_bundle_data_2": "173.82",
    "minimum_spend": "100.00",
}


def _to_decision(
    db: Database, customer: uuid.UUID, bundle_no: str, today: date = MARCH
) -> runs.RunView:
    view = runs.open_run(
        db, customer, "expiry", "goodwill", subject=f"goodwill:{bundle_no}", today=today
    )
    assert view.step_id == "listen"
    view = runs.complete_step(db, view.case_id, {"concern": "没有提醒"}, today=today)
    assert view.step_id == "check_facts"
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "enter_months"
    view = runs.complete_step(db, view.case_id, WORKED_MONTHS, today=today, author="l.wang")
    assert view.step_id == "decide"
    return view


def test_worked_example_grant_suggested_with_reactivation(db: Database) -> None:
    customer, bundle_no = _customer(db, end=LAPSED, vip=True, complaints=1)
    view = _to_decision(db, customer, bundle_no)
    cny = "CN¥"
    assert _fact(view, "month_1_figures") == (
        f"January 2026: actual bill {cny}100.00, bill with package {cny}100.00, credit {cny}0.00"
    )
    assert _fact(view, "month_2_figures") == (
        f"February 2026: actual bill {cny}273.82, bill with package {cny}105.00, credit {cny}168.82"
    )
    assert _fact(view, "month_3_figures") == "–"
    assert _fact(view, "suggested_credit") == f"{cny}168.82"
    assert _fact(view, "package_fee") == f"{cny}5.00"
    # the factors the source weighed
    assert _fact(view, "vip") == "yes" and _fact(view, "complaint_count") == "1"
    assert _fact(view, "tenure_months") == "15"
    assert _fact(view, "consumer_rights_day") == "15 March 2026"
    assert _fact(view, "consumer_rights_day_near") == "yes"
    assert {
        "goodwill.credit.counterfactual_bill",
        "goodwill.credit.sum_of_months",
        "goodwill.factor.consumer_rights_day_near",
    } <= set(view.rule_ids)
    assert any("15 March" in reason for reason in view.reasons)

    view = runs.complete_step(
        db, view.case_id, {"decision": "grant_suggested"}, today=MARCH, author="l.wang"
    )
    assert view.step_id == "tell_credit"
    assert "¥168.82" in view.say_text and "致歉" in view.say_text
    view = runs.complete_step(db, view.case_id, {}, today=MARCH, author="l.wang")
    assert view.step_id == "offer_reactivation"
    assert "重新开通" in view.say_text and "¥5.00" in view.say_text
    view = runs.complete_step(db, view.case_id, {"reactivate": True}, today=MARCH)
    assert view.finished

    entries = _history(db, view.case_id)
    assert [e.payload["step"] for e in entries] == [
        "listen",
        "check_facts",
        "enter_months",
        "decide",
        "tell_credit",
        "offer_reactivation",
    ]
    decided = entries[3]
    assert "168.82" in decided.text and "0.00" in decided.text
    assert "Grant the suggested credit" in decided.text
    assert {"goodwill.credit.counterfactual_bill", "goodwill.credit.sum_of_months"} <= set(
        decided.rule_ids
    )
    assert decided.ruleset_version == "2026.1"
    assert "goodwill.credit.sum_of_months" not in entries[0].rule_ids

    tasks = {t.kind: t for t in _rows(db, Task, view.case_id)}
    assert set(tasks) == {"goodwill_credit_booking", "reactivate_package"}
    assert "168.82" in tasks["goodwill_credit_booking"].title
    assert tasks["goodwill_credit_booking"].due == date(2026, 3, 6)
    [sms] = _rows(db, SmsMessage, view.case_id)
    assert sms.template_id == "credit_and_reactivation"
    assert "¥168.82" in sms.text and "5元GPRS数据流量套餐" in sms.text and "¥5.00" in sms.text
    [letter] = _rows(db, Letter, view.case_id)
    assert letter.document == "goodwill_credit" and letter.language == "zh"
    assert letter.context["goodwill"]["total"] == "168.82"
    assert [m["credit"] for m in letter.context["months"]] == ["0.00", "168.82"]
    case = _case(db, view.case_id)
    assert case.state == CaseState.CLOSED and case.facts["outcome"] == "credit_granted"
    assert case.facts["goodwill_decision"]["granted"] == "168.82"
    assert case.facts["reactivate"] is True


def test_letter_context_fills_the_goodwill_credit_template(db: Database) -> None:
    customer, bundle_no = _customer(db, end=LAPSED)
    view = _to_decision(db, customer, bundle_no)
    view = runs.complete_step(db, view.case_id, {"decision": "grant_suggested"}, today=MARCH)
    runs.complete_step(db, view.case_id, {}, today=MARCH)
    [letter] = _rows(db, Letter, view.case_id)
    context = letter.context
    assert context["bundle"] == {
        "name": "5元GPRS数据流量套餐",
        "end_date": "2025-12-31",
        "package_fee": "5.00",
    }
    assert context["months"][1] == {
        "month": "2026-02",
        "other_charges": "100.00",
        "out_of_bundle_data": "173.82",
        "actual": "273.82",
        "counterfactual": "105.00",
        "credit": "168.82",
    }
    assert context["goodwill"]["minimum_spend"] == "100.00"
    # every placeholder the template declares for this document is in the context
    template = load_template("goodwill_credit")
    for name in ("bundle", "goodwill", "months"):
        declared = template.schema.fields[name]
        item = getattr(declared, "item", declared)
        for field, node in item.fields.items():
            rows = context[name] if isinstance(context[name], list) else [context[name]]
            for row in rows:
                assert field in row or node.optional, (name, field)
    # and it renders (the address comes from the letter service when issued)
    full = {
        **context,
        "customer": {"name": "黄建国", "customer_no": "C-10009", "msisdn": "+8613612346712"},
        "partner": {"name": "西藏拉萨代理", "country": "CN"},
        "recipient": {"name": "黄建国", "lines": ["拉萨市城关区北京中路1号"]},
        "letter": {"date": "2026-03-06"},
    }
    for language in ("zh", "de"):
        assert render_letter("goodwill_credit", language, full).startswith(b"%PDF")


def test_grant_a_different_amount_needs_an_amount_and_a_reason(db: Database) -> None:
    customer, bundle_no = _customer(db, end=LAPSED)
    view = _to_decision(db, customer, bundle_no)
    for answers, field in [
        ({"decision": "grant_other", "reason": "x"}, "amount"),
        ({"decision": "grant_other", "amount": "100.00"}, "reason"),
        ({"decision": "grant_other", "amount": "-1.00", "reason": "x"}, "amount"),
    ]:
        with pytest.raises(ValidationError) as refused:
            runs.complete_step(db, view.case_id, answers, today=MARCH)
        assert refused.value.field == field
    before = len(_history(db, view.case_id))
    answers = {"decision": "grant_other", "amount": "100.00", "reason": "客户为集团客户，协商一致"}
    view = runs.complete_step(db, view.case_id, answers, today=MARCH)
    assert len(_history(db, view.case_id)) == before + 1
    assert _fact(view, "granted_credit") == "CN¥100.00"
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    view = runs.complete_step(db, view.case_id, {"reactivate": False}, today=MARCH)
    [sms] = _rows(db, SmsMessage, view.case_id)
    assert sms.template_id == "credit_confirmed" and "¥100.00" in sms.text
    [letter] = _rows(db, Letter, view.case_id)
    assert letter.context["goodwill"]["total"] == "100.00"
    assert letter.context["goodwill"]["suggested"] == "168.82"
    decided = _history(db, view.case_id)[3]
    assert "100.00" in decided.text and "协商一致" in decided.text
    assert [t.kind for t in _rows(db, Task, view.case_id)] == ["goodwill_credit_booking"]


def test_decline_with_reactivation_sends_only_the_reactivation_sms(db: Database) -> None:
    customer, bundle_no = _customer(db, end=LAPSED)
    view = _to_decision(db, customer, bundle_no)
    with pytest.raises(ValidationError) as refused:
        runs.complete_step(db, view.case_id, {"decision": "decline"}, today=MARCH)
    assert refused.value.field == "reason"
    view = runs.complete_step(
        db, view.case_id, {"decision": "decline", "reason": "协议已写明到期日"}, today=MARCH
    )
    assert view.step_id == "tell_decline"
    assert "一个月和前一周" in view.say_text
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    view = runs.complete_step(db, view.case_id, {"reactivate": True}, today=MARCH)
    assert view.finished
    [sms] = _rows(db, SmsMessage, view.case_id)
    assert sms.template_id == "reactivation_confirmed" and "重新开通" in sms.text
    assert _rows(db, Letter, view.case_id) == []
    assert [t.kind for t in _rows(db, Task, view.case_id)] == ["reactivate_package"]
    case = _case(db, view.case_id)
    assert case.facts["outcome"] == "no_credit"
    assert case.facts["goodwill_decision"]["granted"] == "0.00"
    assert [e.payload["step"] for e in _history(db, view.case_id)][-2:] == [
        "tell_decline",
        "offer_reactivation",
    ]


def test_suggested_credit_is_not_offered_when_it_is_zero(db: Database) -> None:
    customer, bundle_no = _customer(db, end=LAPSED)
    view = runs.open_run(
        db, customer, "expiry", "goodwill", subject=f"goodwill:{bundle_no}", today=MARCH
    )
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    only_january = {k: v for k, v in WORKED_MONTHS.items() if not k.endswith("_2")}
    view = runs.complete_step(db, view.case_id, only_january, today=MARCH)
    assert _fact(view, "suggested_credit") == "CN¥0.00"
    [decision] = [i for i in view.inputs if i.id == "decision"]
    assert [option for option, _label in decision.options] == ["grant_other", "decline"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"other_charges_2": "", "out_of_bundle_data_2": ""}, "other_charges_2", "required"),
        ({"month_2": "2026-01-31"}, "month_2", "2026-01 is entered twice"),
        ({"month_1": "2025-11-30"}, "month_1", "before the package ended"),
        ({"month_2": "2026-04-01"}, "month_2", "has not begun yet"),
        ({"month_2": ""}, "month_2", "enter the month these amounts belong to"),
    ],
)
def test_disputed_months_are_checked_and_nothing_is_recorded(
    db: Database, changes: dict[str, str], field: str, message: str
) -> None:
    customer, bundle_no = _customer(db, end=LAPSED)
    view = runs.open_run(
        db, customer, "expiry", "goodwill", subject=f"goodwill:{bundle_no}", today=MARCH
    )
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    before = len(_history(db, view.case_id))
    with pytest.raises(ValidationError, match=message) as refused:
        runs.complete_step(db, view.case_id, {**WORKED_MONTHS, **changes}, today=MARCH)
    assert refused.value.field == field
    assert len(_history(db, view.case_id)) == before
    assert runs.show_run(db, view.case_id, today=MARCH).step_id == "enter_months"


def test_amounts_on_the_case_fill_the_inputs_and_a_missing_fee_is_asked(db: Database) -> None:
    facts = {
        "bundle_id": "ignored",
        "package_fee": "5.00",
        "minimum_spend": "100.00",
        "months": [
            {"month": "2026-01", "other_charges": "67.38", "out_of_bundle_data": "13.28"},
            {"month": "2026-02", "other_charges": "100.00", "out_of_bundle_data": "173.82"},
        ],
        "average_monthly_spend": "250.00",
        "group": "安全厅集团V网",
    }
    customer, bundle_no = _customer(db, end=LAPSED, fee=None, case_facts=facts)
    view = runs.open_run(
        db, customer, "expiry", "goodwill", subject=f"goodwill:{bundle_no}", today=MARCH
    )
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    assert _fact(view, "package_fee") == "–"
    view = runs.complete_step(db, view.case_id, {}, today=MARCH)
    assert view.step_id == "enter_package_fee"
    assert {i.id: i.value for i in view.inputs} == {"package_fee": "5.00"}
    view = runs.complete_step(db, view.case_id, {"package_fee": "5.00"}, today=MARCH)
    assert view.step_id == "enter_months"
    prefilled = {i.id: i.value for i in view.inputs}
    assert prefilled == {
        "month_1": "2026-01-01",
        "other_charges_1": "67.38",
        "out_of_bundle_data_1": "13.28",
        "month_2": "2026-02-01",
        "other_charges_2": "100.00",
        "out_of_bundle_data_2": "173.82",
        "month_3": None,
        "other_charges_3": None,
        "out_of_bundle_data_3": None,
        "minimum_spend": "100.00",
    }
    # what the window submits from the filled-in inputs gives the worked example
    submitted = {k: v for k, v in prefilled.items() if v is not None}
    view = runs.complete_step(db, view.case_id, submitted, today=MARCH)
    assert _fact(view, "suggested_credit") == "CN¥168.82"
    assert _fact(view, "average_monthly_spend") == "CN¥250.00"
    assert _fact(view, "group") == "安全厅集团V网"
    # a draft wins over the default when the agent goes back
    back = runs.go_back(db, view.case_id, {"decision": "decline"})
    assert {i.id: i.value for i in back.inputs}["month_1"] == "2026-01-01"  # the answer


def test_far_from_the_consumer_rights_day_and_without_facts(db: Database) -> None:
    customer, bundle_no = _customer(db, end=LAPSED)
    june = date(2026, 6, 10)
    view = runs.open_run(
        db, customer, "expiry", "goodwill", subject=f"goodwill:{bundle_no}", today=june
    )
    assert _fact(view, "consumer_rights_day_near") == "no"
    assert "goodwill.factor.consumer_rights_day_near" not in view.rule_ids
    view = _to_decision(db, customer, bundle_no, today=june)
    assert _fact(view, "average_monthly_spend") == "–"
    assert _fact(view, "group") == "–"
    assert _fact(view, "vip") == "no" and _fact(view, "complaint_count") == "0"
    assert _fact(view, "consumer_rights_day") == "15 March 2027"


def test_goodwill_for_an_unknown_bundle_is_refused(db: Database) -> None:
    customer, _bundle_no = _customer(db, end=LAPSED)
    view = runs.open_run(db, customer, "expiry", "goodwill", subject="goodwill:B-NOPE", today=MARCH)
    with pytest.raises(ValidationError, match="goodwill:B-NOPE"):
        runs.complete_step(db, view.case_id, {}, today=MARCH)
    assert _history(db, view.case_id) == []


def test_the_demo_customer_huang_is_prefilled_from_his_case(tmp_path: Path) -> None:
    from app.services.demo import create_demo

    url = f"sqlite:///{(tmp_path / 'demo.sqlite3').as_posix()}"
    create_demo(url, seed=7, reference=date(2026, 3, 15), customers=40)
    db = Database(url)
    with UnitOfWork(db) as uow:
        customer = uow.session.scalar(select(Customer).where(Customer.customer_no == "C-10009"))
        assert customer is not None and customer.name == "黄建国"
        [subject] = [c.subject for c in uow.cases.open_for(customer.id) if c.subject]
        customer_id = customer.id
    assert subject.startswith("goodwill:")
    today = date(2026, 3, 15)
    view = runs.open_run(db, customer_id, "expiry", "goodwill", subject=subject, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "enter_months"
    submitted = {i.id: i.value for i in view.inputs if i.value is not None}
    assert submitted["month_1"] == "2026-01-01" and submitted["minimum_spend"] == "100.00"
    view = runs.complete_step(db, view.case_id, submitted, today=today)
    assert _fact(view, "suggested_credit") == "CN¥168.82"
    assert _fact(view, "group") == "安全厅集团V网" and _fact(view, "vip") == "yes"
