"""The page: A4 business letter after DIN 5008 form B (and SN 010130, window left).

Geometry (millimetres from the top-left corner of the sheet):

* letterhead 0–45: logo and operator name left, sender block right;
* address field 20 from left, 45 from top, 85 × 45: the first 17.7 mm hold
  the one-line return address, the recipient follows below, so it shows in
  a left window envelope (C5/6 or DL, window 45 × 90 at 20/45);
* information block from 125 across, 50 down: customer number, reference,
  date; body from 97 down, 25 left and 20 right margin;
* fold marks at 105 and 210, punch mark at 148.5;
* footer with the operator's details below 275; "Page X of Y" only when the
  letter has more than one page; later pages start 25 mm from the top under
  a small running head.

Everything here takes already-filled text; nothing is looked up.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.letters.fonts import ensure_font, font_set, markup
from app.letters.operator import Operator

# Streams stay binary (compressed): ASCII85 would triple the time spent on the logo.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
LEFT, RIGHT = 25 * mm, 20 * mm
TEXT_W = PAGE_W - LEFT - RIGHT
BODY_TOP_FIRST = 96 * mm
BODY_TOP_LATER = 25 * mm
BODY_BOTTOM = 29 * mm  # from the bottom edge: room for the footer and page label
GREY = colors.HexColor("#5A6270")
LIGHT = colors.HexColor("#EEF2F7")
RULE = colors.HexColor("#B8C0CC")


# --- what the layout receives ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextBlock:
    kind: str  # paragraph | heading
    text: str


@dataclass(frozen=True, slots=True)
class BulletBlock:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FactsBlock:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class TableBlock:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    aligns: tuple[str, ...]
    widths: tuple[float | None, ...]
    total: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    fields: tuple[tuple[str, str], ...]


LayoutBlock = TextBlock | BulletBlock | FactsBlock | TableBlock | SignatureBlock


@dataclass(frozen=True, slots=True)
class LetterContent:
    """A letter with every placeholder filled, ready to be set."""

    language: str
    title: str
    subject: str
    salutation: str
    blocks: tuple[LayoutBlock, ...]
    closing: str
    signature: tuple[str, ...]
    recipient: tuple[str, ...]  # name first, then the address lines
    info: tuple[tuple[str, str], ...]
    date_line: str
    operator: Operator
    footer: dict[str, str]
    page_label: Callable[[int, int], str]
    author: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


# --- styles ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Styles:
    fonts: tuple[str, ...]
    bold_fonts: tuple[str, ...]
    body: ParagraphStyle
    subject: ParagraphStyle
    heading: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    address: ParagraphStyle
    sender: ParagraphStyle
    brand: ParagraphStyle
    footer: ParagraphStyle
    bullet: ParagraphStyle


@cache
def _styles(language: str) -> _Styles:
    fs = font_set(language)
    regular, bold = ensure_font(fs.regular), ensure_font(fs.bold)
    cjk = language == "zh"
    size, lead = (10.5, 15) if cjk else (10, 14)

    def style(name: str, font: str = regular, **kw: Any) -> ParagraphStyle:
        base = {
            "fontName": font,
            "bulletFontName": regular,
            "fontSize": size,
            "leading": lead,
            "textColor": colors.black,
        }
        base.update(kw)
        return ParagraphStyle(f"{language}-{name}", wordWrap="CJK" if cjk else None, **base)

    return _Styles(
        fonts=fs.chain(),
        bold_fonts=fs.chain(bold=True),
        body=style("body", spaceAfter=lead * 0.5),
        subject=style(
            "subject", bold, fontSize=12 if cjk else 11, leading=18 if cjk else 15, spaceAfter=lead
        ),
        heading=style("heading", bold, spaceBefore=lead * 0.2, spaceAfter=lead * 0.2),
        small=style("small", fontSize=8, leading=10.5, textColor=GREY),
        small_right=style(
            "small_right", fontSize=8, leading=10.5, textColor=GREY, alignment=TA_RIGHT
        ),
        cell=style("cell", fontSize=9, leading=12),
        cell_bold=style("cell_bold", bold, fontSize=9, leading=12),
        address=style("address", fontSize=10.5, leading=13.5),
        sender=style("sender", fontSize=7, leading=9, textColor=GREY),
        brand=style("brand", bold, fontSize=15, leading=18),
        footer=style("footer", fontSize=7, leading=9, textColor=GREY),
        bullet=style("bullet", leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=lead * 0.1),
    )


def _p(
    text: str, style: ParagraphStyle, fonts: Sequence[str], align: str | None = None
) -> Paragraph:
    if align:
        style = _aligned(style, align)
    return Paragraph(markup(text, fonts), style)


@cache
def _aligned(style: ParagraphStyle, align: str) -> ParagraphStyle:
    value = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}[align]
    if style.alignment == value:
        return style
    return ParagraphStyle(f"{style.name}-{align}", parent=style, alignment=value)


@cache
def _logo(path: Path) -> ImageReader:
    return ImageReader(str(path))


# --- the flowing part ---------------------------------------------------------------------------


def _story(content: LetterContent, st: _Styles) -> list[Any]:
    fonts, bold = st.fonts, st.bold_fonts
    story: list[Any] = [_p(content.subject, st.subject, bold)]
    if content.salutation:
        story.append(_p(content.salutation, st.body, fonts))
    for block in content.blocks:
        if isinstance(block, TextBlock):
            if block.kind == "heading":
                story.append(
                    _p(block.text, _brand_style(st.heading, content.operator.colour), bold)
                )
            else:
                story.append(_p(block.text, st.body, fonts))
        elif isinstance(block, BulletBlock):
            for item in block.items:
                story.append(Paragraph(markup(item, fonts), st.bullet, bulletText="•"))
            story.append(Spacer(1, st.body.leading * 0.4))
        elif isinstance(block, FactsBlock):
            story.append(_facts(block, st))
        elif isinstance(block, TableBlock):
            story.extend(_table(block, st))
        elif isinstance(block, SignatureBlock):
            story.append(_signatures(block, st))
    ending: list[Any] = [Spacer(1, st.body.leading * 0.4)]
    if content.closing:
        ending.append(_p(content.closing, st.body, fonts))
    ending += [_p(line, st.body, fonts) for line in content.signature]
    if len(ending) > 1:
        story.append(KeepTogether(ending))
    return story


def _facts(block: FactsBlock, st: _Styles) -> Table:
    rows = [
        [_p(label, st.cell, st.fonts), _p(value, st.cell_bold, st.bold_fonts)]
        for label, value in block.rows
    ]
    table = Table(rows, colWidths=[62 * mm, TEXT_W - 62 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.fonts[0]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return KeepTogether([table, Spacer(1, st.body.leading * 0.6)])


def _table(block: TableBlock, st: _Styles) -> list[Any]:
    given = sum(w for w in block.widths if w)
    free = [i for i, w in enumerate(block.widths) if not w]
    rest = max(0.0, 1.0 - given) / len(free) if free else 0.0
    widths = [TEXT_W * (w or rest) for w in block.widths]
    data = [
        [_p(h, st.cell_bold, st.bold_fonts, block.aligns[i]) for i, h in enumerate(block.headers)]
    ]
    for row in block.rows:
        data.append([_p(v, st.cell, st.fonts, block.aligns[i]) for i, v in enumerate(row)])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), st.fonts[0]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if block.total is not None:
        data.append(
            [_p(v, st.cell_bold, st.bold_fonts, block.aligns[i]) for i, v in enumerate(block.total)]
        )
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    # A long table may break across pages (the header row repeats), so it is
    # not kept together; the spacer separates it from the next paragraph.
    return [table, Spacer(1, st.body.leading * 0.7)]


def _signatures(block: SignatureBlock, st: _Styles) -> Any:
    n = max(1, len(block.fields))
    gap = 12 * mm
    width = (TEXT_W - gap * (n - 1)) / n
    cells, widths = [], []
    for i, (label, name) in enumerate(block.fields):
        text = label if not name else f"{label}\n{name}"
        cells.append(_p(text, st.small, st.fonts))
        widths.append(width)
        if i < n - 1:
            cells.append("")
            widths.append(gap)
    table = Table([[""] * len(cells), cells], colWidths=widths, rowHeights=[18 * mm, None])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), st.fonts[0]),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for col in range(0, len(cells), 2):
        style.append(("LINEBELOW", (col, 0), (col, 0), 0.6, colors.black))
    table.setStyle(TableStyle(style))
    return KeepTogether([Spacer(1, 4 * mm), table, Spacer(1, 6 * mm)])


# --- the fixed parts of each page ------------------------------------------------------------


def _draw_at(canvas: Canvas, para: Paragraph, x: float, top: float, width: float) -> float:
    """Draw ``para`` with its top ``top`` mm from the sheet's top; returns its height."""
    _, h = para.wrapOn(canvas, width, PAGE_H)
    para.drawOn(canvas, x, PAGE_H - top - h)
    return h


