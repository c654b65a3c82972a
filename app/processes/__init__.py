"""The processes, each a package of its own: guide, to-do items, worklists, wording and the
playbook ids its code relies on, behind one :class:`ProcessSpec`.

The to-do list, the worklists, the window and ``playbooks check`` iterate over
:func:`processes`; a process is added by writing its package and registering its
``PROCESS`` below, one line each. Registration order is the order of the worklists and
of "Start a process"; ``ProcessSpec.urgency`` orders items due the same day.
"""

from __future__ import annotations

from app.processes.base import (
    Facts,
    GuideContext,
    NoFacts,
    ProcessGuide,
    ProcessSpec,
    TodoContext,
    WorklistBuilder,
)

__all__ = [
    "Facts",
    "GuideContext",
    "ProcessGuide",
    "ProcessSpec",
    "TodoContext",
    "guide_for",
    "processes",
    "register",
    "spec_of",
    "unregister",
    "worklist_titles",
    "worklists",
]

_REGISTRY: dict[str, ProcessSpec] = {}


def register(spec: ProcessSpec) -> ProcessSpec:
    """Add (or replace) a process."""
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def processes() -> tuple[ProcessSpec, ...]:
    """Every registered process, in registration order."""
    return tuple(_REGISTRY.values())


def spec_of(process: str) -> ProcessSpec | None:
    return _REGISTRY.get(process)


def guide_for(process: str) -> ProcessGuide:
    """The guide of ``process``; a process without one gets a guide that adds no facts,
    so its playbook still runs on the built-in facts."""
    spec = _REGISTRY.get(process)
    return spec.guide if spec is not None else NoFacts(process)


def worklists() -> dict[str, WorklistBuilder]:
    """Every worklist by kind, in registration order."""
    return {kind: build for spec in processes() for kind, build in spec.worklists.items()}


def worklist_titles() -> dict[str, str]:
    """Every worklist kind -> its name (marked with ``N_``; the kind when it has none), in
    registration order."""
    return {
        kind: spec.worklist_titles.get(kind, kind)
        for spec in processes()
        for kind in spec.worklists
    }


from app.processes import complaint, contract, expiry, fair_use, onboarding  # noqa: E402

register(fair_use.PROCESS)
register(expiry.PROCESS)
register(contract.PROCESS)
register(onboarding.PROCESS)
register(complaint.PROCESS)
