"""An import's result depends on its file, not on the order of rows or on running it twice.

A device-plans file may end a customer's active plan and start another; the
row that starts it used to be refused when it stood before the row that
ends the blocking plan, and imported on a second run. Now every row is judged
against the state the whole file leads to: any order of the rows, any batch
size, gives the same plans, the same counts and the same refused rows, and a
second run changes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.resources import resource_path
from app.services.importing import Problem, run_import
from app.store.db import Database
from app.store.models import Customer, DevicePlan

HEADER = "customer_no,plan_no,activated,financed_amount,instalment,status\n"
ROWS = [
    # CH-100001 ends its active plan DP-0017 and starts DP-NEW-A: both go through.
    "CH-100001,DP-0017,2025-03-01,1199.00,49.95,ended",
    "CH-100001,DP-NEW-A,2026-03-01,600.00,25.00,active",
    # CH-100003 keeps DP-0042 and the file would start two more: both refused.
    "CH-100003,DP-NEW-B,2026-03-01,600.00,25.00,active",
    "CH-100003,DP-NEW-C,2026-03-02,600.00,25.00,",
    # CN-200001's row ending DP-8801 is refused for itself, so DP-NEW-D is too.
    "CN-200001,DP-8801,2025-12-01,5999.00,9999.00,ended",
    "CN-200001,DP-NEW-D,2026-03-01,600.00,25.00,active",
    # CH-100002 has no plan: one active and one ended plan are fine.
    "CH-100002,DP-NEW-E,2026-03-01,600.00,25.00,active",
    "CH-100002,DP-NEW-F,2025-03-01,600.00,25.00,ended",
    # RU-300001 would reactivate DP-7001 and start DP-NEW-G: both refused.
    "RU-300001,DP-7001,2023-01-15,36000.00,3000.00,active",
    "RU-300001,DP-NEW-G,2026-03-01,600.00,25.00,active",
    # A plan of another customer cannot block CH-100004's new plan.
    "CH-100004,DP-0042,2025-08-20,1440.00,60.00,active",
    "CH-100004,DP-NEW-H,2026-03-01,600.00,25.00,active",
]
EXPECTED_ACTIVE = {
    ("CH-100001", "DP-NEW-A"),
    ("CH-100002", "DP-NEW-E"),
    ("CH-100003", "DP-0042"),
    ("CH-100004", "DP-NEW-H"),
    ("CN-200001", "DP-8801"),
}
EXPECTED_REFUSED = {"DP-NEW-B", "DP-NEW-C", "DP-8801", "DP-NEW-D", "DP-7001", "DP-NEW-G", "DP-0042"}


def _load_samples(db: Database) -> None:
    for kind in ("partners", "customers", "subscriptions", "device-plans"):
        path = resource_path("samples", "import", f"{kind}.csv")
        assert run_import(db, kind, path, author="test").rejected == 0


@pytest.fixture(scope="module")
def loaded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("order") / "loaded.sqlite3"
    db = Database(f"sqlite:///{path.as_posix()}")
    _load_samples(db)
    db.dispose()
    return path


def _state(db: Database) -> set[tuple[str, str, str]]:
    with db.transaction() as session:
        rows = session.execute(
            select(Customer.customer_no, DevicePlan.plan_no, DevicePlan.status).join(
                Customer, Customer.id == DevicePlan.customer_id
            )
        ).all()
    return {(no, plan, str(getattr(status, "value", status))) for no, plan, status in rows}


def _import(db: Database, rows: list[str], folder: Path, batch_size: int) -> tuple[str, set[str]]:
    path = folder / "device-plans.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    problems: list[Problem] = []
    summary = run_import(
        db, "device-plans", path, author="test", batch_size=batch_size, report=problems.append
    )
    refused = {rows[p.line - 2].split(",")[1] for p in problems}
    return summary.text(), refused


def _active(state: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    return {(no, plan) for no, plan, status in state if status == "active"}


@pytest.fixture
def fresh(loaded_template: Path) -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite3"
        shutil.copyfile(loaded_template, path)
        db = Database(f"sqlite:///{path.as_posix()}")
        yield db
        db.dispose()


def test_the_file_decides_on_both_engines(db: Database, tmp_path: Path) -> None:
    _load_samples(db)
    summary, refused = _import(db, ROWS, tmp_path, 1000)
    assert refused == EXPECTED_REFUSED
    assert _active(_state(db)) == EXPECTED_ACTIVE
    assert summary == "imported 4, updated 1, unchanged 0, rejected 7"
    again, refused_again = _import(db, ROWS, tmp_path, 1000)
    assert refused_again == EXPECTED_REFUSED
    assert again == "imported 0, updated 0, unchanged 5, rejected 7"


def test_a_row_before_the_one_that_ends_its_blocker_is_imported_the_first_time(
    fresh: Database, tmp_path: Path
) -> None:
    rows = [ROWS[1], ROWS[0]]  # start DP-NEW-A, then end DP-0017
    summary, refused = _import(fresh, rows, tmp_path, 1000)
    assert (summary, refused) == ("imported 1, updated 1, unchanged 0, rejected 0", set())
    assert _import(fresh, rows, tmp_path, 1000)[0] == (
        "imported 0, updated 0, unchanged 2, rejected 0"
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.permutations(ROWS), st.sampled_from([1, 2, 5, 1000]))
def test_any_order_and_batch_size_give_the_same_result(
    loaded_template: Path, rows: list[str], batch_size: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "db.sqlite3"
        shutil.copyfile(loaded_template, path)
        db = Database(f"sqlite:///{path.as_posix()}")
        try:
            summary, refused = _import(db, rows, folder, batch_size)
            assert refused == EXPECTED_REFUSED
            assert summary == "imported 4, updated 1, unchanged 0, rejected 7"
            first = _state(db)
            assert _active(first) == EXPECTED_ACTIVE
            again, refused_again = _import(db, rows, folder, batch_size)
            assert (again, refused_again) == (
                "imported 0, updated 0, unchanged 5, rejected 7",
                EXPECTED_REFUSED,
            )
            assert _state(db) == first
        finally:
            db.dispose()
