"""The report's style module: a palette of 20 distinct colours, fixed theme colours, thinned period ticks."""

from __future__ import annotations

import itertools
import re

import pytest

from reports.style import (
    MAX_PERIOD_TICKS,
    PALETTE,
    UNASSIGNED_COLOR,
    period_ticks,
    series_colors,
    theme_colors,
    year_ticks,
)
from topics.results import UNASSIGNED

YEARS = [str(y) for y in range(1987, 2026)]  # the example corpus: 39 periods


def _lab(color: str) -> tuple[float, float, float]:
    """CIELAB (D65) of ``"#rrggbb"``."""
    rgb = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    xyz = [
        (0.4124564 * lin[0] + 0.3575761 * lin[1] + 0.1804375 * lin[2]) / 0.95047,
        0.2126729 * lin[0] + 0.7151522 * lin[1] + 0.0721750 * lin[2],
        (0.0193339 * lin[0] + 0.1191920 * lin[1] + 0.9503041 * lin[2]) / 1.08883,
    ]
    f = [t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_palette_has_twenty_distinct_colours() -> None:
    assert len(PALETTE) == 20 and len(set(PALETTE)) == 20
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in PALETTE)
    # distinct to the eye, not only as strings (the old palette had two yellows 3 units apart), and apart from the
    # grey of unassigned papers
    labs = {c: _lab(c) for c in (*PALETTE, UNASSIGNED_COLOR)}
    for a, b in itertools.combinations(labs, 2):
        assert sum((x - y) ** 2 for x, y in zip(labs[a], labs[b])) ** 0.5 > 15, (a, b)


def test_theme_colors_fixed_by_order_never_repeated_up_to_twenty() -> None:
    ids = [f"theme-{i}" for i in range(20)]
    colors = theme_colors(ids)
    assert [colors[t] for t in ids] == list(PALETTE)
    assert len({colors[t] for t in ids}) == 20
    assert colors[UNASSIGNED] == UNASSIGNED_COLOR
    assert theme_colors(ids[:5]) == {**{t: colors[t] for t in ids[:5]}, UNASSIGNED: UNASSIGNED_COLOR}  # a prefix
    more = theme_colors([f"theme-{i}" for i in range(25)])
    assert more["theme-20"] == PALETTE[0] and more["theme-24"] == PALETTE[4]  # past 20 the palette starts again
    assert series_colors(["a", "b"]) == {"a": PALETTE[0], "b": PALETTE[1]}


def test_period_ticks_of_39_years_label_every_fifth_year() -> None:
    ticks = period_ticks(YEARS)
    assert ticks["tickmode"] == "array"
    assert ticks["tickvals"] == ticks["ticktext"] == [str(y) for y in range(1990, 2026, 5)]
    assert len(ticks["tickvals"]) <= MAX_PERIOD_TICKS


def test_period_ticks_keep_every_period_when_they_fit() -> None:
    assert period_ticks(YEARS[:12])["tickvals"] == YEARS[:12]
    assert period_ticks(["2023-24", "2025"])["tickvals"] == ["2023-24", "2025"]


@pytest.mark.parametrize("n", [13, 30, 39, 100, 2000])
def test_period_ticks_never_more_than_twelve(n: int) -> None:
    labels = [f"P{i}" for i in range(n)]
    shown = period_ticks(labels)["tickvals"]
    assert 2 <= len(shown) <= MAX_PERIOD_TICKS
    assert shown[0] == "P0" and set(shown) <= set(labels)
    steps = {labels.index(b) - labels.index(a) for a, b in zip(shown, shown[1:])}
    assert len(steps) == 1  # evenly spaced


def test_period_ticks_fewer_for_long_labels_and_narrow_panels() -> None:
    long = [f"spring semester {y}" for y in range(2000, 2020)]
    assert len(period_ticks(long)["tickvals"]) <= 1000 // (7 * len(long[0]) + 16)
    assert len(period_ticks(YEARS, most=5, width=230)["tickvals"]) <= 5


def test_year_ticks_on_multiples_of_the_step() -> None:
    assert year_ticks(list(range(1987, 2026))) == {"tickmode": "linear", "tick0": 0, "dtick": 5, "tickformat": "d"}
    assert year_ticks(list(range(1987, 2026)), most=5, width=230)["dtick"] == 10
    assert year_ticks([2019, 2020, 2021])["dtick"] == 1
