"""A guide gets the customer, its partner and the case as plain read-only records, never the
stored rows; so do the to-do items the customer.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.processes import CaseFacts, CustomerFacts, ProcessSpec, TodoContext
from app.processes import processes as all_processes
from app.processes.fair_use.guide import FairUseGuide
from app.services import runs, todo
from app.store.db import Database
from tests.processes.helpers import case_row
from tests.processes.test_fair_use_guide import TODAY
from tests.processes.test_fair_use_guide import _customer as fair_use_customer

#: What a meddling guide tries to set: (on the case or the customer, attribute, value).
ATTEMPTS = (
    ("case", "stage", "3"),
    ("case", "subject", "2026-04"),
    ("case", "facts", {"outcome": "meddled"}),
    ("customer", "name", "Someone Else"),
    ("customer", "vip", True),
    ("customer", "products", ("mobile_tv",)),
    ("partner", "country", "DE"),
)


@pytest.fixture
def meddled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The fair-use guide's ``after_step``, first trying to change what it was shown;
    returns what it managed to change: (what, how)."""
    changed: list[tuple[str, str]] = []
    after_step = FairUseGuide.after_step

    def meddling(self: FairUseGuide, ctx: Any, step: Any, answers: Any) -> Any:
        assert isinstance(ctx.case, CaseFacts) and isinstance(ctx.customer, CustomerFacts)
        for where, name, value in ATTEMPTS:
            try:
                setattr(getattr(ctx, where), name, value)
            except dataclasses.FrozenInstanceError:
                continue
            changed.append((f"{where}.{name}", "set"))
        try:
            ctx.case.facts["outcome"] = "meddled"
        except TypeError:
            pass
        else:
            changed.append(("case.facts", "item set"))
        return after_step(self, ctx, step, answers)

    monkeypatch.setattr(FairUseGuide, "after_step", meddling)
    return changed


def test_a_guide_cannot_change_the_case_or_the_customer_it_is_shown(
    sqlite_db: Database, meddled: list[tuple[str, str]]
) -> None:
    customer = fair_use_customer(sqlite_db, exceeded=("2026-03",))
    view = runs.open_run(sqlite_db, customer, "fair_use", "stage_1", subject="2026-03", today=TODAY)
    view = runs.complete_step(sqlite_db, view.case_id, {}, today=TODAY, author="anna")
    assert view.step_id == "record_sms_1"
    assert meddled == []
    case = case_row(sqlite_db, view.case_id)
    # The step's own change (its stage effect) is recorded; nothing the guide tried.
    assert (case.stage, case.subject) == ("1", "2026-03")
    assert "outcome" not in case.facts


def test_the_case_record_is_a_read_only_copy_of_the_cases_facts() -> None:
    stored = {"decision": {"measure": "migration"}}
    row: Any = SimpleNamespace(
        id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        process="fair_use",
        subject="2026-03",
        stage="3",
        facts=stored,
    )
    record = CaseFacts.of(row)
    with pytest.raises(TypeError):
        record.facts["decision"] = {}  # type: ignore[index]
    record.facts["decision"]["measure"] = "termination"  # a copy: the row keeps its own
    assert stored == {"decision": {"measure": "migration"}}


def test_to_do_items_are_built_from_the_customer_as_a_read_only_record(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = fair_use_customer(sqlite_db, exceeded=("2026-03",))
    shown: list[Any] = []

    def probe(ctx: TodoContext) -> list[Any]:
        shown.append(ctx.customer)
        return []

    monkeypatch.setattr(todo, "processes", lambda: [ProcessSpec(name="probe", todo=probe)])
    todo.todo_for_customer(sqlite_db, customer, TODAY)
    [seen] = shown
    assert isinstance(seen, CustomerFacts) and seen.id == customer
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen.name = "Someone Else"  # type: ignore[misc]


#: Modules of the guides' own besides each process's guide module.
GUIDE_HELPERS = (
    "app.processes.base",
    "app.processes.common",
    "app.processes.facts_once",
    "app.processes.tariffs",
    "app.processes.expiry.goodwill",
    "app.processes.contract.records",
)


class _RuntimeImports(ast.NodeVisitor):
    """The modules a source imports when it runs (not under ``if TYPE_CHECKING:``)."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module:
            self.found.add(node.module)
            self.found.update(f"{node.module}.{alias.name}" for alias in node.names)


def _guide_modules() -> list[str]:
    names = [spec.guide_module for spec in all_processes() if spec.guide_module]
    return sorted({*names, *GUIDE_HELPERS})


@pytest.mark.parametrize("module", _guide_modules())
def test_a_guide_module_builds_no_stored_rows_of_its_own(module: str) -> None:
    """Guides read plain records and write through the repositories of ``ctx.uow``: no
    guide module imports the ORM models when it runs (only for type hints), none sets a
    row's attribute."""
    found = importlib.util.find_spec(module)
    assert found is not None and found.origin is not None
    tree = ast.parse(Path(found.origin).read_text(encoding="utf-8"))
    visitor = _RuntimeImports()
    visitor.visit(tree)
    assert not {name for name in visitor.found if name.startswith("app.store.models")}
    # Nor does it set an attribute of a row (or of anything but the guide itself).
    assert [
        f"line {target.lineno}: {ast.unparse(target)}"
        for target in ast.walk(tree)
        if isinstance(target, ast.Attribute)
        and isinstance(target.ctx, ast.Store | ast.Del)
        and not (isinstance(target.value, ast.Name) and target.value.id == "self")
    ] == []
