"""The processes, each a package of its own: guide, to-do items, worklists, wording and the
playbook ids its code relies on, behind one :class:`ProcessSpec`.

The to-do list, the worklists, the window and ``playbooks check`` iterate over
:func:`processes`; a process is added by writing its package and registering its
declaration (``DECLARED``: name, label, worklist kinds and titles) below, one line each;
its spec (``PROCESS`` in its ``process`` module: guide, to-do items, worklists, wording)
loads the first time something asks for it, so the window is built without the processes'
code. Registration order is the order of the worklists and
of "Start a process"; ``ProcessSpec.urgency`` orders items due the same day.
"""

from __future__ import annotations

from app.processes.base import (
    CaseFacts,
    CustomerFacts,
    Facts,
    GuideContext,
    NoFacts,
    PartnerFacts,
    ProcessDeclaration,
    ProcessGuide,
    ProcessSpec,
    TodoContext,
    WorklistBuilder,
)

__all__ = [
    "CaseFacts",
    "CustomerFacts",
    "Facts",
    "GuideContext",
    "PartnerFacts",
    "ProcessDeclaration",
    "ProcessGuide",
    "ProcessSpec",
    "TodoContext",
    "guide_for",
    "label_of",
    "processes",
    "register",
    "spec_of",
    "unregister",
    "worklist_titles",
    "worklists",
]

_REGISTRY: dict[str, ProcessSpec | ProcessDeclaration] = {}


def register(spec: ProcessSpec | ProcessDeclaration) -> ProcessSpec | ProcessDeclaration:
    """Add (or replace) a process: its spec, or its declaration (the spec loads on first use)."""
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def _loaded(entry: ProcessSpec | ProcessDeclaration) -> ProcessSpec:
    """The spec of a registered process, imported the first time it is asked for."""
    if isinstance(entry, ProcessSpec):
        return entry
    spec = entry.load()
    if _REGISTRY.get(entry.name) is entry:
        _REGISTRY[entry.name] = spec
    return spec


def processes() -> tuple[ProcessSpec, ...]:
    """Every registered process, in registration order."""
    return tuple(_loaded(entry) for entry in list(_REGISTRY.values()))


def spec_of(process: str) -> ProcessSpec | None:
    entry = _REGISTRY.get(process)
    return _loaded(entry) if entry is not None else None


def label_of(process: str) -> str | None:
    """The process's name (marked with ``N_``) without loading its code; None: unknown."""
    entry = _REGISTRY.get(process)
    return entry.label if entry is not None else None


def guide_for(process: str) -> ProcessGuide:
    """The guide of ``process``; a process without one gets a guide that adds no facts,
    so its playbook still runs on the built-in facts."""
    spec = spec_of(process)
    return spec.guide if spec is not None else NoFacts(process)


def worklists() -> dict[str, WorklistBuilder]:
    """Every worklist by kind, in registration order."""
    return {kind: build for spec in processes() for kind, build in spec.worklists.items()}


def worklist_titles() -> dict[str, str]:
    """Every worklist kind -> its name (marked with ``N_``; the kind when it has none), in
    registration order. Read from the declarations: the processes' code does not load."""
    titles: dict[str, str] = {}
    for entry in list(_REGISTRY.values()):
        kinds = entry.worklists if isinstance(entry, ProcessSpec) else entry.worklist_titles
        titles.update((kind, entry.worklist_titles.get(kind, kind)) for kind in kinds)
    return titles


from app.processes import complaint, contract, expiry, fair_use, onboarding  # noqa: E402

register(fair_use.DECLARED)
register(expiry.DECLARED)
register(contract.DECLARED)
register(onboarding.DECLARED)
register(complaint.DECLARED)
