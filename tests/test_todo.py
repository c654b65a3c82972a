""" "What to do now" for one customer, and ``agent-assist todo``, on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.processes.complaint.todo import ComplaintItem, complaint_item
from app.processes.expiry.todo import ExpiryItem
from app.processes.fair_use.todo import FairUseItem
from app.processes.onboarding.todo import OnboardingItem
from app.services.errors import NotFoundError
from app.services.rules import default_rules_dir, load_ruleset
from app.services.todo import sort_key, todo_for, todo_for_customer
from app.services.todo_items import CaseItem, OpenTarget
from app.store.db import Database
from app.store.models import (
    Bundle,
    Case,
    CaseState,
    Customer,
    FairUseRecord,
    HistoryEntry,
    Partner,
    Process,
)
from app.store.repositories import UnitOfWork

STAGE_3_ACTIONS = [
    "review_products",
    "decide_measure",
    "partner_ticket_decision",
    "letter_to_partner",
    "execute_measure",
]


class Seed:
    """Customers and their records, written through the real ORM."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.count = 0
        with UnitOfWork(db) as uow:
            partner = Partner(code="KNU-T", name="Kabelnetz Test AG", country="CH", language="de")
            uow.add(partner)
            uow.commit()
            self.partner_id = partner.id

    def customer(
        self,
        no: str | None = None,
        *,
        activation: date | None = None,
        vip_rated: date | None = None,
        value: int = 1,
        products: tuple[str, ...] = (),
        name: str = "Anna Muster",
    ) -> uuid.UUID:
        self.count += 1
        with UnitOfWork(self.db) as uow:
            customer = Customer(
                customer_no=no or f"C-{self.count:05d}",
                msisdn=f"+4179{self.count:07d}",
                name=name,
                language="de",
                partner_id=self.partner_id,
                customer_value=value,
                vip=vip_rated is not None,
                vip_rated=vip_rated,
                products=list(products),
                activation_date=activation,
            )
            uow.add(customer)
            uow.commit()
            return customer.id

    def fair_use(self, customer_id: uuid.UUID, *months: str, exceeded: bool = True) -> None:
        with UnitOfWork(self.db) as uow:
            for month in months:
                uow.add(FairUseRecord(customer_id=customer_id, month=month, exceeded=exceeded))
            uow.commit()

    def bundle(
        self, customer_id: uuid.UUID, no: str, end: date, sent: tuple[str, ...] = ()
    ) -> None:
        with UnitOfWork(self.db) as uow:
            uow.add(
                Bundle(
                    customer_id=customer_id,
                    bundle_no=no,
                    name=f"Datenpaket {no}",
                    end_date=end,
                    reminders_sent=list(sent),
                )
            )
            uow.commit()

    def done(self, customer_id: uuid.UUID, process: str, subject: str, *actions: str) -> None:
        """History entries saying ``actions`` were carried out (as a completed step writes)."""
        with UnitOfWork(self.db) as uow:
            for action in actions:
                uow.history.append(
                    HistoryEntry(
                        customer_id=customer_id,
                        author="agent",
                        kind="step",
                        text=f"{action} done",
                        payload={"process": process, "subject": subject, "action": action},
                    )
                )
            uow.commit()

    def case(
        self,
        customer_id: uuid.UUID,
        process: str,
        *,
        subject: str | None = None,
        facts: dict[str, Any] | None = None,
        opened: datetime = datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        due: date | None = None,
        state: CaseState = CaseState.OPEN,
        script_state: dict[str, Any] | None = None,
    ) -> uuid.UUID:
        with UnitOfWork(self.db) as uow:
            case = Case(
                customer_id=customer_id,
                process=Process(process),
                subject=subject,
                facts=facts or {},
                opened_at=opened,
                opened_by="agent",
                due=due,
                state=state,
                script_state=script_state or {},
            )
            uow.add(case)
            uow.commit()
            return case.id


@pytest.fixture
def seed(db: Database) -> Seed:
    return Seed(db)


