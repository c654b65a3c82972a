"""Loading catalogs at runtime: .po in a checkout, .mo in the build, never a fuzzy entry."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from app import i18n
from app.i18n_tools import compile_all, new_catalog


def _write_po(path: Path, catalog: Catalog) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)
    return path


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``translations/`` folder the translator reads instead of the shipped one."""
    folder = tmp_path / "translations"
    folder.mkdir()
    monkeypatch.setattr("app.resources.translations_path", lambda: folder)
    return folder


def _german(*entries: tuple[object, object, bool]) -> Catalog:
    catalog = new_catalog("de")
    for msgid, msgstr, fuzzy in entries:
        catalog.add(msgid, msgstr, flags=["fuzzy"] if fuzzy else ())
    return catalog


def test_a_checkout_reads_the_po_without_a_compile_step(scratch: Path) -> None:
    po, mo = i18n.catalog_files("de")
    assert po == scratch / "de" / "LC_MESSAGES" / "agent_assist.po"
    _write_po(po, _german(("&File", "&Datei", False), ("Toolbar", "Werkzeugleiste", True)))
    assert not mo.exists()
    german = i18n.translator("de")
    assert german.gettext("&File") == "&Datei"
    assert german.gettext("Toolbar") == "Toolbar"  # fuzzy: never shown


def test_a_translation_with_wrong_placeholders_shows_the_english_text(scratch: Path) -> None:
    po, _mo = i18n.catalog_files("de")
    _write_po(
        po,
        _german(
            ("Database: {name}", "Datenbank: {nom}", False),
            ("About {app}", "Über {app}", False),
        ),
    )
    german = i18n.translator("de")
    assert german.gettext("Database: {name}").format(name="x") == "Database: x"
    assert german.gettext("About {app}") == "Über {app}"


def test_a_fresh_mo_is_used_and_a_stale_one_is_not(scratch: Path) -> None:
    po, mo = i18n.catalog_files("de")
    _write_po(po, _german(("&File", "&Datei (po)", False)))
    mo.write_bytes(
        i18n.compile_po(_write_po(scratch / "other.po", _german(("&File", "mo", False))))
    )
    now = time.time()
    os.utime(po, (now - 100, now - 100))
    os.utime(mo, (now, now))
    assert i18n.translator("de").gettext("&File") == "mo"
    os.utime(mo, (now - 200, now - 200))
    i18n.reload_translations()
    assert i18n.translator("de").gettext("&File") == "&Datei (po)"
    po.unlink()  # the installed build: only the .mo
    i18n.reload_translations()
    assert i18n.translator("de").gettext("&File") == "mo"


def test_a_broken_catalog_is_logged_and_english_shown(
    scratch: Path, caplog: pytest.LogCaptureFixture
) -> None:
    po, mo = i18n.catalog_files("ru")
    po.parent.mkdir(parents=True)
    mo.write_bytes(b"not a catalog")
    with caplog.at_level(logging.WARNING, logger="app.i18n"):
        assert i18n.translator("ru").gettext("&File") == "&File"
    assert "cannot load the ru translations" in caplog.text
    assert i18n.translator("zh").gettext("&File") == "&File"  # no catalog at all


def test_compile_writes_mo_files_without_fuzzy_entries(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(i18n.catalog_files("de")[0].parents[2], root / "translations")
    po = root / "translations" / "de" / "LC_MESSAGES" / "agent_assist.po"
    _write_po(po, _german(("&File", "&Datei", False), ("Toolbar", "Werkzeugleiste", True)))
    lines = compile_all(root)
    assert "de: 1 of 2 translated, 1 fuzzy (not used), 0 refused for their placeholders" in lines
    import gettext

    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    assert compiled.gettext("&File") == "&Datei"
    assert compiled.gettext("Toolbar") == "Toolbar"
    for folder in ("en", "ru", "zh_Hans"):
        assert (root / "translations" / folder / "LC_MESSAGES" / "agent_assist.mo").is_file()


def test_the_shipped_catalogs_translate_with_the_right_plurals() -> None:
    singular, plural = "{count} customer", "{count} customers"
    russian = i18n.translator("ru")
    assert russian.gettext("&File") == "&Файл"
    forms = {
        n: russian.ngettext(singular, plural, n).format(count=n) for n in (1, 3, 5, 21, 22, 25)
    }
    assert forms == {
        1: "1 абонент",
        3: "3 абонента",
        5: "5 абонентов",
        21: "21 абонент",
        22: "22 абонента",
        25: "25 абонентов",
    }
    assert i18n.translator("zh").ngettext(singular, plural, 1) == "{count} 位客户"
    assert i18n.translator("zh").ngettext(singular, plural, 7) == "{count} 位客户"
    assert i18n.translator("de").ngettext(singular, plural, 1) == "{count} Kunde"
    assert i18n.translator("en").gettext("&File") == "&File"


def test_ui_functions_follow_the_ui_language() -> None:
    i18n.set_ui_language("de")
    assert i18n._("&Help") == "&Hilfe"
    assert i18n.ngettext("{count} customer", "{count} customers", 2) == "{count} Kunden"
    i18n.set_ui_language("zh_CN.UTF-8")
    assert i18n.ui_language() == "zh"
    assert i18n._("&Help") == "帮助(&H)"
    assert i18n.translator("ru").gettext("&Help") == "&Справка"  # a customer's language


def test_loading_a_catalog_from_its_po_is_quick() -> None:
    """About 15-60 ms per language in a checkout; far less than a window takes to show."""
    started = time.perf_counter()
    for language in ("de", "ru", "zh"):
        i18n.translator(language)
    assert time.perf_counter() - started < 1.5
