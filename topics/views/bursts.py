"""Burst detection (Kleinberg 2002), the batched two-state automaton CiteSpace and bibliometrix use: in each
period an item (a term, a theme) is either at its base rate or in a burst at ``s`` times that rate, and the
cheapest sequence of states is found by Viterbi.

Per period t, ``r_t`` of the ``d_t`` papers hold the item. The base rate is ``p0 = R / D`` (over all
periods), the burst rate ``p1 = min(s · p0, P1_CAP)``. Being in state q in period t costs
``-ln(binom(d_t, r_t) p_q^r_t (1 - p_q)^(d_t - r_t))``; entering the burst state costs ``γ · ln(n)`` (n
periods), leaving it is free, and the automaton starts at the base rate. The binomial coefficient is the same
in both states, so it is left out of the costs (it changes no decision and no strength).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from topics.results.views import BURST_COLUMNS

#: Upper bound of the burst state's rate (a rate of 1 would make any period with a paper lacking the item
#: infinitely costly).
P1_CAP = 0.9999


def state_costs(counts: np.ndarray, totals: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-period costs of the base and the burst state, in nats, without the binomial coefficient.

    Args:
        counts: ``r``, shape (n_items, n_periods): papers holding each item per period.
        totals: ``d``, shape (n_periods,): papers per period.
        s: burst rate over base rate (> 1).

    Returns:
        ``(cost0, cost1, valid)``: two (n_items, n_periods) arrays and a bool array (n_items,) of the items
        that can burst (held by some but not all papers); costs of other items are 0.
    """
    r = np.asarray(counts, dtype=np.float64)
    d = np.broadcast_to(np.asarray(totals, dtype=np.float64), r.shape)
    big_r, big_d = r.sum(axis=1), d.sum(axis=1)
    valid = (big_r > 0) & (big_r < big_d)
    p0 = np.where(valid, big_r / np.where(big_d > 0, big_d, 1.0), 0.5)[:, None]
    p1 = np.minimum(s * p0, P1_CAP)

    def cost(p: np.ndarray) -> np.ndarray:
        return -(r * np.log(p) + (d - r) * np.log1p(-p))

    cost0, cost1 = cost(p0), cost(p1)
    cost0[~valid], cost1[~valid] = 0.0, 0.0
    return cost0, cost1, valid


def viterbi_states(cost0: np.ndarray, cost1: np.ndarray, up_cost: float) -> np.ndarray:
    """The cheapest state sequence of each item (bool array, n_items × n_periods; True = burst) given the
    per-period state costs and the cost ``up_cost`` of entering the burst state (leaving it is free). The
    automaton starts in the base state; ties keep the base state."""
    n_items, n_periods = cost0.shape
    from_burst = np.zeros((n_items, n_periods), dtype=bool)  # best predecessor of state 0 is 1
    stay_burst = np.zeros((n_items, n_periods), dtype=bool)  # best predecessor of state 1 is 1
    v0, v1 = cost0[:, 0].copy(), up_cost + cost1[:, 0]
    for t in range(1, n_periods):
        from_burst[:, t] = v1 < v0
        stay_burst[:, t] = v1 < v0 + up_cost
        v0, v1 = np.minimum(v0, v1) + cost0[:, t], np.minimum(v0 + up_cost, v1) + cost1[:, t]
    states = np.zeros((n_items, n_periods), dtype=bool)
    state = v1 < v0
    for t in range(n_periods - 1, -1, -1):
        states[:, t] = state
        state = np.where(state, stay_burst[:, t], from_burst[:, t])
    return states


def _runs(states: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` index pairs (inclusive) of the runs of True in a 1-d bool array."""
    padded = np.concatenate([[False], states, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(change[::2], change[1::2])]


def detect_bursts(
    counts: np.ndarray,
    totals: np.ndarray,
    items: Sequence[tuple[str, str, str]],
    periods: Sequence[str],
    s: float = 2.0,
    gamma: float = 1.0,
) -> pd.DataFrame:
    """Every burst of every item, strongest first (``BURST_COLUMNS``).

    Args:
        counts: (n_items, n_periods) papers holding each item per period, periods in chronological order.
        totals: (n_periods,) papers per period.
        items: ``(kind, id, label)`` of each row of ``counts``.
        periods: the period labels, chronological.
        s: burst rate over base rate.
        gamma: cost of entering the burst state, in units of ``ln(n_periods)``.

    A burst's strength is the sum over its periods of the base state's cost minus the burst state's cost
    (nats): how much better the burst rate explains those periods.
    """
    counts = np.asarray(counts, dtype=np.float64).reshape(len(items), len(periods))
    rows: list[dict[str, object]] = []
    if len(items) and len(periods) >= 2:
        cost0, cost1, valid = state_costs(counts, totals, s)
        states = viterbi_states(cost0, cost1, gamma * np.log(len(periods)))
        for i in np.flatnonzero(valid & states.any(axis=1)):
            kind, ident, label = items[int(i)]
            for a, b in _runs(states[i]):
                rows.append({
                    "kind": kind, "id": ident, "label": label, "start": periods[a], "end": periods[b],
                    "strength": round(float((cost0[i, a : b + 1] - cost1[i, a : b + 1]).sum()), 6),
                    "papers_in_burst": int(counts[i, a : b + 1].sum()),
                })
    frame = pd.DataFrame(rows, columns=list(BURST_COLUMNS))
    return frame.sort_values(["strength", "kind", "id"], ascending=[False, True, True], kind="mergesort").reset_index(
        drop=True
    )
