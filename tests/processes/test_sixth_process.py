"""Adding a process is one package, its resource files and one registration: a tiny sixth
process (number porting, its playbook in ``data/porting.yaml``) registered by one line shows
up in the to-do list, the worklists and their wording, in "Start a process", runs its flow
and stores a case of its own on real SQLite (no migration, no list to extend), is a kind of
``agent-assist worklist`` and is validated by ``playbooks check``."""

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

from app.cli import main
from app.domain.ruleset import RuleSet
from app.processes import ProcessSpec, TodoContext, register, unregister, worklists
from app.resources import resource_path
from app.services import runs
from app.services.errors import ValidationError
from app.services.playbooks import check_folder, use_playbooks_dir
from app.services.todo import todo_for
from app.services.todo_items import OpenTarget, TodoItem, WorklistRow, row
from app.services.wording import item_words, row_words
from app.services.worklists import worklist
from app.store import records
from app.store.db import Database
from app.store.models import CaseState
from app.store.repositories import UnitOfWork
from app.ui.labels import process_label
from app.ui.todo_panel import TodoPanel
from tests.processes.helpers import add_customer, case_row

TODAY = date(2026, 3, 15)
#: The sixth process's resource file: its playbook.
PORTING_PLAYBOOK = Path(__file__).parent / "data" / "porting.yaml"


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
    worklist_titles={"porting": "Porting requests"},
    item_words=lambda item: ("Porting", "take the number along"),
    row_words=lambda r: f"Porting {r.about}",
    urgency=0,
)


@pytest.fixture
def sixth() -> Iterator[ProcessSpec]:
    register(PORTING)  # the one line that adds the process
    try:
        yield PORTING
    finally:
        unregister(PORTING.name)


@pytest.fixture
def playbooks(tmp_path: Path) -> Iterator[Path]:
    """The shipped playbooks and the sixth process's, as the folder playbooks are read from."""
    folder = tmp_path / "playbooks"
    folder.mkdir()
    for file in [*resource_path("playbooks").glob("*.yaml"), PORTING_PLAYBOOK]:
        shutil.copy(file, folder / file.name)
    use_playbooks_dir(folder)
    try:
        yield folder
    finally:
        use_playbooks_dir(None)


def _customer(db: Database) -> tuple[uuid.UUID, str]:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="Partner",
            country="CH",
            partner_language="de",
            msisdn="+41791234567",
            name="Anna Muster",
            language="de",
            customer_value=2,
            activation_date=date(2026, 3, 1),
        )
        uow.commit()
        return customer.id, customer.customer_no


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
    with pytest.raises(ValidationError, match="complaints, porting"):
        worklist(sqlite_db, "porting-requests", TODAY)


def test_playbooks_check_asks_the_sixth_process_for_its_playbook(
    sixth: ProcessSpec, tmp_path: Path
) -> None:
    for file in resource_path("playbooks").glob("*.yaml"):
        shutil.copy(file, tmp_path / file.name)
    problems = check_folder(tmp_path)
    assert len(problems) == 1 and problems[0].startswith("porting.yaml")


def test_start_a_process_offers_its_flow_which_runs_and_stores_its_case(
    qtbot: Any, sixth: ProcessSpec, playbooks: Path, sqlite_db: Database
) -> None:
    customer_id, customer_no = _customer(sqlite_db)
    panel = TodoPanel()
    qtbot.addWidget(panel)
    panel.load(sqlite_db, customer_no, TODAY)
    qtbot.waitUntil(lambda: panel.data is not None, timeout=10_000)
    [action] = [a for a in panel.start_menu.actions() if a.objectName() == "start_porting_port_out"]
    assert action.text() == "Number porting — Take the number to another operator"
    assert panel.start_button.isVisibleTo(panel)
    with qtbot.waitSignal(panel.open_requested) as chosen:
        action.trigger()
    target = chosen.args[0]
    assert (target.process, target.flow, target.on_request) == ("porting", "port_out", True)

    view = runs.open_run(
        sqlite_db,
        customer_id,
        target.process,
        target.flow,
        subject=target.subject,
        on_request=True,
        today=TODAY,
    )
    assert (view.process, view.step_id) == ("porting", "confirm")
    view = runs.complete_step(sqlite_db, view.case_id, {"confirmed": True}, today=TODAY)
    assert view.step_id == "done"
    case = case_row(sqlite_db, view.case_id)  # read back from the file
    assert (case.process, case.stage, case.state) == ("porting", "requested", CaseState.OPEN)
    view = runs.complete_step(sqlite_db, view.case_id, {}, today=TODAY)
    assert view.finished
    assert case_row(sqlite_db, view.case_id).state == CaseState.CLOSED


