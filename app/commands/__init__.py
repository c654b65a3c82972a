"""Sub-commands of ``agent-assist``, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets
``handler`` (a function ``(args) -> int`` returning the exit code). Modules
import their heavy dependencies (Qt, SQLAlchemy, reportlab) inside the handler,
so ``agent-assist rules`` starts without loading the GUI or the database.
"""

from __future__ import annotations

#: Module names below ``app.commands``, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "db",
    "demo",
    "diagnostics",
    "history",
    "importer",
    "letters",
    "playbooks",
    "rules",
    "todo",
    "users",
    "worklist",
)
