"""Sheet geometry, colours and paragraph styles of letters, per language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from app.letters.fonts import ensure_font, font_set, markup

PAGE_W, PAGE_H = A4
LEFT, RIGHT = 25 * mm, 20 * mm
TEXT_W = PAGE_W - LEFT - RIGHT
BODY_TOP_FIRST = 96 * mm
BODY_TOP_LATER = 25 * mm
BODY_BOTTOM = 29 * mm  # from the bottom edge: room for the footer and page label
GREY = colors.HexColor("#5A6270")
LIGHT = colors.HexColor("#EEF2F7")
RULE = colors.HexColor("#B8C0CC")


@dataclass(frozen=True, slots=True)
class Styles:
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
def styles(language: str) -> Styles:
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

    return Styles(
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


def para(
    text: str, style: ParagraphStyle, fonts: Sequence[str], align: str | None = None
) -> Paragraph:
    if align:
        style = aligned(style, align)
    return Paragraph(markup(text, fonts), style)


@cache
def aligned(style: ParagraphStyle, align: str) -> ParagraphStyle:
    value = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}[align]
    if style.alignment == value:
        return style
    return ParagraphStyle(f"{style.name}-{align}", parent=style, alignment=value)


@cache
def brand_style(base: ParagraphStyle, colour: str) -> ParagraphStyle:
    return ParagraphStyle(f"{base.name}-{colour}", parent=base, textColor=colors.HexColor(colour))
