"""The reports window: the six reports of MULTIUSER.md as a table and a chart.

Choose a report and a range of months, Run (Ctrl+R, or Enter): the report is
made off the GUI thread (:class:`app.ui.worker.Op`) by
:mod:`app.services.reports`, which also checks the user may run it. The
table shows the rows with translated column headers, ids and dates in words
(:mod:`app.services.reports.words`; the raw value as the cell's tooltip); the chart (an SVG drawn
with reportlab, see :mod:`app.services.reports.charts`) sits beside it. Export
CSV / Export XLSX write the rows shown, with the exact column names of the
spec; Save chart as PNG paints the chart into a PNG file. Files are written
off the GUI thread too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal as babel_decimal
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QFileDialog

from app.domain.calendar import add_months
from app.i18n import N_, _, babel_locale, format_decimal, ngettext, ui_language
from app.services.reports import REPORTS, Row, rows
from app.services.reports.charts import ChartData, chart_svg, save_png
from app.services.reports.words import cell_words, warm
from app.services.reports.writers import write_csv, write_xlsx
from app.ui.common import add_keys, bind_retranslate, date_edit, hint_label, row_table, say
from app.ui.latest import Latest
from app.ui.qt import (
    QByteArray,
    QComboBox,
    QDate,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QObject,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.table_model import RowTableModel
from app.ui.worker import Op, describe_error

if TYPE_CHECKING:
    from app.store.db import Database
    from app.ui.qt import QDateEdit

#: The column names of the spec (kept in files) -> their words on screen.
COLUMN_LABELS: dict[str, str] = {
    "month": N_("Month"),
    "stage": N_("Stage"),
    "customers": N_("Customers"),
    "migrations": N_("Migrations"),
    "terminations": N_("Terminations"),
    "partner_disagreements": N_("Partner disagreements"),
    "category": N_("Category"),
    "complaints": N_("Complaints"),
    "claims": N_("Claims"),
    "second_line": N_("Second line"),
    "tasks_due": N_("Tasks due"),
    "done_on_time": N_("Done on time"),
    "done_late": N_("Done late"),
    "overdue": N_("Overdue"),
    "due": N_("Due"),
    "sent": N_("Sent"),
    "sent_late": N_("Sent late"),
    "decision_date": N_("Decision date"),
    "customer_no": N_("Customer"),
    "partner_code": N_("Partner"),
    "measure": N_("Measure"),
    "over_limit_usage_to_bill": N_("Usage over the limits to bill (MB)"),
    "device_plan_id": N_("Device plan"),
    "since": N_("Orphaned since"),
    "remaining_amount": N_("Remaining amount"),
}


def column_label(name: str) -> str:
    label = COLUMN_LABELS.get(name)
    return _(label) if label else name


@dataclass(frozen=True)
class ReportData:
    name: str
    first: str
    last: str
    rows: list[Row]
    chart: ChartData | None


def load_report(db: Database, name: str, first: str, last: str, today: date) -> ReportData:
    """The report's rows and chart sums (worker thread)."""
    spec = REPORTS[name]
    found = list(rows(db, name, first, last, today))
    warm(name, spec.columns, found)
    chart = ChartData(spec.chart, spec.columns).add_all(found) if spec.chart else None
    return ReportData(name, first, last, found, chart)


def export_rows(name: str, path: Path, kind: str, found: Sequence[Row]) -> Path:
    """Write the rows shown to ``path`` as CSV or XLSX (worker thread)."""
    spec = REPORTS[name]
    if kind == "csv":
        write_csv(path, spec.columns, found)
    else:
        write_xlsx(path, spec, found)
    return path


def save_chart_png(svg: str, path: Path) -> Path:
    save_png(svg, path)
    return path


