"""The rules stay pure: no Qt, no SQL, no I/O, nothing of the project outside app.domain."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
RULE_MODULES = [
    "calendar",
    "money",
    "errors",
    "rule_schema",
    "rule_tables",
    "ruleset",
    "fair_use",
    "expiry",
    "goodwill",
    "contracts",
    "onboarding",
    "complaints",
]
FORBIDDEN = {"PySide6", "sqlalchemy", "alembic", "psycopg", "reportlab", "os", "io", "pathlib"}


def imported_modules(tree: ast.AST) -> Iterator[str]:
    """Every module an ``import`` or ``from ... import`` of ``tree`` names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_module_imports(name: str) -> None:
    tree = ast.parse((DOMAIN / f"{name}.py").read_text(encoding="utf-8"))
    for module in imported_modules(tree):
        root = module.split(".")[0]
        assert root not in FORBIDDEN, f"{name} imports {module}"
        if root == "app":
            assert module.startswith("app.domain"), f"{name} imports {module}"
    assert ast.get_docstring(tree), f"{name} explains itself in a docstring"
