"""The demo database: realistic, deterministic customers for every screen.

``create_demo(url, ...)`` builds (or rebuilds) a demo database from a seed and
a reference date; ``ensure_demo_database(url)`` creates it on first use, for
``agent-assist --demo``. The heavy parts (SQLAlchemy, the generator) load only
when one of them is called, so importing the defaults stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

DEFAULT_SEED = 20100317
DEFAULT_CUSTOMERS = 300
#: The ``app_meta`` key marking a database as a demo database.
DEMO_MARK_KEY = "demo"

if TYPE_CHECKING:
    from app.services.demo.service import (
        DemoSummary,
        DemoTarget,
        NotADemoDatabaseError,
        create_demo,
        ensure_demo_database,
        inspect_target,
        minimum_customers,
    )

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "DEMO_MARK_KEY",
    "DemoSummary",
    "DemoTarget",
    "NotADemoDatabaseError",
    "create_demo",
    "ensure_demo_database",
    "inspect_target",
    "minimum_customers",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from app.services.demo import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
