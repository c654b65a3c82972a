"""Diagnostics for a support ticket (command and Help menu) and the About box."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from app import __version__, logs
from app.cli import main
from app.diagnostics import build_text, font_licences, report, ruleset_text
from app.store.db import Database, head_revision
from tests.ui.conftest import gui_app, sync_ops, window  # noqa: F401 - fixtures

FACTS = ("Version", "Build", "Operating system", "Python", "Qt", "Database", "Schema version",
         "Sync", "Rule set", "Log file")  # fmt: skip


@pytest.fixture(autouse=True)
def _log_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(logs.ENV_LOG_DIR, str(tmp_path / "logs"))
    logs.shutdown_logging()
    yield
    logs.shutdown_logging()


def test_the_report_says_what_support_asks_and_ends_with_the_masked_log(
    sqlite_db: Database,
) -> None:
    logs.setup_logging(logging.INFO)
    logging.getLogger("app.test").info("call from +41 79 123 45 67")
    text = report(sqlite_db.url, sqlite_db)
    for label in FACTS:
        assert f"\n{label} " in f"\n{text}", label
    assert f"Agent Assist {__version__}" in text
    assert "development build" in text
    assert f"{head_revision()}; this program needs {head_revision()}" in text
    assert "local SQLite file agent-assist.sqlite3" in text
    assert "Sync" in text and "Desktop: this database is not a branch" in text
    assert "+41 79 *** ** 67" in text and "123 45" not in text
    assert str(sqlite_db.url) not in text  # the file's folder may carry a person's name


def test_diagnostics_command_prints_or_zips_without_a_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pg_db: Database
) -> None:
    url = pg_db.url.replace("postgres@", "postgres:s3cret@", 1)
    assert main(["diagnostics", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "shared PostgreSQL server 127.0.0.1:5432/" in out
    assert f"{head_revision()}; this program needs" in out
    assert "s3cret" not in out and "postgres@" not in out

    target = tmp_path / "support" / "diagnostics.zip"
    assert main(["diagnostics", "--db", url, "--out", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["diagnostics.txt"]
        text = archive.read("diagnostics.txt").decode("utf-8")
    assert "Schema version" in text and "s3cret" not in text


def test_diagnostics_never_creates_or_upgrades_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "none.sqlite3"
    assert main(["diagnostics", "--db", f"sqlite:///{path}"]) == 0
    assert "not created yet" in capsys.readouterr().out
    assert not path.exists()


@pytest.mark.gui
def test_help_menu_copies_diagnostics_and_shows_about(qtbot, window, sync_ops) -> None:  # noqa: F811
    from app.ui.about_dialog import AboutDialog
    from app.ui.qt import QApplication

    names = [a.objectName() for a in window.menu_help.actions()]
    assert names.index("actDiagnostics") < names.index("actAbout")
    QApplication.clipboard().clear()
    window.act_diagnostics.trigger()
    copied = QApplication.clipboard().text()
    assert "Schema version" in copied and f"Agent Assist {__version__}" in copied
    assert "clipboard" in window.statusBar().currentMessage()

    window.act_about.trigger()
    dialog = window.findChild(AboutDialog, "aboutDialog")
    assert dialog is not None and dialog.isVisible()
    facts, licences = dialog.facts.text(), dialog.licences.text()
    assert __version__ in facts and build_text() in facts and ruleset_text() in facts
    for files, licence in font_licences():
        assert files in licences and licence.split(" (")[0] in licences
    for library in ("PySide6", "SQLAlchemy", "reportlab", "LGPL"):
        assert library in licences
    dialog.close()


def test_font_licences_come_from_the_fonts_readme() -> None:
    rows = dict(font_licences())
    assert any("DejaVuSans.ttf" in files for files in rows)
    assert any("wqy-microhei.ttc" in files for files in rows)
    assert all(licence for licence in rows.values())
