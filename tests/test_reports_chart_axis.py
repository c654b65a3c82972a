"""The chart's value axis: nice steps (1, 2, 5 x 10^n) from 0 to just above the largest
value, its numbers grouped as the UI language writes them."""

from __future__ import annotations

import pytest

from app.services.reports.base import Chart
from app.services.reports.charts import ChartData, chart_svg, nice_ticks, tick_label


@pytest.mark.parametrize(
    ("top", "whole", "ticks"),
    [
        (223364, True, [0, 50000, 100000, 150000, 200000, 250000]),
        (167523, True, [0, 50000, 100000, 150000, 200000]),
        (1_000_000, True, [0, 200000, 400000, 600000, 800000, 1000000]),
        (12, True, [0, 2, 4, 6, 8, 10, 12]),
        (7, True, [0, 2, 4, 6, 8]),
        (3, True, [0, 1, 2, 3]),  # counts: no step below 1
        (3, False, [0, 0.5, 1, 1.5, 2, 2.5, 3]),
        (0.4, False, [0, 0.1, 0.2, 0.3, 0.4]),
        (0, True, [0, 1]),  # nothing to show: an axis all the same
    ],
)
def test_the_value_axis_steps_are_nice(top: float, whole: bool, ticks: list[float]) -> None:
    assert nice_ticks(top, whole) == ticks


def test_every_step_is_one_two_or_five_times_a_power_of_ten() -> None:
    for top in (1, 9, 11, 99, 101, 4321, 98765, 123456789):
        ticks = nice_ticks(top)
        step = ticks[1]
        assert str(step).strip("0") in {"1", "2", "5"}, (top, step)
        assert ticks[-1] >= top > ticks[-2] and len(ticks) - 1 <= 6


def test_tick_numbers_are_grouped_in_the_language() -> None:
    assert tick_label(250000, "en") == "250,000"
    assert tick_label(250000, "de") == "250'000"
    assert tick_label(1.5, "en") == "1.5"


def test_the_chart_shows_the_grouped_ticks() -> None:
    data = ChartData(Chart("partner_code", ("usage",)), ("partner_code", "usage"))
    data.add_all([("KNU-A", 223364), ("KNU-B", 167523)])
    svg = chart_svg(data, language="en")
    assert "250,000" in svg and "50,000" in svg
    assert "223364" not in svg and "167523" not in svg


def test_long_group_names_are_worded_slanted_and_cut_short() -> None:
    data = ChartData(Chart("category", ("complaints",)), ("category", "complaints"))
    data.add_all([("a.b", 1), ("c.d", 2), ("e.f", 3)])
    long = "Inkompetenz: falsche Auskunft, Fehler bei Aufträgen"  # wider than its third
    svg = chart_svg(data, group_labels=["Short", long, "Other"])
    assert "Short" in svg and "Inkompetenz: fals…" in svg
    assert "Fehler" not in svg and "a.b" not in svg