def _first_page(content: LetterContent, st: _Styles) -> Callable[[Canvas, Any], None]:
    op = content.operator

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        _letterhead(canvas, content, st)
        # Address field: return line at the bottom of the 17.7 mm zone, recipient below.
        ret = _p(op.return_address, st.sender, st.fonts)
        ret.wrapOn(canvas, 85 * mm - 5 * mm, 20 * mm)
        ret.drawOn(canvas, LEFT, PAGE_H - 45 * mm - 15.5 * mm)
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.3)
        canvas.line(
            LEFT, PAGE_H - 45 * mm - 16.3 * mm, 20 * mm + 80 * mm, PAGE_H - 45 * mm - 16.3 * mm
        )
        address = _p("\n".join(content.recipient), st.address, st.fonts)
        _draw_at(canvas, address, LEFT, 45 * mm + 17.7 * mm, 75 * mm)
        # Information block.
        rows = [(label, value) for label, value in content.info if value]
        table = Table(
            [[_p(label, st.small, st.fonts), _p(value, st.cell, st.fonts)] for label, value in rows]
            + [[_p(content.date_line, st.cell, st.fonts), ""]],
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


def _later_page(content: LetterContent, st: _Styles) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        head = _p(f"{content.operator.name} · {content.subject}", st.small, st.fonts)
        _draw_at(canvas, head, LEFT, 12 * mm, TEXT_W)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(LEFT, PAGE_H - 19 * mm, PAGE_W - RIGHT, PAGE_H - 19 * mm)
        _marks(canvas)
        _footer(canvas, content, st)
        canvas.restoreState()

    return draw


def _letterhead(canvas: Canvas, content: LetterContent, st: _Styles) -> None:
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
    brand = _p(op.name, _brand(st, op.colour), st.bold_fonts)
    _draw_at(canvas, brand, x, 17 * mm, 80 * mm)
    dept = _p(op.department, st.small, st.fonts)
    _draw_at(canvas, dept, x, 24.5 * mm, 80 * mm)
    sender = "\n".join(
        [op.name, op.street, f"{op.postcode} {op.city}", op.country_name, "", op.phone, op.web]
    )
    _draw_at(canvas, _p(sender, st.small_right, st.fonts), 125 * mm, 15 * mm, 65 * mm)


@cache
def _brand_style(base: ParagraphStyle, colour: str) -> ParagraphStyle:
    return ParagraphStyle(f"{base.name}-{colour}", parent=base, textColor=colors.HexColor(colour))


def _brand(st: _Styles, colour: str) -> ParagraphStyle:
    return _brand_style(st.brand, colour)


def _marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    for top, length in ((105, 4), (148.5, 6), (210, 4)):
        y = PAGE_H - top * mm
        canvas.line(3 * mm, y, (3 + length) * mm, y)


def _footer(canvas: Canvas, content: LetterContent, st: _Styles) -> None:
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
        para = _p("\n".join(line.strip() for line in lines), st.footer, st.fonts)
        para.wrapOn(canvas, width - 2 * mm, 20 * mm)
        para.drawOn(canvas, LEFT + i * width, 24 * mm - 2 * mm - para.height)


def _canvas_class(content: LetterContent, st: _Styles) -> type[Canvas]:
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
                    label = _p(
                        content.page_label(self._pageNumber, total), st.small_right, st.fonts
                    )
                    label.wrapOn(self, 60 * mm, 10 * mm)
                    label.drawOn(self, PAGE_W - RIGHT - 60 * mm, 25 * mm)
                Canvas.showPage(self)
            Canvas.save(self)

    return _Numbered


def build_pdf(content: LetterContent) -> bytes:
    """The letter as PDF bytes (reproducible: the same content gives the same bytes)."""
    st = _styles(content.language)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=BODY_TOP_LATER,
        bottomMargin=BODY_BOTTOM,
        title=content.title,
        author=content.author or content.operator.name,
        subject=content.subject,
        creator=content.operator.name,
        keywords=list(content.keywords),
        lang=content.language,
        invariant=1,
        # Without this the page's initial font would be a non-embedded Helvetica.
        initialFontName=st.fonts[0],
        initialFontSize=st.body.fontSize,
    )
    first = Frame(
        LEFT,
        BODY_BOTTOM,
        TEXT_W,
        PAGE_H - BODY_TOP_FIRST - BODY_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="first",
    )
    later = Frame(
        LEFT,
        BODY_BOTTOM,
        TEXT_W,
        PAGE_H - BODY_TOP_LATER - BODY_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="later",
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                "first", [first], onPage=_first_page(content, st), autoNextPageTemplate="later"
            ),
            PageTemplate("later", [later], onPage=_later_page(content, st)),
        ]
    )
    doc.build(_story(content, st), canvasmaker=_canvas_class(content, st))
    return buffer.getvalue()
