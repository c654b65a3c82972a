"""The shipped fonts, registered at start-up so every script renders anywhere.

The window never relies on fonts installed on the machine: DejaVu Sans covers
Latin and Cyrillic, WenQuanYi Micro Hei covers Chinese (and is the fallback
for everything else). Both are listed as the application font's families, so
Qt picks glyphs from the second when the first lacks them.
"""

from __future__ import annotations

from app.resources import resource_path
from app.ui.qt import QApplication, QFont, QFontDatabase

FONT_FILES: tuple[str, ...] = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "wqy-microhei.ttc")
#: The application font, in order of preference per glyph.
UI_FAMILIES: list[str] = ["DejaVu Sans", "WenQuanYi Micro Hei"]
UI_POINT_SIZE = 10


def register_fonts() -> set[str]:
    """Register the shipped fonts with Qt; returns the families now available from them."""
    families: set[str] = set()
    for name in FONT_FILES:
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.update(QFontDatabase.applicationFontFamilies(font_id))
    return families


def apply_app_font(app: QApplication, point_size: int = UI_POINT_SIZE) -> QFont:
    """Register the fonts and make them the application's font."""
    register_fonts()
    font = QFont(app.font())
    font.setFamilies(UI_FAMILIES)
    font.setPointSize(point_size)
    app.setFont(font)
    return font
