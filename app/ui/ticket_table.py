"""The ticket queue's table: its rows loaded off the GUI thread, and their model.

Columns: due date (overdue ones marked in red with a warning icon and said so
to screen readers), customer, name, status, number of answers, reason and what
is asked, in the service's order (overdue first, then by due date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.i18n import N_, _, format_date
from app.services.tickets import TicketRow, partner_choices, ticket_queue
from app.ui.qt import QColor, QIcon, QObject, Qt
from app.ui.table_model import RowTableModel

if TYPE_CHECKING:
    from app.store.db import Database

COLUMNS = (
    N_("Due"),
    N_("Customer"),
    N_("Name"),
    N_("Status"),
    N_("Answers"),
    N_("Reason"),
    N_("What is asked"),
)
DUE_COLUMN = 0
REASON_COLUMN = 5
SUBJECT_COLUMN = 6
OVERDUE_COLOUR = QColor("#b3261e")


@dataclass(frozen=True)
class QueueData:
    """What the worker loads: the rows, and what the filters may offer."""

    rows: list[TicketRow]
    #: (code, name) of the partners to filter by; empty for a partner's login.
    partners: list[tuple[str, str]]
    #: Whether the user answers tickets (a partner's login).
    answers: bool


def load_queue(
    db: Database, today: date | None, partner_code: str | None, overdue_only: bool
) -> QueueData:
    """The queue and its filters (worker thread)."""
    from app.services.identity import current
    from app.services.permissions import Action, allowed
    from app.services.playbooks import load_all

    load_all()  # reasons are worded from the playbooks on the GUI thread
    rows = ticket_queue(db, today, partner_code=partner_code, overdue_only=overdue_only)
    return QueueData(rows, partner_choices(db), allowed(current(db), Action.ANSWER_TICKETS))


class TicketQueueModel(RowTableModel[TicketRow]):
    """The queue's rows, in the service's order."""

    columns = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TicketRow] = []
        self.warning: QIcon | None = None

    def replace_row(self, row: TicketRow) -> None:
        """Show ``row`` where the ticket is listed (after an answer)."""
        for i, old in enumerate(self.rows):
            if old.id == row.id:
                self.rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def cell(self, row: TicketRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == DUE_COLUMN and row.overdue:
            return self.warning
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue and column == DUE_COLUMN:
            return OVERDUE_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.reason}\n{row.subject}"
        if role == Qt.ItemDataRole.AccessibleTextRole and column == DUE_COLUMN and row.overdue:
            return self._text(row, column) + " " + _("overdue")
        return None

    @staticmethod
    def _text(row: TicketRow, column: int) -> str:
        if column == DUE_COLUMN:
            if row.due is None:
                return "–"
            due = format_date(row.due)
            return _("{date} (overdue)").format(date=due) if row.overdue else due
        if column == 1:
            return row.customer_no
        if column == 2:
            return row.customer_name
        if column == 3:
            return row.status_words
        if column == 4:
            return str(row.answers)
        if column == REASON_COLUMN:
            return row.reason
        return row.subject
