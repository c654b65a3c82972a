"""The windows of the work across customers: the ticket queue, the history browser, reports.

Partners answer their tickets in the ticket queue; agents and supervisors see
it too (every partner's tickets, overdue ones first). Supervisors and
administrators browse the history of all customers and run the reports. Each
window is its own top-level window, made the first time it is asked for (so
the main window starts without their modules) and kept in step with the main
window's database and day. Choosing a customer in any of them opens it in the
main window.

A partner's window opens on the ticket queue: answering tickets is all a
partner does.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from app.services.permissions import Action
from app.store.enums import Role

if TYPE_CHECKING:
    from app.services.identity import Identity
    from app.store.db import Database
    from app.ui.main_window import MainWindow
    from app.ui.qt import QWidget


class _WorkWindow(Protocol):
    """What the three windows have in common (``app.ui.ticket_queue`` and the others)."""

    def set_database(self, db: Database, today: date) -> None: ...


#: Window name -> (module, class, the actions that may show it: any one suffices).
WINDOWS: dict[str, tuple[str, str, tuple[Action, ...]]] = {
    "tickets": (
        "app.ui.ticket_queue",
        "TicketQueueWindow",
        (Action.ANSWER_TICKETS, Action.WORKLISTS),
    ),
    "history": ("app.ui.history_browser", "HistoryBrowserWindow", (Action.REPORTS,)),
    "reports": ("app.ui.reports_window", "ReportsWindow", (Action.REPORTS,)),
}


class RoleWindows:
    """Makes, shows and updates the ticket queue, history browser and reports windows."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        #: The windows made so far, by name (see :data:`WINDOWS`).
        self.made: dict[str, QWidget] = {}

    def may_show(self, name: str) -> bool:
        """Whether the current user may open the window ``name`` (True while unknown)."""
        return any(self.window.may(action) for action in WINDOWS[name][2])

    def show(self, name: str) -> QWidget | None:
        """Show the window ``name``, made on first use, on the main window's database."""
        db = self.window.db
        if db is None or not self.may_show(name):
            return None
        widget = self.made.get(name)
        if widget is None:
            import importlib

            module, cls, _actions = WINDOWS[name]
            widget = getattr(importlib.import_module(module), cls)(self.window)
            widget.open_requested.connect(self._open_customer)  # type: ignore[attr-defined]
            self.made[name] = widget
        cast(_WorkWindow, widget).set_database(db, self.window.today or date.today())
        widget.show()
        widget.raise_()
        widget.activateWindow()
        return widget

    def set_database(self, db: Database | None) -> None:
        """Follow the main window to another database: open windows show it, or close."""
        for widget in self.made.values():
            if db is None:
                widget.close()
            else:
                cast(_WorkWindow, widget).set_database(db, self.window.today or date.today())

    def identity_known(self, identity: Identity) -> None:
        """Close what the user may not see; a partner starts on the ticket queue."""
        for name, widget in self.made.items():
            if not self.may_show(name):
                widget.close()
        if identity.role is Role.PARTNER and not identity.owner:
            self.show("tickets")

    def _open_customer(self, customer_id: uuid.UUID) -> None:
        window = self.window
        window.activateWindow()
        window.raise_()
        window.open_customer(customer_id)
