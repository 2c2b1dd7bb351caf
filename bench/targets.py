"""The issue's targets checked against a bench's runs, and the machine they ran on.

Targets (full corpus, 47.5k papers, default settings, cold = empty token cache): end to end at most 60 s;
peak RSS under 1.5 GB (1.5e9 bytes = 1,430.5 MiB); warm rerun at most 15 s; cost growing no faster than
linearly in papers (log-log slope of cold end-to-end seconds against papers at most 1.05 over all sizes run);
LDA NPMI at least the tutorial pipeline's on the same corpus. Spark engine (issue point 3): LDA NPMI within
0.02 of the local engine's, and theme shares within a few (here 5) percentage points of the local engine's.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COLD_MAX_S = 60.0
WARM_MAX_S = 15.0
RSS_MAX_MIB = 1.5e9 / 2**20
SLOPE_MAX = 1.05
SPARK_NPMI_GAP = 0.02
SPARK_SHARE_POINTS = 5.0


def loglog_slope(papers: Sequence[float], seconds: Sequence[float]) -> float | None:
    """Least-squares slope of log(seconds) against log(papers); None with fewer than two distinct sizes.

    A slope of 1 is linear growth, below 1 sub-linear (fixed costs amortised), above 1 super-linear.
    """
    pairs = [(math.log(p), math.log(s)) for p, s in zip(papers, seconds) if p and s and p > 0 and s > 0]
    if len({x for x, _ in pairs}) < 2:
        return None
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    sxx = sum((x - mean_x) ** 2 for x, _ in pairs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    return sxy / sxx


def _npmi(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _check(target: str, measured: str, passed: bool | None) -> dict[str, Any]:
    return {"target": target, "measured": measured, "passed": passed}


def _find(runs: Sequence[dict[str, Any]], size: str, mode: str, pipeline: str = "local") -> dict[str, Any] | None:
    return next((r for r in runs if r["size"] == size and r["mode"] == mode and r["pipeline"] == pipeline), None)


def check_targets(
    runs: Sequence[dict[str, Any]], tutorials: Sequence[dict[str, Any]], full_size: str,
    engine_agreement: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """PASS/FAIL (None: not measured) lines for the targets; ``full_size`` is the label of the whole corpus;
    ``engine_agreement`` holds :func:`bench.engines.compare_theme_shares` results (with their ``size``)."""
    checks: list[dict[str, Any]] = []
    cold, warm = _find(runs, full_size, "cold"), _find(runs, full_size, "warm")
    ok = lambda run: run is not None and not run.get("error") and run.get("wall_s") is not None  # noqa: E731
    if ok(cold):
        checks.append(_check(f"{full_size} cold end to end <= {COLD_MAX_S:.0f} s", f"{cold['wall_s']:.1f} s", cold["wall_s"] <= COLD_MAX_S))
        checks.append(_check(f"{full_size} cold peak RSS < 1.5 GB ({RSS_MAX_MIB:,.0f} MiB)", f"{cold['peak_rss_mib']:,.0f} MiB",
                             cold["peak_rss_mib"] < RSS_MAX_MIB))
    else:
        reason = "not run" if cold is None else f"failed: {cold.get('error')}"
        checks.append(_check(f"{full_size} cold end to end <= {COLD_MAX_S:.0f} s", reason, None if cold is None else False))
        checks.append(_check(f"{full_size} cold peak RSS < 1.5 GB", reason, None if cold is None else False))
    if ok(warm):
        checks.append(_check(f"{full_size} warm rerun <= {WARM_MAX_S:.0f} s", f"{warm['wall_s']:.1f} s", warm["wall_s"] <= WARM_MAX_S))
    else:
        checks.append(_check(f"{full_size} warm rerun <= {WARM_MAX_S:.0f} s", "not run" if warm is None else f"failed: {warm.get('error')}",
                             None if warm is None else False))
    scaling = sorted((r for r in runs if r["pipeline"] == "local" and r["mode"] == "cold" and ok(r)),
                     key=lambda r: r.get("papers") or r["corpus_rows"])
    if len(scaling) >= 2:
        papers = [r.get("papers") or r["corpus_rows"] for r in scaling]
        seconds = [r["wall_s"] for r in scaling]
        slope = loglog_slope(papers, seconds)
        small, large = scaling[0], scaling[-1]
        per_k = lambda r: 1000 * r["wall_s"] / (r.get("papers") or r["corpus_rows"])  # noqa: E731
        checks.append(_check(
            f"cold time grows at most linearly ({small['size']} -> {large['size']}; log-log slope <= {SLOPE_MAX})",
            f"slope {slope:.2f}; {per_k(small):.2f} s per 1k papers at {small['size']}, {per_k(large):.2f} at {large['size']}",
            slope is not None and slope <= SLOPE_MAX,
        ))
        rss_slope = loglog_slope(papers, [r["peak_rss_mib"] for r in scaling])
        checks.append(_check("peak RSS growth (information)", f"log-log slope {rss_slope:.2f}" if rss_slope is not None else "–", None))
    else:
        checks.append(_check("cold time grows at most linearly", "needs two or more sizes", None))
    checks.append(_npmi_check(runs, tutorials, full_size))
    spark = [r for r in runs if r["pipeline"] == "spark"]
    for run in spark:
        ours = _find(runs, run["size"], "cold")
        target = f"{run['size']} Spark engine LDA NPMI within {SPARK_NPMI_GAP} of the local engine's"
        if run.get("error"):
            checks.append(_check(target, f"failed: {run['error'][:200]}", False))
            continue
        measured = f"Spark ({run.get('lda_backend') or '?'}) {_npmi(run.get('npmi'))} vs local {_npmi(ours.get('npmi') if ours else None)}"
        both = ours is not None and run.get("npmi") is not None and ours.get("npmi") is not None
        checks.append(_check(target, measured, abs(run["npmi"] - ours["npmi"]) <= SPARK_NPMI_GAP if both else None))
    for agreement in engine_agreement:
        checks.append(_check(
            f"{agreement['size']} Spark theme shares within {SPARK_SHARE_POINTS:.0f} points of the local engine's",
            f"largest difference {agreement['max_abs_points']:.1f} points, mean {agreement['mean_abs_points']:.1f}",
            agreement["max_abs_points"] <= SPARK_SHARE_POINTS,
        ))
    return checks


def _npmi_check(runs: Sequence[dict[str, Any]], tutorials: Sequence[dict[str, Any]], full_size: str) -> dict[str, Any]:
    """Ours (cold, local) >= tutorial at the full size, else at the largest size both ran."""
    done = [t for t in tutorials if not t.get("error") and t.get("npmi") is not None]
    pairs = [(t, _find(runs, t["size"], "cold")) for t in done]
    pairs = [(t, r) for t, r in pairs if r is not None and r.get("npmi") is not None]
    if not pairs:
        return _check("LDA NPMI >= tutorial pipeline's (same corpus)", "tutorial not run at a size the tool ran", None)
    tut, ours = next(((t, r) for t, r in pairs if t["size"] == full_size), max(pairs, key=lambda p: p[0]["corpus_rows"]))
    return _check(f"{tut['size']} LDA NPMI >= tutorial pipeline's", f"{ours['npmi']:.4f} vs {tut['npmi']:.4f}", ours["npmi"] >= tut["npmi"])


def parse_cpu_model(cpuinfo: str) -> str:
    """The first ``model name`` of /proc/cpuinfo text, else "unknown"."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return "unknown"


def parse_meminfo_gib(meminfo: str) -> float | None:
    """``MemTotal`` of /proc/meminfo text in GiB (one decimal), else None."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return None


def machine_info(project: Path) -> dict[str, Any]:
    """Cores usable by this process, CPU model, RAM, Python, platform, date, the project's commit and the
    1-minute load average when the bench started (other work on the machine inflates every timing)."""
    read = lambda path: Path(path).read_text(encoding="utf-8", errors="replace") if Path(path).exists() else ""  # noqa: E731
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": parse_cpu_model(read("/proc/cpuinfo")),
        "ram_gib": parse_meminfo_gib(read("/proc/meminfo")),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit or "unknown",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
