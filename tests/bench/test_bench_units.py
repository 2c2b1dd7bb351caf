"""Fast unit tests of the bench's pure parts: corpora, perturbation, memory parsing, tables, targets."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import corpora, cpu_probe
from bench.measure import parse_kib_field, parse_stat_ppid, process_tree, run_measured, tree_memory_kib
from bench.runner import RunRecord, read_outputs, write_config
from bench.table import (
    TextTable,
    fmt_int,
    fmt_mb,
    fmt_npmi,
    fmt_seconds,
    machine_lines,
    replace_between_markers,
    results_markdown,
    runs_table,
    stage_table,
    to_markdown,
)
from bench.targets import check_targets, loglog_slope, parse_cpu_model, parse_meminfo_gib
from preprocessing.clean import normalise_title


def source_frame(n: int = 30) -> pd.DataFrame:
    words = "learning neural network graph kernel policy gradient bayesian inference sparse".split()
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "source": ["test"] * n,
        "venue": ["NeurIPS"] * n,
        "year": [2000 + i % 20 for i in range(n)],
        "title": [f"Paper {i}: " + " ".join(rng.choice(words, 4)) for i in range(n)],
        "authors": ["A. B; C. D"] * n,
        "abstract": [" ".join(rng.choice(words, 60)) for _ in range(n)],
    })


# -- sizes and labels ---------------------------------------------------------------------------------------------

def test_parse_sizes() -> None:
    assert corpora.parse_sizes("5000,20k,all,200_000") == [5000, 20000, "all", 200000]
    assert corpora.parse_sizes("0.2m, 1.5k") == [200000, 1500]
    assert corpora.parse_sizes("none") == []
    assert corpora.parse_sizes("") == []
    with pytest.raises(ValueError):
        corpora.parse_sizes("-5")
    with pytest.raises(ValueError):
        corpora.parse_sizes("1.2345k")


def test_size_label() -> None:
    assert [corpora.size_label(n) for n in (800, 2000, 5000, 47509, 200000, 1_500_000)] == ["800", "2k", "5k", "47.5k", "200k", "1.5M"]
    assert corpora.resolve_size("all", 47509) == 47509
    assert corpora.resolve_size(5000, 47509) == 5000


# -- subsampling and resampling -----------------------------------------------------------------------------------

def test_subsample_is_deterministic_and_ordered() -> None:
    source = source_frame()
    a, b = corpora.make_corpus(source, 12, seed=7), corpora.make_corpus(source, 12, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 12 and a["id"].is_unique
    rows = [int(i.split("-")[1]) for i in a["id"]]
    assert rows == sorted(rows)
    assert a["title"].tolist() == source["title"].iloc[rows].tolist()  # subsamples are not perturbed
    assert not a.equals(corpora.make_corpus(source, 12, seed=8))


def test_whole_corpus_gets_ids_only() -> None:
    source = source_frame()
    whole = corpora.make_corpus(source, len(source), seed=1)
    assert list(whole.columns) == ["id"] + list(source.columns)
    pd.testing.assert_frame_equal(whole.drop(columns="id"), source)


def test_resample_has_distinct_ids_and_titles_and_keeps_sources() -> None:
    source = source_frame()
    big = corpora.make_corpus(source, 200, seed=3)
    assert len(big) == 200
    assert big["id"].is_unique
    assert big["title"].map(normalise_title).is_unique  # no copy is a duplicate for the tool's dedup
    pd.testing.assert_frame_equal(big.iloc[:30].drop(columns="id").reset_index(drop=True), source)
    copies = big.iloc[30:]
    assert copies["id"].str.fullmatch(r"ml-\d\d-c\d+").all()
    assert copies["title"].str.fullmatch(r".* \(\d+\)").all()
    # lightly perturbed: most words survive, a few are dropped
    for _, row in copies.head(20).iterrows():
        original = source["abstract"].iloc[int(row["id"].split("-")[1])].split()
        words = row["abstract"].split()
        assert 0.85 * len(original) <= len(words) <= len(original)
        assert sorted(set(words)) <= sorted(set(original))
    pd.testing.assert_frame_equal(big, corpora.make_corpus(source, 200, seed=3))
    assert not big.equals(corpora.make_corpus(source, 200, seed=4))


def test_perturb_words_is_deterministic_and_light() -> None:
    words = [f"w{i}" for i in range(1000)]
    a = corpora.perturb_words(words, np.random.default_rng(5))
    b = corpora.perturb_words(words, np.random.default_rng(5))
    assert a == b
    assert 940 <= len(a) <= 995  # about 3 % dropped
    assert a != sorted(a, key=lambda w: int(w[1:]))  # some adjacent pairs swapped
    assert corpora.perturb_words(["only"], np.random.default_rng(0), drop=1.0) == ["only"]
    assert corpora.perturb_words([], np.random.default_rng(0)) == []


def test_unique_suffix_skips_taken_titles() -> None:
    taken = {normalise_title("Deep Nets (2)"), normalise_title("Deep Nets 3")}
    assert corpora.unique_suffixed_title("Deep Nets", 2, taken) == "Deep Nets (4)"
    assert normalise_title("Deep Nets (4)") in taken
    assert corpora.unique_suffixed_title("Deep Nets", 2, taken) == "Deep Nets (5)"


def test_ensure_corpus_writes_once(tmp_path: Path) -> None:
    source = tmp_path / "papers.parquet"
    source_frame().to_parquet(source, index=False)
    path, rows = corpora.ensure_corpus(tmp_path, 50, 42, source)
    assert rows == 50 and path == corpora.corpus_path(tmp_path, 50, 42)
    stamp = path.stat().st_mtime_ns
    assert corpora.ensure_corpus(tmp_path, 50, 42, source) == (path, 50)
    assert path.stat().st_mtime_ns == stamp
    assert corpora.ensure_corpus(tmp_path, "all", 42, source)[1] == 30


# -- memory measurement -------------------------------------------------------------------------------------------

def test_parse_kib_field() -> None:
    status = "Name:\tpython\nVmPeak:\t  9000 kB\nVmRSS:\t    2048 kB\nThreads:\t4\n"
    assert parse_kib_field(status, "VmRSS") == 2048
    assert parse_kib_field(status, "VmHWM") is None
    rollup = "55a8-7fff ---p 00000000 00:00 0  [rollup]\nRss:                1692 kB\nPss:                 415 kB\nPss_Anon: 1 kB\n"
    assert parse_kib_field(rollup, "Pss") == 415
    assert parse_kib_field(rollup, "Rss") == 1692


def test_parse_stat_ppid_with_odd_command_names() -> None:
    assert parse_stat_ppid("12685 (cat) R 12681 12681 11697 0 -1") == 12681
    assert parse_stat_ppid("77 (my (odd) name) S 1 77 77 0") == 1
    assert parse_stat_ppid("garbage") is None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_own_process_tree_memory() -> None:
    assert process_tree(os.getpid())[0] == os.getpid()
    rss, pss = tree_memory_kib(os.getpid())
    assert rss > 10_000 and 0 < pss <= rss


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_run_measured_sees_a_child_allocation(tmp_path: Path) -> None:
    code = "import time; x = bytearray(80 * 2**20); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.5); print('ok')"
    measured = run_measured([sys.executable, "-c", code], tmp_path, "alloc", interval=0.05)
    assert measured.ok and measured.stdout.strip() == "ok"
    assert measured.maxrss_mib >= 80 and measured.peak_rss_mib >= measured.maxrss_mib
    assert measured.tree_pss_mib >= 60  # sampled while the child slept
    failed = run_measured([sys.executable, "-c", "import sys; sys.exit('boom')"], tmp_path, "fail")
    assert not failed.ok and failed.returncode == 1 and failed.error_text() == "boom"
    slow = run_measured([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, "slow", timeout=0.3, interval=0.05)
    assert slow.timed_out and slow.wall_s < 10 and "timed out" in slow.error_text()


# -- outputs of a run ---------------------------------------------------------------------------------------------

def test_write_config_and_read_outputs(tmp_path: Path) -> None:
    import yaml

    corpus = tmp_path / "c.parquet"
    config = yaml.safe_load(write_config(tmp_path, corpus, "5k").read_text())
    assert config["inputs"] == [{"path": str(corpus.resolve())}]
    assert config["cache"]["dir"].endswith("cache-5k") and config["output"]["dir"].endswith("out-5k")
    assert "engine" not in config and "models" not in config
    spark = yaml.safe_load(write_config(tmp_path, corpus, "5k", engine="spark").read_text())
    assert spark["engine"] == "spark" and spark["spark"] == {"master": "local[2]"}
    assert spark["output"]["dir"].endswith("out-5k-spark")

    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({
        "counts": {"papers": 4990, "tokens": 123456},
        "timings_seconds": {"read": 1.5, "spacy": 4.0, "lda": 10.0},
        "peak_rss_mb": 812.5, "stage_peak_rss_mb": {"read": 300.0, "spacy": 500.0, "lda": 812.5},
    }))
    (out / "topics.json").write_text(json.dumps({"lda": {"backend": "lda", "metrics": {"coherence_npmi": 0.0712}}}))
    (out / "report.html").write_bytes(b"x" * 2_500_000)
    record = RunRecord(pipeline="local", mode="cold", size="5k", corpus_rows=5000, wall_s=20.0)
    read_outputs(out, record)
    assert (record.papers, record.tokens, record.npmi, record.lda_backend) == (4990, 123456, 0.0712, "lda")
    assert list(record.stages_s) == ["read", "spacy", "lda"]
    assert record.stage_peak_rss_mb["lda"] == 812.5 and record.manifest_peak_rss_mb == 812.5
    assert record.report_mb == pytest.approx(2.5)
    assert record.docs_per_s == pytest.approx(249.5)


# -- tables -------------------------------------------------------------------------------------------------------

def test_number_formats() -> None:
    assert [fmt_seconds(v) for v in (0.04213, 1.234, 12.34, 812.4, 1234.5, None)] == ["0.042", "1.23", "12.3", "812", "1,234", "–"]
    assert fmt_int(47509) == "47,509" and fmt_int(None) == "–"
    assert fmt_mb(6.94) == "6.9" and fmt_npmi(0.05513) == "0.0551" and fmt_npmi(-0.01) == "-0.0100"


def test_markdown_table_escapes_pipes() -> None:
    table = TextTable("T", ["a", "b"], [["x|y", "1"]], note="n")
    assert to_markdown(table) == "**T**\n\n| a | b |\n| --- | --- |\n| x\\|y | 1 |\n\n_n_\n"


def test_replace_between_markers() -> None:
    text = "# B\nintro\n<!-- bench:start -->\nold\n<!-- bench:end -->\nafter\n"
    assert replace_between_markers(text, "new\n") == "# B\nintro\n<!-- bench:start -->\nnew\n<!-- bench:end -->\nafter\n"
    with pytest.raises(ValueError):
        replace_between_markers("no markers", "x")


def run_dict(size: str, mode: str, papers: int, wall: float, rss: float = 900.0, npmi: float = 0.07, pipeline: str = "local") -> dict:
    return {"pipeline": pipeline, "mode": mode, "size": size, "corpus_rows": papers, "papers": papers, "tokens": papers * 80,
            "wall_s": wall, "peak_rss_mib": rss, "report_mb": 7.0, "npmi": npmi, "docs_per_s": papers / wall,
            "stages_s": {"read": wall * 0.1, "lda": wall * 0.5}, "stage_peak_rss_mb": {"lda": rss},
            "manifest_peak_rss_mb": rss, "browser": {"load_s": 1.2, "draw_s": 2.5, "figures": 10, "error": None},
            "error": None, "lda_backend": "lda"}


def test_tables_and_targets() -> None:
    runs = [run_dict("5k", "cold", 5000, 8.0), run_dict("5k", "warm", 5000, 3.0),
            run_dict("47.5k", "cold", 47509, 55.0, rss=1300), run_dict("47.5k", "warm", 47509, 16.0),
            run_dict("200k", "cold", 200000, 240.0)]
    tutorials = [{"size": "47.5k", "corpus_rows": 47509, "papers": 47509, "npmi": 0.05, "error": None,
                  "stages_s": {"read": 1.0, "spacy": 700.0}, "total_s": 760.0, "wall_s": 770.0, "peak_rss_mib": 2500.0}]
    checks = check_targets(runs, tutorials, "47.5k")
    verdicts = {c["target"].split(" (")[0]: c["passed"] for c in checks}
    assert verdicts["47.5k cold end to end <= 60 s"] is True
    assert verdicts["47.5k cold peak RSS < 1.5 GB"] is True
    assert verdicts["47.5k warm rerun <= 15 s"] is False
    assert verdicts["cold time grows at most linearly"] is True
    assert verdicts["47.5k LDA NPMI >= tutorial pipeline's"] is True
    results = {"machine": {"nproc": 2, "cpu_model": "CPU", "ram_gib": 24}, "runs": runs, "tutorial": tutorials, "checks": checks}
    markdown = results_markdown(results)
    assert "Machine: CPU, 2 cores, 24 GiB RAM" in markdown
    assert "| 47.5k | local | warm | 47,509 |" in markdown and "FAIL" in markdown and "PASS" in markdown
    assert "| lda | 4.00 (1,250/s, 900 MiB) |" in to_markdown(stage_table(runs))
    failed = dict(run_dict("5k", "cold", 5000, 1.0), error="Traceback | ValueError: x", papers=None)
    assert "failed: Traceback" in to_markdown(runs_table([failed]))
    assert check_targets([], [], "47.5k")[0]["passed"] is None


def test_loglog_slope() -> None:
    assert loglog_slope([1000, 10000, 100000], [1.0, 10.0, 100.0]) == pytest.approx(1.0)
    assert loglog_slope([1000, 4000], [5.0, 5.0]) == pytest.approx(0.0)
    assert loglog_slope([1000, 4000], [1.0, 16.0]) == pytest.approx(2.0)
    assert loglog_slope([1000], [1.0]) is None


def test_cpu_probe_times_each_run_of_the_workload_and_flags_a_wide_spread() -> None:
    ticks = iter([0.0, 0.3, 1.0, 1.3, 2.0, 2.45])  # a fake clock: probes of 0.3, 0.3 and 0.45 s
    calls: list[int] = []
    seconds = cpu_probe.probe(3, workload=lambda: float(calls.append(1) or 0), clock=lambda: next(ticks))
    assert seconds == [0.3, 0.3, 0.45] and len(calls) == 3
    steady = cpu_probe.summary([0.30, 0.31], [0.32])
    assert steady == {"start_s": [0.30, 0.31], "end_s": [0.32], "min_s": 0.30, "max_s": 0.32, "spread": 1.07}
    assert cpu_probe.describe(steady) == "reference workload 0.300-0.320 s (spread 1.07)"
    assert not cpu_probe.is_noisy(steady)
    noisy = cpu_probe.summary(seconds, [])
    assert noisy["spread"] == 1.5 and cpu_probe.is_noisy(noisy)
    assert cpu_probe.describe(noisy).endswith("the CPU's speed varied during the run, so timings are noisy")
    assert machine_lines({"cpu_probe": steady}).endswith("; reference workload 0.300-0.320 s (spread 1.07).\n")
    assert "reference workload" not in machine_lines({})
    assert cpu_probe.describe(cpu_probe.summary([], [])) == ""


def test_machine_parsing() -> None:
    assert parse_cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n") == "AMD EPYC 7B13"
    assert parse_cpu_model("") == "unknown"
    assert parse_meminfo_gib("MemTotal:       24684092 kB\nMemFree: 1 kB\n") == 23.5


def test_spark_npmi_is_checked_against_the_local_engine_and_failures_are_kept() -> None:
    runs = [run_dict("47.5k", "cold", 47509, 55.0, npmi=0.07),
            run_dict("47.5k", "cold", 47509, 90.0, npmi=0.045, pipeline="spark"),
            dict(run_dict("5k", "cold", 5000, 9.0, pipeline="spark"), error="ModuleNotFoundError: No module named 'pyspark'")]
    spark = [c for c in check_targets(runs, [], "47.5k") if "Spark" in c["target"]]
    assert [c["passed"] for c in spark] == [False, False]  # 0.025 apart; and the failed run
    assert spark[0]["measured"] == "Spark (lda) 0.0450 vs local 0.0700"
    assert spark[1]["measured"].startswith("failed: ModuleNotFoundError")
    runs[1]["npmi"] = 0.055
    assert [c["passed"] for c in check_targets(runs[:2], [], "47.5k") if "Spark" in c["target"]] == [True]


def write_papers(path: Path, themes: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["id,title,themes"] + [f"p{i},Title {i},{cell}" for i, cell in enumerate(themes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_theme_shares_compare_the_engines(tmp_path: Path) -> None:
    from bench.engines import compare_theme_shares, theme_shares

    local = write_papers(tmp_path / "local" / "papers.csv", ["rl;vision", "rl", "", "vision"])
    spark = write_papers(tmp_path / "spark" / "papers.csv", ["rl", "rl", "nlp", "vision"])
    assert theme_shares(local) == ({"rl": 0.5, "vision": 0.5}, 4)
    agreement = compare_theme_shares(local, spark)
    assert agreement["themes"] == [
        {"theme": "nlp", "local_pct": 0.0, "spark_pct": 25.0, "difference_points": 25.0},
        {"theme": "rl", "local_pct": 50.0, "spark_pct": 50.0, "difference_points": 0.0},
        {"theme": "vision", "local_pct": 50.0, "spark_pct": 25.0, "difference_points": -25.0},
    ]
    assert agreement["max_abs_points"] == 25.0 and agreement["mean_abs_points"] == pytest.approx(16.67)
    checks = check_targets([], [], "47.5k", [{"size": "47.5k", **agreement}])
    assert checks[-1]["target"] == "47.5k Spark theme shares within 5 points of the local engine's"
    assert checks[-1]["passed"] is False
    markdown = results_markdown({"runs": [], "engine_agreement": [{"size": "47.5k", **agreement}], "checks": checks})
    assert "| 47.5k | nlp | 0.0 | 25.0 | +25.0 |" in markdown


def test_keep_outputs_moves_the_run_folder_aside(tmp_path: Path) -> None:
    from bench.runner import keep_outputs

    config = write_config(tmp_path, tmp_path / "c.parquet", "2k")
    out = tmp_path / "out-2k"
    out.mkdir()
    (out / "report.html").write_text("<html></html>")
    record = RunRecord(pipeline="local", mode="cold", size="2k", corpus_rows=2000, config=str(config))
    assert keep_outputs(record) == tmp_path / "out-2k.cold"
    assert (tmp_path / "out-2k.cold" / "report.html").is_file() and not out.exists()
    assert keep_outputs(record) is None
