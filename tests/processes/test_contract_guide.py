"""The contract guided script: playbook file, guide facts and full runs on both engines."""

from __future__ import annotations

import shutil
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.contracts import ContractRequest, evaluate
from app.domain.contracts import DevicePlan as PlanTerms
from app.domain.contracts import Subscription as Terms
from app.domain.playbook_schema import Playbook
from app.i18n import set_ui_language
from app.resources import resource_path
from app.services import runs
from app.services.errors import ServiceError, ValidationError
from app.services.playbooks import check_folder, read_playbook
from app.services.rules import load_ruleset
from app.store.db import Database
from app.store.models import (
    Case,
    CaseState,
    DevicePlan,
    DevicePlanStatus,
    Letter,
    PartnerTicket,
    Subscription,
    Task,
)
from app.store.repositories import UnitOfWork
from tests.processes.helpers import add_customer, fact
from tests.processes.helpers import case_row as _case
from tests.processes.helpers import history as _history
from tests.processes.helpers import localized as _localized
from tests.processes.helpers import rows as _rows

PLAYBOOK_FILE = resource_path("playbooks") / "contract.yaml"
FLOWS = {
    "cancel",
    "partner_cancel",
    "upgrade",
    "downgrade",
    "cancel_device_plan",
    "new_device_plan",
}


# --- the playbook file ------------------------------------------------------------------


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return read_playbook(PLAYBOOK_FILE)


def test_playbook_loads_and_the_folder_check_names_a_broken_copy(tmp_path: Path) -> None:
    assert {f.id for f in read_playbook(PLAYBOOK_FILE).flows} == FLOWS
    shutil.copy(PLAYBOOK_FILE, tmp_path / "contract.yaml")
    assert [p for p in check_folder(tmp_path) if p.startswith("contract.yaml")] == []
    text = (tmp_path / "contract.yaml").read_text(encoding="utf-8")
    (tmp_path / "contract.yaml").write_text(
        text.replace("goto: refused}", "goto: rejected}", 1), encoding="utf-8"
    )
    broken = [p for p in check_folder(tmp_path) if p.startswith("contract.yaml")]
    assert broken == [
        "contract.yaml: flows.downgrade.steps.decision: next: goto rejected is not a step"
    ]


def _rule_ids(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("rule_id") and isinstance(value, str):
                yield value
            else:
                yield from _rule_ids(value)


def test_every_rule_id_of_the_rule_file_is_explained(playbook: Playbook) -> None:
    with (resource_path("rules") / "contract.toml").open("rb") as fh:
        table = tomllib.load(fh)
    declared = set(_rule_ids({k: v for k, v in table.items() if k != "examples"}))
    assert len(declared) == 15
    assert declared <= set(playbook.explanations)
    # and what the engine emits for the flows of this script is among them
    rules = load_ruleset().contract
    plan = PlanTerms(date(2025, 10, 3), Decimal("99.00"), Decimal("720.00"), Decimal("30.00"), 5)
    upgraded = Terms(last_upgrade_effective=date(2025, 12, 1))
    requests = [
        ContractRequest("cancel", date(2026, 1, 15), device_plan=plan),
        ContractRequest("partner_cancel", date(2026, 1, 15), bill_notice_period=True),
        ContractRequest("partner_cancel", date(2026, 1, 15)),
        ContractRequest("upgrade", date(2026, 1, 15)),
        ContractRequest("downgrade", date(2026, 1, 15), subscription=upgraded),
        ContractRequest("cancel_device_plan", date(2025, 11, 3), device_plan=plan),
        ContractRequest(
            "cancel_device_plan", date(2025, 11, 3), device_plan=plan, partner_override=True
        ),
        ContractRequest(
            "activate_device_plan", date(2026, 2, 10), device_plan=plan, new_device_plan=plan
        ),
    ]
    emitted = {rule for r in requests for rule in evaluate(r, rules).rule_ids}
    # all but the two rules of a subscription's activation, which no flow here asks about
    assert emitted == declared - {
        "contract.activate.pro_rata",
        "contract.activate.allowances_pro_rata",
    }


def test_words_use_the_glossary_and_swiss_german_writes_ss(playbook: Playbook) -> None:
    texts = list(_localized(playbook))
    assert len(texts) > 150
    assert "ß" not in PLAYBOOK_FILE.read_text(encoding="utf-8")
    everything = {lang: " ".join(t.root[lang] for t in texts) for lang in ("de", "ru", "zh")}
    for term in (
        "Kündigungsfrist",
        "Geräteplan",
        "Restbetrag",
        "Anzahlung",
        "Kauf- und Ratenzahlungsvereinbarung",
        "Grüezi",
    ):
        assert term in everything["de"], term
    for term in ("рассрочка за устройство", "остаток задолженности", "Вы", "договор купли-продажи"):
        assert term in everything["ru"], term
    for term in ("购机分期计划", "剩余款项", "首付款", "您"):
        assert term in everything["zh"], term


# --- records for the runs ---------------------------------------------------------------


def _customer(
    db: Database,
    *,
    language: str = "de",
    partner_language: str = "de",
    subscription: bool = True,
    last_upgrade: date | None = None,
    plan: dict[str, Any] | None = None,
) -> uuid.UUID:
    """A customer with a subscription (Smart Abo M, 39.00) and, if given, an active plan."""
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="Kabelnetz Nordwest AG",
            country="CH",
            partner_language=partner_language,
            msisdn="+41791234567",
            name="Hans Müller",
            language=language,
        )
        if subscription:
            sub = Subscription(
                customer_id=customer.id,
                tariff="Smart Abo M",
                monthly_fee=Decimal("39.00"),
                aio_discount=None,
                data_mb=None,
                minutes=None,
                activated=date(2024, 3, 7),
                last_upgrade_effective=last_upgrade,
            )
            uow.add(sub)
            uow.flush()
            if plan is not None:
                uow.add(
                    DevicePlan(
                        plan_no=plan.get("plan_no", f"GP-{uuid.uuid4().hex[:6]}"),
                        customer_id=customer.id,
                        subscription_id=sub.id,
                        activated=plan.get("activated", date(2025, 10, 3)),
                        down_payment=Decimal("99.00"),
                        financed_amount=Decimal("720.00"),
                        instalment=Decimal("30.00"),
                        instalments_billed=plan.get("billed", 5),
                    )
                )
        uow.commit()
        return customer.id


