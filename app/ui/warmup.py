"""Loading, behind the shown window, what the agent's first steps will need.

The window shows before the store, the services and the processes are imported
(``tests/ui/test_cold_start.py``); they load on first use, on the workers. Left at
that, the first search or opened customer would wait for SQLAlchemy and the models,
and the first to-do list for the processes, their rules and the playbooks. So once the
window has painted, one background thread loads them in the order the agent needs
them: the store and who is working (asked as soon as the database is open), the
search and the customer's services; once the database is open, it reads a search and
one customer once (:func:`read_once`: SQLAlchemy compiles its statements the first
time); then the processes, rules and playbooks. An agent who types before it is done
loses nothing: a search that needs a module being imported waits for that import, as
it would have imported it itself; and all but the first steps wait while the agent
types or the agent's work runs (:class:`AgentActivity`).

Imports, the shipped files and those reads: it writes nothing itself (who is working
is resolved once per database, by whichever asks first: the window does, as it opens
it). A step that fails is logged and skipped (the screen that needs it reports the
error as before).
``AGENT_ASSIST_NO_WARMUP=1`` turns it off (to measure the cold path); only
:func:`app.ui.app.run_gui` starts it, so the commands and the window tests never do.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from app.ui.qt import QApplication, QEvent, QObject, QTimer, QWidget, Signal

if TYPE_CHECKING:
    from app.services.customers import CustomerHit
    from app.store.db import Database

log = logging.getLogger(__name__)

#: Set (to anything but "" or "0") to leave everything to first use.
ENV_NO_WARMUP = "AGENT_ASSIST_NO_WARMUP"


#: A step: a function that loads something; a generator gives way at each ``yield``.
Step = Callable[[], "Iterator[None] | None"]


def _imports(*modules: str) -> Step:
    def step() -> Iterator[None]:
        for module in modules:
            importlib.import_module(module)
            yield

    return step


def _mappers() -> None:
    """SQLAlchemy sets up the models' mappers on the first query; do it now."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


def _processes() -> None:
    """Every process's code (guide, to-do items, worklists, wording) and its rules."""
    from app.processes import processes

    processes()


def _playbooks() -> Iterator[None]:
    """The playbooks, read and checked one by one (the to-do list words its items from
    them), as :func:`app.services.playbooks.load_all` does."""
    from app.services.playbooks import PlaybookError, playbook_for, process_names

    for process in process_names():
        with contextlib.suppress(PlaybookError):  # reported where the playbook is used
            playbook_for(process)
        yield


def read_once(db: Database) -> Iterator[None]:
    """A search and one customer's overview and newest history, read and dropped: the
    first time, SQLAlchemy compiles each statement and sets up its loaders (some 30 ms
    of the first customer's 40). Reads only, through the services (so as the user may:
    a partner's login finds its own customers), each in a transaction rolled back."""
    from app.services.customers import customer_overview, history_page, search_customers
    from app.services.errors import ServiceError

    try:
        hits: list[CustomerHit] = []
        for query in ("a", "0"):  # a name, a number
            hits = hits or search_customers(db, query, 1)
            yield
        if hits:
            customer_overview(db, hits[0].id)
            yield
            history_page(db, hits[0].id)
    except ServiceError as exc:  # the user may not search: nothing to prepare for
        log.info("warm-up read nothing: %s", type(exc).__name__)


#: (name, step, urgent) in the order the agent needs them. The urgent ones are what any
#: first step of the agent needs (the store, the search, the customer): they run at
#: once. The rest (the processes, their rules and playbooks: the to-do list, the
#: worklists, the guided scripts) give way while the agent's work runs on the workers,
#: so as not to hold the interpreter while a search or a customer loads.
STEPS: tuple[tuple[str, Step, bool], ...] = (
    # The database opens behind the window; then the window asks who is working and
    # whether this is a branch office.
    ("store", _imports("app.store.db", "app.store.models", "app.store.repositories"), True),
    ("identity", _imports("app.services.identity", "app.sync"), True),
    ("mappers", _mappers, True),
    # The search, the customer's overview (with its open reminders and tickets), history.
    (
        "customers",
        _imports("app.services.customers", "app.services.tickets", "app.processes.expiry.todo"),
        True,
    ),
    # "What to do now", the worklists and the guided scripts.
    ("processes", _processes, False),
    ("todo", _imports("app.services.todo", "app.services.wording"), False),
    ("playbooks", _playbooks, False),
    ("worklists", _imports("app.services.worklists", "app.services.runs"), False),
)

#: Giving way: how often the warm-up looks whether the agent's work is done (s), and
#: how long none must have run before it goes on (s).
POLL_S = 0.01
QUIET_S = 0.1


def enabled() -> bool:
    return os.environ.get(ENV_NO_WARMUP, "") in ("", "0")


def _agents_work_runs() -> bool:
    from app.ui.worker import pending_ops

    return pending_ops() > 0


