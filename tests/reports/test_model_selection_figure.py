"""Model selection figures: the K sweep and per-topic quality, asserted on ``fig.to_dict()``."""

from __future__ import annotations

import dataclasses

import pytest

from reports.escape import escape_text
from reports.figures.model_selection import (
    COHERENCE_NAME,
    DIVERSITY_NAME,
    MEASURE_COLORS,
    SCORE_NAME,
    STABILITY_NAME,
    k_sweep_figure,
    topic_quality_figure,
)
from reports.style import bar_height
from tests.reports.conftest import INJECTION_TITLE
from topics.results import KSweep

SWEEP = KSweep(
    candidates=(3, 4, 5, 6),
    coherence=(0.12, 0.25, 0.33, 0.28),
    stability=(0.55, 0.8, 1.0, 0.9),
    diversity=(0.95, 0.9, 0.8, 0.7),
    score=(0.0, 0.0, 1.0, 0.375),
    chosen=5,
    rule="the K with the highest NPMI coherence",
    seeds=(42, 43, 44),
    eligible=(False, True, True, True),
    stability_floor=0.7,
    model_seed=43,
    topic_stability=(1.0,) * 5,
)


def _traces(fig) -> list[dict]:
    return fig.to_dict()["data"]


def _layout(fig) -> dict:
    return fig.to_dict()["layout"]


def _by_name(fig) -> dict[str, dict]:
    return {trace["name"]: trace for trace in _traces(fig)}


# --- K sweep -----------------------------------------------------------------------------------------------


def test_k_sweep_lines_per_measure_over_the_candidates() -> None:
    fig = k_sweep_figure(SWEEP)
    traces = _by_name(fig)
    assert list(traces) == [STABILITY_NAME, DIVERSITY_NAME, COHERENCE_NAME, SCORE_NAME, "Chosen K = 5"]
    for name, values in (
        (STABILITY_NAME, SWEEP.stability),
        (DIVERSITY_NAME, SWEEP.diversity),
        (COHERENCE_NAME, SWEEP.coherence),
        (SCORE_NAME, SWEEP.score),
    ):
        assert traces[name]["type"] == "scatter"
        assert list(traces[name]["x"]) == [3, 4, 5, 6]
        assert list(traces[name]["y"]) == pytest.approx(values)
    assert traces[COHERENCE_NAME]["yaxis"] == "y2"  # NPMI on its own axis
    assert traces[STABILITY_NAME]["yaxis"] == "y"
    assert traces[COHERENCE_NAME]["line"]["color"] == MEASURE_COLORS["coherence"]


def test_k_sweep_marks_the_chosen_k_and_the_floor() -> None:
    fig = k_sweep_figure(SWEEP)
    chosen = _by_name(fig)["Chosen K = 5"]
    assert list(chosen["x"]) == [5] and list(chosen["y"]) == [1.0]
    shapes = _layout(fig)["shapes"]
    vertical = [s for s in shapes if s["x0"] == s["x1"] == 5]
    floor = [s for s in shapes if s.get("y0") == s.get("y1") == 0.7]
    assert len(vertical) == 1 and len(floor) == 1
    assert any(a["text"] == "stability floor" for a in _layout(fig)["annotations"])
    assert "K = 5" in _layout(fig)["title"]["text"] and "3 seeds" in _layout(fig)["title"]["text"]
    assert list(_layout(fig)["xaxis"]["tickvals"]) == [3, 4, 5, 6]


def test_k_sweep_shows_which_candidates_fell_below_the_floor() -> None:
    stability = _by_name(k_sweep_figure(SWEEP))[STABILITY_NAME]
    assert list(stability["marker"]["symbol"]) == ["x", "circle", "circle", "circle"]
    assert list(stability["customdata"]) == ["below the stability floor", "eligible", "eligible", "eligible"]
    assert "%{customdata}" in stability["hovertemplate"]


def test_k_sweep_without_stability_has_no_stability_line_or_floor() -> None:
    single = dataclasses.replace(SWEEP, stability=(), eligible=(True,) * 4, stability_floor=0.0, seeds=(42,))
    fig = k_sweep_figure(single)
    assert STABILITY_NAME not in _by_name(fig)
    shapes = _layout(fig)["shapes"]
    assert len(shapes) == 1 and shapes[0]["x0"] == 5
    assert "seeds" not in _layout(fig)["title"]["text"]


# --- topic quality -----------------------------------------------------------------------------------------


def test_topic_quality_panels_with_first_topic_on_top() -> None:
    fig = topic_quality_figure(["Topic 0: a", "Topic 1: b"], [0.1, -0.05], [0.9, 0.6], [1.0, 0.4])
    traces = _traces(fig)
    assert [t["type"] for t in traces] == ["bar", "bar", "bar"]
    assert [t["name"] for t in traces] == ["NPMI coherence", "Stability", "Diversity"]
    assert all(list(t["y"]) == ["Topic 1: b", "Topic 0: a"] for t in traces)
    assert [list(t["x"]) for t in traces] == [[-0.05, 0.1], [0.6, 0.9], [0.4, 1.0]]
    assert [t["xaxis"] for t in traces] == ["x", "x2", "x3"]
    layout = _layout(fig)
    assert layout["height"] == bar_height(2)
    low, high = layout["xaxis"]["range"]
    assert low < -0.05 and high > 0.1  # the NPMI axis spans the values and 0
    assert layout["xaxis2"]["range"] == [0.0, 1.0]


def test_topic_quality_without_stability_has_two_panels() -> None:
    fig = topic_quality_figure(["a", "b", "c"], [0.1, 0.2, 0.3], None, [1.0, 0.5, 0.2])
    assert [t["name"] for t in _traces(fig)] == ["NPMI coherence", "Diversity"]
    assert "stability" not in _layout(fig)["title"]["text"].lower()


def test_topic_quality_escapes_labels_and_keeps_repeats_apart() -> None:
    fig = topic_quality_figure([INJECTION_TITLE, "same", "same"], [0.1, 0.2, 0.3], None, [1.0, 0.5, 0.2])
    labels = list(_traces(fig)[0]["y"])
    assert all("<script" not in label and "<img" not in label for label in labels)
    assert labels[-1].startswith(escape_text("<script>"))
    assert labels[:2] == ["same (2)", "same (1)"]


def test_topic_quality_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        topic_quality_figure(["a", "b"], [0.1], None, [1.0, 0.5])
