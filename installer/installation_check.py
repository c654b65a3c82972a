"""``agent-assist --check-installation``: does this program folder have all it needs?

Runs inside the frozen build (and from a checkout, for comparison) and checks
what PyInstaller cannot see by following imports: the data files, Alembic's
migration scripts (read from the file system), babel's locale data for every
UI language, the gettext catalogs, reportlab with the shipped fonts, the
database drivers, every sub-command module and Qt's offscreen platform.
Prints one line per check and returns 1 if any failed.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path


def _resources() -> str:
    from app.resources import project_root, resource_path

    rules = sorted(p.name for p in resource_path("rules").glob("*.toml"))
    fonts = sorted(p.name for p in resource_path("fonts").glob("*.tt[fc]"))
    if not rules or not fonts:
        raise RuntimeError(f"no rule tables or fonts below {resource_path()}")
    return f"{project_root()}: {len(rules)} rule tables, {len(fonts)} fonts"


def _migrations() -> str:
    from app.store.db import MIGRATIONS_DIR, Database, current_revision, head_revision

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder, 'check.sqlite3').as_posix()}")
        try:
            current, head = current_revision(db.engine), head_revision()
        finally:
            db.dispose()
    if current != head or head is None:
        raise RuntimeError(f"schema at {current}, scripts say {head}")
    return f"{MIGRATIONS_DIR}: new SQLite database migrated to {head}"


def _formats() -> str:
    from app.i18n import LANGUAGES, format_date, format_money, language_name

    samples = [
        f"{lang}: {format_date(date(2026, 1, 15), lang, 'long')}, "
        f"{format_money(Decimal('1234.50'), 'CHF', lang)}, {language_name(lang)}"
        for lang in LANGUAGES
    ]
    return "; ".join(samples)


def _catalogs() -> str:
    from app.i18n import CATALOG_FOLDERS, DOMAIN
    from app.resources import translations_path

    found = [
        lang
        for lang, folder in CATALOG_FOLDERS.items()
        if (translations_path() / folder / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    ]
    return f"catalogs for {', '.join(found)}" if found else "no compiled catalogs (English only)"


def _letters() -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from app.resources import resource_path

    pdfmetrics.registerFont(TTFont("CheckDejaVu", str(resource_path("fonts", "DejaVuSans.ttf"))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "check.pdf")
        canvas = Canvas(str(path), pagesize=A4)
        canvas.setFont("CheckDejaVu", 12)
        canvas.drawString(72, 720, "Grüezi, Здравствуйте")
        canvas.setFont("Helvetica", 12)  # reportlab's own font metrics
        canvas.drawString(72, 700, "Agent Assist")
        for logo in resource_path("letters").glob("*.png"):  # PNG needs Pillow
            canvas.drawImage(str(logo), 72, 600, width=120, height=40, preserveAspectRatio=True)
        canvas.save()
        size = path.stat().st_size
        pages = _preview_pages(path)
    return f"PDF with an embedded font, {size} bytes; preview renders {pages} page(s)"


def _preview_pages(path: Path) -> int:
    """The letter preview and printing draw pages with PDFium (pypdfium2)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        image = document[0].render(scale=0.5).to_pil()
        if image.width < 100:
            raise RuntimeError("PDFium drew an empty page")
        return len(document)
    finally:
        document.close()


def _drivers() -> str:
    import psycopg
    from sqlalchemy import create_engine

    engines = [
        create_engine("sqlite://"),
        create_engine("postgresql+psycopg://check@127.0.0.1:1/check"),  # loads, no connect
    ]
    names = ", ".join(f"{e.dialect.name}+{e.dialect.driver}" for e in engines)
    return f"{names}; psycopg {psycopg.__version__} ({psycopg.pq.__impl__})"


def _commands() -> str:
    from app.commands import COMMAND_MODULES

    for name in COMMAND_MODULES:
        importlib.import_module(f"app.commands.{name}")
    return ", ".join(COMMAND_MODULES)


def _qt() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QIcon
    from PySide6.QtPrintSupport import QPrinter  # letters are printed through Qt
    from PySide6.QtWidgets import QApplication

    from app.resources import resource_path

    app = QApplication.instance() or QApplication([])
    QPrinter(QPrinter.PrinterMode.HighResolution)
    icons = list(resource_path("icons").glob("*.svg"))
    drawn = [p.name for p in icons if not QIcon(str(p)).pixmap(32, 32).isNull()]
    if len(drawn) != len(icons):
        raise RuntimeError(f"SVG icons not drawn: {sorted(p.name for p in icons)}")
    return f"Qt {qVersion()} on {app.platformName()}, {len(drawn)} SVG icons drawn"


CHECKS: dict[str, Callable[[], str]] = {
    "resources": _resources,
    "migrations": _migrations,
    "formats": _formats,
    "catalogs": _catalogs,
    "letters": _letters,
    "drivers": _drivers,
    "commands": _commands,
    "qt": _qt,
}


def main() -> int:
    from app import APP_NAME, __version__

    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    print(f"{APP_NAME} {__version__} ({frozen}, {sys.executable})")
    failed = 0
    for name, check in CHECKS.items():
        try:
            print(f"ok     {name}: {check()}")
        except Exception:  # report every failure, not just the first
            failed += 1
            print(f"FAILED {name}:\n{traceback.format_exc()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
