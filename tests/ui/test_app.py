"""Starting the application: fonts, the database in the background, readable failures."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from app.services.errors import ServiceError
from app.ui.app import open_database, run_gui
from app.ui.fonts import UI_FAMILIES
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QFontDatabase, QMessageBox, QTimer
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test process has the modules loaded; the warm-up is tested on its own."""
    monkeypatch.setenv("AGENT_ASSIST_NO_WARMUP", "1")


def _main_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


def _run_gui_with(check: Callable[[], bool], **kwargs: object) -> int:
    """Run ``run_gui`` while ``check`` is polled; it returns True when done with the window."""
    app = QApplication.instance()
    timer = QTimer()
    timer.setInterval(30)
    timer.timeout.connect(lambda: check() and timer.stop())
    timer.start()
    QTimer.singleShot(20_000, app.quit)  # never hang the test run
    try:
        return run_gui(**kwargs)  # type: ignore[arg-type]
    finally:
        timer.stop()


def _close_error_box(seen: list[str]) -> Callable[[], bool]:
    def check() -> bool:
        window = _main_window()
        box = window.findChild(QMessageBox, "errorMessage") if window else None
        if box is None or not box.isVisible():
            return False
        seen.append(box.text())
        box.accept()
        return True

    return check


def test_shipped_fonts_cover_latin_cyrillic_and_chinese(gui_app) -> None:
    assert gui_app.font().families() == UI_FAMILIES
    families = set(QFontDatabase.families())
    assert {"DejaVu Sans", "WenQuanYi Micro Hei"} <= families
    chinese = QFontDatabase.WritingSystem.SimplifiedChinese
    assert chinese in QFontDatabase.writingSystems("WenQuanYi Micro Hei")
    assert QFontDatabase.WritingSystem.Cyrillic in QFontDatabase.writingSystems("DejaVu Sans")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nonsense", "not a database URL"),
        ("mysql://db.example/agents", "unsupported database"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "Cannot open the database PostgreSQL"),
    ],
)
def test_a_database_that_cannot_be_opened_is_explained(
    gui_app,
    capsys: pytest.CaptureFixture[str],
    url: str,
    reason: str,
) -> None:
    seen: list[str] = []
    code = _run_gui_with(_close_error_box(seen), db=url)
    assert code == 1
    (message,) = seen
    assert message.startswith("Cannot open the database")
    assert reason in message
    assert "Traceback" not in capsys.readouterr().err
    assert "Traceback" not in message


def test_a_file_that_is_not_a_database_is_explained(
    gui_app,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not SQLite\n" * 200, encoding="utf-8")
    seen: list[str] = []
    code = _run_gui_with(_close_error_box(seen), db=f"sqlite:///{bogus}")
    assert code == 1
    assert "file is not a database" in seen[0]
    assert "agent-assist: Cannot open the database" in capsys.readouterr().err


def test_the_window_opens_on_the_database_and_names_it(gui_app, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    seen: list[str] = []

    def check() -> bool:
        window = _main_window()
        if window is None or window.db is None:
            return False
        seen.append(window.db_label.text())
        seen.append(window.windowTitle())
        window.close()
        return True

    assert _run_gui_with(check, db=url) == 0
    assert seen[0] == f"Database: SQLite: {tmp_path / 'desk.sqlite3'}"
    assert seen[1] == "Agent Assist"


def test_demo_database_is_prepared_in_the_background_with_a_busy_bar(
    gui_app,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    calls: list[tuple[str, bool]] = []

    def ensure_demo_database(url: str) -> None:
        calls.append((url, threading.current_thread() is threading.main_thread()))
        release.wait(10)
        from app.store.db import Database

        db = Database(url)
        seed_people(db)
        db.dispose()

    fake = types.ModuleType("app.services.demo")
    fake.ensure_demo_database = ensure_demo_database  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.services.demo", fake)
    states: list[str] = []

    def check() -> bool:
        window = _main_window()
        if window is None:
            return False
        if not states and calls:
            states.append(f"busy={window.busy_bar.isVisible()} label={window.busy_label.text()}")
            release.set()
        if window.db is not None and not window.busy_bar.isVisible():
            states.append(window.db_label.text())
            window.close()
            return True
        return False

    assert _run_gui_with(check, demo=True) == 0
    ((url, on_main_thread),) = calls
    assert url.endswith("demo.sqlite3") and not on_main_thread
    assert states[0] == "busy=True label=Preparing the demo database…"
    assert states[1].endswith("demo.sqlite3")


def test_demo_without_the_demo_module_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "app.services.demo", None)
    with pytest.raises(ServiceError, match="demo database is not available"):
        open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}", demo=True)


def test_open_pops_the_caller_up_by_phone_number(gui_app, tmp_path: Path) -> None:
    """``agent-assist --open "079 …"``: the telephony system's screen pop."""
    from tests.ui.factories import seed_people

    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    db = open_database(url)
    seed_people(db)  # Hans Müller is +41 79 123 45 67
    db.dispose()
    seen: list[str] = []

    def check() -> bool:
        window = _main_window()
        if window is None or window.overview is None:
            return False
        seen.append(window.overview.customer_no)
        window.close()
        return True

    assert _run_gui_with(check, db=url, open_query="079 123 45 67") == 0
    assert seen == ["C-10001"]


def test_the_window_loads_what_the_agent_needs_first_behind_it_and_stops_at_exit(
    gui_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui import warmup

    monkeypatch.delenv("AGENT_ASSIST_NO_WARMUP")
    ran: list[tuple[bool, bool]] = []
    started: list[warmup.Warmup] = []
    real_start = warmup.Warmup.start

    def start(self: warmup.Warmup) -> None:
        started.append(self)
        real_start(self)

    def probe() -> None:
        window = _main_window()
        ran.append((threading.current_thread() is threading.main_thread(), window is not None))

    monkeypatch.setattr(warmup.Warmup, "start", start)
    # The first step runs; the second waits for the agent's work that never ends.
    monkeypatch.setattr(warmup, "STEPS", (("probe", probe, True), ("later", probe, False)))
    monkeypatch.setattr(warmup, "_agents_work_runs", lambda: True)

    def check() -> bool:
        window = _main_window()
        if window is None or not ran:
            return False
        window.close()
        return True

    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    assert _run_gui_with(check, db=url) == 0
    assert ran == [(False, True)]  # on its own thread, once the window showed
    (run,) = started
    assert run.done.is_set()  # stopped with the application, not left waiting
    assert [name for name, _ms in run.timings] == ["probe"]
