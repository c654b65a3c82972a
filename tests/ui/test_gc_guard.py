"""The window collects reference cycles on the GUI thread, never on a worker, and never
examines more than a few thousand objects while the agent works."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from app.ui import gc_guard
from app.ui.qt import QObject


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def fresh_gc(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """A collector starting from nothing pending and what the tests loaded before out of
    sight, automatic collection off (as in the window); (generation, thread) of each
    collection."""
    enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    gc.freeze()
    monkeypatch.setattr(gc_guard, "_frozen_after_deep", 0)
    monkeypatch.setattr(gc_guard, "_frozen_since_deep", 0)
    collections: list[tuple[int, int]] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append((info["generation"], threading.get_ident()))

    gc.callbacks.append(seen)
    old = gc.get_threshold()
    try:
        yield collections
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*old)
        gc.unfreeze()  # the other tests' collections see everything again
        if enabled:
            gc.enable()


def test_the_collector_turns_automatic_collection_off_and_collects_on_its_timer(
    qtbot, gui_app, fresh_gc
) -> None:
    owner = QObject()
    gc.enable()
    gc_guard.GuiThreadCollector(owner, interval_ms=10)
    assert not gc.isenabled()
    gc.set_threshold(1, 1, 1)  # any allocation makes a collection due
    try:
        cycle = _Cycle()
        ref = weakref.ref(cycle)
        del cycle
        qtbot.waitUntil(lambda: ref() is None, timeout=2000)
    finally:
        owner.deleteLater()
    assert fresh_gc and {thread for _gen, thread in fresh_gc} == {threading.get_ident()}


def test_nothing_is_collected_while_no_threshold_is_crossed() -> None:
    gc.collect()
    old = gc.get_threshold()
    gc.set_threshold(10**9, 10**9, 10**9)
    try:
        assert gc_guard.collect_due() is None
    finally:
        gc.set_threshold(*old)


def test_many_new_objects_are_moved_out_of_sight_not_examined(fresh_gc) -> None:
    """A worker's freshly loaded list (a million objects at an operator's scale) is not
    examined on the GUI thread: examining it held the window for 60–400 ms."""
    frozen = gc.get_freeze_count()
    rows = [[n] for n in range(3 * gc_guard.YOUNG_LIMIT)]
    assert gc_guard.collect_due() == gc_guard.FROZE
    assert fresh_gc == []  # nothing examined
    assert gc.get_count()[0] < 100
    assert gc.get_freeze_count() >= frozen + len(rows)
    assert gc_guard.collect_due() in (None, 0)  # and not examined by the next one either
    assert gc.get_freeze_count() >= frozen + len(rows)


def test_after_old_objects_were_freed_the_young_are_moved_out_of_sight(fresh_gc) -> None:
    """Freeing an old list while a worker builds the next makes ``gc.get_count()`` say
    there are few young objects when there are many: they are not examined then."""
    old = [[n] for n in range(3 * gc_guard.YOUNG_LIMIT)]
    gc.freeze()
    new = [[n] for n in range(3 * gc_guard.YOUNG_LIMIT)]
    del old
    assert gc.get_count()[0] < gc_guard.YOUNG_LIMIT  # understated
    gc_guard.old_objects_freed()
    assert gc_guard.collect_due() == gc_guard.FROZE
    assert fresh_gc == []
    assert len(new) == 3 * gc_guard.YOUNG_LIMIT


def test_while_work_runs_after_a_freeze_the_young_are_frozen_again(
    fresh_gc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker building a list frees what it built it from, frozen at the last look,
    which makes ``gc.get_count()`` understate the young objects until it is done."""
    from app.ui import worker

    running = [1]
    monkeypatch.setattr(worker, "pending_ops", lambda: len(running))
    monkeypatch.setattr(gc_guard, "_count_understated", False)
    built_from = [[n] for n in range(2 * gc_guard.YOUNG_LIMIT)]
    assert gc_guard.collect_due() == gc_guard.FROZE
    rows = [[n] for n in range(2 * gc_guard.YOUNG_LIMIT)]
    del built_from
    assert gc.get_count()[0] < gc_guard.YOUNG_LIMIT  # understated
    gc.set_threshold(1, 10**9, 10**9)
    assert gc_guard.collect_due() == gc_guard.FROZE
    assert fresh_gc == []
    running.clear()  # the work is done
    assert gc_guard.collect_due() == gc_guard.FROZE  # once more, then trusted again
    junk = [[] for _ in range(100)]
    assert gc_guard.collect_due() == 0
    assert len(rows) == 2 * gc_guard.YOUNG_LIMIT and junk


