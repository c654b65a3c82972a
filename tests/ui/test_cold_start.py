"""Cold start: what the first screen does not need is not imported before the window
shows (a fresh process, as the agent starts the program), and how long that takes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Heavy modules only a later screen or an outdated database needs: letters rendering
#: (its templates, and the processes that issue a month's letters on every core), schema
#: upgrades, spreadsheet exports.
NOT_BEFORE_THE_WINDOW = (
    "reportlab", "alembic", "xlsxwriter", "openpyxl", "mako", "jinja2", "multiprocessing",
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
print(round((time.perf_counter() - t0) * 1000), " ".join(sorted(sys.modules)))
"""


def test_heavy_modules_are_not_imported_before_the_window_shows() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", SHOW], capture_output=True, text=True, cwd=ROOT, env=env,
        check=True, timeout=120,
    )  # fmt: skip
    ms, *modules = done.stdout.split()
    print(f"\nwindow shown in a fresh process after {ms} ms")
    loaded = {m.split(".")[0] for m in modules}
    assert not loaded & set(NOT_BEFORE_THE_WINDOW), sorted(loaded & set(NOT_BEFORE_THE_WINDOW))
