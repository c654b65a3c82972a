"""Cold start: what the first screen does not need is not imported before the window
shows (a fresh process, as the agent starts the program), and how long that takes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Heavy modules only a later screen or an outdated database needs: letters rendering
#: (its templates, and the processes that issue a month's letters on every core), schema
#: upgrades, spreadsheet exports; the store (SQLAlchemy, read on the workers), the
#: processes' code with their rules and playbooks (pydantic, YAML: the window knows the
#: processes from their declarations); phone numbers' metadata (the first number typed).
NOT_BEFORE_THE_WINDOW = (
    "reportlab", "alembic", "xlsxwriter", "openpyxl", "mako", "jinja2", "multiprocessing",
    "sqlalchemy", "pydantic", "pydantic_core", "yaml", "psycopg", "dateutil", "phonenumbers",
)  # fmt: skip
#: The app's own modules that load the above, or the processes' code.
APP_NOT_BEFORE_THE_WINDOW = (
    "app.store.models", "app.store.db", "app.store.repositories", "app.services.customers",
    "app.services.identity", "app.services.runs", "app.services.todo", "app.services.worklists",
    "app.services.playbooks", "app.domain.rule_tables",
    "app.processes.fair_use.process", "app.processes.expiry.process",
    "app.processes.contract.process", "app.processes.onboarding.process",
    "app.processes.complaint.process",
)  # fmt: skip

SHOW = """
import sys, time
t0 = time.perf_counter()
from app.ui.app import create_application
from app.ui.main_window import MainWindow
app = create_application(["agent-assist"])
window = MainWindow()
window.show()
app.processEvents()
import babel.localedata  # which locales' data was read (babel keeps it in a cache)
locales = len(babel.localedata._cache)
print(round((time.perf_counter() - t0) * 1000), locales, " ".join(sorted(sys.modules)))
"""


def test_heavy_modules_are_not_imported_before_the_window_shows() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", SHOW], capture_output=True, text=True, cwd=ROOT, env=env,
        check=True, timeout=120,
    )  # fmt: skip
    ms, locales, *modules = done.stdout.split()
    print(f"\nwindow shown in a fresh process after {ms} ms")
    loaded = {m.split(".")[0] for m in modules}
    assert not loaded & set(NOT_BEFORE_THE_WINDOW), sorted(loaded & set(NOT_BEFORE_THE_WINDOW))
    early = set(modules) & set(APP_NOT_BEFORE_THE_WINDOW)
    assert not early, sorted(early)
    assert locales == "0"  # babel's locale data is read when something is first worded


def test_the_language_menu_reads_babels_locale_data_when_it_first_opens(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The languages' own names are a table; what they are called in the current language
    (the status tips) is read from babel when the menu first opens."""
    from app import i18n
    from app.ui.language_menu import LanguageMenu

    read: list[str] = []
    real = i18n.babel_locale

    def locale(language: str) -> Any:
        read.append(language)
        return real(language)

    monkeypatch.setattr(i18n, "babel_locale", locale)
    menu = LanguageMenu()
    qtbot.addWidget(menu)
    menu.retranslate()
    assert read == []
    assert [a.text() for a in menu.actions()] == ["&Deutsch", "&English", "&Русский", "&中文"]
    menu.aboutToShow.emit()
    assert read
    assert menu.language_actions["ru"].statusTip() == i18n.language_name("ru", i18n.ui_language())
    read.clear()
    menu.retranslate()  # once shown, a language switch renames the status tips
    assert read


def test_the_own_language_names_are_babels() -> None:
    from app.i18n import LANGUAGES, OWN_LANGUAGE_NAMES, babel_locale

    assert set(OWN_LANGUAGE_NAMES) == set(LANGUAGES)
    for code, name in OWN_LANGUAGE_NAMES.items():
        babel = babel_locale(code).get_language_name(babel_locale(code)) or ""
        assert name == babel[:1].upper() + babel[1:]