def items(db: Database, no: str, day: date) -> list[Any]:
    return list(todo_for(db, no, day).items)


# --- fair use ----------------------------------------------------------------------------


def test_fair_use_stage_3_lists_every_action_due_today(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-01", "2026-02", "2026-03")
    (item,) = items(db, "C-1", date(2026, 3, 15))
    assert isinstance(item, FairUseItem)
    assert (item.month, item.stage, item.due, item.overdue) == (
        "2026-03",
        3,
        date(2026, 3, 15),
        False,
    )
    assert list(item.actions) == STAGE_3_ACTIONS
    assert (item.target.process, item.target.flow, item.target.subject) == (
        "fair_use",
        "stage_3",
        "2026-03",
    )


def test_fair_use_latest_month_may_be_the_previous_one(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-01", "2026-02")
    (item,) = items(db, "C-1", date(2026, 3, 2))
    assert (item.month, item.stage) == ("2026-02", 2)
    assert list(item.actions) == ["sms_2", "history_entry", "partner_ticket_contact"]
    assert item.target.flow == "stage_2"


def test_fair_use_older_than_the_previous_month_is_not_listed(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-01")
    assert items(db, "C-1", date(2026, 3, 1)) == []
    assert [i.month for i in items(db, "C-1", date(2026, 2, 28))] == ["2026-01"]


def test_fair_use_latest_month_within_limits_means_stage_0(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-01", "2026-02")
    seed.fair_use(cid, "2026-03", exceeded=False)
    assert items(db, "C-1", date(2026, 3, 20)) == []


def test_fair_use_a_month_within_limits_resets_the_stage(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-01", "2026-03")
    seed.fair_use(cid, "2026-02", exceeded=False)
    (item,) = items(db, "C-1", date(2026, 3, 20))
    assert (item.month, item.stage) == ("2026-03", 1)


def test_fair_use_records_after_the_date_are_ignored(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-02", "2026-03", "2026-04")
    (item,) = items(db, "C-1", date(2026, 3, 20))
    assert (item.month, item.stage) == ("2026-03", 2)


def test_fair_use_actions_done_in_the_history_disappear(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-03")
    day = date(2026, 3, 20)
    seed.done(cid, "fair_use", "2026-02", "sms_1")  # another month: does not count
    seed.done(cid, "expiry", "2026-03", "history_entry")  # another process: does not count
    assert list(items(db, "C-1", day)[0].actions) == ["sms_1", "history_entry"]
    seed.done(cid, "fair_use", "2026-03", "sms_1")
    assert list(items(db, "C-1", day)[0].actions) == ["history_entry"]
    seed.done(cid, "fair_use", "2026-03", "history_entry")
    assert items(db, "C-1", day) == []


# --- expiry --------------------------------------------------------------------------------


def test_expiry_one_item_per_reminder_due(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 6, 30))  # week due 06-23, month superseded
    seed.bundle(cid, "B-2", date(2026, 7, 20))  # month due 06-20
    seed.bundle(cid, "B-3", date(2026, 6, 20))  # ended: not listed
    seed.bundle(cid, "B-4", date(2026, 6, 28), sent=("month", "week"))  # all sent
    seed.bundle(cid, "B-5", date(2026, 7, 25))  # month due 06-25, today
    got = items(db, "C-1", date(2026, 6, 25))
    assert all(isinstance(i, ExpiryItem) for i in got)
    assert [(i.bundle_id, i.reminder, i.due, i.overdue) for i in got] == [
        ("B-2", "month", date(2026, 6, 20), True),
        ("B-1", "week", date(2026, 6, 23), True),
        ("B-5", "month", date(2026, 6, 25), False),
    ]
    assert (got[1].target.flow, got[1].target.subject) == ("reminder", "B-1:week")
    assert got[1].bundle_name == "Datenpaket B-1"


def test_expiry_month_reminder_superseded_by_week(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 6, 30))
    assert [i.reminder for i in items(db, "C-1", date(2026, 6, 22))] == ["month"]
    assert [i.reminder for i in items(db, "C-1", date(2026, 6, 23))] == ["week"]
    assert items(db, "C-1", date(2026, 6, 30)) == []  # ends today: ended


def test_expiry_sent_reminder_is_not_listed(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 6, 30), sent=("week",))
    assert items(db, "C-1", date(2026, 6, 25)) == []


# --- onboarding ------------------------------------------------------------------------------

INTAKE_DONE = (
    "explain_tariff",
    "contract_terms",
    "service_channels",
    "billing_and_payment",
    "data_usage_advice",
    "recommend_club",
    "coach_internet_setup",
)


def test_onboarding_day_8_lists_open_tasks(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1", activation=date(2026, 3, 1))
    seed.done(cid, "onboarding", "onboarding", *INTAKE_DONE)
    (item,) = items(db, "C-1", date(2026, 3, 9))
    assert isinstance(item, OnboardingItem)
    assert (item.stage, item.day) == ("follow_up", 8)
    assert (item.due, item.overdue) == (date(2026, 3, 4), True)
    assert [(t.id, t.status) for t in item.tasks][:3] == [
        ("coach_number_change", "overdue"),
        ("first_callback", "open"),
        ("explain_first_bill", "open"),
    ]
    assert len(item.tasks) == 7
    assert item.vip_overdue == ()
    assert (item.target.flow, item.target.subject) == ("follow_up", "onboarding")


def test_onboarding_due_is_the_earliest_open_task(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1", activation=date(2026, 3, 1))
    seed.done(cid, "onboarding", "onboarding", *INTAKE_DONE, "coach_number_change")
    (item,) = items(db, "C-1", date(2026, 3, 9))
    assert (item.due, item.overdue) == (date(2026, 3, 11), False)


def test_onboarding_day_90_listed_day_91_not(db: Database, seed: Seed) -> None:
    seed.customer("C-1", activation=date(2026, 1, 1))
    (item,) = items(db, "C-1", date(2026, 4, 1))  # day 90
    assert (item.stage, item.day) == ("consolidation", 90)
    assert items(db, "C-1", date(2026, 4, 2)) == []  # day 91
    assert items(db, "C-1", date(2025, 12, 31)) == []  # before activation


def test_onboarding_everything_done_is_not_listed(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1", activation=date(2026, 3, 1))
    rules = load_ruleset()
    seed.done(cid, "onboarding", "onboarding", *(t.id for t in rules.onboarding.tasks))
    assert items(db, "C-1", date(2026, 3, 9)) == []


def test_onboarding_vip_manager_not_assigned_is_overdue(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1", activation=date(2026, 3, 1), vip_rated=date(2026, 3, 1))
    rules = load_ruleset()
    seed.done(cid, "onboarding", "onboarding", *(t.id for t in rules.onboarding.tasks))
    # every task done, but the VIP deadline still counts
    (item,) = items(db, "C-1", date(2026, 3, 3))
    assert (item.tasks, item.vip_overdue, item.due, item.overdue) == (
        (),
        (),
        date(2026, 3, 4),
        False,
    )
    (item,) = items(db, "C-1", date(2026, 3, 6))
    assert (item.vip_overdue, item.overdue) == (("assign_manager",), True)


def test_onboarding_vip_dates_come_from_the_case_facts(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1", activation=date(2026, 3, 1), vip_rated=date(2026, 3, 1))
    seed.case(
        cid,
        "onboarding",
        subject="onboarding",
        facts={"manager_assigned": "2026-03-02"},
        state=CaseState.CLOSED,
    )
    (item,) = items(db, "C-1", date(2026, 3, 9))
    assert item.vip_overdue == ()
    assert [p.id for p in item.vip_pending] == ["first_contact"]
    (item,) = items(db, "C-1", date(2026, 3, 10))
    assert item.vip_overdue == ("first_contact",)
    seed.case(
        cid, "onboarding", subject="onboarding", facts={"manager_first_contact": "2026-03-08"}
    )
    (item,) = items(db, "C-1", date(2026, 3, 10))
    assert (item.vip_overdue, item.vip_pending) == ((), ())


# --- complaints ------------------------------------------------------------------------------


def test_complaint_item_per_open_case(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1", value=3)
    recorded = seed.case(
        cid,
        "complaint",
        subject="complaint:20260310-0900",
        facts={"category": "shop.incompetence", "route": "claim"},
        script_state={"flow": "second_line"},
    )
    decided = seed.case(
        cid,
        "complaint",
        subject="complaint:20260312-1000",
        facts={"category": "billing_system.migration", "first_line_resolved": False},
        due=date(2026, 3, 20),
    )
    seed.case(cid, "complaint", facts={"route": "retained"}, state=CaseState.CLOSED)
    got = items(db, "C-1", date(2026, 3, 15))
    assert all(isinstance(i, ComplaintItem) for i in got)
    first, second = got
    assert (first.case_id, first.route, first.due, first.overdue) == (
        recorded,
        "claim",
        date(2026, 3, 13),  # opened 10 March + follow_up.due_days (3)
        True,
    )
    assert (first.target.flow, first.target.subject, first.target.case_id) == (
        "second_line",
        "complaint:20260310-0900",
        recorded,
    )
    # no recorded route: the rules engine decides from the facts
    assert (second.case_id, second.route, second.due, second.overdue) == (
        decided,
        "second_line",
        date(2026, 3, 20),
        False,
    )


def test_complaint_without_enough_facts_has_no_route(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.case(cid, "complaint", facts={})
    (item,) = items(db, "C-1", date(2026, 3, 11))
    assert item.route is None
    assert item.to_json()["route"] is None


def test_complaint_due_days_come_from_the_rule_file(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    for path in default_rules_dir().iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    target = folder / "complaint.toml"
    text = target.read_text(encoding="utf-8")
    assert "due_days = 3" in text
    target.write_text(text.replace("due_days = 3", "due_days = 7"), encoding="utf-8")
    opened = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

    def due(rules: Any) -> date:
        return complaint_item(
            case_id=uuid.uuid4(),
            subject=None,
            facts={"route": "second_line"},
            script_state=None,
            due=None,
            opened_at=opened,
            customer_value=1,
            today=date(2026, 3, 15),
            rules=rules,
        ).due

    assert due(load_ruleset()) == date(2026, 3, 13)
    assert due(load_ruleset(folder)) == date(2026, 3, 17)


# --- sorting and JSON ------------------------------------------------------------------------


def _everything(seed: Seed) -> dict[str, Any]:
    """One customer with every kind of item on 2026-06-25."""
    cid = seed.customer("C-9", activation=date(2026, 6, 22))  # day 3: intake tasks due today
    seed.fair_use(cid, "2026-06")
    seed.bundle(cid, "B-2", date(2026, 7, 2))  # week reminder due today
    seed.bundle(cid, "B-1", date(2026, 7, 2))  # same day: by bundle id
    seed.bundle(cid, "B-3", date(2026, 6, 30))  # week reminder overdue since 06-23
    late = seed.case(cid, "complaint", facts={"route": "second_line"}, due=date(2026, 6, 20))
    today = seed.case(cid, "complaint", facts={"route": "claim"}, due=date(2026, 6, 25))
    return {"late": late, "today": today}


def test_sorting_overdue_then_due_then_process_then_id(db: Database, seed: Seed) -> None:
    cases = _everything(seed)
    got = items(db, "C-9", date(2026, 6, 25))
    assert [(i.process, i.item_id, i.overdue) for i in got] == [
        ("complaint", str(cases["late"]), True),  # overdue since 06-20
        ("expiry", "B-3:week", True),  # overdue since 06-23
        ("complaint", str(cases["today"]), False),  # due today: complaint first
        ("fair_use", "2026-06", False),
        ("expiry", "B-1:week", False),
        ("expiry", "B-2:week", False),
        ("onboarding", "intake", False),
    ]


def test_sort_key_orders_ids_within_a_process() -> None:
    day = date(2026, 6, 25)
    a, b = sorted([uuid.uuid4(), uuid.uuid4()], key=str)
    later = ComplaintItem(b, None, day, False)
    earlier = ComplaintItem(a, None, day, False)
    overdue = FairUseItem("2026-06", 1, date(2026, 6, 26), True, ("sms_1",))
    assert sorted([later, earlier, overdue], key=sort_key) == [overdue, earlier, later]


def test_items_of_one_case_share_id_target_and_json_form() -> None:
    case_id = uuid.uuid4()
    day = date(2026, 6, 25)
    complaint = ComplaintItem(
        case_id, "refund", day, True, subject="complaint:1", flow="handle", step="refund"
    )
    other = CaseItem("contract", case_id, "cancel:2026-07-01", "waiting", day, False, flow="f")
    for item in (complaint, other):
        assert item.item_id == str(case_id)
        assert item.target == OpenTarget(
            item.process, item.flow, item.subject, case_id, step=item.step
        )
    assert list(complaint.to_json().items()) == [
        ("process", "complaint"),
        ("case_id", str(case_id)),
        ("route", "refund"),
        ("due", "2026-06-25"),
        ("overdue", True),
    ]
    assert list(other.to_json().items()) == [
        ("process", "contract"),
        ("case_id", str(case_id)),
        ("subject", "cancel:2026-07-01"),
        ("stage", "waiting"),
        ("due", "2026-06-25"),
        ("overdue", False),
    ]


def test_json_shape_is_exactly_the_documented_one(db: Database, seed: Seed) -> None:
    cases = _everything(seed)
    data = todo_for(db, "C-9", date(2026, 6, 25)).to_json()
    assert list(data) == ["customer_no", "date", "items"]
    assert (data["customer_no"], data["date"]) == ("C-9", "2026-06-25")
    by_kind = {}
    for entry in data["items"]:
        by_kind.setdefault(entry["process"], entry)
    assert by_kind["complaint"] == {
        "process": "complaint",
        "case_id": str(cases["late"]),
        "route": "second_line",
        "due": "2026-06-20",
        "overdue": True,
    }
    assert by_kind["expiry"] == {
        "process": "expiry",
        "bundle_id": "B-3",
        "reminder": "week",
        "due": "2026-06-23",
        "overdue": True,
    }
    assert by_kind["fair_use"] == {
        "process": "fair_use",
        "month": "2026-06",
        "stage": 1,
        "due": "2026-06-25",
        "overdue": False,
        "actions": ["sms_1", "history_entry"],
    }
    onboarding = by_kind["onboarding"]
    assert list(onboarding) == ["process", "stage", "day", "due", "overdue", "tasks", "vip_overdue"]
    assert (onboarding["stage"], onboarding["day"], onboarding["due"]) == (
        "intake",
        3,
        "2026-06-25",
    )
    assert onboarding["vip_overdue"] == []
    assert onboarding["tasks"][0] == {"id": "explain_tariff", "due": "2026-06-25", "status": "open"}
    assert json.loads(json.dumps(data)) == data


def test_unknown_customer(db: Database, seed: Seed) -> None:
    with pytest.raises(NotFoundError, match="C-404"):
        todo_for(db, "C-404", date(2026, 3, 1))
    with pytest.raises(NotFoundError):
        todo_for_customer(db, uuid.uuid4(), date(2026, 3, 1))


def test_by_customer_id_gives_the_same_list(db: Database, seed: Seed) -> None:
    _everything(seed)
    by_no = todo_for(db, "C-9", date(2026, 6, 25))
    assert todo_for_customer(db, by_no.customer_id, date(2026, 6, 25)) == by_no
    assert len(by_no.items) == 7


def test_nothing_to_do(db: Database, seed: Seed) -> None:
    seed.customer("C-1")
    data = todo_for(db, "C-1", date(2026, 3, 1)).to_json()
    assert data == {"customer_no": "C-1", "date": "2026-03-01", "items": []}


# --- the command ---------------------------------------------------------------------------


def test_command_prints_one_line_per_item(
    db: Database, seed: Seed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    _everything(seed)
    assert main(["todo", "C-9", "--date", "2026-06-25", "--db", db.url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 7
    assert out[0].startswith("Overdue since 20/06/2026: Complaint — ")
    assert "B-3" in out[1] and "ends 30/06/2026" in out[1]
    assert "Fair use — stage 1 — June 2026; to do: " in out[3]
    assert "Onboarding — day 3" in out[6]
    # Actions and tasks are worded by the playbooks, never shown as ids.
    assert "sms_1" not in out[3]


def test_command_json(db: Database, seed: Seed, capsys: pytest.CaptureFixture[str]) -> None:
    _everything(seed)
    assert main(["--db", db.url, "todo", "C-9", "--date", "2026-06-25", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == todo_for(db, "C-9", date(2026, 6, 25)).to_json()


def test_command_unknown_customer_exits_1(
    db: Database, seed: Seed, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["todo", "C-404", "--db", db.url]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "C-404" in captured.err


@pytest.mark.parametrize("bad", ["2026-13-01", "15.03.2026", "2026-3-1", "tomorrow"])
def test_command_malformed_date_exits_2(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["todo", "C-1", "--date", bad, "--db", sqlite_db.url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--date" in captured.err and bad in captured.err


def test_command_as_a_program(sqlite_db: Database, tmp_path: Path) -> None:
    seed = Seed(sqlite_db)
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-03")
    env = {**os.environ, "AGENT_ASSIST_DB": sqlite_db.url}
    run = [sys.executable, "-m", "app", "todo"]
    ok = subprocess.run(
        [*run, "C-1", "--date", "2026-03-15", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["items"][0]["stage"] == 1
    missing = subprocess.run([*run, "C-2"], capture_output=True, text=True, env=env, check=False)
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "C-2" in missing.stderr
    bad = subprocess.run(
        [*run, "C-1", "--date", "2026-02-30"], capture_output=True, text=True, env=env, check=False
    )
    assert (bad.returncode, bad.stdout) == (2, "")


# --- every open case is in the list; settled reminders are not shown open ------------------


def test_every_open_case_has_an_item_overdue_first(db: Database, seed: Seed) -> None:
    """A goodwill complaint, a contract request, an older fair-use month: each open case
    appears (the issue: C-10009's goodwill case due in September said "nothing is due")."""
    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 5, 31), sent=("month", "week"))
    goodwill = seed.case(
        cid, "expiry", subject="goodwill:B-1", due=date(2026, 6, 1), facts={"bundle_id": "B-1"}
    )
    downgrade = seed.case(cid, "contract", subject="downgrade:2026-06-20")
    cancel = seed.case(
        cid, "contract", subject="cancel", facts={"action": "cancel"}, due=date(2026, 9, 30)
    )
    older = seed.case(cid, "fair_use", subject="2026-03", facts={})
    closed = seed.case(cid, "contract", subject="upgrade:2026-06-01", state=CaseState.CLOSED)
    listed = items(db, "C-1", date(2026, 6, 25))
    by_case = {item.case_id: item for item in listed}
    assert set(by_case) == {goodwill, downgrade, cancel, older}
    assert closed not in by_case
    assert listed[0].case_id == goodwill and listed[0].overdue  # overdue first
    assert by_case[goodwill].target.flow == "goodwill"
    assert by_case[goodwill].target.step is None  # nothing done yet: from the start
    assert by_case[downgrade].target.flow == "downgrade" and not by_case[downgrade].overdue
    assert by_case[downgrade].due == date(2026, 6, 25)  # no due date: it can be done now
    # the cancellation was recorded (its action): the case waits, nothing is done again
    assert (by_case[cancel].target.flow, by_case[cancel].target.step_done) == ("cancel", True)
    data = todo_for(db, "C-1", date(2026, 6, 25)).to_json()
    first = data["items"][0]
    assert first == {
        "process": "expiry",
        "case_id": str(goodwill),
        "subject": "goodwill:B-1",
        "stage": None,
        "due": "2026-06-01",
        "overdue": True,
    }
    assert [i["process"] for i in data["items"]].count("contract") == 2


def test_a_case_of_a_due_item_is_not_listed_twice(db: Database, seed: Seed) -> None:
    cid = seed.customer("C-1")
    seed.fair_use(cid, "2026-06")
    seed.case(cid, "fair_use", subject="2026-06", script_state={"next_action": "sms_1"})
    seed.bundle(cid, "B-1", date(2026, 6, 30))
    seed.case(cid, "expiry", subject="B-1:week")
    listed = items(db, "C-1", date(2026, 6, 25))
    assert sorted(item.process for item in listed) == ["expiry", "fair_use"]
    [fair_use] = [i for i in listed if isinstance(i, FairUseItem)]
    assert fair_use.target.step == "sms_1"  # the first open action names the step


def test_a_superseded_or_sent_reminder_case_is_not_shown_open(db: Database, seed: Seed) -> None:
    """C-10012: the month reminder's case stayed open beside the due week reminder."""
    from app.processes.expiry.todo import settled_reminder_ids
    from app.services.customers import customer_overview

    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 6, 30), sent=("month",))
    month = seed.case(cid, "expiry", subject="B-1:month")
    goodwill = seed.case(cid, "expiry", subject="goodwill:B-1")
    listed = items(db, "C-1", date(2026, 6, 25))
    assert [(i.process, i.item_id) for i in listed if isinstance(i, ExpiryItem)] == [
        ("expiry", "B-1:week")
    ]
    assert month not in {getattr(i, "case_id", None) for i in listed}
    with UnitOfWork(db) as uow:
        cases = uow.cases.open_for(cid)
        assert settled_reminder_ids(uow.session, cid, cases, date(2026, 6, 25)) == {month}
        # a reminder that was sent is settled on any day
        assert settled_reminder_ids(uow.session, cid, cases, date(2026, 5, 30)) == {month}
    shown = {c.id for c in customer_overview(db, cid).open_cases}
    assert month not in shown and goodwill in shown


def test_a_superseded_month_reminder_without_sending_is_settled_once_the_week_is_due(
    db: Database, seed: Seed
) -> None:
    from app.processes.expiry.todo import settled_reminder_ids

    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 6, 30))
    month = seed.case(cid, "expiry", subject="B-1:month")
    with UnitOfWork(db) as uow:
        cases = uow.cases.open_for(cid)
        assert settled_reminder_ids(uow.session, cid, cases, date(2026, 6, 22)) == set()
        assert settled_reminder_ids(uow.session, cid, cases, date(2026, 6, 23)) == {month}


def test_sending_the_week_reminder_closes_the_month_reminders_case(
    db: Database, seed: Seed
) -> None:
    from app.services import runs

    cid = seed.customer("C-1")
    seed.bundle(cid, "B-1", date(2026, 6, 30), sent=("month",))
    month = seed.case(cid, "expiry", subject="B-1:month")
    today = date(2026, 6, 25)
    view = runs.open_run(db, cid, "expiry", "reminder", subject="B-1:week", today=today)
    runs.complete_step(db, view.case_id, {}, today=today)
    with UnitOfWork(db) as uow:
        assert uow.cases.get(month).state == CaseState.CLOSED
        assert uow.cases.open_for(cid) == []


def test_a_carried_out_decision_kept_open_goes_on_with_the_partners_answer(
    db: Database, seed: Seed
) -> None:
    cid = seed.customer("C-1")
    state = {"playbook": "fair_use", "version": "1", "flow": "stage_3", "path": ["x"]}
    case = seed.case(
        cid,
        "fair_use",
        subject="2026-03",
        facts={"keep_open": True},
        script_state={**state, "finished": True},
    )
    [item] = items(db, "C-1", date(2026, 6, 25))
    assert item.case_id == case and item.target.flow == "partner_feedback"
