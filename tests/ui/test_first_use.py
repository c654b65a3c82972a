"""The agent's first search and first customer after the program started: in a fresh
process, as the agent starts it, the window shows at once and what the search and the
customer need loads behind it (:mod:`app.ui.warmup`), so that typing a second later
finds it loaded; the GUI thread neither waits for it nor imports it itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.store.db import Database
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
#: What this test accepts (ms) for the first search and the first customer (overview and
#: first page of history) on a small database; the product's target is 100 ms.
FIRST_USE_BOUND_MS = 300
#: The longest GUI gap accepted while the warm-up runs (the target is 50 ms; the test
#: machine is shared, as in tests/ui/test_gui_stall.py).
GAP_BOUND_MS = 1000

#: ``run_gui`` on argv[1]; argv[2] s after the window showed, type argv[3] key by key
#: (80 ms apart), then open the first hit; print the figures (ms) as JSON.
FIRST_USE = r"""
import json, sys, time
T0 = time.perf_counter()
from app.ui.app import create_application, run_gui
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QEvent, QKeyEvent, Qt, QTimer
from app.ui import search_panel

url, delay, query = sys.argv[1], float(sys.argv[2]), sys.argv[3]
app = create_application(["agent-assist"])
at, gaps, state, last = {}, [], ["window"], [0.0]
loaded = {}
real_search = search_panel.search_customers

def search_customers(*args, **kwargs):  # on the worker
    at.setdefault("search", time.perf_counter())
    return real_search(*args, **kwargs)

search_panel.search_customers = search_customers

def window():
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return found[0] if found and found[0].isVisible() else None

def key(widget, char):
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
        QApplication.sendEvent(widget, event)

def tick():
    now = time.perf_counter()
    if last[0]:
        gaps.append((now, now - last[0]))
    last[0] = now
    w = window()
    if state[0] == "window" and w is not None:
        at["shown"] = now
        state[0] = "wait"
    elif state[0] == "wait" and now - at["shown"] >= delay and w.db is not None:
        loaded["customers"] = "app.services.customers" in sys.modules
        loaded["playbooks"] = "app.services.playbooks" in sys.modules
        w.search.edit.setFocus()
        at["typing"] = now
        state[0] = "typing"
    elif state[0] == "typing":
        typed = len(w.search.edit.text())
        if typed < len(query) and now - at["typing"] >= typed * 0.08:
            key(w.search.edit, query[typed])
        elif typed == len(query):
            state[0] = "search"
    elif state[0] == "search" and "search" in at and w.search.model.hit(0) is not None:
        at["found"] = now
        hit = w.search.model.hit(0)
        at["open"] = time.perf_counter()
        w.open_customer(hit.id)
        state[0] = "open"
    elif state[0] == "open":
        if "overview" not in at and w.overview is not None:
            at["overview"] = now
        if "history" not in at and w.timeline.model.pages_loaded:
            at["history"] = now
        if "todo" not in at and w.customer_view.todo.data is not None:
            at["todo"] = now
        if {"overview", "history", "todo"} <= set(at):
            state[0] = "done"
            w.close()

timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(tick)
timer.start()
QTimer.singleShot(60_000, app.quit)
code = run_gui(db=url, argv=["agent-assist"])
ms = lambda a, b: round((at[b] - at[a]) * 1000, 1)
print(json.dumps({
    "code": code, "shown": round((at["shown"] - T0) * 1000), **loaded,
    "search": ms("search", "found"),
    "open": round((max(at["overview"], at["history"]) - at["open"]) * 1000, 1),
    "todo": ms("open", "todo"),
    "gap": round(max(g for t, g in gaps if at["shown"] < t <= at["typing"]) * 1000, 1),
}))
"""


def first_use(url: str, delay: float, *, warmup: bool = True, query: str = "mül") -> dict:
    """The figures of one fresh process on ``url`` (see ``FIRST_USE``)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AGENT_ASSIST_AGENT_NAME="Test")
    env.pop("AGENT_ASSIST_DB", None)
    if not warmup:
        env["AGENT_ASSIST_NO_WARMUP"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", FIRST_USE, url, str(delay), query],
        capture_output=True, text=True, cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def small_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AGENT_ASSIST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AGENT_ASSIST_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    db = Database(url)
    seed_people(db)
    db.dispose()
    return url


def test_the_first_search_and_customer_a_second_after_start_find_everything_loaded(
    small_db_url: str,
) -> None:
    """Up to three fresh processes (the machine is shared: one that meets the bound)."""
    runs = []
    for _ in range(3):
        figures = first_use(small_db_url, 1.5)
        runs.append(figures)
        print(
            f"\nfresh process: window shown after {figures['shown']} ms; 1.5 s later the "
            f"first search took {figures['search']} ms, the first customer {figures['open']} "
            f"ms (its to-do list {figures['todo']} ms); longest GUI gap while loading behind "
            f"the window {figures['gap']} ms"
        )
        assert figures["code"] == 0
        assert figures["customers"]  # loaded behind the window before the agent typed
        if max(figures["search"], figures["open"]) < FIRST_USE_BOUND_MS:
            break
    assert min(f["search"] for f in runs) < FIRST_USE_BOUND_MS
    assert min(f["open"] for f in runs) < FIRST_USE_BOUND_MS
    assert min(f["gap"] for f in runs) < GAP_BOUND_MS


SET_DATABASE = r"""
import sys, threading, time
from app.ui.app import create_application, open_database
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication
from app.ui.worker import pending_ops

importers = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.startswith(("app.services.identity", "app.store.models")):
            importers.setdefault(name, threading.current_thread() is threading.main_thread())
        return None

app = create_application(["agent-assist"])
window = MainWindow()
window.show()
db = open_database(sys.argv[1])  # the worker's part, done here
sys.meta_path.insert(0, Watch())
window.set_database(db)
deadline = time.monotonic() + 30
while (window.identity is None or pending_ops()) and time.monotonic() < deadline:
    QApplication.processEvents()
    time.sleep(0.005)
print(window.identity is not None, sorted(n for n, gui in importers.items() if gui))
"""


def test_the_gui_thread_does_not_import_the_identity_service_when_the_database_opens(
    small_db_url: str,
) -> None:
    """Who is working is asked on a worker, which imports the service (and the models)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AGENT_ASSIST_AGENT_NAME="Test")
    done = subprocess.run(
        [sys.executable, "-c", SET_DATABASE, small_db_url],
        capture_output=True, text=True, cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    known, on_the_gui_thread = done.stdout.split(maxsplit=1)
    assert known == "True"
    assert on_the_gui_thread.strip() == "[]"
