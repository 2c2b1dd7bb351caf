"""The whole pipeline on the shipped listings (configs/mila.yaml) and on tiny fixtures, through the CLI and
through :func:`topics.pipeline.runner.run`: outputs and their contracts, determinism, the token cache, small corpora."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from preprocessing.nlp import Tokenizer
from tests.topics.helpers import (
    FAST,
    LISTINGS,
    MILA_CONFIG,
    ONE_PERIOD_FILES,
    OUTPUT_FILES,
    SMALL_CSV,
    THEMES_FILE,
    TINY_LISTING,
    CliResult,
    invoke,
)
from topics.config import load_config
from topics.pipeline.outputs import THEME_SCORE_FLOOR
from topics.pipeline.progress import RunProgress
from topics.pipeline.runner import run
from topics.pipeline.stage_keys import code_fingerprint, source_fingerprint
from topics.results import UNASSIGNED
from topics.themes.definitions import load_theme_definitions

THEME_IDS = tuple(t.id for t in load_theme_definitions(THEMES_FILE))
MILA = load_config(MILA_CONFIG)
K_LDA, K_CLUSTERS = MILA.models.lda.num_topics, MILA.models.clusters.num_clusters
PAPER_COLUMNS = ("id", "title", "authors", "abstract", "period", "themes", "theme_scores", "topic", "cluster")
#: The stages every run times (the report is rendered before manifest.json is written, so it is timed too).
STAGES = {"read", "spacy", "phrases", "lda", "tfidf_kmeans", "themes", "trends", "documents_map", "report"}


@dataclass(frozen=True)
class MilaRun:
    out: Path
    cache: Path
    base: Path

    def read(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")

    def rows(self, name: str = "papers.csv") -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.read(name), newline="")))

    def json(self, name: str) -> dict:
        return json.loads(self.read(name))


def mila_cli_args(out: Path, cache: Path | None, *extra: object) -> list[object]:
    cache_args: list[object] = ["--no-cache"] if cache is None else ["--set", f"cache.dir={cache}"]
    return ["run", MILA_CONFIG, "--quiet", "--out", out, *cache_args, *FAST, *extra]


@pytest.fixture(scope="module")
def mila(tmp_path_factory: pytest.TempPathFactory) -> MilaRun:
    """configs/mila.yaml through the CLI, with a cold token cache of its own."""
    base = tmp_path_factory.mktemp("mila")
    out, cache = base / "out", base / "cache"
    assert invoke(mila_cli_args(out, cache)) == 0
    return MilaRun(out=out, cache=cache, base=base)


# ------------------------------------------------------------------------------------------- papers.csv


def test_outputs_are_written(mila: MilaRun) -> None:
    assert sorted(p.name for p in mila.out.iterdir()) == sorted(OUTPUT_FILES)
    html = mila.read("report.html")
    assert html.lstrip().lower().startswith("<!doctype html")


def test_papers_csv_has_one_row_per_unique_paper(mila: MilaRun) -> None:
    rows = mila.rows()
    assert len(rows) == 23
    header = next(csv.reader(io.StringIO(mila.read("papers.csv"))))
    assert set(PAPER_COLUMNS) <= set(header)
    assert header[0] == "id"
    assert len({r["id"] for r in rows}) == 23
    assert len({r["title"].casefold() for r in rows}) == 23
    assert all(r["id"] and r["title"] for r in rows)


def test_papers_csv_authors_are_semicolon_separated(mila: MilaRun) -> None:
    rows = {r["title"]: r for r in mila.rows()}
    row = rows["Reward Model Ensembles Help Mitigate Overoptimization"]
    assert [a.strip() for a in row["authors"].split(";")] == ["Thomas Coste", "Usman Anwar", "Robert Kirk"]
    for r in rows.values():
        names = [a.strip() for a in r["authors"].split(";")]
        assert all(names), r["authors"]
        assert not any("," in n for n in names), r["authors"]


def test_papers_csv_themes_are_known_theme_ids(mila: MilaRun) -> None:
    rows = mila.rows()
    threshold = load_config(MILA_CONFIG).themes.threshold
    for r in rows:
        themes = r["themes"].split(";") if r["themes"] else []
        assert set(themes) <= set(THEME_IDS), r["themes"]
        assert UNASSIGNED not in themes
        assert len(themes) == len(set(themes)) <= 3
        pairs = [p.split(":") for p in r["theme_scores"].split(";")] if r["theme_scores"] else []
        ids = [t for t, _ in pairs]
        assert [t for t in ids if t in themes] == themes  # every assigned theme, in the same order
        scores = [float(s) for _, s in pairs]
        assert scores == sorted(scores, reverse=True)
        assert all(threshold <= s <= 1.0 for t, s in zip(ids, scores) if t in themes)
        assert all(THEME_SCORE_FLOOR <= s <= 1.0 for s in scores)  # near misses listed too
    assert any(r["themes"] for r in rows)
    assert any("reinforcement-learning" in r["themes"].split(";") for r in rows)


def test_papers_csv_topic_and_cluster_are_model_indices(mila: MilaRun) -> None:
    rows = mila.rows()
    assert 2 <= K_LDA <= 23 and 2 <= K_CLUSTERS <= 23  # no shrinking of K on this corpus
    assert {int(r["topic"]) for r in rows} <= set(range(K_LDA))
    assert {int(r["cluster"]) for r in rows} <= set(range(K_CLUSTERS))


def test_papers_csv_periods(mila: MilaRun) -> None:
    rows = mila.rows()
    assert {r["period"] for r in rows} == {"2023-24", "2025"}
    assert sum(r["period"] == "2023-24" for r in rows) == 11
    assert sum(r["period"] == "2025" for r in rows) == 12


# ------------------------------------------------------------------------------------------- topics.json


def test_topics_json(mila: MilaRun) -> None:
    doc = mila.json("topics.json")
    assert [t["id"] for t in doc["themes"]] == list(THEME_IDS)
    for block, backend, k in (("lda", "lda", K_LDA), ("clusters", "tfidf_kmeans", K_CLUSTERS)):
        topics = doc[block]["topics"]
        assert doc[block]["backend"] == backend
        assert [t["id"] for t in topics] == list(range(k))
        assert sum(t["papers"] for t in topics) == 23
        assert sum(t["prevalence"] for t in topics) == pytest.approx(1.0, abs=1e-5)
        for topic in topics:
            assert len(topic["terms"]) == 10
            weights = [term["weight"] for term in topic["terms"]]
            if block == "lda":  # p(term | topic), highest first
                assert weights == sorted(weights, reverse=True)
            else:  # centroid weights, ranked by weight x lift ** 0.35 (clusters.cluster_top_terms)
                assert all(w > 0 for w in weights)
            assert set(topic["themes"]) == set(THEME_IDS)
            assert all(0.0 <= v <= 1.0 for v in topic["themes"].values())
            assert isinstance(topic["x"], float) and isinstance(topic["y"], float)
    assert "coherence_npmi" in doc["lda"]["metrics"]
    assert "silhouette" in doc["clusters"]["metrics"]
    assert -1.0 <= doc["agreement"]["ari"] <= 1.0


def test_topics_json_sizes_match_papers_csv(mila: MilaRun) -> None:
    doc = mila.json("topics.json")
    rows = mila.rows()
    for block, column, n in (("lda", "topic", K_LDA), ("clusters", "cluster", K_CLUSTERS)):
        sizes = [t["papers"] for t in doc[block]["topics"]]
        assert sizes == [sum(int(r[column]) == k for r in rows) for k in range(n)]


# -------------------------------------------------------------------------------------------- trends.csv


def test_trends_csv_rows_per_period_and_theme(mila: MilaRun) -> None:
    rows = mila.rows("trends.csv")
    assert list(rows[0]) == [
        "period", "theme", "papers", "count", "share", "share_low", "share_high",
        "trend", "slope", "slope_low", "slope_high", "p_value", "q_value", "trend_window",
    ]
    expected_keys = [(p, t) for p in ("2023-24", "2025") for t in (*THEME_IDS, UNASSIGNED)]
    assert [(r["period"], r["theme"]) for r in rows] == expected_keys
    papers = mila.rows()
    for r in rows:
        in_period = [p for p in papers if p["period"] == r["period"]]
        assert int(r["papers"]) == len(in_period)
        if r["theme"] == UNASSIGNED:
            count = sum(not p["themes"] for p in in_period)
        else:
            count = sum(r["theme"] in p["themes"].split(";") for p in in_period)
        assert int(r["count"]) == count, r
        assert float(r["share"]) == round(count / len(in_period), 6)
        assert float(r["share_low"]) <= float(r["share"]) <= float(r["share_high"])


def test_trend_columns_of_two_periods_are_their_difference(mila: MilaRun) -> None:
    """With two periods, the fitted shares are the observed ones and the slope is the change between them."""
    rows = mila.rows("trends.csv")
    share = {(r["period"], r["theme"]): (int(r["count"]), float(r["share"])) for r in rows}
    for r in rows:
        (c1, s1), (c2, s2) = share[("2023-24", r["theme"])], share[("2025", r["theme"])]
        if r["theme"] == UNASSIGNED or c1 == c2 == 0:  # not tested: unassigned papers, themes with no paper
            assert r["trend"] == r["slope"] == ""
            continue
        assert r["trend"] in {"emerging", "declining", "no clear trend"}
        assert r["trend_window"] == "last 10 periods"
        assert float(r["slope_low"]) <= float(r["slope"]) <= float(r["slope_high"])
        if 0 < c1 and 0 < c2:
            assert float(r["slope"]) == pytest.approx(s2 - s1, abs=2e-6)
    tests = mila.rows("trend_tests.csv")
    assert {t["kind"] for t in tests} == {"theme", "topic"}
    topic_papers = {r["topic"] for r in mila.rows()}
    assert sorted(t["id"] for t in tests if t["kind"] == "topic") == sorted(topic_papers)  # topics with papers
    assert all(float(t["q_value"]) >= float(t["p_value"]) for t in tests)


def test_comparison_csv_matches_the_papers(mila: MilaRun) -> None:
    papers = mila.rows()
    rows = {(r["kind"], r["id"]): r for r in mila.rows("comparison.csv")}
    before = [p for p in papers if p["period"] == "2023-24"]
    after = [p for p in papers if p["period"] == "2025"]
    for theme in THEME_IDS:
        r = rows[("theme", theme)]
        c1 = sum(theme in p["themes"].split(";") for p in before)
        c2 = sum(theme in p["themes"].split(";") for p in after)
        assert (int(r["count_before"]), int(r["papers_before"]), int(r["count_after"]), int(r["papers_after"])) == (
            c1, len(before), c2, len(after)
        )
        expected = "new" if c1 == 0 < c2 else "gone" if c2 == 0 < c1 else None
        if expected:
            assert r["status"] == expected
        else:
            assert r["status"] in {"grew", "shrank", "stable"}
    for k in range(K_LDA):
        r = rows[("topic", str(k))]
        assert int(r["count_before"]) == sum(p["topic"] == str(k) for p in before)
    authors = mila.rows("comparison_authors.csv")
    assert {a["period"] for a in authors} <= {"2023-24", "2025"}
    assert {a["status"] for a in authors} <= {"new", "left", "both"}


# ------------------------------------------------------------------------------------------ manifest.json


def test_manifest(mila: MilaRun) -> None:
    manifest = mila.json("manifest.json")
    assert {"config", "seeds", "versions", "counts", "timings_seconds"} <= set(manifest)
    config = manifest["config"]
    assert config["output"]["dir"] == str(mila.out)
    assert config["cache"]["dir"] == str(mila.cache)
    assert config["models"]["lda"]["num_topics"] == K_LDA
    assert [i["period"] for i in config["inputs"]] == ["2023-24", "2025"]
    assert manifest["seeds"] == {"seed": 42, "lda": 42, "clusters": 42, "lda_model": 42}
    for package in ("spacy", "gensim", "scikit-learn", "numpy", "pandas"):
        assert manifest["versions"][package] == metadata.version(package)
    counts = manifest["counts"]
    assert counts["papers"] == 23
    assert counts["periods"] == {"2023-24": 11, "2025": 12}
    assert counts["lda_topics"] == K_LDA and counts["clusters"] == K_CLUSTERS
    assert counts["papers_with_theme"] == sum(bool(r["themes"]) for r in mila.rows())
    assert counts["skipped"] == {"duplicate title": 1, "page header": 1}
    timings = manifest["timings_seconds"]
    assert STAGES <= set(timings)
    assert all(isinstance(v, (int, float)) and v >= 0 for v in timings.values())
    assert manifest["warnings"] == []


# --------------------------------------------------------------------------------------------- determinism


def test_same_config_and_seed_give_identical_outputs(mila: MilaRun) -> None:
    """Warm cache, then no cache at all: papers.csv (and the other data files) are byte-identical."""
    warm, uncached = mila.base / "warm", mila.base / "uncached"
    assert invoke(mila_cli_args(warm, mila.cache)) == 0
    assert invoke(mila_cli_args(uncached, None)) == 0
    for name in ("papers.csv", "topics.json", "trends.csv"):
        first = (mila.out / name).read_bytes()
        assert (warm / name).read_bytes() == first, name
        assert (uncached / name).read_bytes() == first, name


def test_second_process_run_gives_the_same_papers_and_themes(mila: MilaRun, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the clusters in a second process (large corpora) the theme evidence and learner run in this one while
    it clusters (stage ``theme_evidence``); papers.csv and topics.json are byte-identical to the one-process run."""
    monkeypatch.setattr("topics.pipeline.model_stages.PARALLEL_FROM", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    parallel = mila.base / "parallel"
    assert invoke(mila_cli_args(parallel, None)) == 0
    timings = json.loads((parallel / "manifest.json").read_text())["timings_seconds"]
    assert {"theme_evidence", "wait_for_clusters"} <= set(timings)
    assert "theme_evidence" not in mila.json("manifest.json")["timings_seconds"]
    for name in ("papers.csv", "topics.json"):
        assert (parallel / name).read_bytes() == (mila.out / name).read_bytes(), name


def test_the_second_process_exits_once_its_clusters_are_in(
    mila: MilaRun, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The clusters' process does not stay alive, holding its memory, while this one works on the theme evidence
    (at 47.5k papers an idle worker held 600 MiB on top of the evidence's)."""
    import multiprocessing
    import time

    import topics.pipeline.runner as runner

    monkeypatch.setattr("topics.pipeline.model_stages.PARALLEL_FROM", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    real = runner.theme_evidence
    alive_after_wait: list[int] = []

    def observed(*args, **kwargs):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 60
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)  # the second process may still be clustering: wait until it is done
        alive_after_wait.append(len(multiprocessing.active_children()))
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "theme_evidence", observed)
    assert invoke(mila_cli_args(tmp_path / "out", None)) == 0
    assert alive_after_wait == [0]


def test_another_seed_changes_the_models(mila: MilaRun) -> None:
    """The byte-identity above is not vacuous: the seed does reach the models."""
    other = mila.base / "seed7"
    assert invoke(mila_cli_args(other, mila.cache, "--set", "seed=7")) == 0
    assert json.loads((other / "manifest.json").read_text())["seeds"] == {"seed": 7, "lda": 7, "clusters": 7, "lda_model": 7}
    first = mila.json("topics.json")
    second = json.loads((other / "topics.json").read_text())
    assert first["lda"]["topics"] != second["lda"]["topics"]


# ------------------------------------------------------------------------------------------- token cache


@pytest.fixture
def spacy_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the texts handed to spaCy via Tokenizer._arrays, which arrays, arrays_with_themes and theme_arrays
    all tokenise with (the real method still runs)."""
    calls: list[int] = []
    real_arrays = Tokenizer._arrays

    def counting_arrays(self: Tokenizer, texts: Sequence[str], progress=None, themes=False):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return real_arrays(self, texts, progress, themes)

    monkeypatch.setattr(Tokenizer, "_arrays", counting_arrays)
    return calls


#: The corpus's own token cache is what these tests count: the labeller's background corpus (read from its prepared
#: tokens, see test_cold_cache_tokenises_every_text_once and tests/topics/test_background_tokens.py) is left out.
NO_BACKGROUND = "themes.background=null"


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("tokens-*.npz"))


def test_cold_cache_tokenises_every_text_once(tmp_path: Path, spacy_calls: list[int]) -> None:
    cache = tmp_path / "cache"
    result = run(load_config(MILA_CONFIG, ["report.map.method=svd", f"cache.dir={cache}"]))
    assert len(result.corpus) == 23
    # every title + abstract, then every title, in one call, which gives the corpus tokens and the theme tokens
    # (two cache files); the labeller's background corpus is read from its prepared tokens, never tokenised
    assert spacy_calls == [23 + 23]
    assert len(cache_files(cache)) == 2 and not list(cache.glob("background-*.npz"))
    assert not list(cache.glob(".tokens-*"))  # no temporary file left behind


def test_warm_cache_skips_spacy_and_gives_the_same_tokens(mila: MilaRun, spacy_calls: list[int]) -> None:
    before = cache_files(mila.cache)
    result = run(load_config(MILA_CONFIG, ["report.map.method=svd", f"cache.dir={mila.cache}"]))
    assert len(result.corpus) == 23
    assert sum(spacy_calls) == 0
    assert cache_files(mila.cache) == before
    first = json.loads(mila.read("manifest.json"))
    assert result.manifest["counts"]["tokens"] == first["counts"]["tokens"]
    assert result.manifest["counts"]["vocabulary"] == first["counts"]["vocabulary"]


def test_unreadable_cache_file_is_replaced_not_read(tmp_path: Path, spacy_calls: list[int]) -> None:
    cache = tmp_path / "cache"
    first = run(load_config(MILA_CONFIG, ["report.map.method=svd", f"cache.dir={cache}", NO_BACKGROUND]))
    paths = cache_files(cache)
    assert len(paths) == 2  # the corpus tokens and the theme tokens
    for path in paths:
        path.write_bytes(path.read_bytes()[:100])  # as if a disk error had cut it short
    second = run(load_config(MILA_CONFIG, ["report.map.method=svd", f"cache.dir={cache}", NO_BACKGROUND]))
    assert spacy_calls == [46, 46]
    assert second.manifest["counts"]["tokens"] == first.manifest["counts"]["tokens"]
    assert cache_files(cache) == paths and all(path.stat().st_size > 100 for path in paths)


def test_changed_settings_miss_the_cache(mila: MilaRun, spacy_calls: list[int]) -> None:
    run(load_config(MILA_CONFIG, ["report.map.method=svd", f"cache.dir={mila.cache}", NO_BACKGROUND,
                                  "preprocessing.extra_stop_words=[agent]"]))
    assert spacy_calls == [46]


def test_no_cache_flag_leaves_no_cache(cli: Callable[..., CliResult], tmp_path: Path, cache_home: Path) -> None:
    cache = tmp_path / "cache"
    result = cli(*mila_cli_args(tmp_path / "out", None, "--set", f"cache.dir={cache}"))
    assert result.code == 0, result.err
    assert not cache.exists()
    assert not cache_home.exists()  # nor anything in the default place


def test_cache_disabled_in_config_leaves_no_cache(tmp_path: Path, cache_home: Path, spacy_calls: list[int]) -> None:
    run(load_config(MILA_CONFIG, ["report.map.method=svd", "cache.enabled=false", NO_BACKGROUND]))
    run(load_config(MILA_CONFIG, ["report.map.method=svd", "cache.enabled=false", NO_BACKGROUND]))
    assert spacy_calls == [46, 46]
    assert not cache_home.exists()


def test_default_cache_lives_under_xdg_cache_home(cache_home: Path) -> None:
    run(load_config(MILA_CONFIG, ["report.map.method=svd", NO_BACKGROUND]))
    assert len(cache_files(cache_home / "research-topics")) == 2  # corpus tokens and theme tokens


# ----------------------------------------------------------------------------------------- without config


def test_run_with_inputs_and_no_config(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "quick"
    result = cli("run", "--input", LISTINGS / "2023-24.txt", "--input", LISTINGS / "2025.txt",
                 "--out", out, "--quiet", *FAST)
    assert result.code == 0, result.err
    assert result.out == f"{out / 'report.html'}\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    rows = list(csv.DictReader((out / "papers.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == 23
    assert {r["period"] for r in rows} == {"2023-24", "2025"}  # a listing's period is its file name
    manifest = json.loads((out / "manifest.json").read_text())
    # num_topics/num_clusters: size (the defaults) give round(sqrt(23 / 2)) = 3 for 23 papers, recorded as numbers
    assert manifest["config"]["models"]["lda"]["num_topics"] == 3
    assert manifest["config"]["models"]["clusters"]["num_clusters"] == 3
    assert manifest["counts"]["lda_topics"] == manifest["counts"]["clusters"] == 3
    assert len(json.loads((out / "topics.json").read_text())["lda"]["topics"]) == 3
    assert k_warnings(manifest["warnings"], "models.lda.num_topics") == []  # sized, not shrunk
    assert manifest["config"]["themes"]["file"] == str(THEMES_FILE)


def test_run_without_config_or_out_writes_out_quick(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("run", "--input", TINY_LISTING, "--quiet", "--no-cache", *FAST)
    assert result.code == 0, result.err
    assert result.out == f"{tmp_path / 'out' / 'quick' / 'report.html'}\n"
    assert sorted(p.name for p in (tmp_path / "out" / "quick").iterdir()) == sorted(ONE_PERIOD_FILES)


def test_input_option_replaces_the_config_inputs(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli(*mila_cli_args(tmp_path / "out", None, "--input", LISTINGS / "2025.txt"))
    assert result.code == 0, result.err
    rows = list(csv.DictReader((tmp_path / "out" / "papers.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == 12
    assert {r["period"] for r in rows} == {"2025"}


# ------------------------------------------------------------------------------------------- small corpora


def k_warnings(warnings: Sequence[str], key: str) -> list[str]:
    """The warnings that a corpus is too small for ``key``'s value (not the degenerate-model flags, whose advice
    may name the same key: "try --set models.lda.num_topics=10")."""
    return [w for w in warnings if f"{key}=" in w and f"--set {key}=" not in w]


def test_topics_and_clusters_default_from_the_corpus_size(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("run", "--input", TINY_LISTING, "--no-cache", "--out", out, *FAST)
    assert result.code == 0, result.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["lda_topics"] == 2 and manifest["counts"]["clusters"] == 2  # 5 papers: the minimum
    assert k_warnings(manifest["warnings"], "models.lda.num_topics") == []
    said = " ".join(result.err.split())
    assert "5 papers: 2 topics and 2 clusters (num_topics/num_clusters: size, sqrt(papers / 2); set a number" in said


def test_size_follows_sqrt_of_half_the_papers() -> None:
    from topics.config import size_for

    assert [size_for(n, 12) for n in (0, 5, 23, 30, 50, 100, 200, 264, 265, 47_000)] == [2, 2, 3, 4, 5, 7, 10, 11, 12, 12]
    assert [size_for(n, 10) for n in (180, 181, 5_000)] == [9, 10, 10]


def test_fewer_papers_than_topics_warns_and_shrinks_k(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("run", "--input", TINY_LISTING, "--no-cache", "--out", out, *FAST,
                 "--set", "models.lda.num_topics=12", "--set", "models.clusters.num_clusters=10")
    assert result.code == 0, result.err
    manifest = json.loads((out / "manifest.json").read_text())
    (lda_warning,) = k_warnings(manifest["warnings"], "models.lda.num_topics")
    (cluster_warning,) = k_warnings(manifest["warnings"], "models.clusters.num_clusters")
    for warning, key, requested in ((lda_warning, "models.lda.num_topics", 12),
                                    (cluster_warning, "models.clusters.num_clusters", 10)):
        assert warning.startswith("the corpus has ")
        assert " 5 papers" in warning and f"{key}={requested};" in warning
        assert warning.endswith("using 2 instead")
    said = " ".join(result.err.split())  # the console may wrap long lines
    assert f"warning: {lda_warning}" in said and f"warning: {cluster_warning}" in said
    assert "Traceback" not in result.err
    assert manifest["counts"]["lda_topics"] == 2 and manifest["counts"]["clusters"] == 2
    doc = json.loads((out / "topics.json").read_text())
    assert len(doc["lda"]["topics"]) == 2 and len(doc["clusters"]["topics"]) == 2


def test_small_corpus_result(tmp_path: Path) -> None:
    config = load_config(None, [f"inputs=[{{path: '{TINY_LISTING}'}}]", "report.map.method=svd",
                                "models.lda.num_topics=8", "models.clusters.num_clusters=2"])
    result = run(config, use_cache=False)
    (warning,) = k_warnings(result.warnings, "models.lda.num_topics")
    assert " 5 papers" in warning and warning.endswith("using 2 instead")
    assert k_warnings(result.warnings, "models.clusters.num_clusters") == []  # 2 clusters fit 5 papers
    assert result.lda is not None and result.lda.n_topics == 2
    assert result.clusters is not None and result.clusters.n_topics == 2
    assert result.lda.doc_topic.shape == (5, 2)
    assert result.manifest["counts"]["lda_topics"] == 2


def test_models_read_from_the_cache_show_the_warnings_of_their_fit(tmp_path: Path) -> None:
    config = load_config(None, [f"inputs=[{{path: '{TINY_LISTING}'}}]", "report.map.method=svd",
                                "models.lda.num_topics=8", f"cache.dir='{tmp_path / 'cache'}'"])
    cold = run(config, progress=RunProgress(console=Console(file=io.StringIO(), width=400)))
    said = io.StringIO()
    warm_progress = RunProgress(console=Console(file=said, width=400))
    warm = run(config, progress=warm_progress)
    assert warm.manifest["counts"] == cold.manifest["counts"]  # the same models, the second time from the cache
    (warning,) = k_warnings(cold.warnings, "models.lda.num_topics")
    assert warm.warnings == cold.warnings == tuple(warm_progress.warnings)
    assert f"warning: {warning}" in said.getvalue() and "models read from the cache" in said.getvalue()


def test_two_papers_are_enough(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text(
        "title,abstract\n"
        "Deep reinforcement learning for robots,Agents learn policies from reward in robot control tasks\n"
        "Diffusion models for images,We generate images with denoising diffusion models\n",
        encoding="utf-8",
    )
    result = run(load_config(None, [f"inputs=[{{path: '{path}'}}]"]), use_cache=False)
    assert len(result.corpus) == 2
    assert result.lda is not None and result.lda.n_topics == 2


def test_given_ids_are_kept_and_years_are_periods(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = invoke(["run", "--input", SMALL_CSV, "--out", out, "--quiet", "--no-cache", *FAST,
                   "--set", "models.lda.num_topics=3", "--set", "models.lda.passes=2",
                   "--set", "models.clusters.num_clusters=3"])
    assert code == 0
    rows = list(csv.DictReader((out / "papers.csv").open(encoding="utf-8", newline="")))
    assert [r["id"] for r in rows] == ["rl-1", "rl-2", "gen-1", "gen-2", "neuro-1", "neuro-2"]
    assert [r["period"] for r in rows] == ["2019", "2020"] * 3
    themes = {r["id"]: r["themes"].split(";") for r in rows}
    assert themes["rl-1"][0] == themes["rl-2"][0] == "reinforcement-learning"
    assert themes["gen-1"][0] == themes["gen-2"][0] == "generative-models"
    assert themes["neuro-1"][0] == themes["neuro-2"][0] == "neuroscience"
    trends = list(csv.DictReader((out / "trends.csv").open(encoding="utf-8", newline="")))
    assert [r["period"] for r in trends] == ["2019"] * (len(THEME_IDS) + 1) + ["2020"] * (len(THEME_IDS) + 1)
    rl_2019 = next(r for r in trends if r["period"] == "2019" and r["theme"] == "reinforcement-learning")
    assert (rl_2019["papers"], rl_2019["count"], rl_2019["share"]) == ("3", "1", "0.333333")


def test_warm_rerun_reads_corpus_models_and_themes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    settings = ["report.map.method=svd", f"cache.dir={cache}"]
    first = run(load_config(MILA_CONFIG, settings))
    assert sorted(p.name.split("-")[0] for p in cache.glob("*.pkl")) == ["corpus", "models", "themes"]

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("models or themes were computed again")

    monkeypatch.setattr("topics.pipeline.model_stages.fit_models", no_fit)
    monkeypatch.setattr("topics.pipeline.theme_stage.assign_paper_themes", no_fit)
    second = run(load_config(MILA_CONFIG, settings))
    assert second.lda.topic_terms == first.lda.topic_terms
    np.testing.assert_array_equal(second.lda.doc_topic, first.lda.doc_topic)
    np.testing.assert_array_equal(second.clusters.assignments, first.clusters.assignments)
    assert second.themes.assigned.tolist() == first.themes.assigned.tolist()
    monkeypatch.undo()
    third = run(load_config(MILA_CONFIG, [*settings, "models.lda.num_topics=3"]))  # another setting: refitted
    assert third.lda.n_topics == 3


def test_other_code_misses_every_stage_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # an entry written by another version of the code (a stale install, another checkout) is never read back
    cache = tmp_path / "cache"
    settings = ["report.map.method=svd", f"cache.dir={cache}"]
    run(load_config(MILA_CONFIG, settings))
    monkeypatch.setattr("topics.pipeline.stage_keys.code_fingerprint", lambda: "other code")
    run(load_config(MILA_CONFIG, settings))
    assert sorted(p.name.split("-")[0] for p in cache.glob("*.pkl")) == ["corpus"] * 2 + ["models"] * 2 + ["themes"] * 2


def test_the_code_fingerprint_follows_every_source_file(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text("y = 2\n", encoding="utf-8")
    (package / "notes.txt").write_text("not code", encoding="utf-8")
    before = source_fingerprint([package])
    (package / "notes.txt").write_text("edited, still not code", encoding="utf-8")
    assert source_fingerprint([package]) == before
    (package / "sub" / "b.py").write_text("y = 3\n", encoding="utf-8")
    assert source_fingerprint([package]) != before
    assert len(code_fingerprint()) == 40 and code_fingerprint() == code_fingerprint()


def test_edited_theme_definitions_miss_the_themes_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    themes = tmp_path / "themes.yaml"
    themes.write_text(THEMES_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = ["report.map.method=svd", f"cache.dir={cache}", f"themes.file={themes}"]
    first = run(load_config(MILA_CONFIG, settings))
    edited = load_theme_definitions(themes)
    dropped = edited[-1].id
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text[: text.rindex("- id:")], encoding="utf-8")  # the last theme removed
    second = run(load_config(MILA_CONFIG, settings))
    assert dropped in first.themes.theme_ids and dropped not in second.themes.theme_ids
    assert len(list(cache.glob("themes-*.pkl"))) == 2


def test_papers_csv_quotes_like_pandas_and_reads_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "tricky.jsonl"
    records = [
        {"title": 'Quotes "inside", commas, and a trailing quote"', "abstract": "Agents learn, plan and act."},
        {"title": "Plain title about diffusion models", "abstract": 'He said "denoising" works,\nacross lines.'},
        {"title": "Unicode: naïve Bayes — 学习 ünd emoji 🙂", "abstract": "Reward shaping for robots", "authors": ["A, B", "C"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    from topics.pipeline.outputs import papers_csv, papers_frame

    result = run(load_config(None, [f"inputs=[{{path: '{path}'}}]", "report.map.method=svd"]), use_cache=False)
    written = papers_csv(result)
    assert written == papers_frame(result).to_csv(index=False, lineterminator="\n")
    rows = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [row["title"] for row in rows] == [p.title for p in result.corpus.papers]
    assert [row["abstract"] for row in rows] == [p.abstract for p in result.corpus.papers]


def test_themes_cache_key_parts_are_the_same_in_every_process() -> None:
    """The themes stage is cached across runs, so what its key is made of must not depend on the process's
    string-hash seed (a frozenset's repr does)."""
    import subprocess
    import sys

    code = "import json; from topics.pipeline.stage_keys import _scorers_fingerprint; print(json.dumps(_scorers_fingerprint()))"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and json.loads(outputs.pop())
