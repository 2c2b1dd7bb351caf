"""`topics themes suggest`: unlisted terms most associated with each theme's confident papers. A hand-built
theme table and count matrix whose counts and scores are worked out by hand; what a themes file lists (lemmas,
plurals, phrases holding a seed); and the command end to end on a small generated corpus."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from preprocessing.nlp import Tokenizer, TokenizerSettings, build_stop_words
from tests.topics.helpers import FAST, CliResult
from topics.config import DEFAULT_THEMES_FILE
from topics.pipeline.suggest import CSV_COLUMNS, SuggestedTerm, listed_terms, suggest_terms
from topics.results import ThemeDefinition, ThemeTable
from topics.themes.definitions import load_domain_profile

# ------------------------------------------------------------------------------------------- hand-built

TERMS = ["reward", "reward_shaping", "robot", "robots", "image", "common", "half", "elsewhere"]
#: Counts per paper (rows) and term (columns, TERMS order); only presence matters.
COUNTS = np.array([
    # reward shaping robot robots image common half elsewhere
    [2, 1, 1, 0, 0, 1, 1, 0],  # 0  rl
    [1, 3, 1, 0, 0, 1, 1, 0],  # 1  rl
    [1, 1, 0, 2, 0, 1, 1, 0],  # 2  rl
    [1, 0, 0, 0, 1, 1, 0, 0],  # 3  rl
    [0, 0, 0, 1, 1, 1, 0, 1],  # 4  gen
    [0, 0, 0, 0, 1, 0, 1, 1],  # 5  gen
    [0, 0, 0, 0, 0, 0, 0, 2],  # 6
    [0, 0, 0, 0, 0, 0, 0, 1],  # 7
])
TITLES = [f"Paper {i}" for i in range(8)]
THEMES = tuple(ThemeDefinition(id=i, label=i.upper(), seeds=("x",)) for i in ("rl", "gen", "empty"))


def hand_table() -> ThemeTable:
    assigned = np.zeros((8, 3), dtype=bool)
    assigned[0:4, 0] = True  # rl: papers 0-3
    assigned[4:6, 1] = True  # gen: papers 4 and 5; "empty": none
    scores = np.zeros((8, 3))
    scores[0:4, 0] = [0.6, 0.9, 0.7, 0.8]  # examples come most confident first: papers 1, 3, 2, 0
    scores[4:6, 1] = [0.5, 0.5]
    return ThemeTable(
        themes=THEMES, doc_ids=tuple(f"p{i}" for i in range(8)), scores=scores, assigned=assigned,
        evidence=tuple(((),) * 3 for _ in range(8)),
    )


def fightin_words(y_i: int, y_j: int, n_i: int, n_j: int) -> float:
    """Monroe et al.'s weighted log-odds z-score with the corpus's counts as the prior, written out."""
    a, a0 = y_i + y_j, n_i + n_j
    delta = math.log((y_i + a) / (n_i + a0 - y_i - a)) - math.log((y_j + a) / (n_j + a0 - y_j - a))
    return delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a))


def test_suggestions_are_counted_and_scored_as_worked_out_by_hand() -> None:
    got = suggest_terms(
        hand_table(), sparse.csr_matrix(COUNTS), TERMS, TITLES, {"rl": {"reward"}, "gen": set(), "empty": set()}
    )
    # rl, by hand. "robots" folds into "robot" (papers 0, 1, 2 and 4; listing "robot" matches both forms).
    # Presences after folding: rl papers 5 + 5 + 5 + 3 = 18, the others 4 + 3 + 1 + 1 = 9.
    # reward: listed; image: in 1 rl paper (< 3); common: in 5 of 8 papers (> half); elsewhere: in no rl paper;
    # half: in 4 of 8 papers (exactly half: kept).
    shaping, half, robot = fightin_words(3, 0, 18, 9), fightin_words(3, 1, 18, 9), fightin_words(3, 1, 18, 9)
    assert shaping == pytest.approx(0.7440, abs=1e-4) and robot == pytest.approx(0.2269, abs=1e-4)
    assert got["rl"] == [
        SuggestedTerm("reward shaping", "reward_shaping", 3, 0, pytest.approx(shaping), ("Paper 1", "Paper 2", "Paper 0")),
        # equal scores and counts: alphabetical
        SuggestedTerm("half", "half", 3, 1, pytest.approx(half), ("Paper 1", "Paper 2", "Paper 0")),
        SuggestedTerm("robot", "robot", 3, 1, pytest.approx(robot), ("Paper 1", "Paper 2", "Paper 0")),
    ]
    assert got["gen"] == []  # two confident papers: no term is in three of them
    assert got["empty"] == []  # no confident paper
    assert list(got) == ["rl", "gen", "empty"]


def test_top_listed_terms_and_chosen_themes() -> None:
    table, matrix = hand_table(), sparse.csr_matrix(COUNTS)
    got = suggest_terms(table, matrix, TERMS, TITLES, {"rl": {"reward", "half"}}, top=1, theme_ids=["rl"])
    assert list(got) == ["rl"]
    assert [s.term for s in got["rl"]] == ["reward shaping"]
    got = suggest_terms(table, matrix, TERMS, TITLES, {"rl": {"reward", "reward_shaping", "half"}}, theme_ids=["rl"])
    assert [(s.term, s.theme_papers, s.other_papers) for s in got["rl"]] == [("robot", 3, 1)]
    # min_papers: with 2, the gen theme's terms are candidates too ("image" is in both gen papers and in rl paper 3)
    got = suggest_terms(table, matrix, TERMS, TITLES, {}, min_papers=2, theme_ids=["gen"])
    assert [(s.term, s.theme_papers, s.other_papers) for s in got["gen"]] == [("image", 2, 1), ("elsewhere", 2, 2)]
    # gen papers: 4 + 3 presences, the others 20
    assert [s.score for s in got["gen"]] == pytest.approx([fightin_words(2, 1, 7, 20), fightin_words(2, 2, 7, 20)])
    with pytest.raises(ValueError, match="shapes disagree"):
        suggest_terms(table, matrix[:, :3], TERMS, TITLES, {})


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(TokenizerSettings(stop_words=build_stop_words(load_domain_profile(DEFAULT_THEMES_FILE).stop_words, ())))


def test_listed_terms_are_tokenised_like_the_lexicon(tokenizer: Tokenizer) -> None:
    theme = ThemeDefinition(
        id="rl", label="RL", seeds=("Reinforcement Learning", "policies"), related=("agent",), exclude=("neural network",),
    )
    vocabulary = ["deep_reinforcement_learning", "agent_based", "policy_gradient", "reward", "reinforcement"]
    listed = listed_terms([theme], tokenizer, vocabulary)["rl"]
    # lemmas and phrases as the corpus has them, plurals, and phrases holding a seed
    for form in ("reinforcement_learning", "policy", "agent", "agents", "neural_network", "deep_reinforcement_learning",
                 "policy_gradient"):
        assert form in listed, form
    # a phrase holding a related term (listing it as a seed would count for more), unrelated terms, parts of a seed
    for form in ("agent_based", "reward", "reinforcement"):
        assert form not in listed, form


# ------------------------------------------------------------------------------------------- end to end

THEMES_YAML = """\
themes:
  - id: reinforcement-learning
    label: Reinforcement learning
    seeds: [reinforcement learning, policy gradient]
    related: [agent, reward]
  - id: generative-models
    label: Generative models
    seeds: [generative adversarial network, variational autoencoder, diffusion model]
  - id: neuroscience
    label: Neuroscience
    seeds: [hippocampus, synaptic plasticity]
