"""A long worklist is sorted in slices: the same order as one sort, ties kept in the
builder's order, and other threads (the window's) get their turn between the slices."""

from __future__ import annotations

import random
from operator import itemgetter

import pytest

from app.services import worklist_rows
from app.services.worklist_rows import sort_in_slices


@pytest.mark.parametrize("size", [0, 1, 7, 64, 1000, 1001])
def test_slices_sort_as_one_sort_does_ties_included(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(worklist_rows, "SLICE", 10)
    rng = random.Random(size)
    # (urgent, due, customer) with many ties; the position says the builder's order.
    entries = [(rng.random() < 0.5, rng.randrange(5), f"C-{rng.randrange(20)}", n)
               for n in range(size)]  # fmt: skip
    expected = sorted(entries, key=itemgetter(0, 1, 2))
    sort_in_slices(entries, itemgetter(0, 1, 2))
    assert entries == expected


def test_other_threads_get_their_turn_between_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worklist_rows, "SLICE", 100)
    turns: list[float] = []
    monkeypatch.setattr(worklist_rows.time, "sleep", turns.append)
    entries = list(range(1000, 0, -1))
    sort_in_slices(entries, lambda n: n)
    assert entries == list(range(1, 1001)) and turns == [0] * 10


def test_a_list_in_order_already_is_only_looked_at(monkeypatch: pytest.MonkeyPatch) -> None:
    """The builders read customers in number order: a list that comes out in its order
    (ties included) is left as it is, without the sort and merge."""
    monkeypatch.setattr(worklist_rows, "SLICE", 10)

    def no_merge(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("merged a list in order")

    monkeypatch.setattr(worklist_rows.heapq, "merge", no_merge)
    entries = [(n // 3, n) for n in range(95)]  # ties across the slices' edges
    expected = list(entries)
    sort_in_slices(entries, itemgetter(0))
    assert entries == expected


@pytest.mark.parametrize("where", [0, 9, 10, 11, 94])
def test_one_row_out_of_order_is_sorted(monkeypatch: pytest.MonkeyPatch, where: int) -> None:
    """The database's order of customer numbers may not be Python's (a collation)."""
    monkeypatch.setattr(worklist_rows, "SLICE", 10)
    entries = [(n // 3, n) for n in range(95)]
    entries.insert(where, (5, -1))
    expected = sorted(entries, key=itemgetter(0))
    sort_in_slices(entries, itemgetter(0))
    assert entries == expected
