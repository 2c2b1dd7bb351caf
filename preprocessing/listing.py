"""Parser for scraped publication-listing text: a title line, one line per author, an optional abstract line.

The file is split into *runs* of short lines separated by abstract lines (long lines, or lines carrying the
site's "… (see more)" marker). The first line of a run is a title and the last line before an abstract is an
author. Entries without an abstract leave further titles inside a run; those are found by a title-likeness
score (function words, colons, digits, words the file's abstracts use in lower case, ...) and a small dynamic
programme under the constraint that every title is followed by at least one author line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from preprocessing.clean import TRUNCATION_MARKER, clean_name, clean_text, clean_title
from preprocessing.records import Paper, ReadResult, SkippedRecord

ABSTRACT_MIN_WORDS = 25
ABSTRACT_MIN_CHARS = 200
SENTENCE_ABSTRACT_MIN_WORDS = 12
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\w-]*")
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z][a-z]+")

HEADER_CORE_WORDS = frozenset({"publications", "publication", "papers", "articles", "preprints"})
HEADER_WORDS = HEADER_CORE_WORDS | {
    "recent", "récentes", "récente", "selected", "latest", "all", "our", "nos", "list", "liste", "des",
    "de", "of", "research", "recherche", "page", "the", "and", "et", "scientific", "scientifiques",
}
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "for", "of", "with", "without", "in", "on", "via", "and", "or", "to", "from", "using",
    "by", "at", "as", "into", "through", "towards", "toward", "under", "over", "beyond", "is", "are", "be",
    "can", "do", "does", "not", "when", "how", "what", "why", "we", "its", "their", "versus", "vs", "between",
    "within", "across", "against", "about", "all", "you", "need",
})
NAME_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "da", "di", "del", "della", "dos", "das", "du", "le", "la", "bin", "ibn",
    "al", "el", "ter", "ten", "zu", "y", "e",
})
LEADING_TITLE_WORDS = frozenset({
    "a", "the", "on", "towards", "toward", "how", "what", "when", "why", "can", "do", "does", "is", "are",
    "beyond", "into", "through", "using", "from", "with", "without", "rethinking", "revisiting",
    "understanding", "learning", "improving", "scaling", "exploring", "measuring", "evaluating",
})
RESEARCH_WORDS = frozenset("""
learning model network neural data analysis approach method theory efficient robust optimization generative
reinforcement language graph inference estimation benchmark framework system representation training agent
policy diffusion transformer attention prediction detection classification segmentation generation reasoning
knowledge search algorithm causal bayesian probabilistic stochastic adversarial scalable study evaluation
dataset foundation supervised unsupervised online offline federated privacy fairness interpretable explainable
molecular protein series dynamics control planning exploration reward sampling sparse matrix kernel gradient
convergence vision image video speech text question answering retrieval memory continual transfer meta shot
zero domain adaptation generalization uncertainty calibration quantum simulation clinical social interaction
robot robotics embodied world game task structure geometric geometry manifold topological spectral flow score
energy contrastive embedding token scaling compression pruning quantization distillation alignment safety
survey understanding improving rethinking revisiting via beyond multi self large
""".split())
_TITLE_SUFFIXES = ("tion", "tions", "sion", "ness", "ity", "ities", "able", "ible", "ical", "ive", "ous",
                   "ism", "isms", "ized", "ised", "izing", "ising", "ings")
NAME_LIKE_WORDS = frozenset("""
will long young may mark grant hope bill rich rose faith joy sky king bell hill wood woods field fields price
fox hunter cook baker smith miller white black brown green gray grey love park song sun moon star rain river
summer june april august victor frank art page hall lane ward rice bishop knight gold silver stone
""".split())
"""Common words that are also common names: no evidence of a title when capitalised on a line of their own."""


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based line number in the file
    text: str  # stripped line


@dataclass
class _Run:
    lines: list[_Line]
    abstract: list[_Line]


def is_abstract_line(text: str) -> bool:
    """True for a line that reads as an abstract: it carries a truncation marker, is long, or is a sentence."""
    if TRUNCATION_MARKER.search(text):
        return True
    words = len(text.split())
    if words >= SENTENCE_ABSTRACT_MIN_WORDS and text.endswith(".") and not text.endswith(".."):
        return True  # a short but complete abstract: titles do not end with a full stop
    return words >= ABSTRACT_MIN_WORDS or len(text) >= ABSTRACT_MIN_CHARS


def is_header_line(text: str) -> bool:
    """True for page-header text such as "Publications" or "Publications récentes"."""
    words = [w.casefold() for w in _WORD.findall(text) if not w[0].isdigit()]
    return bool(words) and all(w in HEADER_WORDS for w in words) and any(w in HEADER_CORE_WORDS for w in words)


def _split_runs(text: str) -> tuple[list[_Run], list[_Line]]:
    """Runs of short lines, each with the abstract lines that close it; plus abstracts with no run before."""
    runs: list[_Run] = []
    orphans: list[_Line] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = raw.strip().lstrip("\ufeff").strip()
        if not stripped:
            continue
        line = _Line(number, stripped)
        if is_abstract_line(stripped):
            if runs:  # a run always starts with a short line
                runs[-1].abstract.append(line)
            else:
                orphans.append(line)
        else:
            if not runs or runs[-1].abstract:
                runs.append(_Run([], []))
            runs[-1].lines.append(line)
    return runs, orphans


def _abstract_vocabulary(runs: Sequence[_Run]) -> frozenset[str]:
    """Words the file's abstracts use in lower case (also singular forms of plurals)."""
    words: set[str] = set()
    for run in runs:
        for line in run.abstract:
            for word in _LOWER_WORD.findall(clean_text(line.text)):
                words.add(word)
                if word.endswith("s") and len(word) > 3:
                    words.add(word[:-1])
    return frozenset(words)


