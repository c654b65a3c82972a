"""The fixed parts of each page: letterhead, window address, information block,
fold marks, footer, and "Page X of Y" once the page count is known."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, _digester
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfbase.pdfmetrics import getAscent, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from app.letters.content import LetterContent
from app.letters.fonts import ensure_font, font_runs
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


#: Reuse the logo's compressed image across letters (see :func:`_draw_logo`).
REUSE_LOGO = True


@cache
def _logo_xobject(path: Path) -> tuple[str, PDFImageXObject]:
    """The logo as a PDF image, compressed once per process, under the name
    ``Canvas.drawImage`` gives it (a digest of its pixels and alpha)."""
    reader = _logo(path)
    pixels = reader.getRGBData()  # also reads the alpha channel into ``_dataA``
    alpha = reader._dataA
    name = _digester(pixels + (alpha.getRGBData() if alpha else b"auto"))
    image = PDFImageXObject(name, reader, mask="auto")
    image.name = name
    return name, image


def _draw_logo(canvas: Canvas, path: Path, x: float, y: float, size: float) -> None:
    """Draw the logo; its compressed pixels are made once, not per letter.

    ``drawImage`` compresses an image for every new document. The logo is
    registered with the document beforehand, from the copy made once, the
    way ``drawImage`` registers it; ``drawImage`` then only places it.
    """
    if REUSE_LOGO:
        name, template = _logo_xobject(path)
        doc = canvas._doc
        registered = doc.getXObjectName(name)
        if doc.idToObject.get(registered) is None:
            image = copy.copy(template)
            canvas._setXObjects(image)
            doc.Reference(image, registered)
            doc.addForm(name, image)
            smask = image.__dict__.pop("_smask", None)
            if smask is not None:
                mask = copy.copy(smask)
                canvas._setXObjects(mask)
                image.smask = doc.Reference(mask, doc.getXObjectName(smask.name))
    canvas.drawImage(
        _logo(path), x, y, width=size, height=size, mask="auto", preserveAspectRatio=True
    )


def _draw_at(canvas: Canvas, para: Paragraph, x: float, top: float, width: float) -> float:
    """Draw ``para`` with its top ``top`` mm from the sheet's top; returns its height."""
    _, h = para.wrapOn(canvas, width, PAGE_H)
    para.drawOn(canvas, x, PAGE_H - top - h)
    return h


@dataclass(frozen=True, slots=True)
class _Lines:
    """Lines measured for one box: per line its offset from the left and its font runs."""

    lines: tuple[tuple[float, tuple[tuple[str, str], ...]], ...]
    ascent: float


@lru_cache(maxsize=2048)
def _measure(
    texts: tuple[str, ...], style: ParagraphStyle, fonts: tuple[str, ...], width: float
) -> _Lines | None:
    """The lines set in ``style`` within ``width``; None if one of them is wider."""
    size = style.fontSize
    measured = []
    for text in texts:
        runs = tuple((ensure_font(f), run) for f, run in font_runs(text, fonts))
        used = sum(stringWidth(run, font, size) for font, run in runs)
        if used > width:
            return None
        free = width - used
        offset = (
            free
            if style.alignment == TA_RIGHT
            else free / 2
            if style.alignment == TA_CENTER
            else 0.0
        )
        measured.append((offset, runs))
    return _Lines(tuple(measured), getAscent(fonts[0], size))


def _draw_lines(
    canvas: Canvas,
    texts: Sequence[str],
    style: ParagraphStyle,
    fonts: Sequence[str],
    x: float,
    top_y: float,
    width: float,
) -> float:
    """Draw short lines below ``top_y`` (points from the bottom); returns their height.

    The lines sit where a Paragraph of ``style`` would put them; a line too
    wide for ``width`` makes it a wrapping Paragraph instead.
    """
    measured = _measure(tuple(texts), style, tuple(fonts), width)
    if measured is None:
        block = para("\n".join(texts), style, fonts)
        _, h = block.wrapOn(canvas, width, PAGE_H)
        block.drawOn(canvas, x, top_y - h)
        return h
    canvas.setFillColor(style.textColor)
    text = canvas.beginText()
    y = top_y - measured.ascent
    for offset, runs in measured.lines:
        text.setTextOrigin(x + offset, y)
        for font, run in runs:
            text.setFont(font, style.fontSize)
            text.textOut(run)
        y -= style.leading
    canvas.drawText(text)
    return len(measured.lines) * style.leading


def _lines_height(
    texts: Sequence[str], style: ParagraphStyle, fonts: Sequence[str], width: float
) -> float:
    """The height :func:`_draw_lines` will give ``texts``."""
    if _measure(tuple(texts), style, tuple(fonts), width) is not None:
        return len(texts) * style.leading
    _, h = para("\n".join(texts), style, fonts).wrap(width, PAGE_H)
    return h