def test_a_few_new_objects_are_collected_and_a_full_collection_keeps_its_survivors_aside(
    fresh_gc,
) -> None:
    gc.set_threshold(1, 1, 1)
    kept = [_Cycle() for _ in range(10)]
    cycle = _Cycle()
    ref = weakref.ref(cycle)
    del cycle
    junk: list[list[int]] = []
    while (generation := gc_guard.collect_due()) != 2:
        assert generation in (0, 1)
        junk += [[], []]  # something new for the next collection
    assert ref() is None
    assert len(kept) == 10
    assert gc.get_freeze_count() > 0  # the survivors of the full collection
    assert gc.get_objects(2) == []  # the next full collection examines only what is new


def test_garbage_cycles_moved_out_of_sight_wait_for_the_deep_collection(fresh_gc) -> None:
    rows = [[n] for n in range(3 * gc_guard.YOUNG_LIMIT)]
    cycle = _Cycle()
    ref = weakref.ref(cycle)
    del cycle
    assert gc_guard.collect_due() == gc_guard.FROZE
    gc.collect()
    assert ref() is not None  # out of sight of the ordinary collections
    assert not gc_guard.deep_collection_due()  # the first time sets the measure
    gc_guard.collect_deep()
    assert ref() is None
    assert not gc_guard.deep_collection_due()  # nothing new out of sight
    assert gc.get_freeze_count() >= len(rows)
    measure = gc.get_freeze_count()
    more = [[n] for n in range(measure // 4 + gc_guard.YOUNG_LIMIT)]  # over a quarter more
    assert gc_guard.collect_due() == gc_guard.FROZE
    assert gc_guard.deep_collection_due()
    del more
    assert not gc_guard.deep_collection_due()  # freed as it went: nothing to gain


def test_the_deep_collection_waits_until_the_window_is_idle(
    qtbot, gui_app, fresh_gc, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc_guard, "IDLE_TICKS", 3)
    owner = QObject()
    collector = gc_guard.GuiThreadCollector(owner, interval_ms=10**6)  # ticks by hand
    deep: list[int] = []
    monkeypatch.setattr(gc_guard, "collect_deep", lambda: deep.append(1) or 0)
    monkeypatch.setattr(gc_guard, "deep_collection_due", lambda: True)
    monkeypatch.setattr(gc_guard, "collect_due", lambda: None)
    try:
        collector.tick()
        collector.tick()
        sum(n * n for n in range(2_000_000))  # the GUI thread works (scrolling, say)
        collector.tick()
        collector.tick()
        assert deep == []
        for _ in range(3):
            collector.tick()
        assert deep == [1]
    finally:
        owner.deleteLater()


def test_the_collector_stops_when_the_event_loop_ends(qtbot, gui_app, fresh_gc) -> None:
    """Nothing stays out of the collections' sight after the program's window (or a test
    that ran it) is done with the application."""
    collector = gc_guard.GuiThreadCollector(gui_app, interval_ms=10)
    try:
        rows = [[n] for n in range(2 * gc_guard.YOUNG_LIMIT)]
        qtbot.waitUntil(lambda: gc.get_freeze_count() >= len(rows), timeout=2000)
        gui_app.aboutToQuit.emit()
        assert not collector.timer.isActive()
        assert gc.get_freeze_count() == 0
    finally:
        collector.stop()
        collector.deleteLater()
