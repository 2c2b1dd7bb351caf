"""When two records are the same work: the keys and tests that merging (:mod:`preprocessing.dedup`) applies.

Three rules, strongest first:

* ``"doi"``: the same DOI, with titles that are recognisably the same (:data:`DOI_TITLE_SIMILARITY`; a DOI
  given to a different title, e.g. a book's DOI on each of its chapters, merges nothing);
* ``"title"``: the same normalised title, and no conflict in DOI, year or first author;
* ``"similar title"``: titles at least :data:`FUZZY_TITLE_SIMILARITY` similar (rapidfuzz's normalised Indel
  similarity, 0-100), at least :data:`FUZZY_MIN_CHARS` long and with the same numbers ("Part II" is not "Part
  III"), the same first author (surname), and no conflict in DOI or year.

Two records *conflict* when both have a DOI and the DOIs differ, both have a year and the years differ, or both
have authors and their first authors are different people: such records are different works even when their
titles are the same ("Editorial", "Reply"). A missing value never conflicts: it is a gap that merging fills.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from preprocessing.records import MERGE_RULES, Paper

DOI, TITLE, SIMILAR_TITLE = MERGE_RULES
#: The reason a record merged into another is listed among the skipped records, per rule.
SKIP_REASONS = {DOI: "duplicate DOI", TITLE: "duplicate title", SIMILAR_TITLE: "near-duplicate title"}

#: Least rapidfuzz ``token_set_ratio`` (0-100) of two normalised titles for a shared DOI to merge them.
DOI_TITLE_SIMILARITY = 60.0
#: Least rapidfuzz ``ratio`` (0-100) of two normalised titles for the similar-title rule.
FUZZY_TITLE_SIMILARITY = 95.0
#: Shortest normalised title (characters) the similar-title rule considers: short titles ("Editorial" and
#: "Editorials") are too alike by chance.
FUZZY_MIN_CHARS = 30
#: Rows of one block compared at a time by the similar-title rule (bounds the score matrix's memory).
_FUZZY_ROWS = 2_000


def fold(text: str) -> str:
    """``text`` without accents, casefolded: ``"Balázs"`` -> ``"balazs"``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _is_initial(token: str) -> bool:
    """Whether a name token is an initial or a run of initials: ``"J."``, ``"JC"``, ``"J.-C."``."""
    letters = token.replace(".", "").replace("-", "")
    return len(letters) <= 1 or (len(letters) <= 3 and letters.isupper() and "." in token) or (
        len(letters) <= 2 and letters.isupper()
    )


def name_tokens(name: str) -> tuple[str, ...]:
    """The folded tokens of an author's name that are not initials, surname last: ``"Aria, Massimo"`` ->
    ``("massimo", "aria")``, ``"Liu F."`` -> ``("liu",)``, ``"C. Balázs"`` -> ``("balazs",)``, ``"I BREVIK"`` ->
    ``("brevik",)``, ``"WU J"`` -> ``("wu",)`` (all initials: the longest token); ``()`` for an empty name."""
    if "," in name:
        surname_part, _, given = name.partition(",")
        family = [fold(t) for t in _tokens(surname_part)]
        return tuple(fold(t) for t in _tokens(given) if not _is_initial(t)) + tuple(family)
    tokens = _tokens(name)
    kept = [fold(t) for t in tokens if not _is_initial(t)]
    if kept or not tokens:
        return tuple(kept)
    return (fold(max(tokens, key=len)),)


def _tokens(text: str) -> list[str]:
    return [t for t in (raw.strip(".,;'\"()") for raw in text.split()) if t]


#: Author names that name nobody (submissions under review, unsigned pieces), folded.
ANONYMOUS = frozenset({"anonymous", "anonymous authors", "anon", "et al", "[anonymous]", "n/a", "unknown"})


def first_author(paper: Paper) -> tuple[str, ...]:
    """:func:`name_tokens` of the paper's first author; ``()`` without authors or when it is "Anonymous"."""
    if not paper.authors or fold(paper.authors[0].strip(" .")) in ANONYMOUS:
        return ()
    return name_tokens(paper.authors[0])


def same_person(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two first authors' :func:`name_tokens` can be the same person: the last token of either is among
    the other's tokens (``"Liu F."`` and ``"Fang Liu"``; ``"Zhang Wei"`` and ``"Wei Zhang"``). Empty: True."""
    if not a or not b:
        return True
    return a[-1] in b or b[-1] in a


def conflict(a: Paper, b: Paper, first_a: Sequence[str], first_b: Sequence[str]) -> str:
    """Why ``a`` and ``b`` are different works (``"doi"``, ``"year"``, ``"first author"``), ``""`` when nothing
    tells them apart. ``first_a``/``first_b`` are their first authors' :func:`name_tokens`."""
    if a.doi and b.doi and a.doi != b.doi:
        return "doi"
    if a.year is not None and b.year is not None and a.year != b.year:
        return "year"
    if not same_person(first_a, first_b):
        return "first author"
    return ""


def same_titled_work(key_a: str, key_b: str) -> bool:
    """Whether two normalised titles are recognisably one work's, for records that share a DOI."""
    return fuzz.token_set_ratio(key_a, key_b) >= DOI_TITLE_SIMILARITY


#: Roman numerals a title may number its parts with ("Part II"), as normalised titles write them.
_ROMAN = frozenset("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split())


def title_numbers(key: str) -> tuple[str, ...]:
    """The numbers of a normalised title, in order (digits and Roman numerals): ``"part ii of 3"`` ->
    ``("ii", "3")``. Titles that differ in them are different works however similar ("Phase II" and "Phase III")."""
    return tuple(t for t in key.split() if t.isdigit() or t in _ROMAN)


def similar_title_pairs(keys: Sequence[str], blocks: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of positions whose normalised titles ``keys`` are at least
    :data:`FUZZY_TITLE_SIMILARITY` similar, both at least :data:`FUZZY_MIN_CHARS` long, with the same
    :func:`title_numbers`, and whose ``blocks`` (first author's surname) are the same non-empty value. Ascending
    order."""
    by_block: dict[str, list[int]] = {}
    for index, (key, block) in enumerate(zip(keys, blocks)):
        if block and len(key) >= FUZZY_MIN_CHARS:
            by_block.setdefault(block, []).append(index)
    pairs: list[tuple[int, int]] = []
    for members in by_block.values():
        if len(members) < 2:
            continue
        titles = [keys[i] for i in members]
        for start in range(0, len(members), _FUZZY_ROWS):
            scores = process.cdist(
                titles[start:start + _FUZZY_ROWS], titles, scorer=fuzz.ratio,
                score_cutoff=FUZZY_TITLE_SIMILARITY, dtype=np.uint8, workers=1,
            )
            for row, col in zip(*np.nonzero(scores)):
                i, j = members[start + int(row)], members[int(col)]
                if i < j and keys[i] != keys[j] and title_numbers(keys[i]) == title_numbers(keys[j]):
                    pairs.append((i, j))
    return sorted(pairs)