@dataclass(frozen=True)
class TitleScorer:
    """Scores how much a short line inside a run reads like a title (> 0) rather than a name (< 0)."""

    vocabulary: frozenset[str]
    known_titles: frozenset[str]
    known_authors: frozenset[str]
    known_first_names: frozenset[str]

    def is_title_word(self, word: str) -> bool:
        """A word of three letters or more that is used as a common word: the file's abstracts use it in lower
        case, it is a common research word, or it has a suffix names rarely have (-tion, -ible, ...)."""
        folded = word.casefold().strip("'’")
        if len(folded) < 3 or folded in NAME_LIKE_WORDS:
            return False
        if len(folded) >= 7 and folded.endswith(_TITLE_SUFFIXES):
            return True
        parts = [p for p in folded.split("-") if len(p) >= 3]
        return any(p in self.vocabulary or p in RESEARCH_WORDS or p.rstrip("s") in RESEARCH_WORDS for p in parts)

    def score(self, text: str) -> float:
        """Title-likeness of one short line: > 0 reads as a title, < 0 as an author name."""
        words = _WORD.findall(text)
        if not words:
            return -10.0
        score = -2.0  # prior: inside a run, a line is an author unless it looks like a title
        if text in self.known_titles:
            score += 8.0
        if text in self.known_authors:
            score -= 6.0
        elif words[0] in self.known_first_names:
            score -= 1.5
        lower = [w for w in words if w[0].islower() and w not in NAME_PARTICLES]
        score += 2.5 * min(len(lower), 3) + 0.5 * min(sum(w in FUNCTION_WORDS for w in lower), 2)
        first = words[0].casefold()
        if first in {"a", "the"} and len(words) >= 3 or first in LEADING_TITLE_WORDS - {"a", "the"}:
            score += 3.0
        elif first == "an" and len(words) >= 3:
            score += 1.5
        score += 3.0 * (":" in text) + 2.0 * any(c.isdigit() for c in text) + 3.0 * bool(re.search(r"[?!]", text))
        score += 2.0 * any(re.search(r"-[a-z]", w) for w in words)
        score += 1.0 * min(max(len(words) - 4, 0), 4)
        title_words = sum(self.is_title_word(w) for w in words)
        score += 2.0 * min(title_words, 3)
        name_shaped = title_words == 0 and 2 <= len(words) <= 4 and all(
            w[0].isupper() or w in NAME_PARTICLES for w in words
        )
        return score - 1.0 * name_shaped


