"""Python's cycle collector runs on the GUI thread only.

Left to itself, the collector runs in whichever thread happens to allocate
when a threshold is crossed, and that is often a background worker. If the
garbage it finds holds a Qt object (a widget in a reference cycle), Qt deletes
that object off the GUI thread and the process can crash. As Anki does, the
window turns automatic collection off and collects on a timer of the GUI
thread instead, by the same generation thresholds Python would use.
"""

from __future__ import annotations

import gc

from app.ui.qt import QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
INTERVAL_MS = 1000


def collect_due() -> int | None:
    """Collect the oldest generation whose threshold is crossed; which one, or None."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    for generation in (2, 1, 0):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return generation
    return None


class GuiThreadCollector(QObject):
    """Owns the collection for the lifetime of ``parent`` (the application)."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_due)
        self.timer.start(interval_ms)
