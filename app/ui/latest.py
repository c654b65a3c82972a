"""Only the newest: background work of which a later start makes the earlier outcome stale.

A screen keeps one :class:`Latest` per kind of work whose outcome only counts
while nothing newer was asked for (a customer's overview, a page of search
results, the preview of the chosen letter) and runs each such op with
``Op(...).latest(slot).run()`` (:meth:`app.ui.worker.Op.latest`). When an
older op of the slot ends after a newer one started, its ``success``,
``failure`` and ``finished`` callbacks are dropped (what it changed is still
reported: the data changed all the same). ``latest(slot, join=True)`` runs
more work for the newest op instead (the next page of the same filter, the
same letter at another zoom): it delivers as long as nothing newer started.

A slot can also stop work where it runs: ``latest(slot, stop=cancel.cancel)``
is called when a newer op starts, on :meth:`Latest.drop` and on
:meth:`Latest.stop` (a search superseded by more typing stops on the server).
"""

from __future__ import annotations

from collections.abc import Callable


class Latest:
    """One kind of background work of a screen; only the newest op of it delivers."""

    def __init__(self) -> None:
        self._newest = 0  # the number of the newest op started
        self._settled = 0  # the newest number that delivered or was dropped
        self._stop: Callable[[], None] | None = None

    def start(self, stop: Callable[[], None] | None = None) -> int:
        """The number of a new op, the newest: work started before is stopped and dropped."""
        self.stop()
        self._newest += 1
        self._stop = stop
        return self._newest

    def join(self, stop: Callable[[], None] | None = None) -> int:
        """The number of more work for the newest op (``stop`` now stops that work)."""
        if stop is not None:
            self._stop = stop
        return self._newest

    def drop(self) -> None:
        """Drop (and stop) all work started so far: none of it delivers, none is pending."""
        self.start()
        self._settled = self._newest

    def stop(self) -> None:
        """Stop the newest work where it runs, if it can be stopped (its outcome still comes)."""
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def delivers(self, number: int) -> bool:
        """Whether the op numbered ``number`` is still the newest; if so, it has delivered."""
        if number != self._newest:
            return False
        self._settled = number
        return True

    @property
    def started(self) -> int:
        """How many ops were started so far (the newest one's number)."""
        return self._newest

    @property
    def pending(self) -> bool:
        """The newest op started has not delivered yet."""
        return self._settled != self._newest


__all__ = ["Latest"]
