"""The learned part of the theme labeller: TF-IDF features, the seeded classifier, the calibration, and a planted
corpus where a theme's vocabulary beyond its listed terms must be learned."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from preprocessing.token_arrays import TokenArrays
from topics.config import load_config
from topics.pipeline.runner import run
from topics.themes.learner import SeededThemeClassifier, tfidf_features
from topics.themes.scoring import CALIBRATION, TermCountCalibration, ThemeCalibration


def test_tfidf_features_by_hand() -> None:
    # three texts; "a" in all three (df 3 > 0.5 * 3: dropped), "b" in two, "c" in one (df 1 < 2: dropped);
    # the pair "a b" (no break between) in two texts, "b a" only across a break in text 2 (not a pair)
    arrays = TokenArrays.from_segments([[["a", "b"]], [["b"], ["a"]], [["a", "c"]], [["a", "b"]]])
    X = tfidf_features(arrays, min_df=2, max_df=0.75).toarray()
    # kept: "b" (df 3 of 4) and "a b" (df 2); "a" (df 4 > 3) and "c" (df 1) dropped
    assert X.shape == (4, 2)
    idf_b, idf_ab = math.log(5 / 4) + 1, math.log(5 / 3) + 1
    first = np.array([idf_b, idf_ab]) / math.hypot(idf_b, idf_ab)
    assert sorted(X[0]) == pytest.approx(sorted(first))
    assert sorted(X[1]) == pytest.approx([0.0, 1.0])  # "b" alone, unit length
    assert X[2].tolist() == [0.0, 0.0]
    assert np.allclose(X[0], X[3])


def test_tfidf_features_do_not_depend_on_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    import topics.themes.learner as learner

    arrays, _, _, _ = _planted()
    whole = tfidf_features(arrays)
    monkeypatch.setattr(learner, "CHUNK_TEXTS", 7)  # 130 texts in 19 chunks, pairs at every chunk boundary
    chunked = tfidf_features(arrays)
    assert chunked.shape == whole.shape and abs(chunked - whole).max() < 1e-12


def _planted() -> tuple[TokenArrays, np.ndarray, list[int], list[int]]:
    """130 texts: 30 name the seed ("swim") with the theme's other words, 10 carry only the other words, 90 are
    about cooking or astronomy. Seed scores: 0.9 where the seed is, 0 elsewhere."""
    rng = np.random.default_rng(0)
    theme_words = ["freestyle", "butterfly", "stroke", "lane", "pool", "dive"]
    other_words = ["oven", "bake", "flour", "sauce", "recipe", "knife", "telescope", "galaxy", "orbit", "comet"]
    shared = ["time", "result", "study", "method"]
    texts, seeds = [], []
    for i in range(130):
        if i < 30:
            words = ["swim", *rng.choice(theme_words, 3, replace=False), *rng.choice(shared, 2, replace=False)]
        elif i < 40:
            words = [*rng.choice(theme_words, 3, replace=False), *rng.choice(shared, 2, replace=False)]
        else:
            words = [*rng.choice(other_words, 3, replace=False), *rng.choice(shared, 2, replace=False)]
        texts.append([[w] for w in words])
        seeds.append(0.9 if i < 30 else 0.0)
    return TokenArrays.from_segments(texts), np.asarray(seeds)[:, None], list(range(30, 40)), list(range(40, 130))


def test_classifier_learns_what_else_marks_a_theme() -> None:
    arrays, seeds, unseen, negatives = _planted()
    X = tfidf_features(arrays)
    model = SeededThemeClassifier(min_positives=5, random_state=0).fit(X, seeds)
    proba = model.predict_proba(X)[:, 0]
    assert model.learned_.tolist() == [True]
    # the ten papers that never name the seed but use the theme's words score above every other paper without it
    assert proba[unseen].min() > proba[negatives].max()
    assert np.median(proba[unseen]) > 4 * np.median(proba[negatives])
    assert model.n_positives_[0] >= 30


def test_classifier_follows_the_estimator_contract() -> None:
    arrays, seeds, _, _ = _planted()
    X = tfidf_features(arrays)
    model = SeededThemeClassifier(C=2.0, random_state=3)
    with pytest.raises(NotFittedError, match="call fit"):
        model.predict_proba(X)
    assert clone(model).get_params() == model.get_params()
    first = model.fit(X, seeds).predict_proba(X)
    again = clone(model).fit(X, seeds).predict_proba(X)
    assert np.array_equal(first, again)  # same seed, same result
    with pytest.raises(ValueError, match="seed_scores must have shape"):
        model.fit(X, seeds[:10])


def test_only_papers_that_name_a_seed_start_as_positives() -> None:
    """A high term score from weak terms alone ("policy" in a news article) must not make a paper a positive."""
    arrays, seeds, _, _ = _planted()
    X = tfidf_features(arrays)
    nobody = SeededThemeClassifier(min_positives=5).fit(X, seeds, seeded=np.zeros_like(seeds, dtype=bool))
    assert nobody.learned_.tolist() == [False]
    seeded = np.zeros_like(seeds, dtype=bool)
    seeded[:30] = True  # the 30 papers that name "swim"
    model = SeededThemeClassifier(min_positives=5).fit(X, seeds, seeded=seeded)
    assert model.learned_.tolist() == [True] and model.n_positives_[0] >= 30
    assert np.array_equal(model.predict_proba(X), SeededThemeClassifier(min_positives=5).fit(X, seeds).predict_proba(X))
    with pytest.raises(ValueError, match="seeded must have the shape of seed_scores"):
        model.fit(X, seeds, seeded=seeded[:10])


def test_papers_against_a_theme_are_its_negatives(tmp_path: Path) -> None:
    """learn_theme_scores: a paper that uses one of the theme's against terms is never a positive, whatever its
    seeds (``evidence.against``), and one in the background is a negative too."""
    from preprocessing.nlp import Tokenizer, TokenizerSettings
    from topics.results import ThemeDefinition
    from topics.themes.learner import learn_theme_scores
    from topics.themes.lexicon import against_lexicon, build_lexicon
    from topics.themes.scoring import demote_against, paper_evidence

    tokenizer = Tokenizer(TokenizerSettings())
    themes = [ThemeDefinition(id="swim", label="Swimming", seeds=("swim",), against=("swim team budget",))]
    rng = np.random.default_rng(1)
    pool = ["freestyle", "butterfly", "stroke", "lane", "dive"]
    texts = [f"swim {' '.join(rng.choice(pool, 3))} result" for _ in range(20)]
    texts += [f"swim team budget {' '.join(rng.choice(['tax', 'council', 'vote', 'fund'], 3))}" for _ in range(10)]
    texts += [f"{' '.join(rng.choice(['oven', 'bake', 'flour', 'sauce', 'galaxy', 'orbit'], 4))}" for _ in range(60)]
    arrays, theme_arrays = tokenizer.arrays_with_themes(texts)
    lexicon, _ = build_lexicon(themes, tokenizer)
    against, _ = against_lexicon(themes, tokenizer)
    evidence = demote_against(paper_evidence(lexicon, theme_arrays, theme_arrays), against, theme_arrays, theme_arrays)
    assert evidence.against[:, 0].tolist() == [False] * 20 + [True] * 10 + [False] * 60
    proba, learner = learn_theme_scores(lexicon, evidence, arrays, against=against)
    assert learner.classifier.n_positives_[0] == 20
    # the budget articles name the seed, yet score below every swimming paper
    assert proba[20:30, 0].max() < proba[:20, 0].min()


def test_theme_with_too_few_positives_is_not_learned() -> None:
    arrays, seeds, _, _ = _planted()
    X = tfidf_features(arrays)
    few = np.zeros_like(seeds)
    few[:3] = 0.9
    model = SeededThemeClassifier(min_positives=5).fit(X, np.hstack([seeds, few]))
    assert model.learned_.tolist() == [True, False]
    proba = model.predict_proba(X)
    assert np.isnan(proba[:, 1]).all() and not np.isnan(proba[:, 0]).any()


def test_calibration_combines_the_two_scores_and_falls_back_on_the_term_score() -> None:
    calibration = ThemeCalibration(rule=0.5, learned=1.0, intercept=-0.2)
    rule = np.array([[0.2, 0.8]])
    learned = np.array([[0.9, np.nan]])
    combined = calibration.combine(rule, learned)
    logit = -0.2 + 0.5 * math.log(0.2 / 0.8) + 1.0 * math.log(0.9 / 0.1)
    assert combined[0, 0] == pytest.approx(1 / (1 + math.exp(-logit)))
    assert combined[0, 1] == 0.8  # not learned: the term score


def test_term_count_calibration_mixes_its_two_maps_by_the_log_term_count() -> None:
    few = ThemeCalibration(rule=0.0, learned=2.0, intercept=0.0)
    many = ThemeCalibration(rule=1.0, learned=1.0, intercept=1.0)
    calibration = TermCountCalibration(few=few, many=many, few_terms=5, many_terms=80)
    # 5 terms or fewer: all few; 80 or more: all many; 20 terms: log(20/5) / log(80/5) = 1/2 of the way
    assert calibration.mix(np.array([1, 5, 20, 80, 300])).tolist() == pytest.approx([0.0, 0.0, 0.5, 1.0, 1.0])
    rule = np.array([[0.2, 0.2, 0.2, 0.2]])
    learned = np.array([[0.9, 0.9, 0.9, np.nan]])
    combined = calibration.combine(rule, learned, np.array([5, 20, 80, 20]))
    lr, ll = math.log(0.2 / 0.8), math.log(0.9 / 0.1)
    few_logit, many_logit = 2.0 * ll, 1.0 + lr + ll
    expected = [1 / (1 + math.exp(-z)) for z in (few_logit, (few_logit + many_logit) / 2, many_logit)]
    assert combined[0, :3].tolist() == pytest.approx(expected)
    assert combined[0, 3] == 0.2  # not learned: the term score
    # without term counts every theme gets the many-terms map
    assert calibration.combine(rule[:, :1], learned[:, :1])[0, 0] == pytest.approx(expected[2])


@pytest.mark.parametrize("n_terms", [5, 10, 74, 200])
def test_shipped_calibration_never_falls_as_evidence_grows(n_terms: int) -> None:
    grid = np.linspace(0.05, 0.95, 7)
    counts = np.full(7, n_terms)
    by_learned = CALIBRATION.combine(np.full((1, 7), 0.5), grid[None, :], counts)
    by_rule = CALIBRATION.combine(grid[None, :], np.full((1, 7), 0.5), counts)
    assert np.all(np.diff(by_learned) > 0)  # the learned probability always counts
    assert np.all(np.diff(by_rule) >= 0)
    if n_terms >= CALIBRATION.many_terms:
        assert np.all(np.diff(by_rule) > 0)  # with a thorough themes file the term score counts too


def test_cross_fitting_scores_a_training_paper_with_the_model_that_did_not_see_it() -> None:
    """A paper whose only link to the theme is its seed word, among unrelated words: the model that trained on it
    scores it high (it memorised it); the cross-fitted probability comes from a model that never saw it."""
    arrays, seeds, _, _ = _planted()
    odd = TokenArrays.from_segments([[["swim"], ["oven"], ["galaxy"], ["sauce"], ["orbit"]]])
    both = TokenArrays.concat([arrays, odd])
    X = tfidf_features(both)
    scores = np.vstack([seeds, [[0.9]]])
    in_sample = SeededThemeClassifier(min_positives=5, cross_fit_folds=0).fit_predict_proba(X, scores)[-1, 0]
    model = SeededThemeClassifier(min_positives=5, cross_fit_folds=3)
    cross_fitted = model.fit_predict_proba(X, scores)
    assert cross_fitted[-1, 0] < in_sample
    assert cross_fitted[-1, 0] < np.median(cross_fitted[:30, 0])
    # the fitted model (the mean of the three fold models) scores new papers; the same seed gives the same result
    again = SeededThemeClassifier(min_positives=5, cross_fit_folds=3).fit(X, scores)
    assert np.array_equal(again.predict_proba(X), model.predict_proba(X))
    assert not np.array_equal(model.predict_proba(X)[:30], cross_fitted[:30])


PLANTED_THEMES = {
    "themes": [
        {"id": "swimming", "label": "Swimming", "seeds": ["swimming"]},
        {"id": "baking", "label": "Baking", "seeds": ["baking"]},
    ]
}


def _planted_csv(path: Path) -> Path:
    """A CSV of 160 papers: per theme 30 that name its seed and use its words, 8 that use its words only; 84 on
    other subjects."""
    rng = np.random.default_rng(1)
    vocab = {
        "swim": ["freestyle", "butterfly", "backstroke", "lane", "pool", "diving", "relay", "goggles"],
        "bake": ["oven", "flour", "dough", "pastry", "yeast", "crust", "sourdough", "butter"],
        "other": ["telescope", "galaxy", "orbit", "comet", "market", "stock", "bond", "price", "glacier", "river"],
    }
    rows = ["id,title,abstract"]
    for i in range(160):
        kind = "swim" if i < 38 else "bake" if i < 76 else "other"
        seed = {"swim": "swimming", "bake": "baking"}.get(kind, "") if i % 38 < 30 else ""
        words = " ".join(rng.choice(vocab[kind], 5, replace=False))
        rows.append(f"p{i},Paper {i} {seed},A study of {seed} with {words} and {words.split()[0]} results.")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_planted_corpus_papers_without_the_seed_are_lifted_by_learning(tmp_path: Path) -> None:
    themes = tmp_path / "themes.yaml"
    themes.write_text(yaml.safe_dump(PLANTED_THEMES), encoding="utf-8")
    corpus = _planted_csv(tmp_path / "planted.csv")
    common = [f"inputs=[{{path: '{corpus}'}}]", f"themes.file={themes}", "themes.background=null", "cache.enabled=false",
              "models.lda.num_topics=2", "models.clusters.num_clusters=2", "report.map.method=svd"]
    learned = run(load_config(None, [*common, "themes.learn=true"]))
    terms_only = run(load_config(None, [*common, "themes.learn=false"]))
    ids = list(learned.corpus.ids)
    swim = learned.themes.theme_ids.index("swimming")
    unseen = [ids.index(f"p{i}") for i in range(30, 38)]  # swimming words, no "swimming"
    bakers = [ids.index(f"p{i}") for i in range(38, 76)]  # baking papers
    others = [ids.index(f"p{i}") for i in range(76, 160)]
    with_learning, without = learned.themes.scores[:, swim], terms_only.themes.scores[:, swim]
    # the words learned from the seeded papers lift the unseen swimming papers above every other unseeded paper
    assert with_learning[unseen].min() > with_learning[bakers + others].max()
    assert (with_learning[unseen] > 2 * without[unseen]).all()
    assert learned.themes.assigned[bakers + others, swim].sum() == 0
    assert "learned" in learned.themes.parts and "learned" not in terms_only.themes.parts


def test_feature_space_maps_new_texts_to_the_columns_it_was_fitted_on() -> None:
    """A text tokenised after the fit (its own word codes) gets the row the fit gave the same text: the space is
    keyed by words and word pairs, not by codes; unseen words are dropped."""
    from topics.themes.learner import fit_feature_space

    arrays, _, _, _ = _planted()
    X, space = fit_feature_space(arrays)
    np.testing.assert_array_equal(X.toarray(), tfidf_features(arrays).toarray())
    later = TokenArrays.from_segments([[arrays.flat(7)], [arrays.flat(3) + ["zebra", "quokka"]]])
    rows = space.transform(later).toarray()
    np.testing.assert_allclose(rows[0], X[7].toarray()[0], atol=1e-12)
    np.testing.assert_allclose(rows[1], X[3].toarray()[0], atol=1e-12)
