"""The table models of the screens: one object per row, a few columns, words by role.

:class:`RowTableModel` holds what every table of rows does the same way (the
worklists, the ticket queue, the history browser, reports, letters): the rows
as a list, ``rowCount``/``columnCount``, the translated column headers, the
row behind an index (also as :data:`RowRole` for views and tests) and saying
every cell again after a language change. A screen's model says only what
differs: its columns and what one cell shows for a role::

    class TicketModel(RowTableModel[TicketRow]):
        columns = (N_("Due"), N_("Customer"))

        def cell(self, row: TicketRow, column: int, role: int) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_date(row.due) if column == 0 else row.customer_no
            return None

Paging is the model's own: override ``rowCount`` (rows shown so far) and
``canFetchMore``/``fetchMore``; ``row_at`` serves only the rows counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from app.i18n import _
from app.ui.qt import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

#: What Qt passes for a cell or a parent.
Index = QModelIndex | QPersistentModelIndex
#: The row object behind a cell (``index.data(RowRole)``).
RowRole = Qt.ItemDataRole.UserRole + 1

T = TypeVar("T")


class RowTableModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T``, one a line; :attr:`columns` names the columns (marked with ``N_``)."""

    #: The column headers, marked with ``N_`` and translated when shown.
    columns: Sequence[str] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: Sequence[T] = []

    # -- what a screen's model says ---------------------------------------------------

    def cell(self, row: T, column: int, role: int) -> Any:
        """What the cell of ``row`` in ``column`` shows for ``role`` (``None``: nothing)."""
        return None

    def header(self, section: int, role: int) -> Any:
        """The header of column ``section`` for ``role``: its name in the UI language."""
        return _(self.columns[section]) if role == Qt.ItemDataRole.DisplayRole else None

    # -- the rows -----------------------------------------------------------------------

    def set_rows(self, rows: Sequence[T]) -> None:
        """Show ``rows`` instead of the rows shown (a copy is kept)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T | None:
        """The row shown at ``row``, ``None`` past the rows shown."""
        return self.rows[row] if 0 <= row < self.rowCount() else None

    def retranslate(self) -> None:
        """Say the headers and every cell shown again (the UI language changed)."""
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self.rowCount() and self.columns:
            last = self.index(self.rowCount() - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- Qt's side ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        return self.header(section, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        if role == RowRole:
            return row
        return self.cell(row, index.column(), role)


__all__ = ["Index", "RowRole", "RowTableModel"]
