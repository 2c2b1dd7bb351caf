"""papers.csv's theme columns: ``themes`` holds the assigned theme ids, ``theme_scores`` every theme scoring at
least THEME_SCORE_FLOOR (assigned or not, highest first), ``theme_evidence`` the assigned themes' terms."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from preprocessing.records import Corpus, Paper
from topics.pipeline.outputs import THEME_SCORE_FLOOR, papers_csv, papers_frame
from topics.results import RunResult, ThemeDefinition, ThemeTable, TrendTable


def run_with(scores: list[list[float]], assigned: list[list[bool]]) -> RunResult:
    themes = tuple(ThemeDefinition(id=i, label=i.title(), seeds=(i,)) for i in ("rl", "gen", "neuro"))
    papers = tuple(Paper(id=f"p{k}", title=f"Paper {k}", period="2024") for k in range(len(scores)))
    table = ThemeTable(
        themes=themes,
        doc_ids=tuple(p.id for p in papers),
        scores=np.asarray(scores),
        assigned=np.asarray(assigned),
        evidence=tuple(tuple(("policy gradients",) if a else () for a in row) for row in assigned),
    )
    trends = TrendTable(frame=pd.DataFrame(), periods=("2024",))
    return RunResult(title="t", corpus=Corpus(papers=papers), themes=table, trends=trends)


def rows(run: RunResult) -> list[dict[str, str]]:
    text = papers_csv(run)
    assert text == papers_frame(run).to_csv(index=False, lineterminator="\n")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_theme_scores_list_near_misses_above_the_floor() -> None:
    assert THEME_SCORE_FLOOR == 0.05
    run = run_with(
        scores=[[0.9, 0.2, 0.01], [0.04, 0.049999, 0.05], [0.3, 0.0, 0.62], [0.01, 0.02, 0.03]],
        assigned=[[True, False, False], [False, False, False], [False, False, True], [False, False, False]],
    )
    got = [(r["themes"], r["theme_scores"], r["theme_evidence"]) for r in rows(run)]
    assert got == [
        ("rl", "rl:0.9000;gen:0.2000", "rl:policy gradients"),  # gen below the threshold, above the floor
        ("", "neuro:0.0500", ""),  # at the floor is listed, below it is not
        ("neuro", "neuro:0.6200;rl:0.3000", "neuro:policy gradients"),  # highest score first
        ("", "", ""),
    ]


def test_an_assigned_theme_is_listed_even_below_the_floor() -> None:
    run = run_with(scores=[[0.01, 0.2, 0.2]], assigned=[[True, False, False]])  # e.g. a threshold of 0
    assert [(r["themes"], r["theme_scores"]) for r in rows(run)] == [("rl", "gen:0.2000;neuro:0.2000;rl:0.0100")]
