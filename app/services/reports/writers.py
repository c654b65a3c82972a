"""Writing a report's rows to CSV or XLSX, streamed: memory stays bounded for any size.

CSV: UTF-8, comma-separated, the header the exact column names of
MULTIUSER.md. XLSX: XlsxWriter in ``constant_memory`` mode (each row goes to
disk as it is written); the first sheet holds the same table, numbers as
numbers; a report with a chart gets a second sheet with the chart's sums and a
native Excel column chart of them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.services.reports.base import Report, Row
from app.services.reports.charts import ChartData

FORMATS = ("csv", "xlsx")


def format_of(path: Path, given: str | None = None) -> str | None:
    """``csv`` or ``xlsx``: as given, else from the file name's extension; None if neither."""
    if given:
        return given.lower() if given.lower() in FORMATS else None
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Write the rows; return how many."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    return count


def write_xlsx(
    path: Path,
    report: Report,
    rows: Iterable[Row],
    *,
    sheet: str = "Report",
) -> int:
    """Write the rows (and the chart's sheet); return how many rows."""
    import xlsxwriter

    chart_data = ChartData(report.chart, report.columns) if report.chart else None
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        table = book.add_worksheet(sheet[:31])
        money = book.add_format({"num_format": "0.00"})
        bold = book.add_format({"bold": True})
        for col, name in enumerate(report.columns):
            table.write_string(0, col, name, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, bool):
                    table.write_boolean(count, col, value)
                elif isinstance(value, Decimal):
                    table.write_number(count, col, float(value), money)
                elif isinstance(value, int | float):
                    table.write_number(count, col, value)
                elif value is not None:
                    table.write_string(count, col, str(value))
            if chart_data is not None:
                chart_data.add(row)
        if chart_data is not None and chart_data.groups:
            _chart_sheet(book, chart_data)
    finally:
        book.close()
    return count


def _chart_sheet(book: Any, data: ChartData) -> None:
    sheet = book.add_worksheet("Chart")
    sheet.write_string(0, 0, data.spec.group)
    for s, name in enumerate(data.series):
        sheet.write_string(0, s + 1, str(name))
    matrix = data.matrix()
    for g, group in enumerate(data.groups):
        sheet.write_string(g + 1, 0, group)
        for s in range(len(data.series)):
            sheet.write_number(g + 1, s + 1, matrix[s][g])
    chart = book.add_chart({"type": "column"})
    last = len(data.groups)
    for s in range(len(data.series)):
        chart.add_series(
            {
                "name": ["Chart", 0, s + 1],
                "categories": ["Chart", 1, 0, last, 0],
                "values": ["Chart", 1, s + 1, last, s + 1],
            }
        )
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(1, len(data.series) + 2, chart)
