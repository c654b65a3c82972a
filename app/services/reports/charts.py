"""A report's chart: its data summed from the rows, drawn as SVG, and saved as PNG.

The chart is a grouped bar chart drawn with ``reportlab.graphics.charts``
(reportlab already ships for the letters) and rendered to SVG with
``reportlab.graphics.renderSVG``; the window shows that SVG (QtSvg) and
:func:`save_png` paints it onto a ``QImage`` with ``QSvgRenderer``. This
keeps out QtCharts (the 59 MB ``pyside6-addons`` wheel) and pyqtgraph (numpy).

The value axis runs from 0 in nice steps (1, 2 or 5 x 10^n, :func:`nice_ticks`),
its numbers grouped as the UI language groups them (``250,000``, ``250’000``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.services.reports.base import Chart

#: At most this many steps on the value axis.
MAX_STEPS = 6
#: Bar colours, one per series (colour-blind-safe Okabe-Ito palette).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
WIDTH, HEIGHT = 640, 360


@dataclass
class ChartData:
    """The sums a chart shows: ``values[series][group]``, groups and series in order of
    first appearance (series: the value columns, or the values of the series column)."""

    spec: Chart
    columns: tuple[str, ...]
    groups: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    values: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.spec.series is None:
            self.series = list(self.spec.values)
            self.values = {name: {} for name in self.series}

    def add(self, row: Sequence[Any]) -> None:
        """Count one report row in."""
        cells = dict(zip(self.columns, row, strict=True))
        group = str(cells[self.spec.group])
        if group not in self.groups:
            self.groups.append(group)
        if self.spec.series is None:
            pairs = [(name, cells[name]) for name in self.spec.values]
        else:
            pairs = [(str(cells[self.spec.series]), cells[self.spec.values[0]])]
        for name, value in pairs:
            if name not in self.values:
                self.series.append(name)
                self.values[name] = {}
            column = self.values[name]
            column[group] = column.get(group, 0.0) + float(Decimal(str(value or 0)))

    def add_all(self, rows: Iterable[Sequence[Any]]) -> ChartData:
        for row in rows:
            self.add(row)
        return self

    def matrix(self) -> list[list[float]]:
        """One list per series, one value per group."""
        return [[self.values[s].get(g, 0.0) for g in self.groups] for s in self.series]


def nice_ticks(top: float, whole: bool = True, most: int = MAX_STEPS) -> list[float]:
    """The value axis's ticks from 0 to just above ``top``: at most ``most`` steps of
    1, 2 or 5 x 10^n (no step below 1 when the values are ``whole`` numbers).

    >>> nice_ticks(223364)
    [0, 50000, 100000, 150000, 200000, 250000]
    """
    if not top > 0:
        return [0, 1]
    raw = top / most
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, step)
    count = math.ceil(round(top / step, 9))
    ticks = [round(i * step, 9) for i in range(count + 1)]
    return [int(t) if float(t).is_integer() else t for t in ticks]


def tick_label(value: float, language: str | None = None) -> str:
    """A value axis number grouped as ``language`` (default: the UI language) writes it."""
    from app.i18n import format_decimal

    number = Decimal(str(value))
    return format_decimal(int(number) if number == number.to_integral_value() else number, language)


def short_label(text: str, most: int = 18) -> str:
    """``text`` cut to ``most`` characters (an ellipsis marks the cut)."""
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _rotate(labels: Sequence[str]) -> bool:
    """Whether the category labels need slanting: many groups, or a label wider than its
    slot (8 pt text is some 4.5 pt per character)."""
    slot = (WIDTH - 80) / max(1, len(labels))
    return len(labels) > 6 or max((len(t) for t in labels), default=0) * 4.5 > slot


def chart_svg(
    data: ChartData,
    series_labels: Sequence[str] | None = None,
    title: str = "",
    group_labels: Sequence[str] | None = None,
    language: str | None = None,
) -> str:
    """The chart as an SVG document (an empty frame when there is nothing to show);
    ``group_labels`` word the groups, ``language`` groups the axis's numbers (default:
    the UI language)."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(Rect(0, 0, WIDTH, HEIGHT, fillColor=colors.white, strokeColor=None))
    if title:
        drawing.add(String(WIDTH / 2, HEIGHT - 18, title, textAnchor="middle", fontSize=12))
    matrix = data.matrix()
    if data.groups and matrix:
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 50, 80, WIDTH - 80, HEIGHT - 115
        chart.data = [tuple(values) for values in matrix]
        names = list(group_labels or data.groups)
        slanted = _rotate(names)
        if slanted:  # room below the bars for slanted labels, cut short to fit it
            names = [short_label(name) for name in names]
            chart.y, chart.height = 100, HEIGHT - 135
        chart.categoryAxis.categoryNames = names
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.labels.angle = 30 if slanted else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if slanted else "n"
        top = max((max(v) for v in matrix if v), default=0.0)
        whole = all(float(v).is_integer() for values in matrix for v in values)
        ticks = nice_ticks(top, whole)
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = ticks[-1]
        chart.valueAxis.valueSteps = ticks
        chart.valueAxis.labels.fontSize = 8
        chart.valueAxis.labelTextFormat = lambda value: tick_label(value, language)
        chart.barSpacing = 1
        labels = list(series_labels or data.series)
        for i in range(len(matrix)):
            chart.bars[i].fillColor = colors.HexColor(COLOURS[i % len(COLOURS)])
            chart.bars[i].strokeColor = None
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = 50, 18  # below the chart, in a row
        legend.boxAnchor = "sw"
        legend.columnMaximum = 1
        legend.fontSize = 9
        legend.dx = legend.dy = 8
        legend.deltax = 20
        legend.autoXPadding = 15
        legend.alignment = "right"
        legend.colorNamePairs = [
            (colors.HexColor(COLOURS[i % len(COLOURS)]), labels[i]) for i in range(len(matrix))
        ]
        drawing.add(legend)
    return str(renderSVG.drawToString(drawing))


def _gui() -> Any:
    """The application to paint with: the window's, or for a headless command an offscreen
    one (a ``QApplication``, so a window made later in the process still finds its kind)."""
    import os

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    app = QCoreApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def save_png(svg: str, path: Path, scale: float = 2.0) -> None:
    """Paint the SVG ``svg`` into the PNG file ``path`` (``scale`` times its size)."""
    _gui()
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize()
    width = max(1, int(size.width() * scale))
    height = max(1, int(size.height() * scale))
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        renderer.render(painter, QRectF(0, 0, width, height))
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"cannot write {path}")