def _make_scorer(runs: Sequence[_Run]) -> TitleScorer:
    """Scorer with the file's vocabulary and the lines whose role the structure already fixes."""
    titles = {run.lines[0].text for run in runs if run.lines}
    title_words = {w.casefold() for t in titles for w in _WORD.findall(t) if w.casefold() not in FUNCTION_WORDS}
    authors: set[str] = set()
    for run in runs:
        if len(run.lines) >= 2:
            authors.add(run.lines[1].text)
            if run.abstract:
                authors.add(run.lines[-1].text)
    first_names = {a.split()[0] for a in authors if len(a.split()) >= 2}
    vocabulary = _abstract_vocabulary(runs) | title_words
    return TitleScorer(vocabulary, frozenset(titles), frozenset(authors), frozenset(first_names))


def title_positions(scores: Sequence[float]) -> list[int]:
    """Indices of the titles in a run: 0, plus the best-scoring set of positive lines such that no two titles
    are adjacent and the last line stays an author (every title is followed by at least one author)."""
    n = len(scores)
    best: list[tuple[float, list[int]]] = [(0.0, [0]), (0.0, [0])][: min(n, 2)]  # best choice within [0..i]
    for i in range(2, n):
        skip = best[i - 1]
        if i < n - 1 and scores[i] > 0 and best[i - 2][0] + scores[i] > skip[0]:
            best.append((best[i - 2][0] + scores[i], [*best[i - 2][1], i]))
        else:
            best.append(skip)
    return best[-1][1] if best else []


def _drop_page_headers(runs: Sequence[_Run], path: str | Path, source: str) -> list[SkippedRecord]:
    """Remove header lines ("Publications") that open a run; a run left with only an abstract loses it too."""
    skipped: list[SkippedRecord] = []
    for run in runs:
        while run.lines and is_header_line(run.lines[0].text):
            header = run.lines.pop(0)
            skipped.append(SkippedRecord(source, f"{path}:{header.number}", "page header", header.text))
        if not run.lines and run.abstract:
            skipped.append(SkippedRecord(source, f"{path}:{run.abstract[0].number}", "abstract without a title"))
    return skipped


def _run_papers(run: _Run, scorer: TitleScorer, path: str | Path, source: str, period: str) -> list[Paper]:
    """The entries of one run: titles at :func:`title_positions`; the run's abstract goes to the last one."""
    starts = title_positions([scorer.score(line.text) for line in run.lines])
    papers: list[Paper] = []
    for k, start in enumerate(starts):
        is_last = k + 1 == len(starts)
        end = len(run.lines) if is_last else starts[k + 1]
        title_line = run.lines[start]
        papers.append(Paper(
            id="",
            title=clean_title(title_line.text),
            authors=tuple(name for line in run.lines[start + 1:end] if (name := clean_name(line.text))),
            abstract=clean_text(" ".join(a.text for a in run.abstract)) if is_last else "",
            period=period,
            source=source,
            origin=f"{path}:{title_line.number}",
            source_format="listing",
        ))
    return papers


def parse_listing(text: str, path: str | Path, source: str, period: str) -> ReadResult:
    """Papers of a listing file in file order (duplicates kept), and the records skipped.

    Each Paper has ``id=""``, ``origin="<path>:<title line>"``, the given ``period`` and ``source``; abstracts
    go through :func:`clean_text`, titles and names through the lighter :func:`clean_title`/:func:`clean_name`.
    Skipped: page headers (reason ``"page header"``), abstracts with no title before them
    (``"abstract without a title"``).
    """
    runs, orphans = _split_runs(text)
    skipped = [SkippedRecord(source, f"{path}:{o.number}", "abstract without a title") for o in orphans]
    skipped += _drop_page_headers(runs, path, source)
    scorer = _make_scorer(runs)
    papers = [paper for run in runs for paper in _run_papers(run, scorer, path, source, period)]
    return ReadResult(papers=tuple(papers), skipped=tuple(skipped))
