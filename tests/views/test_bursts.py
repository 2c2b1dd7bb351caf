"""Kleinberg burst detection: a planted burst is found exactly, a flat term has none, Viterbi matches brute force."""

from __future__ import annotations

import itertools

import numpy as np

from topics.views.bursts import detect_bursts, state_costs, viterbi_states

PERIODS = tuple(f"p{i}" for i in range(1, 11))
TOTALS = np.full(10, 100)


def test_a_planted_burst_is_found_with_its_exact_periods_and_a_flat_term_has_none() -> None:
    planted = [2, 2, 2, 2, 30, 30, 30, 2, 2, 2]  # frequent only in periods 5-7 of 10
    flat = [10] * 10
    frame = detect_bursts(np.array([planted, flat]), TOTALS, [("term", "spike", "spike"), ("term", "flat", "flat")],
                          PERIODS)
    assert list(frame["id"]) == ["spike"]
    row = frame.iloc[0]
    assert (row["start"], row["end"]) == ("p5", "p7")
    assert row["papers_in_burst"] == 90
    # strength: the summed saving r ln(p1/p0) + (d - r) ln((1 - p1)/(1 - p0)) over the three periods
    p0 = sum(planted) / 1000
    p1 = 2 * p0
    saving = 30 * np.log(p1 / p0) + 70 * np.log((1 - p1) / (1 - p0))
    assert np.isclose(row["strength"], 3 * saving, atol=1e-5)


def test_two_bursts_of_one_term_are_two_rows_strongest_first() -> None:
    counts = np.array([[30, 2, 2, 2, 2, 2, 2, 40, 40, 2]])
    frame = detect_bursts(counts, TOTALS, [("term", "x", "x")], PERIODS)
    assert [(r.start, r.end) for r in frame.itertuples()] == [("p8", "p9"), ("p1", "p1")]
    assert frame["strength"].is_monotonic_decreasing


def test_items_held_by_no_paper_or_by_every_paper_never_burst() -> None:
    counts = np.array([[0] * 10, [100] * 10])
    frame = detect_bursts(counts, TOTALS, [("term", "none", "none"), ("term", "all", "all")], PERIODS)
    assert frame.empty
    assert list(frame.columns) == ["kind", "id", "label", "start", "end", "strength", "papers_in_burst"]


def _path_cost(c0: np.ndarray, c1: np.ndarray, up: float, seq: tuple[int, ...]) -> float:
    """Cost of one state sequence: its states' costs plus ``up`` per entry into the burst state."""
    entries = sum(1 for before, after in zip((0, *seq), seq) if after > before)
    return float(sum(c1[t] if q else c0[t] for t, q in enumerate(seq)) + up * entries)


def test_viterbi_finds_the_cheapest_state_sequence() -> None:
    rng = np.random.default_rng(3)
    totals = rng.integers(5, 40, size=6)
    counts = np.minimum(rng.integers(0, 15, size=(25, 6)), totals)
    cost0, cost1, valid = state_costs(counts, totals, 2.0)
    up = np.log(6)
    states = viterbi_states(cost0, cost1, up)
    assert states[valid].any()  # the check below is not vacuous
    for i in np.flatnonzero(valid):
        best = min(_path_cost(cost0[i], cost1[i], up, seq) for seq in itertools.product((0, 1), repeat=6))
        assert np.isclose(_path_cost(cost0[i], cost1[i], up, tuple(int(v) for v in states[i])), best)
