"""Python's cycle collector runs on the GUI thread only, and never for long.

Left to itself, the collector runs in whichever thread happens to allocate
when a threshold is crossed, and that is often a background worker. If the
garbage it finds holds a Qt object (a widget in a reference cycle), Qt deletes
that object off the GUI thread and the process can crash. As Anki does, the
window turns automatic collection off and collects on a timer of the GUI
thread instead.

A collection examines every object of the generations it collects: a worklist
of a million customers' base brings a million new objects, and collecting them
held the window for 60–400 ms. So the collector examines young objects only
while they are few (:data:`YOUNG_LIMIT`): more than that are data a worker
built and a screen keeps (a list just loaded, the modules imported at start),
and are moved out of the collector's sight (``gc.freeze()``, which costs
nothing) instead of being examined. An old generation's collection moves what
survived it there too, so no collection examines more than what is new since
the last one. (How many young objects there are is read from ``gc.get_count()``,
which counts every object freed against them, also frozen ones: a worker freeing an
old list says so, :func:`old_objects_freed`, and after the young were frozen while
background work ran they are frozen again at each look until it is done.)
Objects that were moved there and later became garbage are freed as before when
nothing refers to them (reference counting: a worklist replaced by another); only
garbage *cycles* among them (say an ORM session's objects read as a list was built)
wait for the deep collection: everything, as Python's own full collection (190–290 ms
with the 357,504-row onboarding list of a million customers' base loaded, 50–90 ms
without it). It runs once the window has been idle two minutes
(:data:`IDLE_TICKS`), and only when what is out of sight grew by a quarter since the
last one (CPython's rule for a full collection), so not after every list loaded.
"""

from __future__ import annotations

import gc
import time

from app.ui.qt import QApplication, QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
INTERVAL_MS = 1000
#: Young objects a collection examines at most (50,000 took 20–26 ms on a loaded
#: machine); more are moved out of the collector's sight instead (:func:`collect_due`).
YOUNG_LIMIT = 20_000
#: Ticks without work on the GUI thread or workers before a deep collection may run.
IDLE_TICKS = 120
#: GUI-thread CPU time (s) per tick below which a tick counts as idle.
IDLE_CPU = 0.02
#: A deep collection runs when what is out of sight grew by this share since the last
#: one (CPython's full collections: pending long-lived objects over a quarter).
DEEP_GROWTH = 0.25
#: Objects out of sight after the last deep collection (the measure for the next).
_frozen_after_deep = 0
#: Objects moved out of sight unexamined since the last deep collection.
_frozen_since_deep = 0
#: Whether :func:`old_objects_freed` was told since the last :func:`collect_due`.
_count_understated = False
#: What :func:`collect_due` did: collected a generation, or moved the young out of sight.
FROZE = -1


def _size(generations: int) -> int:
    """Objects in generations 0 to ``generations`` (counting costs ~5 ns an object)."""
    return sum(len(gc.get_objects(g)) for g in range(generations + 1))


def _freeze(unexamined: int) -> None:
    global _frozen_since_deep
    _frozen_since_deep += unexamined
    gc.freeze()


def old_objects_freed() -> None:
    """Say that many objects older than the young generation are being freed (a released
    worklist): ``gc.get_count()`` counts every object freed against the young ones, so
    while a worker builds the next list it would understate how many there are. The
    next :func:`collect_due` moves them out of sight instead of examining them."""
    global _count_understated
    _count_understated = True


def _work_running() -> bool:
    from app.ui import worker

    return worker.pending_ops() > 0


def collect_due() -> int | None:
    """Collect the oldest generation whose threshold is crossed, or move the young out
    of the collector's sight when examining them would hold the window
    (:data:`YOUNG_LIMIT`); which generation, :data:`FROZE`, or None."""
    global _count_understated
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    if counts[0] > YOUNG_LIMIT or _count_understated:
        # A worker still running may go on freeing what was frozen (the dictionaries
        # a list was built from, the list replaced): the count is not to be trusted
        # until it is done.
        _count_understated = _work_running()
        _freeze(counts[0])
        return FROZE
    for generation in (2, 1, 0):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            size = _size(generation) if generation else counts[0]
            if size > YOUNG_LIMIT:
                _freeze(size)
                return FROZE
            gc.collect(generation)
            if generation == 2:
                gc.freeze()  # survived a full collection: long-lived
            return generation
    return None


def deep_collection_due() -> bool:
    """Whether something was moved out of sight unexamined since the last deep collection
    and what is out of sight grew by :data:`DEEP_GROWTH` since (as CPython's own rule for
    a full collection): a list replaced by another is freed as it goes, a garbage cycle
    is not. Counting walks everything out of sight (~10 ns an object): ask when idle."""
    global _frozen_after_deep
    if not _frozen_since_deep:
        return False
    frozen = gc.get_freeze_count()
    if not _frozen_after_deep:  # the first time: what the start loaded is the measure
        _frozen_after_deep = frozen
        return False
    return frozen > (1 + DEEP_GROWTH) * _frozen_after_deep


def collect_deep() -> int:
    """Collect everything, including what was moved out of sight (garbage cycles among
    it); the survivors are moved out of sight again. How many objects were freed."""
    global _frozen_after_deep, _frozen_since_deep
    gc.unfreeze()
    freed = gc.collect(2)
    gc.freeze()
    _frozen_after_deep = gc.get_freeze_count()
    _frozen_since_deep = 0
    return freed


class GuiThreadCollector(QObject):
    """Owns the collection for the lifetime of ``parent`` (the application), until its
    event loop ends."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self._idle_ticks = 0
        self._cpu = time.thread_time()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(interval_ms)
        if isinstance(parent, QApplication):
            parent.aboutToQuit.connect(self.stop)

    def stop(self) -> None:
        """Stop collecting, and let Python's collections see everything again."""
        self.timer.stop()
        gc.unfreeze()

    def tick(self) -> None:
        """Collect what is due; a deep collection only after :data:`IDLE_TICKS` idle ticks."""
        from app.ui.worker import pending_ops

        cpu = time.thread_time()
        busy = cpu - self._cpu > IDLE_CPU or pending_ops() > 0
        self._idle_ticks = 0 if busy else self._idle_ticks + 1
        # Once per idle stretch: is there enough to gain?
        if collect_due() is None and self._idle_ticks == IDLE_TICKS and deep_collection_due():
            collect_deep()
        self._cpu = time.thread_time()