def _n(text: str) -> str:
    """``text`` with babel's no-break spaces as plain ones, for readable expectations."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _fact(view: runs.RunView, key: str) -> str:
    return _n(fact(view, key))


def _run(
    db: Database,
    customer: uuid.UUID,
    flow: str,
    answers: list[dict[str, object]],
    today: date,
) -> runs.RunView:
    """Open ``flow`` and complete one step per answer set; return the last view."""
    view = runs.open_run(db, customer, "contract", flow, subject=f"{flow}:{today}", today=today)
    for given in answers:
        assert not view.finished, view.step_id
        view = runs.complete_step(db, view.case_id, given, today=today, author="anna")
    return view


# --- customer cancellation: the worked examples ---------------------------------------------


@pytest.mark.parametrize(
    ("request_date", "effective", "words"),
    [
        ("2026-01-15", "2026-04-30", "30. April 2026"),
        ("2026-11-30", "2027-02-28", "28. Februar 2027"),
    ],
)
def test_cancellation_takes_effect_at_the_end_of_the_month_three_months_later(
    db: Database, request_date: str, effective: str, words: str
) -> None:
    set_ui_language("en")
    today = date.fromisoformat(request_date)
    customer = _customer(db)
    view = _run(db, customer, "cancel", [{"request_date": ""}], today)
    assert view.step_id == "explain"  # no device plan: straight on
    assert f"Ihre Kündigung wird per {words} wirksam" in _n(view.say_text)
    assert "bis und mit " + words in _n(view.say_text) and "CHF 39.00" in _n(view.say_text)
    assert view.rule_ids == ("contract.cancel.notice",)
    assert any("3 months' notice" in reason for reason in view.reasons)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "confirm"
    view = runs.complete_step(db, view.case_id, {"confirmed": True}, today=today, author="anna")
    assert view.step_id == "record"
    view = runs.complete_step(db, view.case_id, {}, today=today, author="anna")
    assert view.finished

    [sub] = _rows(db, Subscription, customer_id=customer)
    assert sub.cancelled_effective == date.fromisoformat(effective)
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert (letter.document, letter.language) == ("contract_cancellation", "de")
    assert letter.context["cancellation"] == {
        "kind": "customer",
        "request_date": request_date,
        "effective_date": effective,
        "billed_until": effective,
        "tariff": "Smart Abo M",
    }
    assert letter.context["device_plan"] is None
    entries = _history(db, view.case_id)
    assert [e.payload["step"] for e in entries] == ["request", "explain", "confirm", "record"]
    assert all(e.rule_ids == ["contract.cancel.notice"] for e in entries)
    assert entries[-1].payload["action"] == "cancel" and entries[-1].author == "anna"
    assert f"effective {date.fromisoformat(effective):%-d %B %Y}" in _n(entries[-1].text)
    case = _case(db, view.case_id)
    assert (case.state, case.stage, case.facts["outcome"]) == (
        CaseState.CLOSED,
        "scheduled",
        "cancelled",
    )
    assert case.facts["effective_date"] == effective


def test_cancellation_ends_the_device_plan_at_once_with_its_remaining_amount(db: Database) -> None:
    today = date(2026, 1, 20)
    customer = _customer(db, language="ru", plan={"plan_no": "GP-100", "billed": 5})
    view = _run(db, customer, "cancel", [{"request_date": "2026-01-15"}], today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "device_plan"
    assert "рассрочка за устройство GP-100" in _n(view.say_text)
    assert "15 января 2026," in _n(view.say_text)
    assert "570,00" in _n(view.say_text) and "CHF" in _n(view.say_text)  # 720 - 5 x 30
    assert view.rule_ids == (
        "contract.cancel.notice",
        "contract.device_plan.ends_with_subscription",
        "contract.device_plan.remaining_due",
    )
    while not view.finished:
        view = runs.complete_step(
            db, view.case_id, {"confirmed": True} if view.step_id == "confirm" else {}, today=today
        )
    [plan] = _rows(db, DevicePlan, plan_no="GP-100")
    assert (plan.status, plan.ended) == (DevicePlanStatus.ENDED, date(2026, 1, 15))
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert letter.language == "ru"
    assert letter.context["device_plan"] == {
        "plan_no": "GP-100",
        "device": None,  # the import gave no device name
        "cancelled_on": "2026-01-15",
        "remaining_amount": "570.00",
    }
    last = _history(db, view.case_id)[-1]
    assert "GP-100" in _n(last.text) and "570.00" in _n(last.text)
    assert "contract.device_plan.remaining_due" in last.rule_ids
    # after the run the facts still describe the plan it ended
    finished = runs.show_run(db, view.case_id, today=today)
    assert "contract.device_plan.remaining_due" in finished.rule_ids


def test_a_withdrawn_cancellation_changes_nothing(db: Database) -> None:
    today = date(2026, 1, 15)
    customer = _customer(db, plan={"plan_no": "GP-101"})
    view = _run(db, customer, "cancel", [{}, {}, {}, {"confirmed": False}], today)
    assert view.step_id == "withdrawn"
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.finished
    [sub] = _rows(db, Subscription, customer_id=customer)
    assert sub.cancelled_effective is None
    [plan] = _rows(db, DevicePlan, plan_no="GP-101")
    assert plan.status == DevicePlanStatus.ACTIVE
    assert _rows(db, Letter, case_id=view.case_id) == []
    assert _case(db, view.case_id).facts["outcome"] == "withdrawn"


# --- the partner's immediate cancellation ---------------------------------------------------


@pytest.mark.parametrize(
    ("billed", "billed_until", "letter_billed_until", "rule"),
    [
        (True, "2026-04-30", "2026-04-30", "contract.partner_cancel.notice_billed"),
        (False, "2026-01-15", None, "contract.partner_cancel.notice_not_billed"),
    ],
)
def test_partner_cancels_at_once_with_or_without_the_notice_months(
    db: Database, billed: bool, billed_until: str, letter_billed_until: str | None, rule: str
) -> None:
    set_ui_language("en")
    today = date(2026, 1, 15)
    customer = _customer(db, plan={"plan_no": f"GP-P{int(billed)}", "billed": 4})
    answers = {"request_date": "", "bill_notice_period": billed, "reason": "schlechter Empfang"}
    view = _run(db, customer, "partner_cancel", [answers], today)
    assert _fact(view, "effective_date") == "15 January 2026"
    assert _fact(view, "billed_until") == date.fromisoformat(billed_until).strftime("%-d %B %Y")
    assert rule in view.rule_ids
    assert "per sofort gekündigt; es endet am 15. Januar 2026" in _n(view.say_text)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "device_plan"
    view = runs.complete_step(db, view.case_id, {}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.finished

    [sub] = _rows(db, Subscription, customer_id=customer)
    assert sub.cancelled_effective == today
    [plan] = _rows(db, DevicePlan, customer_id=customer)
    assert (plan.status, plan.ended) == (DevicePlanStatus.ENDED, today)
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert letter.context["cancellation"]["kind"] == "partner_immediate"
    assert letter.context["cancellation"]["billed_until"] == letter_billed_until
    assert letter.context["device_plan"]["remaining_amount"] == "600.00"
    last = _history(db, view.case_id)[-1]
    assert last.payload["action"] == "partner_cancel" and rule in last.rule_ids
    assert "schlechter Empfang" in _n(last.text)
    assert ("Notice period billed" in _n(last.text)) is billed
    assert "Device plan remaining amount: CHF 600.00 (15/01/2026)" in _n(last.text)
    assert _case(db, view.case_id).stage == "done"


# --- upgrade and downgrade ----------------------------------------------------------------------


def test_upgrade_is_effective_next_month_and_recorded_for_the_downgrade_lock(db: Database) -> None:
    today = date(2026, 3, 12)
    customer = _customer(db, language="zh")
    request = {"new_tariff": "ch_smart_abo_l", "request_date": ""}
    view = _run(db, customer, "upgrade", [request], today)
    assert "2026年4月1日" in _n(view.say_text) and "2026年7月1日" in _n(view.say_text)
    # The plan and its fee come from the tariff catalogue (contract.toml), not from typing.
    assert "Smart Abo L" in _n(view.say_text)
    assert "CHF" in _n(view.say_text) and "69.00" in _n(view.say_text)
    assert view.rule_ids == ("contract.upgrade.next_month", "contract.downgrade.lock_after_upgrade")
    view = runs.complete_step(db, view.case_id, {"confirmed": True}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.finished

    [sub] = _rows(db, Subscription, customer_id=customer)
    assert sub.last_upgrade_effective == date(2026, 4, 1)
    assert (sub.tariff, sub.monthly_fee) == ("Smart Abo M", Decimal("39.00"))  # until the 1st
    case = _case(db, view.case_id)
    assert case.facts["scheduled_change"] == {
        "kind": "upgrade",
        "from_tariff": "Smart Abo M",
        "from_monthly_fee": "39.00",
        "tariff": "Smart Abo L",
        "monthly_fee": "69.00",
        "effective": "2026-04-01",
    }
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert letter.document == "contract_change"
    assert letter.context["change"] == {
        "kind": "upgrade",
        "request_date": "2026-03-12",
        "effective_date": "2026-04-01",
        "old_tariff": "Smart Abo M",
        "new_tariff": "Smart Abo L",
        "old_monthly_fee": "39.00",
        "new_monthly_fee": "69.00",
        "earliest_downgrade": "2026-07-01",
    }
    # the next downgrade request meets the lock
    view = _run(
        db,
        customer,
        "downgrade",
        [{"new_tariff": "ch_smart_abo_s"}],
        date(2026, 4, 10),
    )
    assert _fact(view, "allowed") == "no"


def test_downgrade_allowed_after_the_lock(db: Database) -> None:
    today = date(2026, 2, 15)
    customer = _customer(db, last_upgrade=date(2025, 12, 1))
    request = {"new_tariff": "ch_smart_abo_s"}
    view = _run(db, customer, "downgrade", [request, {}], today)
    assert view.step_id == "explain"
    assert "per 1. März 2026 wirksam" in _n(view.say_text)
    view = runs.complete_step(db, view.case_id, {"confirmed": True}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.finished
    case = _case(db, view.case_id)
    assert case.facts["scheduled_change"]["effective"] == "2026-03-01"
    assert (case.stage, case.facts["outcome"]) == ("scheduled", "downgraded")
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert letter.context["change"]["kind"] == "downgrade"


def _refused_downgrade(db: Database, route: str) -> tuple[uuid.UUID, runs.RunView]:
    set_ui_language("en")
    today = date(2026, 1, 15)
    customer = _customer(db, last_upgrade=date(2025, 12, 1))
    request = {"new_tariff": "ch_smart_abo_s", "request_date": ""}
    view = _run(db, customer, "downgrade", [request], today)
    assert view.step_id == "decision"
    assert _fact(view, "allowed") == "no"
    assert _fact(view, "needs_ticket") == "yes"
    assert _fact(view, "earliest_allowed_date") == "1 March 2026"
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "refused"
    assert "frühestens per 1. März 2026" in _n(view.say_text)
    assert "1. Dezember 2025" in _n(view.say_text)
    assert [o for o, _label in view.inputs[0].options] == ["schedule", "ticket", "withdraw"]
    view = runs.complete_step(db, view.case_id, {"route": route}, today=today, author="anna")
    return customer, view


def test_refused_downgrade_can_be_scheduled_for_the_earliest_date(db: Database) -> None:
    customer, view = _refused_downgrade(db, "schedule")
    assert view.step_id == "schedule"
    assert "per 1. März 2026 vorgemerkt" in _n(view.say_text)
    view = runs.complete_step(db, view.case_id, {}, today=date(2026, 1, 15))
    assert view.finished
    case = _case(db, view.case_id)
    assert case.facts["scheduled_change"]["effective"] == "2026-03-01"
    assert case.facts["outcome"] == "downgrade_scheduled"
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert letter.context["change"]["effective_date"] == "2026-03-01"
    entries = _history(db, view.case_id)
    assert [e.payload["step"] for e in entries] == ["request", "decision", "refused", "schedule"]
    assert all("contract.downgrade.lock_after_upgrade" in e.rule_ids for e in entries)
    [sub] = _rows(db, Subscription, customer_id=customer)
    assert sub.last_upgrade_effective == date(2025, 12, 1)  # a downgrade does not move the lock


def test_refused_downgrade_insisting_on_earlier_opens_a_ticket(db: Database) -> None:
    _customer_id, view = _refused_downgrade(db, "ticket")
    assert view.step_id == "ticket"
    with pytest.raises(ValidationError):  # the justification is required
        runs.complete_step(db, view.case_id, {"justification": " "}, today=date(2026, 1, 15))
    view = runs.complete_step(
        db,
        view.case_id,
        {"justification": "Arbeitslos geworden"},
        today=date(2026, 1, 15),
        author="anna",
    )
    assert view.finished
    [ticket] = _rows(db, PartnerTicket, case_id=view.case_id)
    assert ticket.kind == "downgrade_exception"
    assert "Begründung: Arbeitslos geworden" in _n(ticket.body)
    assert "frühestens per 1. März 2026 möglich" in _n(ticket.body)
    assert "per 1. Dezember 2025 wirksam" in _n(ticket.body)
    assert "{" not in _n(ticket.body)
    [task] = _rows(db, Task, case_id=view.case_id)
    assert (task.kind, task.due) == ("downgrade_exception_answer", date(2026, 1, 20))
    case = _case(db, view.case_id)
    assert (case.stage, case.facts["outcome"]) == ("refused", "exception_requested")
    assert "scheduled_change" not in case.facts
    assert _rows(db, Letter, case_id=view.case_id) == []


@pytest.mark.parametrize(
    ("flow", "offered"),
    [
        ("upgrade", ["ch_smart_abo_l", "ch_mobile_flat"]),
        ("downgrade", ["ch_mobile_talk", "ch_smart_abo_s"]),
    ],
)
def test_the_new_subscription_is_chosen_from_the_catalogue_of_the_market(
    db: Database, flow: str, offered: list[str]
) -> None:
    """Smart Abo M at 39.00: an upgrade offers the dearer plans of Switzerland, a
    downgrade the cheaper ones, each worded with its fee; the current plan never."""
    set_ui_language("en")
    customer = _customer(db)
    view = runs.open_run(db, customer, "contract", flow, subject="u", today=date(2026, 3, 1))
    [choice] = [i for i in view.inputs if i.id == "new_tariff"]
    assert choice.kind == "choice"
    assert [option for option, _label in choice.options] == offered
    labels = dict(choice.options)
    assert labels.get("ch_smart_abo_l", labels.get("ch_smart_abo_s", "")).startswith("Smart Abo")
    assert all("CHF" in label for label in labels.values())


def test_an_upgrade_to_a_cheaper_plan_is_refused_and_nothing_written(db: Database) -> None:
    customer = _customer(db)
    view = runs.open_run(db, customer, "contract", "upgrade", subject="u", today=date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        runs.complete_step(
            db, view.case_id, {"new_tariff": "ch_mobile_talk"}, today=date(2026, 3, 1)
        )
    assert refused.value.field == "new_tariff"
    assert _history(db, view.case_id) == []


# --- device plans --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "allowed"), [(date(2026, 1, 30), False), (date(2026, 1, 31), True)]
)
def test_device_plan_cancellation_day_119_refused_day_120_allowed(
    db: Database, today: date, allowed: bool
) -> None:
    customer = _customer(
        db, plan={"plan_no": f"GP-D{today.day}", "activated": date(2025, 10, 3), "billed": 4}
    )
    view = _run(
        db, customer, "cancel_device_plan", [{"request_date": "", "end_date": ""}, {}], today
    )
    if not allowed:
        assert view.step_id == "override"
        assert _fact(view, "earliest_allowed_date") == "31 January 2026"
        view = runs.complete_step(db, view.case_id, {"partner_override": False}, today=today)
        assert view.step_id == "refused"
        assert "frühestens 120 Tage danach enden, also per 31. Januar 2026" in _n(view.say_text)
        view = runs.complete_step(db, view.case_id, {}, today=today)
        assert view.finished
        [plan] = _rows(db, DevicePlan, customer_id=customer)
        assert plan.status == DevicePlanStatus.ACTIVE
        case = _case(db, view.case_id)
        assert (case.stage, case.facts["outcome"]) == ("refused", "refused")
        assert _history(db, view.case_id)[-1].rule_ids == ["contract.device_plan.minimum_days"]
        return
    assert view.step_id == "explain"
    assert "Restbetrag von CHF 600.00" in _n(view.say_text) and "31. Januar 2026" in _n(
        view.say_text
    )
    view = runs.complete_step(db, view.case_id, {"confirmed": True}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.finished
    [plan] = _rows(db, DevicePlan, customer_id=customer)
    assert (plan.status, plan.ended) == (DevicePlanStatus.ENDED, today)
    last = _history(db, view.case_id)[-1]
    assert last.payload["action"] == "cancel_device_plan"
    assert last.rule_ids == [
        "contract.device_plan.minimum_days",
        "contract.device_plan.remaining_due",
    ]


def test_the_partner_overrides_the_minimum_and_an_end_date_is_honoured(db: Database) -> None:
    today = date(2025, 11, 3)
    customer = _customer(db, plan={"plan_no": "GP-OV", "activated": date(2025, 10, 3), "billed": 1})
    view = _run(db, customer, "cancel_device_plan", [{"end_date": "2025-11-30"}, {}], today)
    assert view.step_id == "override"
    view = runs.complete_step(db, view.case_id, {"partner_override": True}, today=today)
    assert view.step_id == "explain"
    assert "contract.device_plan.partner_override" in view.rule_ids
    assert _fact(view, "device_plan_end") == "30 November 2025"
    view = runs.complete_step(db, view.case_id, {"confirmed": True}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    [plan] = _rows(db, DevicePlan, customer_id=customer)
    assert (plan.status, plan.ended) == (DevicePlanStatus.ENDED, date(2025, 11, 30))
    last = _history(db, view.case_id)[-1]
    assert "contract.device_plan.partner_override" in last.rule_ids
    assert "overridden by the partner" in _n(last.text) and "690.00" in _n(last.text)


def test_new_device_plan_ends_the_old_one_with_its_remaining_amount(db: Database) -> None:
    today = date(2026, 2, 10)
    customer = _customer(db, plan={"plan_no": "GP-OLD", "billed": 5})
    new = {
        "new_plan_no": "GP-NEW",
        "device_name": "iPhone 16 128 GB",
        "activation_date": "",
        "down_payment": "149.00",
        "financed_amount": "960.00",
        "instalment": "40.00",
        "shop_name": "",
        "shop_place": "Meilen",
    }
    view = _run(db, customer, "new_device_plan", [new], today)
    assert view.step_id == "explain"
    assert "Anzahlung von CHF 149.00" in _n(view.say_text) and "10. Februar 2026" in _n(
        view.say_text
    )
    assert view.rule_ids == (
        "contract.device_plan.down_payment",
        "contract.device_plan.one_active",
        "contract.device_plan.remaining_due",
    )
    view = runs.complete_step(db, view.case_id, {}, today=today)
    assert view.step_id == "old_plan"
    assert "GP-OLD" in _n(view.say_text) and "CHF 570.00" in _n(view.say_text)
    view = runs.complete_step(db, view.case_id, {}, today=today)
    view = runs.complete_step(db, view.case_id, {"confirmed": True}, today=today)
    view = runs.complete_step(db, view.case_id, {}, today=today, author="anna")
    assert view.finished

    plans = {p.plan_no: p for p in _rows(db, DevicePlan, customer_id=customer)}
    assert (plans["GP-OLD"].status, plans["GP-OLD"].ended) == (DevicePlanStatus.ENDED, today)
    fresh = plans["GP-NEW"]
    [sub] = _rows(db, Subscription, customer_id=customer)
    assert (fresh.status, fresh.subscription_id, fresh.activated) == (
        DevicePlanStatus.ACTIVE,
        sub.id,
        today,
    )
    assert (fresh.down_payment, fresh.financed_amount, fresh.instalment) == (
        Decimal("149.00"),
        Decimal("960.00"),
        Decimal("40.00"),
    )
    [letter] = _rows(db, Letter, case_id=view.case_id)
    assert letter.document == "device_plan_agreement"
    context = letter.context
    assert context["plan"] == {
        "plan_no": "GP-NEW",
        "contract_date": "2026-02-10",
        "price": "1109.00",
        "down_payment": "149.00",
        "financed_amount": "960.00",
        "instalment": "40.00",
        "instalments": 24,
        "first_instalment": "2026-03-01",
    }
    assert context["schedule"][-1] == {
        "number": 24,
        "month": "2028-02-01",
        "amount": "40.00",
        "remaining": "0.00",
    }
    assert context["shop"] == {"name": "Kabelnetz Nordwest AG", "place": "Meilen"}
    last = _history(db, view.case_id)[-1]
    assert last.payload["action"] == "activate_device_plan"
    assert "GP-OLD" in _n(last.text) and "570.00" in _n(last.text)
    # after the run the facts still see the old plan it ended (not the new one)
    finished = runs.show_run(db, view.case_id, today=today)
    assert "contract.device_plan.one_active" in finished.rule_ids


def test_no_device_plan_without_a_subscription(db: Database) -> None:
    customer = _customer(db, subscription=False)
    with pytest.raises(ValidationError, match="no subscription"):
        runs.open_run(
            db, customer, "contract", "new_device_plan", subject="n", today=date(2026, 2, 10)
        )
    assert _rows(db, Case, customer_id=customer) == []


def test_a_plan_number_in_use_is_refused(db: Database) -> None:
    customer = _customer(db, plan={"plan_no": "GP-TAKEN"})
    view = runs.open_run(
        db, customer, "contract", "new_device_plan", subject="n", today=date(2026, 2, 10)
    )
    answers = {
        "new_plan_no": "GP-TAKEN",
        "device_name": "X",
        "down_payment": "0.00",
        "financed_amount": "100.00",
        "instalment": "10.00",
    }
    with pytest.raises(ValidationError, match="GP-TAKEN") as refused:
        runs.complete_step(db, view.case_id, answers, today=date(2026, 2, 10))
    assert refused.value.field == "new_plan_no"
    assert _history(db, view.case_id) == []


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flow", "answers", "field"),
    [
        ("cancel", {"request_date": "15.01.2026"}, "request_date"),
        ("cancel", {"request_date": "2026-02-30"}, "request_date"),
        ("upgrade", {"new_tariff": "Smart Abo L"}, "new_tariff"),  # an id of the catalogue
        ("upgrade", {"new_tariff": "ch_smart_abo_xl"}, "new_tariff"),  # not in the catalogue
        ("upgrade", {"new_tariff": "cn_changxiang_58"}, "new_tariff"),  # another market's
        ("upgrade", {"new_tariff": "ch_smart_abo_l", "new_monthly_fee": "9.00"}, "new_monthly_fee"),
        (
            "cancel_device_plan",
            {"end_date": "2026-01-10", "request_date": "2026-01-14"},
            "end_date",
        ),
    ],
)
def test_bad_input_is_refused_with_nothing_written(
    db: Database, flow: str, answers: dict[str, object], field: str
) -> None:
    today = date(2026, 1, 15)
    customer = _customer(db, plan={"plan_no": f"GP-B{uuid.uuid4().hex[:4]}"})
    view = runs.open_run(db, customer, "contract", flow, subject="bad", today=today)
    with pytest.raises(ValidationError) as refused:
        runs.complete_step(db, view.case_id, answers, today=today)
    assert refused.value.field == field
    assert _history(db, view.case_id) == []
    assert runs.show_run(db, view.case_id, today=today).step_id == "request"
    [sub] = _rows(db, Subscription, customer_id=customer)
    assert sub.cancelled_effective is None and sub.last_upgrade_effective is None


def test_a_finished_request_cannot_be_changed(db: Database) -> None:
    today = date(2026, 1, 15)
    customer = _customer(db)
    view = _run(db, customer, "cancel", [{}, {}, {"confirmed": True}, {}], today)
    assert view.finished
    with pytest.raises(ServiceError, match="closed"):
        runs.complete_step(db, view.case_id, {}, today=today)
    # and a second cancellation of the same subscription is refused
    again = runs.open_run(db, customer, "contract", "cancel", subject="again", today=today)
    with pytest.raises(ValidationError, match="already cancelled"):
        runs.complete_step(db, again.case_id, {}, today=today)


def test_frozen_letter_contexts_fit_the_letter_templates(db: Database) -> None:
    """The facts a contract letter is requested with match its template's placeholders."""
    templates = pytest.importorskip("app.letters.templates")
    context_module = pytest.importorskip("app.letters.context")
    today = date(2026, 2, 10)
    customer = _customer(db, plan={"plan_no": "GP-L1"})
    _run(db, customer, "cancel", [{}, {}, {}, {"confirmed": True}, {}], today)
    customer = _customer(db, plan={"plan_no": "GP-L0"})
    _run(
        db,
        customer,
        "new_device_plan",
        [
            {
                "new_plan_no": "GP-L2",
                "device_name": "Galaxy S25",
                "down_payment": "0.00",
                "financed_amount": "100.00",
                "instalment": "30.00",
            },
            {},
            {},
            {"confirmed": True},
            {},
        ],
        today,
    )
    customer = _customer(db)
    _run(
        db,
        customer,
        "upgrade",
        [{"new_tariff": "ch_smart_abo_l"}, {"confirmed": True}, {}],
        today,
    )
    own = {
        "contract_cancellation": ("cancellation", "device_plan"),
        "contract_change": ("change",),
        "device_plan_agreement": ("subscription", "device", "plan", "schedule", "shop"),
    }
    letters = _rows(db, Letter)
    assert sorted(letter.document for letter in letters if letter.document in own) == sorted(own)
    for letter in letters:
        if letter.document not in own:
            continue
        template = templates.load_template(letter.document)
        fields = {k: template.schema.fields[k] for k in own[letter.document]}
        checked = context_module.coerce(
            context_module.Record(fields), letter.context, template.term_keys
        )
        assert set(checked) == set(own[letter.document])
        if letter.document == "device_plan_agreement":  # 100.00 in 30.00 instalments
            assert [row["amount"] for row in checked["schedule"]] == [
                Decimal("30.00"),
                Decimal("30.00"),
                Decimal("30.00"),
                Decimal("10.00"),
            ]
            assert checked["plan"]["instalments"] == 4


