"""The fixed parts of each page: letterhead, window address, information block,
fold marks, footer, and "Page X of Y" once the page count is known."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from app.letters.content import LetterContent
from app.letters.styles import (
    GREY,
    LEFT,
    PAGE_H,
    PAGE_W,
    RIGHT,
    RULE,
    TEXT_W,
    Styles,
    brand_style,
    para,
)


@cache
def _logo(path: Path) -> ImageReader:
    return ImageReader(str(path))


def _draw_at(canvas: Canvas, para: Paragraph, x: float, top: float, width: float) -> float:
    """Draw ``para`` with its top ``top`` mm from the sheet's top; returns its height."""
    _, h = para.wrapOn(canvas, width, PAGE_H)
    para.drawOn(canvas, x, PAGE_H - top - h)
    return h


def first_page(content: LetterContent, st: Styles) -> Callable[[Canvas, Any], None]:
    op = content.operator

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        _letterhead(canvas, content, st)
        # Address field: return line at the bottom of the 17.7 mm zone, recipient below.
        ret = para(op.return_address, st.sender, st.fonts)
        ret.wrapOn(canvas, 85 * mm - 5 * mm, 20 * mm)
        ret.drawOn(canvas, LEFT, PAGE_H - 45 * mm - 15.5 * mm)
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.3)
        canvas.line(
            LEFT, PAGE_H - 45 * mm - 16.3 * mm, 20 * mm + 80 * mm, PAGE_H - 45 * mm - 16.3 * mm
        )
        address = para("\n".join(content.recipient), st.address, st.fonts)
        _draw_at(canvas, address, LEFT, 45 * mm + 17.7 * mm, 75 * mm)
        # Information block.
        rows = [(label, value) for label, value in content.info if value]
        table = Table(
            [
                [para(label, st.small, st.fonts), para(value, st.cell, st.fonts)]
                for label, value in rows
            ]
            + [[para(content.date_line, st.cell, st.fonts), ""]],
            colWidths=[27 * mm, 38 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), st.fonts[0]),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, -1), (-1, -1), 3 * mm),
                    ("SPAN", (0, -1), (-1, -1)),
                ]
            )
        )
        _draw_at(canvas, table, 125 * mm, 50 * mm, 65 * mm)
        _marks(canvas)
        _footer(canvas, content, st)
        canvas.restoreState()

    return draw


def later_page(content: LetterContent, st: Styles) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        head = para(f"{content.operator.name} · {content.subject}", st.small, st.fonts)
        _draw_at(canvas, head, LEFT, 12 * mm, TEXT_W)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(LEFT, PAGE_H - 19 * mm, PAGE_W - RIGHT, PAGE_H - 19 * mm)
        _marks(canvas)
        _footer(canvas, content, st)
        canvas.restoreState()

    return draw


def _letterhead(canvas: Canvas, content: LetterContent, st: Styles) -> None:
    op = content.operator
    x = LEFT
    if op.logo is not None:
        canvas.drawImage(
            _logo(op.logo),
            LEFT,
            PAGE_H - 31 * mm,
            width=16 * mm,
            height=16 * mm,
            mask="auto",
            preserveAspectRatio=True,
        )
        x = LEFT + 19 * mm
    brand = para(op.name, brand_style(st.brand, op.colour), st.bold_fonts)
    _draw_at(canvas, brand, x, 17 * mm, 80 * mm)
    dept = para(op.department, st.small, st.fonts)
    _draw_at(canvas, dept, x, 24.5 * mm, 80 * mm)
    sender = "\n".join(
        [op.name, op.street, f"{op.postcode} {op.city}", op.country_name, "", op.phone, op.web]
    )
    _draw_at(canvas, para(sender, st.small_right, st.fonts), 125 * mm, 15 * mm, 65 * mm)


def _marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    for top, length in ((105, 4), (148.5, 6), (210, 4)):
        y = PAGE_H - top * mm
        canvas.line(3 * mm, y, (3 + length) * mm, y)


def _footer(canvas: Canvas, content: LetterContent, st: Styles) -> None:
    op, f = content.operator, content.footer
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(LEFT, 24 * mm, PAGE_W - RIGHT, 24 * mm)
    columns = [
        [op.name, op.street, f"{op.country}-{op.postcode} {op.city}"],
        [
            f"{f.get('phone', '')} {op.phone}",
            f"{f.get('email', '')} {op.email}",
            f"{f.get('web', '')} {op.web}",
        ],
        [
            f"{f.get('bank', '')} {op.bank}",
            f"{f.get('iban', '')} {op.iban}",
            f"{f.get('vat', '')} {op.vat}",
        ],
    ]
    width = TEXT_W / 3
    for i, lines in enumerate(columns):
        block = para("\n".join(line.strip() for line in lines), st.footer, st.fonts)
        block.wrapOn(canvas, width - 2 * mm, 20 * mm)
        block.drawOn(canvas, LEFT + i * width, 24 * mm - 2 * mm - block.height)


def canvas_class(content: LetterContent, st: Styles) -> type[Canvas]:
    """A canvas that knows the page count when it saves, for "Page X of Y"."""

    class _Numbered(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                if total > 1:
                    label = para(
                        content.page_label(self._pageNumber, total), st.small_right, st.fonts
                    )
                    label.wrapOn(self, 60 * mm, 10 * mm)
                    label.drawOn(self, PAGE_W - RIGHT - 60 * mm, 25 * mm)
                Canvas.showPage(self)
            Canvas.save(self)

    return _Numbered
