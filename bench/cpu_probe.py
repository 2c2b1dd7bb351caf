"""How fast one core of this machine is right now: a fixed reference workload, timed a few times.

Shared cloud machines change speed from one session to the next, and within one (on 2026-12-08 one
10-million-step Python loop took 0.78 s and 1.83 s minutes apart). The bench times the workload before its first
run and after its last, so a reader can tell a slower machine, or a noisy one, from slower code: compare the
``min`` of two results files, and distrust a run whose probes spread widely.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

#: Probes taken each time; the workload takes ~0.3 s of one core (0.25-0.30 s on 2026-12-08).
REPEATS = 5
#: A spread (slowest probe over fastest) above this makes the bench warn that timings are noisy.
NOISY_SPREAD = 1.3


def reference_workload() -> float:
    """A fixed single-core mix of interpreted Python (a loop over 5 million integers) and numpy (a 400 x 400 matrix
    product and tanh, 20 times, BLAS held to one thread); returns a checksum so that nothing can be optimised away."""
    total = 0
    for i in range(5_000_000):
        total += i & 7
    matrix = np.random.default_rng(0).standard_normal((400, 400))
    product = matrix
    with threadpool_limits(limits=1):
        for _ in range(20):
            product = np.tanh(product @ matrix / 20.0)
    return float(total) + float(product.sum())


def probe(repeats: int = REPEATS, workload: Callable[[], float] = reference_workload,
          clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Wall seconds of ``repeats`` runs of ``workload`` (each rounded to 1 ms)."""
    seconds = []
    for _ in range(repeats):
        start = clock()
        workload()
        seconds.append(round(clock() - start, 3))
    return seconds


def summary(start: list[float], end: list[float]) -> dict[str, Any]:
    """The probes of one bench run: both lists, the fastest and slowest probe in seconds and their ratio
    (``spread``; 1 = steady)."""
    every = [*start, *end]
    if not every:
        return {"start_s": start, "end_s": end, "min_s": None, "max_s": None, "spread": None}
    fastest, slowest = min(every), max(every)
    return {
        "start_s": start, "end_s": end, "min_s": fastest, "max_s": slowest,
        "spread": round(slowest / fastest, 2) if fastest > 0 else None,
    }


def is_noisy(probes: dict[str, Any]) -> bool:
    """Whether the probes spread more than :data:`NOISY_SPREAD` (slowest over fastest)."""
    return probes.get("spread") is not None and probes["spread"] > NOISY_SPREAD


def describe(probes: dict[str, Any]) -> str:
    """One sentence for the results' machine line, e.g. ``reference workload 0.310-0.352 s (spread 1.14)``; empty
    without probes."""
    if not probes or probes.get("min_s") is None:
        return ""
    text = f"reference workload {probes['min_s']:.3f}-{probes['max_s']:.3f} s (spread {probes['spread']:.2f})"
    if is_noisy(probes):
        text += ": the CPU's speed varied during the run, so timings are noisy"
    return text