@pytest.mark.parametrize("language", ["de", "en", "ru", "zh"])
def test_every_word_to_say_is_filled_in_the_customers_language(db: Database, language: str) -> None:
    """Walk the longest paths of each flow: no placeholder or empty fact is read aloud."""
    today = date(2026, 1, 15)
    paths: dict[str, list[dict[str, object]]] = {
        "cancel": [{}, {}, {}, {"confirmed": True}, {}],
        "partner_cancel": [{"bill_notice_period": True, "reason": "Empfang"}, {}, {}, {}],
        "upgrade": [{"new_tariff": "ch_smart_abo_l"}, {"confirmed": True}, {}],
        "cancel_device_plan": [{}, {}, {"partner_override": True}, {"confirmed": True}, {}],
        "new_device_plan": [
            {
                "new_plan_no": f"GP-N{language}",
                "device_name": "Galaxy",
                "down_payment": "49.00",
                "financed_amount": "480.00",
                "instalment": "20.00",
            },
            {},
            {},
            {"confirmed": True},
            {},
        ],
    }
    for flow, answers in paths.items():
        customer = _customer(
            db,
            language=language,
            plan={"plan_no": f"GP-{flow}-{language}", "activated": date(2025, 12, 1)},
        )
        view = runs.open_run(db, customer, "contract", flow, subject=flow, today=today)
        for given in answers:
            assert view.say_language == language
            assert "{" not in view.say_text and "–" not in view.say_text, (flow, view.step_id)
            view = runs.complete_step(db, view.case_id, given, today=today)
        assert view.finished, flow
        for entry in _history(db, view.case_id):
            assert "{" not in entry.text and "–" not in entry.text, (flow, entry.text)
    customer = _customer(db, language=language, last_upgrade=date(2025, 12, 1))
    view = _run(db, customer, "downgrade", [{"new_tariff": "ch_smart_abo_s"}, {}], today)
    for given in ({"route": "ticket"}, {"justification": "Budget"}):
        assert "{" not in view.say_text and "–" not in view.say_text, view.step_id
        view = runs.complete_step(db, view.case_id, given, today=today)
    assert view.finished


def test_a_plan_longer_than_the_rule_files_limit_is_refused(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """960.00 at 40.00 a month is 24 instalments: fine at 120, refused at a limit of 12."""
    from app.services import run_view
    from app.services.errors import ValidationError
    from app.services.rules import load_ruleset

    today = date(2026, 2, 10)
    new = {
        "new_plan_no": "GP-NEW",
        "device_name": "iPhone 16 128 GB",
        "activation_date": "",
        "down_payment": "149.00",
        "financed_amount": "960.00",
        "instalment": "40.00",
        "shop_name": "",
        "shop_place": "Meilen",
    }
    rules = load_ruleset()
    plan_rules = rules.contract.device_plan.model_copy(update={"max_instalments": 12})
    tighter = replace(rules, contract=rules.contract.model_copy(update={"device_plan": plan_rules}))
    monkeypatch.setattr(run_view, "load_ruleset", lambda: tighter)
    customer = _customer(sqlite_db)
    with pytest.raises(ValidationError, match="more than 12 months") as caught:
        _run(sqlite_db, customer, "new_device_plan", [new], today)
    assert caught.value.field == "instalment"
    assert _rows(sqlite_db, DevicePlan, customer_id=customer) == []
