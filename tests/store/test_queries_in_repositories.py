"""Services and guides ask the store's repositories; they build and run no query themselves.

A source scan: the modules below neither import ``select``/``text`` from
SQLAlchemy nor call ``execute``/``scalars``/``scalar``/``query``/``get`` on a session.
The reports and the history browser keep their set-based queries in query
modules of their own and are not listed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
MODULES = [
    "services/identity.py",
    "services/users.py",
    "services/history_check.py",
    "services/tickets.py",
    "processes/fair_use/tickets.py",
]
QUERY_BUILDERS = {"select", "text", "insert", "update", "delete"}
SESSION_CALLS = {"execute", "scalars", "scalar", "query", "get"}


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


@pytest.mark.parametrize("module", MODULES)
def test_module_runs_no_query_of_its_own(module: str) -> None:
    source = (APP / module).read_text(encoding="utf-8")
    assert direct_queries(source) == [], f"{module} queries directly; use a repository"


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
