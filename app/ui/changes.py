"""What a background operation changed, and the one signal that tells every screen.

As Anki's ``CollectionOp`` returns ``OpChanges`` and fires
``operation_did_execute``: an :class:`~app.ui.worker.Op` that writes says what
it changed (``Op(...).changes(...)``: a :class:`Changes`, or a function of the
operation's result that gives one); after it succeeded, the worker reports
that on :func:`change_bus`. Every screen subscribes with :func:`on_changes`
and refreshes itself when a change concerns what it shows, so no screen
refreshes another by hand. ``initiator`` is the object that started the
operation (the op's owner), for a screen that already shows its own outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from app.ui.qt import QObject, Signal


@dataclass(frozen=True, slots=True)
class Changes:
    """Which customers an operation touched and which kinds of data it changed."""

    #: The customers whose data changed.
    customers: frozenset[uuid.UUID] = frozenset()
    #: History entries were added (a note, a recorded step, an issued letter).
    history: bool = False
    #: Cases changed: opened, advanced, closed (stage, facts, state).
    cases: bool = False
    #: Letters were requested or issued.
    letters: bool = False
    #: A note was added (its history entry is ``history`` too).
    notes: bool = False
    #: The settings changed (agent name, database).
    settings: bool = False
    #: The UI language changed (texts re-word themselves through ``bind_retranslate``).
    language: bool = False

    @classmethod
    def of(cls, customers: Iterable[uuid.UUID] = (), **kinds: bool) -> Changes:
        """``Changes.of([customer_id], history=True, cases=True)``."""
        return cls(customers=frozenset(customers), **kinds)

    def __bool__(self) -> bool:
        """Whether anything changed at all."""
        return any(getattr(self, f.name) for f in fields(self) if f.name != "customers")

    def __or__(self, other: Changes) -> Changes:
        kinds = {
            f.name: getattr(self, f.name) or getattr(other, f.name)
            for f in fields(self)
            if f.name != "customers"
        }
        return replace(self, customers=self.customers | other.customers, **kinds)

    def touches(self, customer_id: uuid.UUID | None) -> bool:
        """Whether the data of ``customer_id`` changed."""
        return customer_id is not None and customer_id in self.customers


#: What ``Op.changes`` accepts: the changes, or a function of the op's result.
ChangesOf = Changes | Callable[[Any], Changes]


class ChangeBus(QObject):
    """The application-wide signal: an operation changed something."""

    #: (Changes, initiator) after every background operation that changed something.
    operation_did_execute = Signal(object, object)

    def report(self, changes: Changes, initiator: object | None = None) -> None:
        """Tell every screen what changed (nothing is said when nothing changed)."""
        if changes:
            self.operation_did_execute.emit(changes, initiator)


_bus: ChangeBus | None = None


def change_bus() -> ChangeBus:
    """The one bus of the application (created on first use, on the GUI thread)."""
    global _bus
    if _bus is None:
        _bus = ChangeBus()
    return _bus


def on_changes(slot: Callable[[Changes, object], None]) -> None:
    """Call ``slot(changes, initiator)`` after every operation that changed something.

    ``slot`` is a method of a QObject (a screen): Qt ends the connection when that
    object is destroyed, so a closed screen is never called."""
    change_bus().operation_did_execute.connect(slot)


__all__ = ["ChangeBus", "Changes", "ChangesOf", "change_bus", "on_changes"]
