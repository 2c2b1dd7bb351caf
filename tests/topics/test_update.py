"""``topics update RUN_DIR --input NEW`` and ``models.freeze``: new papers folded into a fitted run without a refit.

The run under test is 3,000 papers of the shipped example corpus; 50 more of it are added. What a user relies on:
every old paper's topic, cluster, themes and scores stay byte for byte what they were, the new papers get all of
them, the trends and the report count them, the same update twice gives the same files, and a batch from another
field is called out with the advice to refit.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.topics.helpers import PROJECT_ROOT, invoke

EXAMPLE = PROJECT_ROOT / "data" / "ml-abstracts-sample.parquet"
#: What a paper's labels are: the columns that must not change for an old paper.
LABEL_COLUMNS = (
    "topic", "topic_weight", "topic_label", "cluster", "cluster_label", "themes", "theme_scores", "theme_evidence",
)
QUICK = ("--set", "report.map.method=svd", "--set", "models.lda.num_topics=12",
         "--set", "models.clusters.num_clusters=10")

pytestmark = pytest.mark.slow


def _papers(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "papers.csv", dtype=str, keep_default_na=False)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A fitted run of 3,000 example papers, and a CSV of 50 more papers of the same corpus."""
    root = tmp_path_factory.mktemp("update")
    sample = pd.read_parquet(EXAMPLE).sample(n=3050, random_state=1)
    sample.iloc[:3000].to_csv(root / "base.csv", index=False)
    sample.iloc[3000:].to_csv(root / "new.csv", index=False)
    code = invoke(["run", "--input", root / "base.csv", "--out", root / "run", "--quiet", "--no-cache", *QUICK])
    assert code == 0
    return root, root / "run", root / "new.csv"


