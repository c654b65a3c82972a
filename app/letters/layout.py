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
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
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

from app.letters.content import (
    BulletBlock,
    FactsBlock,
    LayoutBlock,
    LetterContent,
    SignatureBlock,
    TableBlock,
    TextBlock,
)
from app.letters.fonts import markup
from app.letters.page import canvas_class, first_page, later_page
from app.letters.styles import (
    BODY_BOTTOM,
    BODY_TOP_FIRST,
    BODY_TOP_LATER,
    GREY,
    LEFT,
    LIGHT,
    PAGE_H,
    RIGHT,
    RULE,
    TEXT_W,
    Styles,
    brand_style,
    para,
    styles,
)

__all__ = [
    "BulletBlock",
    "FactsBlock",
    "LayoutBlock",
    "LetterContent",
    "SignatureBlock",
    "TableBlock",
    "TextBlock",
    "build_pdf",
]

# Streams stay binary (compressed): ASCII85 would triple the time spent on the logo.
rl_config.useA85 = 0


# --- the flowing part ---------------------------------------------------------------------------


def _story(content: LetterContent, st: Styles) -> list[Any]:
    fonts, bold = st.fonts, st.bold_fonts
    story: list[Any] = [para(content.subject, st.subject, bold)]
    if content.salutation:
        story.append(para(content.salutation, st.body, fonts))
    for block in content.blocks:
        if isinstance(block, TextBlock):
            if block.kind == "heading":
                story.append(
                    para(block.text, brand_style(st.heading, content.operator.colour), bold)
                )
            else:
                story.append(para(block.text, st.body, fonts))
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
        ending.append(para(content.closing, st.body, fonts))
    ending += [para(line, st.body, fonts) for line in content.signature]
    if len(ending) > 1:
        story.append(KeepTogether(ending))
    return story


def _facts(block: FactsBlock, st: Styles) -> Table:
    rows = [
        [para(label, st.cell, st.fonts), para(value, st.cell_bold, st.bold_fonts)]
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


def _table(block: TableBlock, st: Styles) -> list[Any]:
    given = sum(w for w in block.widths if w)
    free = [i for i, w in enumerate(block.widths) if not w]
    rest = max(0.0, 1.0 - given) / len(free) if free else 0.0
    widths = [TEXT_W * (w or rest) for w in block.widths]
    data = [
        [para(h, st.cell_bold, st.bold_fonts, block.aligns[i]) for i, h in enumerate(block.headers)]
    ]
    for row in block.rows:
        data.append([para(v, st.cell, st.fonts, block.aligns[i]) for i, v in enumerate(row)])
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
            [
                para(v, st.cell_bold, st.bold_fonts, block.aligns[i])
                for i, v in enumerate(block.total)
            ]
        )
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    # A long table may break across pages (the header row repeats), so it is
    # not kept together; the spacer separates it from the next paragraph.
    return [table, Spacer(1, st.body.leading * 0.7)]


def _signatures(block: SignatureBlock, st: Styles) -> Any:
    n = max(1, len(block.fields))
    gap = 12 * mm
    width = (TEXT_W - gap * (n - 1)) / n
    cells, widths = [], []
    for i, (label, name) in enumerate(block.fields):
        text = label if not name else f"{label}\n{name}"
        cells.append(para(text, st.small, st.fonts))
        widths.append(width)
        if i < n - 1:
            cells.append("")
            widths.append(gap)
    table = Table([[""] * len(cells), cells], colWidths=widths, rowHeights=[18 * mm, None])
    # One TableStyle command each: name, first cell, last cell, then its arguments.
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), st.fonts[0]),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for col in range(0, len(cells), 2):
        style.append(("LINEBELOW", (col, 0), (col, 0), 0.6, colors.black))
    table.setStyle(TableStyle(style))
    return KeepTogether([Spacer(1, 4 * mm), table, Spacer(1, 6 * mm)])


def build_pdf(content: LetterContent) -> bytes:
    """The letter as PDF bytes (reproducible: the same content gives the same bytes)."""
    st = styles(content.language)
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
                "first", [first], onPage=first_page(content, st), autoNextPageTemplate="later"
            ),
            PageTemplate("later", [later], onPage=later_page(content, st)),
        ]
    )
    doc.build(_story(content, st), canvasmaker=canvas_class(content, st))
    return buffer.getvalue()
