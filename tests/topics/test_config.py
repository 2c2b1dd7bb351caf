"""The run configuration: defaults, --set overrides, paths relative to the config file, strict keys, frozen."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from tests.topics.helpers import MILA_CONFIG, PROJECT_ROOT
from topics.config import (
    DEFAULT_THEMES_FILE,
    ConfigError,
    RunConfig,
    apply_overrides,
    config_to_dict,
    load_config,
    parse_override,
    validate_config,
)


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------- defaults


def test_defaults_load_without_a_file(tmp_path: Path) -> None:
    config = load_config(None, [], base=tmp_path)
    assert isinstance(config, RunConfig)
    assert config.inputs == ()
    assert config.seed == 42
    assert config.lda_seed == 42 and config.clusters_seed == 42
    assert config.models.lda.num_topics == "size"  # from the corpus's size at run time, at most 12
    assert config.models.lda.workers == 1
    assert config.models.lda.alpha == "symmetric"
    assert config.models.clusters.num_clusters == "size"  # at most 10
    assert config.preprocessing.spacy_model == "blank"
    assert config.cache.enabled is True and config.cache.dir is None
    assert config.themes.file == DEFAULT_THEMES_FILE
    assert DEFAULT_THEMES_FILE == PROJECT_ROOT / "configs" / "themes" / "ml.yaml"
    assert config.output.dir == tmp_path / "out" / "report"
    assert config.report.map.method == "tsne"
    # the defaults are what the schema says they are
    assert config == RunConfig().model_copy(update={"output": config.output})


def test_empty_config_file_is_all_defaults(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "empty.yaml", ""))
    assert config == load_config(None, [], base=tmp_path)


def test_shipped_mila_config(project_root: Path) -> None:
    config = load_config(MILA_CONFIG)
    assert [i.path for i in config.inputs] == [
        project_root / "data" / "listings" / "2023-24.txt",
        project_root / "data" / "listings" / "2025.txt",
    ]
    assert [i.period for i in config.inputs] == ["2023-24", "2025"]
    assert [i.source for i in config.inputs] == ["listing-2023-24", "listing-2025"]
    raw = yaml.safe_load(MILA_CONFIG.read_text(encoding="utf-8"))
    assert config.models.lda.num_topics == raw["models"]["lda"]["num_topics"]
    assert config.models.clusters.num_clusters == raw["models"]["clusters"]["num_clusters"]
    assert config.preprocessing.phrases.min_count == raw["preprocessing"]["phrases"]["min_count"]
    assert config.output.dir == project_root / "out" / "mila"


def test_seed_is_the_default_random_state_of_each_model(tmp_path: Path) -> None:
    config = load_config(None, ["seed=7", "models.clusters.random_state=3"], base=tmp_path)
    assert (config.lda_seed, config.clusters_seed) == (7, 3)


# ------------------------------------------------------------------------------------------ --set overrides


@pytest.mark.parametrize(
    ("text", "parts", "value"),
    [
        ("models.lda.num_topics=30", ["models", "lda", "num_topics"], 30),
        ("themes.threshold=0.35", ["themes", "threshold"], 0.35),
        ("preprocessing.extra_stop_words=[foo, bar]", ["preprocessing", "extra_stop_words"], ["foo", "bar"]),
        ("cache.enabled=false", ["cache", "enabled"], False),
        ("report.title=My report", ["report", "title"], "My report"),
        ("report.title=a=b", ["report", "title"], "a=b"),
        ("models.lda.eta=", ["models", "lda", "eta"], ""),
        (" seed = 5", ["seed"], 5),
    ],
)
def test_parse_override_types_values_as_yaml(text: str, parts: list[str], value: object) -> None:
    assert parse_override(text) == (parts, value)


def test_overrides_are_typed_and_validated(tmp_path: Path) -> None:
    config = load_config(
        None,
        [
            "seed=7",
            "models.lda.num_topics=30",
            "models.lda.alpha=0.1",
            "models.lda.eta=auto",
            "themes.threshold=0.5",
            "preprocessing.extra_stop_words=[foo, bar]",
            "report.title=My report",
            "cache.enabled=false",
        ],
        base=tmp_path,
    )
    assert config.seed == 7 and config.lda_seed == 7
    assert config.models.lda.num_topics == 30
    assert config.models.lda.alpha == 0.1 and isinstance(config.models.lda.alpha, float)
    assert config.models.lda.eta == "auto"
    assert config.themes.threshold == 0.5
    assert config.preprocessing.extra_stop_words == ("foo", "bar")
    assert config.report.title == "My report"
    assert config.cache.enabled is False


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yaml", "seed: 1\nmodels:\n  lda:\n    num_topics: 5\n    passes: 3\n")
    config = load_config(path, ["models.lda.num_topics=9", "models.lda.num_topics=11"])
    assert config.models.lda.num_topics == 11  # the last one wins
    assert config.models.lda.passes == 3  # siblings are kept
    assert config.seed == 1


def test_apply_overrides_does_not_change_its_input() -> None:
    data = {"models": {"lda": {"num_topics": 5}}}
    result = apply_overrides(data, ["models.lda.passes=2", "report.map.method=svd"])
    assert data == {"models": {"lda": {"num_topics": 5}}}
    assert result == {"models": {"lda": {"num_topics": 5, "passes": 2}}, "report": {"map": {"method": "svd"}}}


def test_override_can_replace_the_inputs(tmp_path: Path) -> None:
    config = load_config(None, ["inputs=[{path: a.csv, columns: {abstract: summary}}, {path: b.txt, period: 2024}]"],
                         base=tmp_path)
    assert [i.path for i in config.inputs] == [tmp_path / "a.csv", tmp_path / "b.txt"]
    assert dict(config.inputs[0].columns) == {"abstract": "summary"}
    assert config.inputs[1].period == "2024"  # a year given as a number is a period string


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("models.lda.num_topics", "--set 'models.lda.num_topics': expected KEY=VALUE, e.g. --set models.lda.num_topics=30"),
        ("=3", "--set '=3': the key is empty; expected e.g. models.lda.num_topics=30"),
        ("models.lda.num_topics=-1", "--set models.lda.num_topics=-1: models -> lda -> num_topics: expected a whole number of topics, at least 2, or 'size' or 'auto' (got -1)"),
        ("models.clusters.num_clusters=auto", "--set models.clusters.num_clusters=auto: models -> clusters -> num_clusters: expected a whole number of clusters, at least 2, or 'size' (got 'auto')"),
        ("models.lda.num_topicz=3", "--set models.lda.num_topicz=3: unknown key 'models -> lda -> num_topicz'; remove it or check its spelling"),
    ],
)
def test_bad_overrides(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, [override])
    assert str(caught.value) == message


def test_override_into_a_value_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yaml", "seed: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, ["seed.value=2"])
    assert str(caught.value) == "--set 'seed.value=2': 'seed' is a value, not a section"


# ------------------------------------------------------------------------------------------------ paths


def test_paths_resolve_against_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "project" / "configs"
    path = write_config(
        folder / "run.yaml",
        "inputs:\n"
        "  - path: ../data/papers.csv\n"
        "  - path: listings\n"
        f"  - path: {tmp_path / 'elsewhere.txt'}\n"
        "themes:\n  file: themes/mine.yaml\n"
        "cache:\n  dir: ../.cache/tokens\n"
        "output:\n  dir: ../out/run\n",
    )
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the working directory plays no part
    config = load_config(Path("..") / "project" / "configs" / "run.yaml")
    assert [i.path for i in config.inputs] == [
        tmp_path / "project" / "data" / "papers.csv",
        folder / "listings",
        tmp_path / "elsewhere.txt",
    ]
    assert config.themes.file == folder / "themes" / "mine.yaml"
    assert config.cache.dir == tmp_path / "project" / ".cache" / "tokens"
    assert config.output.dir == tmp_path / "project" / "out" / "run"
    assert path.exists()


def test_paths_without_a_config_resolve_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, ["output.dir=out/x", "cache.dir=c", "inputs=[{path: p.csv}]"])
    assert config.output.dir == tmp_path / "out" / "x"
    assert config.cache.dir == tmp_path / "c"
    assert config.inputs[0].path == tmp_path / "p.csv"
    assert config.themes.file == DEFAULT_THEMES_FILE  # the built-in themes, wherever the tool runs


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = load_config(None, ["output.dir=~/reports"], base=tmp_path / "x")
    assert config.output.dir == tmp_path / "reports"


def test_config_to_dict_is_plain_json(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yaml", "inputs:\n  - path: a.csv\n    period: 2024\n")
    data = config_to_dict(load_config(path))
    assert data["inputs"] == [{"path": str(tmp_path / "a.csv"), "format": "auto", "period": "2024", "source": None,
                               "columns": {}, "where": {}}]
    assert data["output"] == {"dir": str(tmp_path / "out" / "report")}
    assert data["themes"]["file"] == str(DEFAULT_THEMES_FILE)


# ----------------------------------------------------------------------------------------- strict keys


@pytest.mark.parametrize(
    ("text", "key_path"),
    [
        ("modles:\n  lda: {}\n", "modles"),
        ("models:\n  ldaa:\n    num_topics: 3\n", "models -> ldaa"),
        ("models:\n  lda:\n    num_topicz: 3\n", "models -> lda -> num_topicz"),
        ("preprocessing:\n  phrases:\n    min_cont: 2\n", "preprocessing -> phrases -> min_cont"),
        ("report:\n  map:\n    max_point: 10\n", "report -> map -> max_point"),
        ("inputs:\n  - path: a.csv\n    colums: {title: t}\n", "inputs -> 0 -> colums"),
        ("inputs:\n  - path: a.csv\n  - path: b.csv\n    peroid: 2024\n", "inputs -> 1 -> peroid"),
    ],
)
def test_unknown_keys_are_rejected_with_their_path(tmp_path: Path, text: str, key_path: str) -> None:
    path = write_config(tmp_path / "c.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: unknown key '{key_path}'; remove it or check its spelling"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"inputs": [{"path": "x", "columns": {"titel": "t"}}]},
         "c.yaml: inputs -> 0 -> columns: unknown column role 'titel'; allowed: abstract, authors, date, doi, id, "
         "keywords, period, title, venue, year (got {'titel': 't'})"),
        ({"inputs": [{"path": "x", "format": "xls"}]},
         "c.yaml: inputs -> 0 -> format: Input should be 'auto', 'listing', 'csv', 'jsonl', 'parquet', 'bibtex', "
         "'wos', 'medline', 'ris', 'pubmed-xml' or 'json' (got 'xls')"),
        ({"inputs": [{"format": "csv"}]}, "c.yaml: inputs -> 0 -> path: Field required (got {'format': 'csv'})"),
        ({"themes": {"threshold": 1.5}}, "c.yaml: themes -> threshold: Input should be less than or equal to 1 (got 1.5)"),
        ({"seed": "x", "models": {"lda": {"passes": 0}}},
         "c.yaml: seed: Input should be a valid integer, unable to parse string as an integer (got 'x') "
         "(and 1 more problem(s))"),
        (["a"], "c.yaml: expected a mapping of settings at the top level, got list"),
    ],
)
def test_invalid_values_name_key_path_and_value(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(data, origin="c.yaml")
    assert str(caught.value) == message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yaml", "seed: 1\nmodels:\n  lda:\n\tnum_topics: 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:4:1: invalid YAML: ")
    assert message.endswith("(fix the syntax at that line)")


def test_non_utf8_config(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes("report:\n  title: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: not UTF-8 text (byte 20); re-save it as UTF-8"


def test_config_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory; expected a YAML config file"


# ----------------------------------------------------------------------------------------------- frozen


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(None, [], base=tmp_path)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        config.seed = 1  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        config.models.lda.num_topics = 3  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        config.output.dir = tmp_path  # type: ignore[misc]
    assert isinstance(config.inputs, tuple)  # no append either
    assert isinstance(config.preprocessing.extra_stop_words, tuple)


# ----------------------------------------------------------------------------------------------- trends


def test_trend_windows_and_where_filters(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "c.yaml",
        "inputs:\n  - path: a.csv\n    where: {venue: NeurIPS, year: [2019, 2020]}\n"
        "trends:\n  windows:\n    - {start: 2013, end: 2019}\n    - {last: 5, name: recent}\n"
        "  normalize_by: venue\n  compare: [2019, 2023]\n",
    )
    config = load_config(path)
    assert config.inputs[0].where == {"venue": ("NeurIPS",), "year": ("2019", "2020")}
    first, second = config.trends.windows
    assert (first.start, first.end, first.last) == ("2013", "2019", None)
    assert (second.last, second.name) == (5, "recent")
    assert config.trends.normalize_by == "venue"
    assert config.trends.compare == ("2019", "2023")
    assert [w.last for w in load_config(None).trends.windows] == [10]  # the default: the last 10 periods


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trends:\n  windows:\n    - {last: 5, start: 2013}\n",
         "trends -> windows -> 0: give either last (the last N periods) or start/end, not both"),
        ("trends:\n  windows:\n    - {}\n", "trends -> windows -> 0: give last (e.g. {last: 10}) or start and/or end"),
        ("trends:\n  windows:\n    - {last: 1}\n", "trends -> windows -> 0 -> last: Input should be greater than or equal to 2"),
        ("trends:\n  normalize_by: country\n", "trends -> normalize_by: Input should be 'venue' or 'source'"),
        ("trends:\n  fdr: 2\n", "trends -> fdr: Input should be less than 1"),
        ("inputs:\n  - path: a.csv\n    where: {country: FR}\n",
         "inputs -> 0 -> where: unknown field 'country' in where; allowed: period, source, venue, year"),
        ("trends:\n  window: 5\n", "unknown key 'trends -> window'"),
    ],
)
def test_trend_config_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write_config(tmp_path / "c.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)