def _update(run: Path, target: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> int:
    shutil.copytree(run, target)
    argv: list[object] = ["update", target, "--quiet", "--no-cache", *extra]
    for path in inputs:
        argv += ["--input", path]
    return invoke(argv)


def test_update_keeps_old_papers_and_labels_new_ones(base_run: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, run, new = base_run
    before = _papers(run)
    assert (run / "models.pkl").is_file()
    assert _update(run, tmp_path / "run", new) == 0
    after = _papers(tmp_path / "run")
    assert len(before) == 3000 and len(after) == 3050
    old = after.set_index("id").loc[before["id"]]
    for column in LABEL_COLUMNS:
        assert old[column].tolist() == before[column].tolist(), column
    added = after[~after["id"].isin(before["id"])]
    assert len(added) == 50
    assert (added["topic"] != "").all() and (added["cluster"] != "").all()
    assert set(added["topic"]) <= set(before["topic"]) and set(added["cluster"]) <= set(before["cluster"])
    assert (added["theme_scores"] != "").any()
    # the trends count the new papers: each period's paper count is the papers of that period
    trends = pd.read_csv(tmp_path / "run" / "trends.csv", dtype={"period": str})
    per_period = trends.drop_duplicates("period").set_index("period")["papers"]
    years = pd.read_csv(root / "base.csv")["year"].tolist() + pd.read_csv(new)["year"].tolist()
    assert per_period.sum() == 3050
    assert per_period.to_dict() == {str(y): n for y, n in pd.Series(years).astype(str).value_counts().items()}
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "3,050" in html
    # the documents map draws the new papers too: every one of the 3,050 papers is on it, none left out
    assert "Documents map" in html and "papers shown" not in html
    frozen = _manifest(tmp_path / "run")["frozen"]
    assert (frozen["kept"], frozen["added"], frozen["changed"]) == (3000, 50, 0)
    assert frozen["refit_advised"] is False and frozen["reasons"] == []
    assert frozen["poorly_explained_share"] < 0.4
    # topics.json: the same topics, ids and labels as the fitted run's
    topics_before = json.loads((run / "topics.json").read_text(encoding="utf-8"))
    topics_after = json.loads((tmp_path / "run" / "topics.json").read_text(encoding="utf-8"))
    for block in ("lda", "clusters"):
        assert [(t["id"], t["label"]) for t in topics_after[block]["topics"]] == [
            (t["id"], t["label"]) for t in topics_before[block]["topics"]
        ]


def test_the_same_update_twice_gives_the_same_files(base_run: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, run, new = base_run
    assert _update(run, tmp_path / "a", new) == 0
    assert _update(run, tmp_path / "b", new) == 0
    for name in ("papers.csv", "trends.csv", "topics.json", "thematic_map.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_an_update_of_an_update_keeps_both_batches(base_run: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """The updated folder can be updated again: the first batch keeps the labels it got."""
    _, run, new = base_run
    rows = pd.read_csv(new)
    rows.iloc[:25].to_csv(tmp_path / "first.csv", index=False)
    rows.iloc[25:].to_csv(tmp_path / "second.csv", index=False)
    assert _update(run, tmp_path / "once", tmp_path / "first.csv") == 0
    once = _papers(tmp_path / "once")
    shutil.copytree(tmp_path / "once", tmp_path / "twice")
    assert invoke(["update", tmp_path / "twice", "--input", tmp_path / "second.csv", "--quiet", "--no-cache"]) == 0
    twice = _papers(tmp_path / "twice").set_index("id")
    assert len(twice) == 3050
    for column in LABEL_COLUMNS:
        assert twice.loc[once["id"], column].tolist() == once[column].tolist(), column
    assert _manifest(tmp_path / "twice")["frozen"]["fitted_papers"] == 3000


def test_models_freeze_in_a_config_is_topics_update(base_run: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, run, new = base_run
    assert _update(run, tmp_path / "updated", new) == 0
    code = invoke([
        "run", "--input", root / "base.csv", "--input", new, "--out", tmp_path / "frozen", "--quiet", "--no-cache",
        "--set", f"models.freeze={run}", "--set", "report.map.method=svd",
    ])
    assert code == 0
    assert (tmp_path / "frozen" / "papers.csv").read_bytes() == (tmp_path / "updated" / "papers.csv").read_bytes()


def _other_field(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` abstracts of soil science and geology, made of that field's words (no word of machine learning)."""
    words = (
        "soil sediment basalt granite erosion aquifer groundwater clay loam humus nitrogen irrigation tillage "
        "crop maize wheat rainfall drought watershed river delta glacier moraine limestone sandstone fossil "
        "stratigraphy volcanic magma tectonic fault earthquake mineral quartz feldspar weathering compost "
        "fertilizer pasture livestock grazing farmland orchard vineyard terrace runoff salinity peat wetland"
    ).split()
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        title = " ".join(rng.choice(words, 5)).capitalize()
        abstract = ". ".join(" ".join(rng.choice(words, 12)) for _ in range(5)).capitalize() + "."
        rows.append({"title": f"{title} {i}", "abstract": abstract, "year": 2024, "venue": "Soil Journal"})
    return pd.DataFrame(rows)


def test_a_batch_from_another_field_gets_the_refit_advice(
    base_run: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run, _ = base_run
    _other_field(50).to_csv(tmp_path / "soil.csv", index=False)
    shutil.copytree(run, tmp_path / "run")
    code = invoke(["update", tmp_path / "run", "--input", tmp_path / "soil.csv", "--no-cache"])
    assert code == 0
    err = capsys.readouterr().err
    assert "a refit may be worth it" in " ".join(err.split())
    frozen = _manifest(tmp_path / "run")["frozen"]
    assert frozen["refit_advised"] is True
    assert frozen["poorly_explained"] >= 45
    assert frozen["share_median_added"] < frozen["share_median_fitted"]


@pytest.mark.shared_data
def test_news_articles_get_the_refit_advice(base_run: tuple[Path, Path, Path], tmp_path: Path,
                                            shared_data: Path) -> None:
    """50 BBC news articles (../shared/data/bbc-news) folded into the ML run: a drifted batch."""
    _, run, _ = base_run
    news = pd.read_csv(shared_data / "bbc-news" / "bbc_news.csv").sample(50, random_state=3)
    pd.DataFrame({"title": news["title"], "abstract": news["text"], "year": 2024}).to_csv(
        tmp_path / "news.csv", index=False
    )
    assert _update(run, tmp_path / "run", tmp_path / "news.csv") == 0
    frozen = _manifest(tmp_path / "run")["frozen"]
    assert frozen["refit_advised"] is True
    assert frozen["poorly_explained_share"] > 0.8


def test_update_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert invoke(["update", tmp_path / "empty", "--input", tmp_path / "x.csv"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{tmp_path / 'empty' / 'models.pkl'}: file not found" in err
    assert "Traceback" not in err
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "models.pkl").write_bytes(b"not a pickle")
    assert invoke(["update", tmp_path / "broken", "--input", tmp_path / "x.csv"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "models.pkl: cannot read the fitted models" in err
    assert invoke(["update", tmp_path / "missing", "--input", tmp_path / "x.csv"]) == 2
    assert f"{tmp_path / 'missing'}: folder not found" in " ".join(capsys.readouterr().err.split())


def test_update_needs_new_papers(base_run: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, run, _ = base_run
    assert invoke(["update", run]) == 2
    assert "give the new papers with --input FILE" in capsys.readouterr().err
