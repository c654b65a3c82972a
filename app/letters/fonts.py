"""The fonts letters are set in: shipped with the app, embedded as subsets.

reportlab does no glyph fallback, so every piece of text is split into runs
and each run is set in the first font of the language's font list that has
all its glyphs: a German letter to a customer named 王芳 sets the name in
WenQuanYi Micro Hei and the rest in DejaVu Sans. Fonts are registered once per
process and only when first needed (WenQuanYi takes ~0.2 s to parse).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import resource_path

#: Font name -> (file below resources/fonts, subfont index of a collection).
FONT_FILES: dict[str, tuple[str, int]] = {
    "DejaVuSans": ("DejaVuSans.ttf", 0),
    "DejaVuSans-Bold": ("DejaVuSans-Bold.ttf", 0),
    "WenQuanYi": ("wqy-microhei.ttc", 0),
}

#: Characters that need no glyph (line breaks are layout, not text).
_NO_GLYPH = frozenset("\n\r\t")


@dataclass(frozen=True, slots=True)
class FontSet:
    """The fonts of one language: body, bold, and fallbacks in order."""

    regular: str
    bold: str
    fallbacks: tuple[str, ...]

    def chain(self, bold: bool = False) -> tuple[str, ...]:
        return ((self.bold if bold else self.regular), *self.fallbacks)


_LATIN = FontSet("DejaVuSans", "DejaVuSans-Bold", ("WenQuanYi",))
#: WenQuanYi Micro Hei has no bold face; Chinese letters set headings larger instead.
_CHINESE = FontSet("WenQuanYi", "WenQuanYi", ("DejaVuSans",))

LANGUAGE_FONTS: dict[str, FontSet] = {"de": _LATIN, "en": _LATIN, "ru": _LATIN, "zh": _CHINESE}

_lock = threading.Lock()


def font_set(language: str) -> FontSet:
    """The fonts a letter in ``language`` uses."""
    return LANGUAGE_FONTS.get(language, _LATIN)


@cache
def _register(name: str) -> TTFont:
    filename, index = FONT_FILES[name]
    path = resource_path("fonts", filename)
    if not path.is_file():
        raise FileNotFoundError(f"the font {name} is missing: {path}")
    with _lock:
        font = TTFont(name, str(path), subfontIndex=index)
        pdfmetrics.registerFont(font)
    return font


def ensure_font(name: str) -> str:
    """Register ``name`` with reportlab (once) and return it."""
    _register(name)
    return name


@cache
def _cmap(name: str) -> frozenset[int]:
    return frozenset(_register(name).face.charToGlyph)


def missing_glyphs(text: str, font: str) -> set[str]:
    """The characters of ``text`` that ``font`` has no glyph for."""
    covered = _cmap(font)
    return {ch for ch in set(text) if ch not in _NO_GLYPH and ord(ch) not in covered}


def font_runs(text: str, fonts: Iterable[str]) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font, run)`` pieces, each set in a font that has its glyphs.

    Every character goes to the first font of ``fonts`` that covers it;
    spaces stay in the current run. A character no font covers stays with the
    first font, so :func:`missing_glyphs` reports it.
    """
    chain = tuple(fonts)
    primary = chain[0]
    covered = _cmap(primary)
    if all(ord(ch) in covered or ch in _NO_GLYPH for ch in text):
        return [(primary, text)] if text else []
    runs: list[tuple[str, str]] = []
    current = primary
    buffer: list[str] = []
    for ch in text:
        font = current if ch.isspace() else _first_covering(ch, chain)
        if font != current and buffer:
            runs.append((current, "".join(buffer)))
            buffer = []
        current = font
        buffer.append(ch)
    if buffer:
        runs.append((current, "".join(buffer)))
    return runs


def _first_covering(ch: str, chain: tuple[str, ...]) -> str:
    for font in chain:
        if ord(ch) in _cmap(font):
            return font
    return chain[0]


def markup(text: str, fonts: Iterable[str]) -> str:
    """``text`` as reportlab paragraph markup: escaped, runs in other fonts tagged."""
    chain = tuple(fonts)
    parts = []
    for font, run in font_runs(text, chain):
        escaped = escape(run).replace("\n", "<br/>")
        if font == chain[0]:
            parts.append(escaped)
        else:
            parts.append(f'<font name="{ensure_font(font)}">{escaped}</font>')
    return "".join(parts)
