"""Worklists at an operator's scale: each list's time, its first page, and the window's
memory and longest stall with it open.

Runs on databases the scale benchmark built and kept (``python -m tests.bench scale
--keep DIR``), or builds a small one (the CI smoke size):

    .venv/bin/python -m tests.bench worklists --keep /tmp/scale1m --engines sqlite,postgresql
    .venv/bin/python -m tests.bench worklists --customers 2000

For each worklist: the rows as the window gets them (``worklist_rows``, first run
and best of three), the first page made and worded (200 rows), the whole list made
(what ``agent-assist worklist`` prints); then, in a fresh process, the worklist
window loads every list and scrolls it while a 5 ms heartbeat on the GUI thread
measures the longest gap (with the GUI thread's own work in it, and how long it waited
for a CPU the machine gave other processes), and the process's resident memory is read.
As in the program, the cycle collector runs on the GUI thread (:mod:`app.ui.gc_guard`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.scale import TODAY, Figure, build, database, machine, table

PAGE = 200

WINDOW = """
import json, sys, threading, time
from datetime import date
from app.ui.app import create_application
from app.ui.qt import QTimer
from app.ui.worklists import WorklistWindow
from app.store.db import Database
from app.services.worklists import KINDS

app = create_application(["agent-assist"])
from app.ui.gc_guard import GuiThreadCollector

GuiThreadCollector(app)  # as the program: the cycle collector runs on the GUI thread
db = Database(sys.argv[1])
window = WorklistWindow()
window.set_database(db, date.fromisoformat(sys.argv[2]))
beat = {"last": time.perf_counter(), "longest": 0.0}

def schedstat():  # (CPU time, time waiting for a CPU) of the GUI thread, s (Linux)
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
            on_cpu, waiting = f.read().split()[:2]
        return int(on_cpu) / 1e9, int(waiting) / 1e9
    except OSError:
        return time.thread_time(), 0.0

def tick():
    now, (cpu, waiting) = time.perf_counter(), schedstat()
    if now - beat["last"] > beat["longest"]:
        beat["longest"] = now - beat["last"]
        beat["work"], beat["waiting"] = cpu - beat["cpu"], waiting - beat["waiting_at"]
    beat["last"], beat["cpu"], beat["waiting_at"] = now, cpu, waiting

timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(tick)

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

def until(done, seconds=120):
    end = time.perf_counter() + seconds
    while not done() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)

out = {}
for kind in KINDS:
    beat.update(last=time.perf_counter(), longest=0.0, work=0.0, waiting=0.0)
    beat["cpu"], beat["waiting_at"] = schedstat()
    timer.start()
    start = time.perf_counter()
    window.show_kind(kind)
    until(lambda: window._state[0] != "loading")
    loaded = time.perf_counter() - start
    for _ in range(5):  # the agent scrolls a few pages down
        window.table.scrollToBottom()
        until(lambda: False, 0.05)
    timer.stop()
    out[kind] = [
        loaded, beat["longest"], rss_mb(), len(window.model.rows), beat["work"], beat["waiting"]
    ]
print(json.dumps(out), flush=True)
import os
os._exit(0)  # no teardown of Qt and the thread pool behind the figures
"""


def measure(url: str, db, runs: int = 3) -> list[Figure]:
    """Each worklist's figures on the database at ``url`` (``db`` open on it)."""
    from app.services.playbooks import load_all
    from app.services.rules import load_ruleset
    from app.services.wording import row_words
    from app.services.worklists import KINDS, worklist_rows

    load_all()
    load_ruleset()
    figures: list[Figure] = []
    for kind in KINDS:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            rows = worklist_rows(db, kind, TODAY)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for row in rows[:PAGE]:
            row_words(row)
        page = time.perf_counter() - start
        start = time.perf_counter()
        whole = list(rows)
        made = time.perf_counter() - start
        note = f"{len(rows):,} rows; first run {times[0] * 1000:.0f} ms"
        figures.append(Figure(f"{kind} worklist (rows for the window)", "< 2000", times, note))
        figures.append(Figure(f"{kind} worklist: first page worded", "< 50", [page], "n=1"))
        figures.append(
            Figure(f"{kind} worklist: every row made", "", [made], f"{len(whole):,} rows")
        )
        del whole, rows
    figures.extend(window_figures(url))
    return figures


def window_figures(url: str) -> list[Figure]:
    """The worklist window in a fresh process: load time, longest stall, memory."""
    import json

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AGENT_ASSIST_AGENT_NAME="Bench")
    done = subprocess.run(
        [sys.executable, "-c", WINDOW, url, TODAY.isoformat()],
        capture_output=True, text=True, cwd=root, env=env, check=False, timeout=1800,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        why = (done.stderr.strip().splitlines() or ["no output"])[-1][:80]
        return [Figure("worklist window", "", [], why)]
    figures = []
    for kind, (loaded, longest, rss, count, work, waiting) in json.loads(lines[-1]).items():
        figures.append(Figure(f"window: {kind} loaded", "< 2000", [loaded], f"{count:,} rows"))
        note = (
            f"n=1; in it the GUI thread worked {work * 1000:.0f} ms and waited for a CPU "
            f"{waiting * 1000:.0f} ms"
        )
        figures.append(Figure(f"window: {kind}, longest GUI stall", "< 50", [longest], note))
        figures.append(
            Figure(f"window: {kind}, GUI RSS (MB, not ms)", "< 300", [rss / 1000], "n=1")
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench worklists", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--customers", type=int, default=2000, help="scale of a new build")
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--keep", type=Path, help="the folder the scale benchmark kept")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        for engine in args.engines.split(","):
            with database(engine, folder, args.keep is not None) as (db, label):
                from tests.bench.scale import _count

                if _count(db) == 0:
                    build(db, args.customers, 1)
                label = f"{label}, {_count(db):,} customers"
                rows += [(label, "", f) for f in measure(db.url, db)]
    print(table(rows, f"Machine: {machine()}"))
    return 0