class ReportModel(RowTableModel[Row]):
    """A report's rows; headers in the UI language, numbers right-aligned."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report = ""
        #: The spec's column names (kept in files); :func:`column_label` words them.
        self.columns: tuple[str, ...] = ()
        self.rows: list[Row] = []

    def set_report(self, columns: tuple[str, ...], found: list[Row], report: str = "") -> None:
        """Show the rows ``found`` of ``report``, with its ``columns``."""
        self.beginResetModel()
        self.report, self.columns, self.rows = report, columns, list(found)
        self.endResetModel()

    def header(self, section: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return column_label(self.columns[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section]
        return None

    def cell(self, row: Row, column: int, role: int) -> Any:
        value = row[column]
        name = self.columns[column]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            words = cell_words(self.report, name, value)
            if words is not None:
                return words if role == Qt.ItemDataRole.DisplayRole else str(value)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, Decimal):
                return babel_decimal(value, "#,##0.00", locale=babel_locale(ui_language()))
            if isinstance(value, int) and not isinstance(value, bool):
                return format_decimal(value, ui_language())
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | Decimal):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _month(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM")


def find_customer(db: Database, customer_no: str) -> uuid.UUID | None:
    """The id of the customer with number ``customer_no`` (worker thread)."""
    from app.services.customers import search_customers

    hits = search_customers(db, customer_no, limit=5)
    return next((hit.id for hit in hits if hit.customer_no == customer_no), None)


class ReportsWindow(QWidget):
    """Run a report for a range of months; see it as a table and a chart; export it.

    In a report with a customer column, Enter (or a double click) on a row opens that
    customer in the main window (:attr:`open_requested`)."""

    #: The id of the customer of the row the user chose.
    open_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reportsWindow")
        self.db: Database | None = None
        self.today = date.today()
        self.data: ReportData | None = None
        self.svg = ""
        self._runs = Latest()
        self._state: tuple[str, str] = ("idle", "")

        self.selector = QComboBox(self)
        self.selector.setObjectName("reportName")
        for name in REPORTS:
            self.selector.addItem("", name)
        self.selector_label = QLabel(self)
        self.selector_label.setBuddy(self.selector)
        self.first = date_edit(self, "reportFrom", "yyyy-MM", popup=False)
        self.last = date_edit(self, "reportTo", "yyyy-MM", popup=False)
        self.first_label, self.last_label = QLabel(self), QLabel(self)
        self.first_label.setBuddy(self.first)
        self.last_label.setBuddy(self.last)
        self.run_button = QPushButton(self)
        self.run_button.setObjectName("runReport")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)

        self.model = ReportModel(self)
        self.table = row_table(self, self.model, "reportTable")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._open_index)
        self.chart = QSvgWidget(self)
        self.chart.setObjectName("reportChart")
        self.chart.setMinimumSize(400, 225)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 400])

        self.csv_button = QPushButton(self)
        self.csv_button.setObjectName("exportCsv")
        self.csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.xlsx_button = QPushButton(self)
        self.xlsx_button.setObjectName("exportXlsx")
        self.xlsx_button.clicked.connect(lambda: self._ask_export("xlsx"))
        self.png_button = QPushButton(self)
        self.png_button.setObjectName("saveChartPng")
        self.png_button.clicked.connect(self._ask_png)
        self.status = hint_label()
        self.status.setObjectName("reportStatus")

        top = QHBoxLayout()
        top.addWidget(self.selector_label)
        top.addWidget(self.selector, 1)
        top.addWidget(self.first_label)
        top.addWidget(self.first)
        top.addWidget(self.last_label)
        top.addWidget(self.last)
        top.addWidget(self.run_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.xlsx_button)
        bottom.addWidget(self.png_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        add_keys(self, {"Ctrl+R": self.run, "Esc": self.close})
        self.resize(1000, 720)
        self.set_months(self.today)
        self._update_buttons()
        self.retranslate()
        bind_retranslate(self)

    # --- what to run ------------------------------------------------------------------

    def set_database(self, db: Database, today: date) -> None:
        """Work on ``db`` as of ``today`` (the range starts as the last three months)."""
        if db is not self.db:
            self.data = None
            self.svg = ""
            self.model.set_report((), [])
            self.chart.load(QByteArray())
            self._set_state("idle")
        self.db, self.today = db, today
        self.set_months(today)
        self._update_buttons()

    def set_months(self, today: date, first: str | None = None, last: str | None = None) -> None:
        start = add_months(today.replace(day=1), -2)
        self.first.setDate(QDate.fromString(first, "yyyy-MM") if first else QDate(start))
        self.last.setDate(QDate.fromString(last, "yyyy-MM") if last else QDate(today))

    def select(self, name: str) -> None:
        self.selector.setCurrentIndex(list(REPORTS).index(name))

    @property
    def name(self) -> str:
        return str(self.selector.currentData())

    def run(self) -> None:
        """Make the chosen report for the chosen months, off the GUI thread."""
        if self.db is None:
            return
        self._set_state("loading")
        self.run_button.setEnabled(False)
        first, last = _month(self.first), _month(self.last)
        Op(self, load_report, self.db, self.name, first, last, self.today).latest(
            self._runs
        ).success(self._loaded).failure(self._failed).finished(
            lambda: self.run_button.setEnabled(True)
        ).run()

    def _loaded(self, data: ReportData) -> None:
        self.data = data
        self.model.set_report(REPORTS[data.name].columns, data.rows, data.name)
        self._draw_chart()
        self._set_state("loaded")
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self._set_state("error", describe_error(exc))

    def _draw_chart(self) -> None:
        data = self.data
        if data is None or data.chart is None:
            self.svg = ""
            self.chart.load(QByteArray())
            self.chart.setVisible(False)
            return
        spec = data.chart.spec
        if spec.series is None:
            labels = [column_label(s) for s in data.chart.series]
        else:
            labels = [f"{column_label(spec.series)} {s}" for s in data.chart.series]
        title = f"{_(REPORTS[data.name].title)}, {data.first} – {data.last}"
        groups = [cell_words(data.name, spec.group, g) or g for g in data.chart.groups]
        self.svg = chart_svg(data.chart, labels, title=title, group_labels=groups)
        self.chart.load(QByteArray(self.svg.encode("utf-8")))
        self.chart.renderer().setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.chart.setVisible(True)

    def _open_index(self, index: QModelIndex) -> None:
        """Open the customer of the chosen row, when the report names customers."""
        columns = self.model.columns
        if self.db is None or not index.isValid() or "customer_no" not in columns:
            return
        customer_no = str(self.model.rows[index.row()][columns.index("customer_no")])
        Op(self, find_customer, self.db, customer_no).success(self._found).failure(
            lambda exc: self._set_state("error", describe_error(exc))
        ).run()

    def _found(self, customer_id: uuid.UUID | None) -> None:
        if customer_id is not None:
            self.open_requested.emit(customer_id)

    # --- exports ----------------------------------------------------------------------

    def _ask_export(self, kind: str) -> None:
        if self.data is None:
            return
        data = self.data
        suggested = Path.home() / f"{data.name}-{data.first}-{data.last}.{kind}"
        pattern = _("CSV files (*.csv)") if kind == "csv" else _("Excel workbooks (*.xlsx)")
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Export report"), str(suggested), pattern
        )
        if target:
            path = Path(target)
            if path.suffix.lower() != f".{kind}":
                path = path.with_name(f"{path.name}.{kind}")
            self.export(kind, path)

    def export(self, kind: str, path: Path) -> None:
        """Write the rows shown to ``path`` (``csv`` or ``xlsx``), off the GUI thread."""
        if self.data is None:
            return
        Op(self, export_rows, self.data.name, path, kind, list(self.data.rows)).success(
            lambda saved: self._set_state("saved", _("Saved as {path}.").format(path=saved))
        ).failure(lambda exc: self._set_state("error", describe_error(exc))).run()

    def _ask_png(self) -> None:
        if not self.svg or self.data is None:
            return
        suggested = Path.home() / f"{self.data.name}-{self.data.first}-{self.data.last}.png"
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Save chart as PNG"), str(suggested), _("PNG images (*.png)")
        )
        if target:
            path = Path(target)
            if path.suffix.lower() != ".png":
                path = path.with_name(f"{path.name}.png")
            self.save_chart(path)

    def save_chart(self, path: Path) -> None:
        """Paint the chart shown into the PNG file ``path``, off the GUI thread."""
        if not self.svg:
            return
        Op(self, save_chart_png, self.svg, path).success(
            lambda saved: self._set_state("saved", _("Saved as {path}.").format(path=saved))
        ).failure(lambda exc: self._set_state("error", describe_error(exc))).run()

    # --- words ------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        has_rows = self.data is not None
        self.csv_button.setEnabled(has_rows)
        self.xlsx_button.setEnabled(has_rows)
        self.png_button.setEnabled(bool(self.svg))
        self.run_button.setEnabled(self.db is not None)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Reports"))
        for i, spec in enumerate(REPORTS.values()):
            self.selector.setItemText(i, _(spec.title))
        self.selector_label.setText(_("&Report:"))
        self.first_label.setText(_("&From:"))
        self.last_label.setText(_("&To:"))
        self.run_button.setText(_("R&un"))
        self.run_button.setToolTip(_("Make the report (Ctrl+R)"))
        self.csv_button.setText(_("Export &CSV…"))
        self.xlsx_button.setText(_("Export &XLSX…"))
        self.png_button.setText(_("Save chart as &PNG…"))
        self.table.setAccessibleName(_("Report"))
        self.chart.setAccessibleName(_("Chart"))
        self.model.retranslate()
        if self.data is not None:
            self._draw_chart()
        self._set_state(*self._state)

    def _set_state(self, state: str, message: str = "") -> None:
        self._state = (state, message)
        if state == "loading":
            text = _("Making the report…")
        elif state in ("error", "saved"):
            text = message
        elif state == "loaded":
            count = self.model.rowCount()
            text = (
                ngettext("{count} row", "{count} rows", count).format(count=count)
                if count
                else _("Nothing to report for these months.")
            )
        else:
            text = _("Choose a report and the months, then Run.")
        say(self.status, text, error=state == "error")


__all__ = ["COLUMN_LABELS", "ReportModel", "ReportsWindow"]
