"""A worklist's rows, made only when read: a million customers' list stays small.

A worklist of an operator's base has tens or hundreds of thousands of rows;
a :class:`~app.services.todo_items.WorklistRow` each would cost hundreds of
megabytes. A builder keeps one small tuple per row instead (what the order
needs, plus whatever makes the row), sorted, and :class:`LazyRows` makes the
row when the view (or a command) reads it. The rules' answers are shared too:
customers with the same facts get the same answer (:func:`memo`), so the
rules run once per distinct set of facts, not once per customer.

A list this long is sorted by :func:`sort_in_slices`: one sort of 350,000 rows
holds the interpreter for a third of a second, and the window, waiting for it
behind the worker thread, would freeze as long.
"""

from __future__ import annotations

import heapq
import operator
import time
import uuid
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from app.services.todo_items import OpenTarget, WorklistRow

#: Rows sorted in one go by :func:`sort_in_slices` (a few milliseconds of sorting).
SLICE = 8192
#: Rows freed in one go by :meth:`LazyRows.release` (a millisecond or two).
RELEASE_SLICE = 2048

E = TypeVar("E")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LazyRows(Sequence[WorklistRow], Generic[E]):
    """Rows made from ``entries`` (already in the list's order) by ``make`` when read.

    ``ident(entry)`` gives (customer id as stored, target) without making the row, so a
    chosen row can be found again after a reload; ``overdue`` is the number of overdue rows.
    """

    def __init__(
        self,
        entries: list[E],
        make: Callable[[E], WorklistRow],
        ident: Callable[[E], tuple[Any, OpenTarget]],
        overdue: int = 0,
    ) -> None:
        self._entries = entries
        self._make = make
        self._ident = ident
        self.overdue = overdue

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> WorklistRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[WorklistRow]: ...

    def __getitem__(self, index: int | slice) -> WorklistRow | list[WorklistRow]:
        if isinstance(index, slice):
            return [self._make(e) for e in self._entries[index]]
        return self._make(self._entries[index])

    def __iter__(self) -> Iterator[WorklistRow]:
        return map(self._make, self._entries)

    def release(self) -> None:
        """Drop the entries a slice at a time, letting other threads run between slices:
        freeing a few hundred thousand rows in one go holds the interpreter (and a window
        waiting for it) for tens of milliseconds. The list is empty afterwards; for a
        worker thread, once nothing else reads the list."""
        release_list(self._entries)

    def find(self, customer_id: uuid.UUID, target: OpenTarget) -> int | None:
        """The position of the row of ``customer_id`` with ``target``, if listed."""
        keys = {customer_id, customer_id.hex, str(customer_id)}
        for n, entry in enumerate(self._entries):
            key, its_target = self._ident(entry)
            if key in keys and its_target == target:
                return n
        return None


def overdue_count(rows: Sequence[WorklistRow]) -> int:
    """How many of ``rows`` are overdue (without making lazy rows)."""
    if isinstance(rows, LazyRows):
        return rows.overdue
    return sum(1 for r in rows if r.overdue)


def find_row(rows: Sequence[WorklistRow], customer_id: uuid.UUID, target: OpenTarget) -> int | None:
    """The position of the row of ``customer_id`` with ``target`` in ``rows``, if listed."""
    if isinstance(rows, LazyRows):
        return rows.find(customer_id, target)
    for n, r in enumerate(rows):
        if r.customer_id == customer_id and r.target == target:
            return n
    return None


def memo(fn: Callable[..., V]) -> Callable[..., V]:
    """``fn`` answering each distinct (hashable) argument tuple once.

    For the rules of one worklist run: the rules are pure functions of the facts
    passed, so customers with equal facts get the same (immutable) answer.
    """
    seen: dict[Any, V] = {}
    seen_by_name: dict[Any, V] = {}

    def call(*args: Any, **kwargs: Any) -> V:
        # Called once per customer: positional arguments are the key as they come.
        key: Any = args
        answers = seen
        if kwargs:
            key, answers = (args, tuple(sorted(kwargs.items()))), seen_by_name
        try:
            return answers[key]
        except KeyError:
            value = answers[key] = fn(*args, **kwargs)
            return value
        except TypeError:  # an unhashable fact: asked every time
            return fn(*args, **kwargs)

    return call


def release_list(items: list[Any]) -> None:
    """Empty ``items`` a slice at a time, letting other threads run between slices."""
    while len(items) > RELEASE_SLICE:
        del items[-RELEASE_SLICE:]
        time.sleep(0)  # let a waiting thread run
    items.clear()


def release_mapping(mapping: dict[Any, Any]) -> None:
    """Empty ``mapping`` a slice at a time (as :meth:`LazyRows.release`): a worklist's
    tens of thousands of customers freed in one go hold the interpreter for milliseconds
    on end."""
    pop = mapping.popitem
    while len(mapping) > RELEASE_SLICE:
        for _ in range(RELEASE_SLICE):
            pop()
        time.sleep(0)  # let a waiting thread run
    mapping.clear()


def _in_order(entries: list[E], key: Callable[[E], Any]) -> bool:
    """Whether ``entries`` are sorted by ``key`` already (looked at a slice at a time)."""
    last: Any = None
    for start in range(0, len(entries), SLICE):
        keys = [key(e) for e in entries[start : start + SLICE]]
        if last is not None and keys[0] < last:
            return False
        if any(map(operator.gt, keys, keys[1:])):
            return False
        last = keys[-1]
        time.sleep(0)  # let a waiting thread run
    return True


def sort_in_slices(entries: list[E], key: Callable[[E], Any]) -> None:
    """Sort ``entries`` by ``key`` in place (stable, as ``list.sort``) without holding the
    interpreter for long: slices of :data:`SLICE` rows are sorted one at a time, other
    threads (the GUI's) get their turn between them, and the slices are merged in Python.
    """
    if len(entries) <= SLICE:
        entries.sort(key=key)
        return
    if _in_order(entries, key):
        return
    slices: list[list[E]] = []
    for start in range(0, len(entries), SLICE):
        part = entries[start : start + SLICE]
        part.sort(key=key)
        slices.append(part)
        time.sleep(0)  # let a waiting thread run
    # heapq.merge is stable across its inputs in order: equal keys keep the slices' order.
    entries[:] = list(heapq.merge(*slices, key=key))


__all__ = [
    "LazyRows",
    "find_row",
    "memo",
    "overdue_count",
    "release_list",
    "release_mapping",
    "sort_in_slices",
]
