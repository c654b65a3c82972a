"""The onboarding guided script: playbook file, guide facts and runs on both engines."""

from __future__ import annotations

import shutil
import tomllib
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.onboarding import OnboardingCase, evaluate
from app.domain.playbook_schema import Playbook, SmsEffect
from app.processes.onboarding.guide import BRANCH_ONLY, task_of
from app.processes.onboarding.todo import OnboardingItem
from app.resources import resource_path
from app.services import runs
from app.services.errors import ValidationError
from app.services.playbooks import check_folder, read_playbook
from app.services.rules import load_ruleset
from app.services.todo import todo_for
from app.store.db import Database
from app.store.models import (
    CaseState,
    SmsMessage,
    Subscription,
    Task,
)
from app.store.repositories import UnitOfWork
from tests.processes.helpers import add_customer
from tests.processes.helpers import case_row as _case
from tests.processes.helpers import fact as _fact
from tests.processes.helpers import history as _history
from tests.processes.helpers import rows as _rows

PLAYBOOK_FILE = resource_path("playbooks") / "onboarding.yaml"
RULE_FILE = resource_path("rules") / "onboarding.toml"
ACTIVATED = date(2026, 3, 2)
INTAKE_TASKS = {
    "explain_tariff",
    "contract_terms",
    "service_channels",
    "billing_and_payment",
    "data_usage_advice",
    "recommend_club",
    "coach_number_change",
    "coach_internet_setup",
}


def _rule_table() -> dict[str, Any]:
    with RULE_FILE.open("rb") as fh:
        return tomllib.load(fh)


# --- the playbook file ------------------------------------------------------------------


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return read_playbook(PLAYBOOK_FILE)


def test_playbook_loads_with_one_flow_per_stage_of_the_rule_file(tmp_path: Path) -> None:
    playbook = read_playbook(PLAYBOOK_FILE)
    stages = [s["id"] for s in _rule_table()["stages"] if "first_day" in s]
    assert [f.id for f in playbook.flows] == stages
    shutil.copy(PLAYBOOK_FILE, tmp_path / "onboarding.yaml")
    assert [p for p in check_folder(tmp_path) if p.startswith("onboarding.yaml")] == []
    text = (tmp_path / "onboarding.yaml").read_text(encoding="utf-8")
    (tmp_path / "onboarding.yaml").write_text(
        text.replace("template: value_added", "template: value_add"), encoding="utf-8"
    )
    broken = [p for p in check_folder(tmp_path) if p.startswith("onboarding.yaml")]
    assert broken == [
        "onboarding.yaml: flows.fit_check.steps.recommend_value_added: "
        "effects.0: unknown SMS template value_add"
    ]


def test_every_rule_id_of_the_rule_file_is_explained(playbook: Playbook) -> None:
    table = _rule_table()
    declared = {s["rule_id"] for s in table["stages"]}
    declared |= {table["vip"]["assign_rule_id"], table["vip"]["first_contact_rule_id"]}
    declared |= set(table["task_status"].values())
    assert len(declared) == 10
    assert declared <= set(playbook.explanations)
    assert "ß" not in PLAYBOOK_FILE.read_text(encoding="utf-8")


def test_every_task_has_a_step_and_sms_tasks_send_an_sms(playbook: Playbook) -> None:
    channels = {t["id"]: t["channel"] for t in _rule_table()["tasks"]}
    for flow in playbook.flows:
        for step in flow.steps:
            if step.action in channels:
                sends = any(isinstance(e, SmsEffect) for e in step.effects)
                assert sends == (channels[step.action] == "sms"), (flow.id, step.id)
    carried = {s.action for f in playbook.flows for s in f.steps}
    assert set(channels) | {"assign_manager", "first_contact"} <= carried
    # each stage's flow carries its own tasks
    for task in _rule_table()["tasks"]:
        assert task["id"] in {s.action for s in playbook.flow(task["stage"]).steps}


def test_each_routing_step_can_reach_every_later_open_task(playbook: Playbook) -> None:
    for flow in playbook.flows:
        ids = [s.id for s in flow.steps]
        for position, step in enumerate(flow.steps):
            routed = {
                b.goto
                for b in step.next
                if b.when is not None and b.when.fact == "next_step" and b.when.equals == b.goto
            }
            if not routed:
                continue
            later = {s.id for s in flow.steps[position + 1 :] if task_of(s) is not None}
            default = step.next[-1]
            assert default.when is None and default.goto in ids, (flow.id, step.id)
            assert later - {default.goto} <= routed, (flow.id, step.id, later - routed)
        for step_id in BRANCH_ONLY:
            assert step_id in ids