"""
RL = ("Deep reinforcement learning for {x}",
      "We train a reinforcement learning agent with policy gradient in a gridworld; the agent earns reward on {x}.")
GEN = ("Generative adversarial networks for {x}",
       "A generative adversarial network and a variational autoencoder synthesise {x} with a diffusion model.")
OTHER = ("Sparse linear regression on {x}", "We study sparse linear regression and convex optimization of {x}.")
SUBJECTS = ("robots", "images", "graphs", "molecules", "speech", "games", "traffic", "markets", "weather", "music")


@pytest.fixture
def suggest_config(tmp_path: Path) -> Path:
    rows = []
    for kind, (title, abstract), n in (("rl", RL, 12), ("gen", GEN, 12), ("other", OTHER, 16)):
        for i in range(n):
            subject = f"{SUBJECTS[i % len(SUBJECTS)]} {i}"
            rows.append({"id": f"{kind}-{i}", "title": title.format(x=subject), "abstract": abstract.format(x=subject),
                         "authors": f"Author {i}", "year": 2020 + i % 2})
    with (tmp_path / "papers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "themes.yaml").write_text(THEMES_YAML, encoding="utf-8")
    config = tmp_path / "suggest.yaml"
    config.write_text(
        "inputs:\n  - path: papers.csv\nthemes:\n  file: themes.yaml\n"
        "models:\n  lda: {num_topics: 3, passes: 2, stability_seeds: 0}\n  clusters: {num_clusters: 3, stability_seeds: 0}\n"
        "output:\n  dir: out\n",
        encoding="utf-8",
    )
    return config


def test_suggest_command_prints_tables_and_writes_the_csv(
    cli: Callable[..., CliResult], suggest_config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "suggestions" / "rl.csv"
    result = cli("themes", "suggest", suggest_config, "--quiet", "--out", out, *FAST)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert any("Reinforcement learning (reinforcement-learning): 12 papers carry it" in line for line in lines)
    gridworld = next(line for line in lines if " gridworld " in line)
    assert [cell.strip() for cell in gridworld.split("│")[2:5]] == ["gridworld", "12", "0"]
    assert "Neuroscience (neuroscience): no paper carries this theme in this run; nothing to suggest" in lines
    assert not (tmp_path / "out").exists()  # the run writes no report

    with out.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert tuple(header) == CSV_COLUMNS == ("theme", "rank", "term", "theme_papers", "other_papers", "score", "examples")
    by_term = {(r[0], r[2]): r for r in rows}
    row = by_term[("reinforcement-learning", "gridworld")]
    assert row[3:5] == ["12", "0"] and float(row[5]) > 0
    examples = row[6].split("|")
    assert len(examples) == 3 and all(e.startswith("Deep reinforcement learning for ") for e in examples)
    # listed terms (and lemma forms of them) are never suggested
    listed = {"agent", "reward", "reinforcement learning", "policy gradient", "deep reinforcement learning"}
    assert not listed & {r[2] for r in rows if r[0] == "reinforcement-learning"}
    assert not {"generative adversarial network", "variational autoencoder", "diffusion model"} & {
        r[2] for r in rows if r[0] == "generative-models"
    }
    ranks = [int(r[1]) for r in rows if r[0] == "reinforcement-learning"]
    assert ranks == list(range(1, len(ranks) + 1))
    assert not [p for p in out.parent.iterdir() if p.name != "rl.csv"]  # no temporary file left

    # without any cache the vocabulary is re-derived from the tokens: the same suggestions
    again = tmp_path / "again.csv"
    result = cli("themes", "suggest", suggest_config, "--quiet", "--out", again, "--theme", "reinforcement-learning",
                 "--top", "2", "--set", "cache.enabled=false", *FAST)
    assert result.code == 0, result.err
    with again.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1:] == [r for r in rows if r[0] == "reinforcement-learning"][:2]
    assert "Generative models" not in result.out


def test_unknown_theme_is_a_one_line_error(cli: Callable[..., CliResult], suggest_config: Path) -> None:
    result = cli("themes", "suggest", suggest_config, "--theme", "robotics", "--set", "cache.enabled=false", *FAST)
    assert result.code == 2
    assert result.err_lines == [
        f"error: --theme: unknown theme id 'robotics' in {suggest_config.parent / 'themes.yaml'}; available: "
        "reinforcement-learning, generative-models, neuroscience"
    ]
    assert "Traceback" not in result.err and result.out == ""
