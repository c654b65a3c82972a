"""Services, guides, commands, screens and letters ask the store's repositories; they build and
run no query themselves.

A source scan of every module under ``app/services``, ``app/processes``,
``app/commands``, ``app/ui`` and ``app/letters``: none imports
``select``/``text``/``insert``/``update``/``delete`` from SQLAlchemy or calls
``execute``/``scalars``/``scalar``/``query``/``get`` on a session; what they
need to know is a repository method named for what it answers
(``uow.customers.any()``, ``uow.history.chain_links(customer_id)``).

The only exceptions are the query modules of :data:`QUERY_MODULES`, whose
set-based statements are what they are for. ``app/store/`` (repositories,
``history_query.py``, ``search.py``) is where queries belong, and ``app/sync/``
is not scanned either: the replication engine is store layer by nature — it
copies rows, outbox entries and whole tables between databases below the
repositories, under the triggers of migration 0008.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
SCANNED = ("services", "processes", "commands", "ui", "letters")
#: Query modules of their own, allowed to build and run their statements (paths below app/).
#: Each must hold a query (a test checks it), so the list cannot outlive its reason.
QUERY_MODULES = {
    # The reports: one set-based query each, over every customer, and the report base's
    # period and partner conditions. Their charts, words and writers are scanned.
    "services/reports/base.py",
    "services/reports/complaints.py",
    "services/reports/controlling.py",
    "services/reports/device_plans.py",
    "services/reports/fair_use.py",
    "services/reports/onboarding.py",
    "services/reports/reminders.py",
    # The ticket queue's statement (its due dates and overdue flag computed on the server);
    # the tickets repository applies its conditions and runs it.
    "services/ticket_query.py",
}
QUERY_BUILDERS = {"select", "text", "insert", "update", "delete"}
SESSION_CALLS = {"execute", "scalars", "scalar", "query", "get"}


def scanned_modules() -> list[str]:
    """Every module of the scanned packages, except the query modules (paths below app/)."""
    return sorted(
        module
        for folder in SCANNED
        for path in (APP / folder).rglob("*.py")
        if (module := path.relative_to(APP).as_posix()) not in QUERY_MODULES
    )


def direct_queries(source: str) -> list[str]:
    """Where ``source`` builds or runs a query itself, as ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [
                f"{node.lineno}: imports {a.name}" for a in node.names if a.name in QUERY_BUILDERS
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_CALLS
            and ast.unparse(node.func.value).endswith("session")
        ):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}")
    return found


@pytest.mark.parametrize("module", scanned_modules())
def test_module_runs_no_query_of_its_own(module: str) -> None:
    source = (APP / module).read_text(encoding="utf-8")
    assert direct_queries(source) == [], f"{module} queries directly; use a repository"


def test_every_package_is_scanned() -> None:
    modules = scanned_modules()
    for folder in SCANNED:
        assert any(m.startswith(f"{folder}/") for m in modules), folder
    assert {
        "commands/history.py",
        "commands/todo.py",
        "services/case_record.py",
        "services/history_browser.py",
        "services/reports/writers.py",
    } <= set(modules)


@pytest.mark.parametrize("module", sorted(QUERY_MODULES))
def test_an_allowed_module_is_a_query_module(module: str) -> None:
    """An exception that no longer queries is dropped from :data:`QUERY_MODULES`."""
    assert direct_queries((APP / module).read_text(encoding="utf-8")), module


def test_the_scan_finds_a_direct_query() -> None:
    source = (
        "from sqlalchemy import select\n"
        "def f(session, uow):\n"
        "    session.scalar(select(User))\n"
        "    uow.session.execute(q)\n"
        "    cursor.execute(ddl)\n"
    )
    assert direct_queries(source) == [
        "1: imports select",
        "3: session.scalar",
        "4: uow.session.execute",
    ]


def test_a_query_planted_in_a_scanned_module_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The scan reads the real files: a module of its own with a query fails it."""
    app = tmp_path / "app"
    for folder in SCANNED:
        (app / folder).mkdir(parents=True)
    (app / "services" / "clean.py").write_text("def f(uow):\n    return uow.customers.any()\n")
    (app / "ui" / "sub").mkdir()
    (app / "ui" / "sub" / "planted.py").write_text(
        "from sqlalchemy import func, select\n"
        "def count(db):\n"
        "    with db.session() as session:\n"
        "        return session.scalar(select(func.count()))\n"
    )
    monkeypatch.setitem(globals(), "APP", app)
    assert scanned_modules() == ["services/clean.py", "ui/sub/planted.py"]
    test_module_runs_no_query_of_its_own("services/clean.py")
    with pytest.raises(AssertionError, match=r"ui/sub/planted\.py queries directly"):
        test_module_runs_no_query_of_its_own("ui/sub/planted.py")