def test_the_worklist_window_lists_it_under_its_title(
    qtbot: Any, sixth: ProcessSpec, sqlite_db: Database
) -> None:
    from app.ui.worklists import WorklistWindow

    _, customer_no = _customer(sqlite_db)
    window = WorklistWindow()
    qtbot.addWidget(window)
    window.set_database(sqlite_db, TODAY)
    kinds = [window.selector.itemData(i) for i in range(window.selector.count())]
    assert kinds == ["fair-use", "reminders", "onboarding", "complaints", "porting"]
    assert window.selector.itemText(4) == "5. Porting requests  (Ctrl+5)"
    window.show_kind("porting")
    assert window.windowTitle() == "Worklist: Porting requests"
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
    assert window.model.index(0, 0).data() == customer_no
    # The process goes away while its worklist is open: the window still changes language.
    unregister(PORTING.name)
    try:
        window.retranslate()
        assert window.windowTitle() == "Worklist: porting"
    finally:
        register(PORTING)


def test_agent_assist_worklist_accepts_its_kind(
    sixth: ProcessSpec, sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _, customer_no = _customer(sqlite_db)
    url = str(sqlite_db.engine.url)
    assert main(["worklist", "porting", "--date", TODAY.isoformat(), "--db", url, "--json"]) == 0
    out = capsys.readouterr().out
    assert '"kind": "porting"' in out and customer_no in out
    with pytest.raises(SystemExit):
        main(["worklist", "--help"])
    assert "porting" in capsys.readouterr().out


def test_playbooks_check_validates_its_playbook(
    sixth: ProcessSpec, playbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_folder(playbooks) == []
    assert main(["playbooks", "check", str(playbooks)]) == 0
    capsys.readouterr()
    text = (playbooks / "porting.yaml").read_text(encoding="utf-8")
    (playbooks / "porting.yaml").write_text(text.replace("id: confirm", "id: agree"), "utf-8")
    use_playbooks_dir(playbooks)  # read the file again
    assert check_folder(playbooks) == [
        "porting.yaml: flows.port_out.steps.confirm: missing; the porting process relies on it"
    ]
    assert main(["playbooks", "check", str(playbooks)]) != 0
    assert "porting.yaml: flows.port_out.steps.confirm" in capsys.readouterr().out


def test_a_playbook_of_a_process_nobody_registered_is_refused(playbooks: Path) -> None:
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import read_playbook

    with pytest.raises(PlaybookError, match=r"porting.yaml: meta.process: is porting, expected"):
        read_playbook(playbooks / "porting.yaml")


def test_after_unregistering_it_is_gone(sqlite_db: Database) -> None:
    assert "porting" not in worklists()
    assert check_folder(resource_path("playbooks")) == []


#: The module that defines the sixth process's spec, as a declaration names it.
PROCESS = PORTING


def test_a_declared_process_is_listed_before_its_code_loads_and_loads_on_first_use() -> None:
    from app.processes import ProcessDeclaration, label_of, spec_of, worklist_titles

    declared = ProcessDeclaration(
        name="porting",
        label="Number porting",
        module=__name__,
        worklist_titles={"porting": "Porting requests"},
    )
    register(declared)  # the one line, as the shipped processes register theirs
    try:
        assert worklist_titles()["porting"] == "Porting requests"
        assert label_of("porting") == "Number porting"
        assert spec_of("porting") is PORTING
        assert "porting" in worklists()
    finally:
        unregister("porting")
    register(ProcessDeclaration("porting", "Porting", __name__, {"porting": "Porting requests"}))
    try:
        with pytest.raises(ValueError, match="does not match the declaration of porting"):
            spec_of("porting")
    finally:
        unregister("porting")
