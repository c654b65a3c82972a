"""The UI language: chosen at start from the settings, switched at runtime in open windows."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from app import config, i18n
from app.store.db import Database
from app.ui.worker import Op, pending_ops
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qapp, qtbot, sqlite_db: Database) -> Iterator[object]:
    """The main window on a real database, background work run inline."""
    from app.ui.app import create_application
    from app.ui.main_window import MainWindow

    create_application()
    Op.synchronous = True
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_database(sqlite_db)
    win.show()
    try:
        yield win
    finally:
        Op.synchronous = False
        qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
        i18n.set_ui_language("en")  # Qt's translator and QLocale back to English too


def test_switching_the_language_updates_the_open_window(window, qtbot, sqlite_db: Database) -> None:
    from app.ui.qt import QAction, QDialogButtonBox, QGroupBox, QLabel, QLocale

    ids = seed_people(sqlite_db)
    window.open_customer(ids["mueller"])
    window.show_worklist("fair-use")
    worklist = window.worklist_window
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, window)
    cancel = buttons.buttons()[0]

    def bundles() -> str:
        # The newest box: the one it replaced may wait for deletion.
        box = window.customer_view.findChildren(QGroupBox, "bundlesBox")[-1]
        return " | ".join(label.text() for label in box.findChildren(QLabel))

    def checked() -> list[str]:
        return [a.objectName() for a in window.menu_language.actions() if a.isChecked()]

    assert window.menu_file.title() == "&File"
    assert window.menu_language.title() == "&Language"
    assert checked() == ["actLanguage_en"]
    assert worklist.windowTitle() == "Worklist: Fair use by stage"
    assert "31/12/2026" in bundles()
    assert cancel.text() == "Cancel"

    i18n.set_ui_language("de")
    assert window.menu_file.title() == "&Datei"
    assert window.menu_customer.title() == "&Kunde"
    assert window.act_quit.text() == "&Beenden"
    assert window.menu_language.title() == "&Sprache"
    assert checked() == ["actLanguage_de"]
    assert worklist.windowTitle() == "Arbeitsliste: Fair Use nach Stufe"
    assert "31.12.2026" in bundles()
    assert window.db_label.text().startswith("Datenbank: ")
    assert QLocale().name() == "de_CH"

    i18n.set_ui_language("ru")
    assert window.menu_file.title() == "&Файл"
    assert worklist.windowTitle() == "Рабочий список: Справедливое использование по этапам"
    assert "31.12.2026" in bundles()
    assert checked() == ["actLanguage_ru"]
    assert QLocale().name() == "ru_RU"
    # Qt's own texts follow (qtbase_ru.qm), also in widgets that already exist.
    qtbot.waitUntil(lambda: cancel.text() == "Отмена", timeout=2000)

    # The menu itself: the languages in their own names; choosing one saves it.
    names = [a.text() for a in window.menu_language.actions()]
    assert names == ["&Deutsch", "&English", "&Русский", "&中文"]
    window.findChild(QAction, "actLanguage_zh").trigger()
    assert i18n.ui_language() == "zh"
    assert window.menu_file.title() == "文件(&F)"
    qtbot.waitUntil(lambda: cancel.text() == "取消", timeout=2000)
    assert config.Settings.load().ui_language == "zh"


def test_saving_the_language_keeps_the_other_settings() -> None:
    config.Settings(agent_name="Anna Keller", db_url="sqlite:///x.sqlite3").save()
    config.save_ui_language("ru_RU")
    saved = config.Settings.load()
    assert (saved.ui_language, saved.agent_name) == ("ru", "Anna Keller")
    assert saved.db_url == "sqlite:///x.sqlite3"
    assert config.settings().ui_language == "ru"


def _start(argv: list[str]) -> str:
    from app import cli

    with pytest.raises(SystemExit):
        cli.main(argv)
    return i18n.ui_language()


def test_the_application_starts_in_the_configured_language(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LANGUAGE", "de_CH.UTF-8")
    assert _start(["--version"]) == "de"  # no setting: the operating system's
    config.settings_file().write_text(json.dumps({"ui_language": "ru"}), encoding="utf-8")
    config.settings.cache_clear()
    assert _start(["--version"]) == "ru"
    config.settings_file().write_text(json.dumps({"ui_language": "fr"}), encoding="utf-8")
    config.settings.cache_clear()
    with caplog.at_level(logging.WARNING, logger="app.config"):
        assert _start(["--version"]) == "de"
    assert "ignoring the setting ui_language='fr'" in caplog.text


def test_every_translated_character_has_a_glyph_in_the_shipped_fonts(qapp) -> None:
    """Chinese and Russian menus render on a machine without CJK or Cyrillic fonts."""
    from app.i18n_tools import po_file, read_catalog
    from app.ui.app import create_application
    from app.ui.fonts import UI_FAMILIES
    from app.ui.qt import QFont, QFontMetrics

    create_application()
    metrics = [QFontMetrics(QFont(family)) for family in UI_FAMILIES]
    assert QFont(UI_FAMILIES[-1]).exactMatch()
    for language in ("de", "ru", "zh"):
        text = "".join(
            "".join(m.string) if isinstance(m.string, tuple | list) else m.string
            for m in read_catalog(po_file(language))
            if m.id
        )
        chars = {c for c in text if not c.isspace()}
        assert len(chars) > 20
        missing = sorted(c for c in chars if not any(fm.inFontUcs4(ord(c)) for fm in metrics))
        assert not missing, f"{language}: no glyph for {''.join(missing)}"