def first_page(content: LetterContent, st: Styles) -> Callable[[Canvas, Any], None]:
    op = content.operator

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        _letterhead(canvas, content, st)
        # Address field: return line at the bottom of the 17.7 mm zone, recipient below.
        ret = [op.return_address]
        ret_h = _lines_height(ret, st.sender, st.fonts, 80 * mm)
        _draw_lines(canvas, ret, st.sender, st.fonts, LEFT, PAGE_H - 60.5 * mm + ret_h, 80 * mm)
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.3)
        canvas.line(
            LEFT, PAGE_H - 45 * mm - 16.3 * mm, 20 * mm + 80 * mm, PAGE_H - 45 * mm - 16.3 * mm
        )
        _draw_lines(
            canvas, content.recipient, st.address, st.fonts, LEFT, PAGE_H - 62.7 * mm, 75 * mm
        )
        _info_block(canvas, content, st)
        _marks(canvas)
        _footer(canvas, content, st)
        canvas.restoreState()

    return draw


#: Information block: left edge, top, label and value column widths, cell padding.
_INFO_X, _INFO_TOP, _INFO_LABEL, _INFO_VALUE, _INFO_PAD = 125 * mm, 50 * mm, 27 * mm, 38 * mm, 0.5


def _info_block(canvas: Canvas, content: LetterContent, st: Styles) -> None:
    """Customer number, reference, contact and the date line, beside the address."""
    rows = [(label, value) for label, value in content.info if value]
    fits = all(
        _measure((label,), st.small, st.fonts, _INFO_LABEL - 1) is not None
        and _measure((value,), st.cell, st.fonts, _INFO_VALUE - 1) is not None
        for label, value in rows
    ) and _measure((content.date_line,), st.cell, st.fonts, _INFO_LABEL + _INFO_VALUE - 1)
    if not fits:
        _info_table(canvas, content, st, rows)
        return
    y = PAGE_H - _INFO_TOP
    for label, value in rows:
        y -= _INFO_PAD
        _draw_lines(canvas, [label], st.small, st.fonts, _INFO_X, y, _INFO_LABEL)
        _draw_lines(canvas, [value], st.cell, st.fonts, _INFO_X + _INFO_LABEL, y, _INFO_VALUE)
        y -= max(st.small.leading, st.cell.leading) + _INFO_PAD
    _draw_lines(
        canvas,
        [content.date_line],
        st.cell,
        st.fonts,
        _INFO_X,
        y - 3 * mm,
        _INFO_LABEL + _INFO_VALUE,
    )


def _info_table(
    canvas: Canvas, content: LetterContent, st: Styles, rows: list[tuple[str, str]]
) -> None:
    """The information block as a table, for texts too long for one line."""
    table = Table(
        [[para(label, st.small, st.fonts), para(value, st.cell, st.fonts)] for label, value in rows]
        + [[para(content.date_line, st.cell, st.fonts), ""]],
        colWidths=[_INFO_LABEL, _INFO_VALUE],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.fonts[0]),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), _INFO_PAD),
                ("BOTTOMPADDING", (0, 0), (-1, -1), _INFO_PAD),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, -1), (-1, -1), 3 * mm),
                ("SPAN", (0, -1), (-1, -1)),
            ]
        )
    )
    _draw_at(canvas, table, _INFO_X, _INFO_TOP, _INFO_LABEL + _INFO_VALUE)


def later_page(content: LetterContent, st: Styles) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        head = [f"{content.operator.name} · {content.subject}"]
        _draw_lines(canvas, head, st.small, st.fonts, LEFT, PAGE_H - 12 * mm, TEXT_W)
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
        _draw_logo(canvas, op.logo, LEFT, PAGE_H - 31 * mm, 16 * mm)
        x = LEFT + 19 * mm
    brand = brand_style(st.brand, op.colour)
    _draw_lines(canvas, [op.name], brand, st.bold_fonts, x, PAGE_H - 17 * mm, 80 * mm)
    _draw_lines(canvas, [op.department], st.small, st.fonts, x, PAGE_H - 24.5 * mm, 80 * mm)
    sender = [op.name, op.street, f"{op.postcode} {op.city}", op.country_name, "", op.phone, op.web]
    _draw_lines(canvas, sender, st.small_right, st.fonts, 125 * mm, PAGE_H - 15 * mm, 65 * mm)


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
            f"{f.get('bank', '')} {op.bank}" if op.bank else "",
            f"{f.get('iban', '')} {op.iban}" if op.iban else "",
            f"{f.get('vat', '')} {op.vat}" if op.vat else "",
        ],
    ]
    width = TEXT_W / 3
    for i, lines in enumerate(columns):
        texts = [line.strip() for line in lines if line.strip()]
        # The column's top is 2 mm below the rule.
        _draw_lines(canvas, texts, st.footer, st.fonts, LEFT + i * width, 22 * mm, width - 2 * mm)


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
                    label = [content.page_label(self._pageNumber, total)]
                    top = 25 * mm + _lines_height(label, st.small_right, st.fonts, 60 * mm)
                    _draw_lines(
                        self,
                        label,
                        st.small_right,
                        st.fonts,
                        PAGE_W - RIGHT - 60 * mm,
                        top,
                        60 * mm,
                    )
                Canvas.showPage(self)
            Canvas.save(self)

    return _Numbered
