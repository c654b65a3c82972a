"""The window collects reference cycles on the GUI thread, never on a worker."""

from __future__ import annotations

import gc
import threading
import weakref

from app.ui import gc_guard
from app.ui.qt import QObject


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_turns_automatic_collection_off_and_collects_on_its_timer(
    qtbot, gui_app
) -> None:
    owner = QObject()
    gc.enable()
    gc_guard.GuiThreadCollector(owner, interval_ms=10)
    assert not gc.isenabled()
    collected_in: list[int] = []
    old = gc.get_threshold()
    gc.set_threshold(1, 1, 1)  # any allocation makes a collection due
    gc.callbacks.append(lambda phase, info: collected_in.append(threading.get_ident()))
    try:
        cycle = _Cycle()
        ref = weakref.ref(cycle)
        del cycle
        qtbot.waitUntil(lambda: ref() is None, timeout=2000)
    finally:
        gc.callbacks.pop()
        gc.set_threshold(*old)
        owner.deleteLater()
    assert collected_in and set(collected_in) == {threading.get_ident()}


def test_nothing_is_collected_while_no_threshold_is_crossed() -> None:
    gc.collect()
    old = gc.get_threshold()
    gc.set_threshold(10**9, 10**9, 10**9)
    try:
        assert gc_guard.collect_due() is None
    finally:
        gc.set_threshold(*old)
