"""Adding a process is one package and one registration: a tiny sixth process shows up in
the to-do list, the worklists, their wording and ``playbooks check``."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy.orm import Session

from app.domain.ruleset import RuleSet
from app.processes import ProcessSpec, TodoContext, register, unregister, worklists
from app.resources import resource_path
from app.services.playbooks import check_folder
from app.services.todo import todo_for
from app.services.todo_items import OpenTarget, TodoItem, WorklistRow, row
from app.services.wording import item_words, row_words
from app.services.worklists import worklist
from app.store import records
from app.store.db import Database
from app.store.repositories import UnitOfWork
from app.ui.labels import process_label
from tests.processes.helpers import add_customer

TODAY = date(2026, 3, 15)


@dataclass(frozen=True)
class PortingItem:
    """Number porting: the customer asked to take their number to another operator."""

    customer_id: uuid.UUID
    due: date
    overdue: bool = False
    process: ClassVar[str] = "porting"

    @property
    def item_id(self) -> str:
        return str(self.customer_id)

    @property
    def target(self) -> OpenTarget:
        return OpenTarget(self.process, "port_out", "porting")

    def to_json(self) -> dict[str, Any]:
        return {"process": self.process, "due": self.due.isoformat(), "overdue": self.overdue}


def porting_todo(ctx: TodoContext) -> list[TodoItem]:
    return [PortingItem(ctx.customer.id, ctx.today)]


def porting_worklist(session: Session, today: date, rules: RuleSet) -> list[WorklistRow]:
    customers = records.customer_facts(session, records.activated_candidates(date.min, today))
    return [
        row(c, "porting", "port_out", c.customer_no, today, False, OpenTarget("porting", "x", None))
        for c in customers.values()
    ]


PORTING = ProcessSpec(
    name="porting",
    label="Number porting",
    playbook_ids={"port_out": ("confirm",)},
    todo=porting_todo,
    worklists={"porting": porting_worklist},
    item_words=lambda item: ("Porting", "take the number along"),
    row_words=lambda r: f"Porting {r.about}",
    urgency=0,
)


@pytest.fixture
def sixth() -> Iterator[ProcessSpec]:
    register(PORTING)
    try:
        yield PORTING
    finally:
        unregister(PORTING.name)


def test_a_registered_sixth_process_lists_its_items_worklist_and_words(
    sixth: ProcessSpec, sqlite_db: Database
) -> None:
    with UnitOfWork(sqlite_db) as uow:
        customer_no = add_customer(
            uow,
            partner="Partner",
            country="CH",
            partner_language="de",
            msisdn="+41791234567",
            name="Anna Muster",
            language="de",
            customer_value=2,
            activation_date=date(2026, 3, 1),
        ).customer_no
        uow.commit()
    items = todo_for(sqlite_db, customer_no, TODAY).items
    porting = [item for item in items if item.process == "porting"]
    assert len(porting) == 1
    assert item_words(porting[0]) == ("Porting", "take the number along")
    assert process_label("porting") == "Number porting"
    assert "porting" in worklists()
    rows = worklist(sqlite_db, "porting", TODAY)
    assert [r.customer_no for r in rows] == [customer_no]
    assert row_words(rows[0]) == f"Porting {customer_no}"


def test_playbooks_check_asks_the_sixth_process_for_its_playbook(
    sixth: ProcessSpec, tmp_path: Path
) -> None:
    for file in resource_path("playbooks").glob("*.yaml"):
        shutil.copy(file, tmp_path / file.name)
    problems = check_folder(tmp_path)
    assert len(problems) == 1 and problems[0].startswith("porting.yaml")


def test_after_unregistering_it_is_gone(sqlite_db: Database) -> None:
    assert "porting" not in worklists()
    assert check_folder(resource_path("playbooks")) == []
