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
