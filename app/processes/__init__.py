"""Process guides: one module per process, each defining ``GUIDE``.

``guide_for("fair_use")`` imports ``app.processes.fair_use.guide`` and returns
its ``GUIDE``; a process without a module of its own gets a guide that adds
no facts, so its playbook still runs on the built-in facts.
"""

from __future__ import annotations

import importlib
from functools import cache

from app.processes.base import Facts, GuideContext, NoFacts, ProcessGuide

__all__ = ["Facts", "GuideContext", "ProcessGuide", "guide_for"]


@cache
def guide_for(process: str) -> ProcessGuide:
    try:
        module = importlib.import_module(f"app.processes.{process}.guide")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"app.processes.{process}", f"app.processes.{process}.guide"):
            raise
        return NoFacts(process)
    guide: ProcessGuide = module.GUIDE
    return guide