# --- runs on both engines -----------------------------------------------------------------


def _customer(
    db: Database,
    *,
    language: str = "zh",
    activated: date = ACTIVATED,
    vip_rated: date | None = None,
    data_mb: int | None = None,
) -> tuple[uuid.UUID, str]:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="山东联通济南分公司",
            country="CN",
            partner_language="zh",
            msisdn="+8613012345678",
            name="王丽",
            language=language,
            customer_value=4 if vip_rated else 2,
            vip=vip_rated is not None,
            vip_rated=vip_rated,
            activation_date=activated,
        )
        uow.add(
            Subscription(
                customer_id=customer.id,
                tariff="沃4G+ 套餐 76元",
                monthly_fee=Decimal("76.00"),
                aio_discount=None,
                data_mb=data_mb,
                minutes=300,
                activated=activated,
            )
        )
        uow.commit()
        return customer.id, customer.customer_no


DEFAULTS: dict[str, dict[str, object]] = {
    "overview": {"reached": True},
    "number_change_check": {"changed_number": False},
    "package_fit_coaching": {"fit": "fits"},
    "satisfaction_check": {"satisfaction": "s4"},
}


def _walk(
    db: Database,
    view: runs.RunView,
    today: date,
    answers: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[runs.RunView, list[str]]:
    """Complete steps until the flow ends; return the last view and the steps seen."""
    given = {**DEFAULTS, **(answers or {})}
    seen: list[str] = []
    while not view.finished:
        assert view.step_id is not None
        seen.append(view.step_id)
        view = runs.complete_step(
            db, view.case_id, dict(given.get(view.step_id, {})), today=today, author="li.na"
        )
    return view, seen


def _onboarding(db: Database, customer_no: str, today: date) -> OnboardingItem | None:
    items = [i for i in todo_for(db, customer_no, today).items if i.process == "onboarding"]
    assert len(items) <= 1
    item = items[0] if items else None
    assert item is None or isinstance(item, OnboardingItem)
    return item


def test_a_non_vip_intake_walks_every_open_task_and_the_todo_list_drops_them(
    db: Database,
) -> None:
    customer, number = _customer(db)
    today = ACTIVATED + timedelta(days=1)
    before = _onboarding(db, number, today)
    assert before is not None and {t.id for t in before.tasks} >= INTAKE_TASKS

    view = runs.open_run(db, customer, "onboarding", "intake", subject="onboarding", today=today)
    assert view.step_id == "overview"
    assert _fact(view, "day") == "1" and _fact(view, "vip") == "no"
    assert "onboarding.stage.intake" in view.rule_ids
    assert "王丽" in view.say_text and "2026年3月2日" in view.say_text
    view = runs.complete_step(db, view.case_id, {"reached": True}, today=today, author="li.na")
    assert view.step_id == "explain_tariff"
    # the tariff in the customer's language, from the subscription
    assert "沃4G+ 套餐 76元" in view.say_text and "不限量" in view.say_text
    assert "300\xa0分钟" in view.say_text
    view, seen = _walk(db, view, today)

    assert seen == [
        "explain_tariff",
        "contract_terms",
        "service_channels",
        "billing_and_payment",
        "data_usage_advice",
        "recommend_club",  # vip_level_benefits skipped: not a VIP
        "number_change_check",
        "number_change_not_needed",  # no coaching: the number was not changed
        "coach_internet_setup",
        "wrap_up",
    ]
    after = _onboarding(db, number, today)
    assert after is not None
    assert {t.id for t in after.tasks} & INTAKE_TASKS == set()
    assert after.stage == "intake" and after.vip_overdue == ()

    entries = _history(db, view.case_id)
    actions = [e.payload["action"] for e in entries]
    assert set(actions) - {None} == INTAKE_TASKS
    for entry in entries:
        assert entry.author == "li.na"
        assert entry.payload["subject"] == "onboarding"
        assert "onboarding.stage.intake" in entry.rule_ids
        assert entry.ruleset_version == "2026.1"
    assert "onboarding.task.done" in entries[-1].rule_ids
    case = _case(db, view.case_id)
    assert (case.state, case.stage, case.subject) == (CaseState.OPEN, "intake", "onboarding")
    assert case.facts["keep_open"] is True


def test_number_change_coaching_only_when_the_customer_changed_number(db: Database) -> None:
    customer, _number = _customer(db, language="de", data_mb=10240)
    today = ACTIVATED
    view = runs.open_run(db, customer, "onboarding", "intake", subject="onboarding", today=today)
    view = runs.complete_step(db, view.case_id, {"reached": True}, today=today)
    assert "10\xa0GB" in view.say_text and "Grüezi" not in view.say_text
    seen: list[str] = []
    while view.step_id != "number_change_check":
        seen.append(str(view.step_id))
        view = runs.complete_step(db, view.case_id, {}, today=today)
    view = runs.complete_step(db, view.case_id, {"changed_number": True}, today=today)
    assert view.step_id == "coach_number_change"
    assert "+86 130 1234 5678" in view.say_text and "Ansage" in view.say_text
    view, rest = _walk(db, view, today)
    assert rest == ["coach_number_change", "coach_internet_setup", "wrap_up"]
    entries = _history(db, view.case_id)
    coached = [e for e in entries if e.payload["action"] == "coach_number_change"]
    assert len(coached) == 1 and coached[0].payload["step"] == "coach_number_change"


def test_vip_follow_up_records_the_manager_dates_and_the_vip_overdue_list_clears(
    db: Database,
) -> None:
    customer, number = _customer(db, vip_rated=ACTIVATED + timedelta(days=1), language="ru")
    today = ACTIVATED + timedelta(days=8)  # assignment was due on day 4
    item = _onboarding(db, number, today)
    assert item is not None and item.stage == "follow_up"
    assert item.vip_overdue == ("assign_manager",) and item.overdue

    view = runs.open_run(db, customer, "onboarding", "follow_up", subject="onboarding", today=today)
    assert _fact(view, "assign_due") == "6 March 2026"
    assert _fact(view, "vip_overdue") == "Assign the account manager (VIP)"
    assert "onboarding.vip.assign_manager" in view.rule_ids
    # the intake tasks still open come first, the VIP level among them
    view = runs.complete_step(db, view.case_id, {"reached": True}, today=today)
    assert view.step_id == "explain_tariff"
    seen = []
    while view.step_id != "assign_manager":
        seen.append(view.step_id)
        view = runs.complete_step(
            db, view.case_id, dict(DEFAULTS.get(str(view.step_id), {})), today=today
        )
    assert "vip_level_benefits" in seen and seen[-1] == "first_callback"

    # a first contact before the assignment is refused by the rules, nothing is written
    bad_assign = {"manager_assigned": "2026-03-02", "manager_name": "Ольга Смирнова"}
    with pytest.raises(ValidationError, match="VIP rating on 2026-03-03") as refused:
        runs.complete_step(db, view.case_id, bad_assign, today=today)
    assert refused.value.field == "manager_assigned"
    assigned = {"manager_assigned": today.isoformat(), "manager_name": "Ольга Смирнова"}
    view = runs.complete_step(db, view.case_id, assigned, today=today)
    assert view.step_id == "first_contact"
    assert _fact(view, "first_contact_due") == "17 March 2026"
    assert "Ольга Смирнова" in view.say_text
    early = {"manager_first_contact": "2026-03-09"}
    with pytest.raises(ValidationError, match="before the assignment"):
        runs.complete_step(db, view.case_id, early, today=today)
    view = runs.complete_step(
        db, view.case_id, {"manager_first_contact": today.isoformat()}, today=today
    )
    assert view.step_id == "wrap_up"
    view, _seen = _walk(db, view, today)

    case = _case(db, view.case_id)
    assert case.facts["manager_assigned"] == "2026-03-10"
    assert case.facts["manager_first_contact"] == "2026-03-10"
    assert case.facts["manager_name"] == "Ольга Смирнова"
    assert case.stage == "follow_up" and case.state == CaseState.OPEN
    after = _onboarding(db, number, today)
    assert after is not None
    assert after.vip_overdue == () and after.vip_pending == ()
    entries = {e.payload["action"]: e for e in _history(db, view.case_id)}
    assert "onboarding.vip.first_contact" in entries["first_contact"].rule_ids
    assert "Ольга Смирнова" in entries["assign_manager"].text


def test_first_contact_left_open_keeps_the_deadline_on_the_list(db: Database) -> None:
    customer, number = _customer(db, vip_rated=ACTIVATED)
    today = ACTIVATED + timedelta(days=5)
    view = runs.open_run(db, customer, "onboarding", "follow_up", subject="onboarding", today=today)
    view = runs.complete_step(db, view.case_id, {"reached": True}, today=today)
    answers = {
        "assign_manager": {"manager_assigned": today.isoformat(), "manager_name": "张伟"},
        "first_contact": {},
    }
    view, seen = _walk(db, view, today, answers)
    assert "first_contact" in seen
    item = _onboarding(db, number, today)
    assert item is not None
    assert [d.id for d in item.vip_pending] == ["first_contact"]
    assert item.vip_pending[0].due == today + timedelta(days=7)
    assert "manager_first_contact" not in _case(db, view.case_id).facts


def test_not_reached_plans_a_call_back_and_the_stage_starts_again_next_day(
    db: Database,
) -> None:
    customer, number = _customer(db)
    today = ACTIVATED + timedelta(days=2)
    view = runs.open_run(db, customer, "onboarding", "intake", subject="onboarding", today=today)
    view = runs.complete_step(db, view.case_id, {"reached": False}, today=today)
    assert view.step_id == "not_reached"
    view = runs.complete_step(db, view.case_id, {"attempt_note": "无人接听"}, today=today)
    assert view.finished
    [task] = _rows(db, Task, view.case_id)
    assert task.kind == "onboarding_callback" and task.due == today + timedelta(days=1)
    assert _case(db, view.case_id).state == CaseState.OPEN
    item = _onboarding(db, number, today)
    assert item is not None and {t.id for t in item.tasks} >= INTAKE_TASKS

    tomorrow = today + timedelta(days=1)
    again = runs.open_run(
        db, customer, "onboarding", "intake", subject="onboarding", today=tomorrow
    )
    assert again.case_id == view.case_id
    assert (again.finished, again.step_id) == (False, "overview")


def test_a_later_stage_cannot_start_early_and_nothing_is_written(db: Database) -> None:
    customer, _number = _customer(db)
    today = ACTIVATED + timedelta(days=2)
    view = runs.open_run(
        db, customer, "onboarding", "consolidation", subject="onboarding", today=today
    )
    with pytest.raises(ValidationError, match="starts on day 61"):
        runs.complete_step(db, view.case_id, {"reached": True}, today=today)
    assert _history(db, view.case_id) == []
    assert runs.show_run(db, view.case_id, today=today).step_id == "overview"


def test_consolidation_catches_up_sends_the_sms_and_closes_onboarding(db: Database) -> None:
    customer, number = _customer(db, language="de")
    today = ACTIVATED + timedelta(days=70)
    view = runs.open_run(
        db, customer, "onboarding", "consolidation", subject="onboarding", today=today
    )
    assert "onboarding.task.overdue" in view.rule_ids
    view = runs.complete_step(db, view.case_id, {"reached": True}, today=today)
    view, seen = _walk(db, view, today, {"satisfaction_check": {"satisfaction": "s2"}})
    assert seen[-3:] == ["recommend_value_added", "satisfaction_check", "close_onboarding"]
    assert "first_callback" in seen and "vip_level_benefits" not in seen

    sms = {m.template_id: m for m in _rows(db, SmsMessage, view.case_id)}
    assert set(sms) == {"first_bill", "value_added", "onboarding_closed"}
    assert all(m.language == "de" and "{" not in m.text for m in sms.values())
    assert "Grüezi 王丽" in sms["first_bill"].text and "76.00" in sms["first_bill"].text
    [task] = _rows(db, Task, view.case_id)
    assert task.kind == "onboarding_dissatisfied"
    case = _case(db, view.case_id)
    assert case.state == CaseState.CLOSED and case.facts["outcome"] == "completed"
    assert case.stage == "consolidation"
    assert _onboarding(db, number, today) is None


def test_the_engine_decides_what_the_guide_shows(db: Database) -> None:
    """The overview's facts are the rules engine's, for a VIP whose deadline passed."""
    customer, _number = _customer(db, vip_rated=ACTIVATED, language="en")
    today = ACTIVATED + timedelta(days=12)
    view = runs.open_run(
        db, customer, "onboarding", "first_bill", subject="onboarding", today=today
    )
    decision = evaluate(
        OnboardingCase(ACTIVATED, today, vip_rated=ACTIVATED), load_ruleset().onboarding
    )
    assert view.rule_ids == (*decision.rule_ids,)
    assert _fact(view, "stage") == "First bill (days 11–30)"
    overdue = _fact(view, "overdue_tasks").split(", ")
    assert len(overdue) == sum(t.status == "overdue" for t in decision.tasks)
    assert _fact(view, "next_stage_date") == "2 April 2026"
    assert _fact(view, "vip_overdue") == "Assign the account manager (VIP)"
