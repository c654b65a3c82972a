"""No GUI stall while the agent works at scale: a 5 ms heartbeat on the GUI thread
measures the longest gap while searching, opening the heavy customer, scrolling its
timeline and loading and scrolling a worklist, on the benchmark's base at the CI scale.

The target is 50 ms (a frame, 16 ms, is the aim); this test asserts generous
bounds so a loaded CI machine does not make it flaky, and prints the figures: the
longest gap, and the GUI thread's own work (CPU time) within a gap. The second is
what the code decides; the first also holds the time the machine gave other
processes and the worker threads (the GIL). The benchmark
(``python -m tests.bench scale``) reports them at full scale.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from app.store.db import Database
from app.ui.qt import QGroupBox, QObject, QTimer
from tests.bench.scale import TODAY, build
from tests.ui.conftest import type_text
from tests.ui.factories import add_history, seed_people

pytestmark = pytest.mark.gui
#: What this test accepts (ms) of the GUI thread's own work within a gap, and of a gap;
#: the product's target is 50 ms for both.
WORK_BOUND_MS = 100
GAP_BOUND_MS = 1000
CUSTOMERS = 2000


class Heartbeat:
    """Ticks every 5 ms on the GUI thread; ``longest`` is the widest gap between ticks,
    ``busiest`` the most CPU time the GUI thread spent within one gap."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = self.last_cpu = 0.0
        self.longest = self.busiest = 0.0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.longest = max(self.longest, now - self.last)
        self.busiest = max(self.busiest, cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def measure(
        self, qtbot, start: Callable[[], None], done: Callable[[], bool]
    ) -> tuple[float, float]:
        """The longest gap and the GUI thread's most work within one (ms) from ``start``
        until ``done`` (and 100 ms more)."""
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.longest = self.busiest = 0.0
        self.timer.start()
        start()
        qtbot.waitUntil(done, timeout=30_000)
        qtbot.wait(100)
        self.timer.stop()
        return self.longest * 1000, self.busiest * 1000


def stall_figures(qtbot, window, db: Database) -> dict[str, tuple[float, float]]:
    """Each step's longest GUI gap and GUI work within a gap (ms) in ``window``
    (the main window on ``db``)."""
    from sqlalchemy import select

    from app.store.models import Customer

    with db.engine.connect() as conn:
        heavy = conn.scalar(select(Customer.id).where(Customer.customer_no == "C-0000000"))
    beat = Heartbeat()
    figures: dict[str, tuple[float, float]] = {}
    search = window.search

    def typed() -> None:
        search.edit.setFocus()
        type_text(search.edit, "ann")

    figures["search"] = beat.measure(
        qtbot, typed, lambda: search._shown_query == "ann" and search.model.rowCount() > 0
    )
    figures["open the heavy customer"] = beat.measure(
        qtbot,
        lambda: window.open_customer(heavy),
        lambda: window.overview is not None and window.timeline.model.rowCount() > 0,
    )
    timeline = window.timeline
    view = timeline.view

    def scrolled_far() -> bool:
        bar = view.verticalScrollBar()
        bar.setValue(bar.maximum())
        return timeline.model.rowCount() >= 600 or timeline.model.complete

    figures["scroll the timeline"] = beat.measure(qtbot, lambda: None, scrolled_far)
    window.show_worklist("fair-use")
    worklists = window.worklist_window
    assert worklists is not None
    worklists.set_database(db, TODAY)

    def loaded() -> bool:
        return worklists._state[0] == "loaded"

    figures["load a worklist"] = beat.measure(
        qtbot, lambda: worklists.show_kind("fair-use"), loaded
    )

    def worklist_scrolled() -> bool:
        worklists.table.scrollToBottom()
        return not worklists.model.canFetchMore()

    figures["scroll the worklist"] = beat.measure(qtbot, lambda: None, worklist_scrolled)
    return figures


@pytest.fixture
def collections(gui_app) -> Iterator[list[float]]:
    """The cycle collector on the GUI thread as in the program (:mod:`app.ui.gc_guard`),
    ticking faster so it runs during the steps; how long each collection took (s)."""
    from app.ui.gc_guard import GuiThreadCollector

    owner = QObject()
    GuiThreadCollector(owner, interval_ms=100)
    took: list[float] = []
    started: list[float] = []

    def timed(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            took.append(time.perf_counter() - started.pop())

    gc.callbacks.append(timed)
    yield took
    gc.callbacks.remove(timed)
    owner.deleteLater()
    gc.unfreeze()  # the other tests' collections see everything again


@pytest.fixture
def scale_window(gui_app, qtbot, sqlite_db: Database, collections: list[float]):
    from app.ui.main_window import MainWindow
    from app.ui.worker import pending_ops

    build(sqlite_db, CUSTOMERS, 10)
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_database(sqlite_db)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
    yield win
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
    if win.worklist_window is not None:
        win.worklist_window.close()


def test_no_gui_stall_at_the_ci_scale(
    qtbot, scale_window, sqlite_db: Database, collections: list[float]
) -> None:
    figures = stall_figures(qtbot, scale_window, sqlite_db)
    print()
    for step, (gap, work) in figures.items():
        print(f"longest GUI stall, {step}: {gap:.0f} ms, GUI work in it {work:.0f} ms (target 50)")
    longest = max(collections, default=0.0) * 1000
    print(f"cycle collections on the GUI thread: {len(collections)}, longest {longest:.1f} ms")
    assert longest < WORK_BOUND_MS, collections
    assert scale_window.worklist_window.model.rowCount() > 0
    assert max(work for _gap, work in figures.values()) < WORK_BOUND_MS, figures
    assert max(gap for gap, _work in figures.values()) < GAP_BOUND_MS, figures


@pytest.mark.parametrize("customer", ["with products and a case", "with a ticket"])
def test_the_first_customer_opened_reads_no_playbook_or_locale_on_the_gui_thread(
    qtbot, window, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, customer: str
) -> None:
    """The playbooks the overview words its products, cases and tickets from, and the
    language's date and number formats, are read on the workers: the first customer
    opened read them on the GUI thread, some 50 ms of the 77 its open took there (issue
    15). Counted, not timed: with the caches emptied as at the program's start, where
    each is read."""
    from babel import localedata

    from app.services import playbooks, tickets
    from app.ui.worker import pending_ops
    from tests.test_tickets import TODAY as TICKET_DAY
    from tests.test_tickets import _ticket, _world

    if customer == "with a ticket":
        world = _world(sqlite_db)
        opened = world.customers["A"]
        _ticket(sqlite_db, opened, world.partners["A"], "fair_use_contact", TICKET_DAY)
        expected = "fair_use.yaml"  # the flow that opens the ticket
    else:
        opened = seed_people(sqlite_db)["mueller"]
        expected = "fair_use.yaml"  # its products' words
    add_history(sqlite_db, opened, 30)
    qtbot.waitUntil(lambda: pending_ops() == 0, timeout=10_000)
    read_on: list[tuple[str, str]] = []
    real_read, real_load = playbooks.read_playbook, localedata.load

    def read_playbook(path):
        read_on.append((threading.current_thread().name, path.name))
        return real_read(path)

    def load(name, *args, **kwargs):
        if name not in localedata._cache:  # read from its file, not the cache
            read_on.append((threading.current_thread().name, f"locale {name}"))
        return real_load(name, *args, **kwargs)

    monkeypatch.setattr(playbooks, "read_playbook", read_playbook)
    monkeypatch.setattr(localedata, "load", load)
    playbooks.use_playbooks_dir(None)  # empties the playbooks' caches
    tickets._ticket_flow.cache_clear()
    localedata.clear_caches()
    try:
        window.open_customer(opened)
        qtbot.waitUntil(
            lambda: (
                window.overview is not None
                and window.timeline.model.rowCount() > 0
                and window.customer_view.todo.data is not None
            ),
            timeout=10_000,
        )
        qtbot.wait(50)  # painted
    finally:
        playbooks.use_playbooks_dir(None)
        tickets._ticket_flow.cache_clear()
    if customer == "with a ticket":
        assert window.customer_view.findChild(QGroupBox, "ticketsBox") is not None
    gui = threading.main_thread().name
    assert any(path == expected for _thread, path in read_on), read_on
    assert any(path.startswith("locale ") for _thread, path in read_on), read_on
    assert [path for thread, path in read_on if thread == gui] == [], read_on


def test_a_page_of_history_is_laid_out_in_parts(qtbot, window, sqlite_db: Database) -> None:
    """The timeline measures a page's entries (their heights) some dozens at a time, one
    part per turn of the event loop, not the whole page in one: measuring 200 rows, and
    again when the scroll bar appears, was a good part of the GUI thread's work in one
    gap (issue 15). Counted per turn of the event loop, not timed."""
    from app.ui.timeline import PAGE_SIZE
    from app.ui.timeline_delegate import TimelineDelegate

    measured = [0]
    per_turn: list[int] = []

    class Counting(TimelineDelegate):
        def sizeHint(self, option, index):
            measured[0] += 1
            return super().sizeHint(option, index)

    def turn() -> None:
        per_turn.append(measured[0])
        measured[0] = 0

    people = seed_people(sqlite_db)
    add_history(sqlite_db, people["mueller"], PAGE_SIZE + 50)
    view = window.timeline.view
    counting = Counting(view)
    view.setItemDelegate(counting)
    turns = QTimer()
    turns.setInterval(0)
    turns.timeout.connect(turn)
    turns.start()
    try:
        window.open_customer(people["mueller"])
        qtbot.waitUntil(lambda: window.timeline.model.rowCount() == PAGE_SIZE, timeout=10_000)
        qtbot.wait(200)  # laid out and painted
    finally:
        turns.stop()
    turn()
    assert sum(per_turn) >= PAGE_SIZE, per_turn  # every entry of the page was measured
    assert max(per_turn) <= PAGE_SIZE // 2, max(per_turn)