class Warmup:
    """Runs ``steps`` once, in order, on a daemon thread of its own (not the pool the
    screens' work runs on: that has as many threads as cores). What it loads is new
    objects by the hundred thousand: the GUI thread's collector (:mod:`app.ui.gc_guard`)
    moves them out of its sight rather than examine them."""

    def __init__(
        self,
        steps: Sequence[tuple[str, Step, bool]] | None = None,
        busy: Callable[[], bool] = _agents_work_runs,
        finished: Callable[[], None] | None = None,
        reads: Callable[[Database], Iterator[None]] | None = read_once,
    ) -> None:
        self.steps = tuple(STEPS if steps is None else steps)
        #: Whether the agent is at work (the steps not urgent wait until not).
        self.busy = busy
        self.finished = finished
        #: Run on the database once it is open (:meth:`use_database`), after the urgent
        #: steps (None: no reads).
        self.reads = reads
        self.db: Database | None = None
        self._db_known = threading.Event()
        #: (name, milliseconds) of each step done, failed ones included.
        self.timings: list[tuple[str, float]] = []
        self.failed: list[str] = []
        #: How long it waited for the agent's work (ms).
        self.gave_way_ms = 0.0
        self.done = threading.Event()
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None and not self._stop.is_set():
            self.thread = threading.Thread(target=self._run, name="warmup", daemon=True)
            self.thread.start()

    def use_database(self, db: Database) -> None:
        """The database the window opened (GUI thread): the reads run on it."""
        self.db = db
        self._db_known.set()

    def stop(self, timeout: float | None = 10) -> bool:
        """Stop after the step it is in (the application ends); whether it has."""
        self._stop.set()
        return self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Whether it finished (within ``timeout`` seconds); True when never started."""
        return self.thread is None or self.done.wait(timeout)

    def _give_way(self) -> None:
        """While the agent's work runs, wait until none has run for ``QUIET_S``."""
        if not self.busy():
            return
        started = quiet = time.perf_counter()
        while not self._stop.is_set():
            now = time.perf_counter()
            if self.busy():
                quiet = now
            elif now - quiet >= QUIET_S:
                break
            self._stop.wait(POLL_S)
        self.gave_way_ms += (time.perf_counter() - started) * 1000

    def _steps(self) -> Iterator[tuple[str, Step, bool]]:
        """The steps, with the reads after the urgent ones as soon as the database is open
        (a database still opening does not hold up the steps after them)."""
        pending = self.reads is not None
        for name, step, urgent in self.steps:
            if pending and not urgent and self._db_known.is_set():
                yield "reads", self._reads_on_the_database, False
                pending = False
            yield name, step, urgent
        if pending:
            yield "reads", self._reads_on_the_database, False

    def _reads_on_the_database(self) -> Iterator[None]:
        while not self._db_known.wait(POLL_S):
            if self._stop.is_set():
                return
        if self.db is not None and self.reads is not None:
            yield from self.reads(self.db)

    def _run(self) -> None:
        try:
            for name, step, urgent in self._steps():
                if self._stop.is_set():
                    break
                started = time.perf_counter()
                waited = self.gave_way_ms
                if not urgent:
                    self._give_way()
                if self._stop.is_set():
                    break
                try:
                    parts = step()
                    for _part in parts if isinstance(parts, Iterator) else ():
                        if self._stop.is_set():
                            break
                        if not urgent:
                            self._give_way()
                except Exception:
                    self.failed.append(name)
                    log.warning("warm-up step %s failed", name, exc_info=True)
                worked = (time.perf_counter() - started) * 1000 - (self.gave_way_ms - waited)
                self.timings.append((name, worked))
                log.debug("warm-up step %s %.0f ms", name, worked)
            log.info(
                "warm-up %s in %s, gave way %.0f ms",
                "stopped" if self._stop.is_set() else "done",
                " ".join(f"{name}={ms:.0f}ms" for name, ms in self.timings),
                self.gave_way_ms,
            )
        finally:
            if self.finished is not None:
                self.finished()
            self.done.set()


class _FirstPaint(QObject):
    """Calls ``then`` (once, from the event loop) after ``window`` first painted."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self.then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False


#: The agent's input, after which the warm-up waits ``TYPING_S`` (the search box
#: searches 150 ms after the last key).
INPUT_EVENTS = frozenset(
    (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.Shortcut)
)
TYPING_S = 0.4


class AgentActivity(QObject):
    """Whether the agent is at work: typed or clicked within ``TYPING_S``, or work of the
    screens (:class:`app.ui.worker.Op`) runs. Watches the application's input until
    :meth:`finish` (from any thread)."""

    _finished = Signal()

    def __init__(self, app: QObject) -> None:
        super().__init__(app)
        self.app = app
        self.last_input = float("-inf")
        app.installEventFilter(self)
        self._finished.connect(self._stop_watching)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.last_input = time.perf_counter()
        return False

    def busy(self) -> bool:
        return time.perf_counter() - self.last_input < TYPING_S or _agents_work_runs()

    def finish(self) -> None:
        with contextlib.suppress(RuntimeError):  # the application is gone
            self._finished.emit()

    def _stop_watching(self) -> None:
        self.app.removeEventFilter(self)
        self.deleteLater()


def warm_up_after_first_paint(window: QWidget, warmup: Warmup | None = None) -> Warmup | None:
    """Start ``warmup`` (the usual steps, giving way to the agent) once ``window`` has
    painted; None when it is turned off (``AGENT_ASSIST_NO_WARMUP``)."""
    if not enabled():
        return None
    if warmup is not None:
        _FirstPaint(window, warmup.start)
        return warmup
    app = QApplication.instance()
    if app is None:
        return None
    usual = Warmup()

    def start() -> None:
        # The agent's input is watched from now on: not while the window first paints.
        activity = AgentActivity(app)
        usual.busy, usual.finished = activity.busy, activity.finish
        usual.start()

    _FirstPaint(window, start)
    return usual
