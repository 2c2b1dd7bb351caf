"""Reader for PubMed XML (efetch ``retmode=xml``: a ``PubmedArticleSet`` of ``PubmedArticle`` records).

Parsed with the standard library's ElementTree (expat). Expat never fetches the external DTD that PubMed files
name in their DOCTYPE, and a file that declares entities of its own (``<!ENTITY``, the way to a "billion laughs"
expansion) is refused with an InputError before parsing: PubMed files declare none. Origins are
``"<path>:<line of the record's <PubmedArticle>>"``; ``"<path>:record <n>"`` when those lines cannot be matched
to the records. Period: ``period`` if given, else the record's year, else ``source``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from preprocessing.clean import clean_name, clean_text, clean_title, normalise_doi
from preprocessing.errors import InputError
from preprocessing.records import Paper, ReadResult, SkippedRecord
from preprocessing.tabular import parse_year

_ARTICLE_START = re.compile(r"<PubmedArticle(?=[\s>/])")
_BOOK_START = re.compile(r"<PubmedBookArticle(?=[\s>/])")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
#: Elements set against the character before them (``β<sub>2</sub>``): the line break and indent efetch puts
#: before them is not a space.
_ATTACHED = frozenset({"sub", "sup"})
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_TRANSLATED_TITLE = re.compile(r"^\[(.+)\]\.?$", re.DOTALL)
_FIX = "download the records again with efetch (db=pubmed, retmode=xml), or from PubMed's 'Save > PubMed' XML"


def looks_like_pubmed_xml(text: str) -> bool:
    """Whether the text is PubMed XML: a ``PubmedArticleSet`` or ``PubmedArticle`` element (or the DOCTYPE naming
    one) within its first 4,000 characters."""
    head = text[:4000]
    return "<PubmedArticleSet" in head or "<PubmedArticle" in head or "DOCTYPE PubmedArticleSet" in head


def element_text(element: ElementTree.Element | None) -> str:
    """All text inside ``element``, inline markup (``<i>``, ``<sub>``, ``<b>``...) kept as its text; the line
    break and indent before a ``<sub>``/``<sup>`` dropped. ``""`` for ``None``."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        before = parts[-1]
        if child.tag in _ATTACHED and "\n" in before[len(before.rstrip()):]:
            parts[-1] = before.rstrip()
        parts.append(element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _title(article: ElementTree.Element | None) -> str:
    """ArticleTitle (else VernacularTitle); MEDLINE's brackets around a translated title are dropped."""
    if article is None:
        return ""
    title = clean_text(element_text(article.find("ArticleTitle"))) or clean_text(
        element_text(article.find("VernacularTitle")))
    translated = _TRANSLATED_TITLE.match(title)
    return translated.group(1).strip() if translated else title


def _abstract(article: ElementTree.Element | None) -> str:
    """Every Abstract/AbstractText, each ``"LABEL: text"`` when it has a Label, joined with spaces."""
    if article is None:
        return ""
    parts = []
    for part in article.iterfind("Abstract/AbstractText"):
        text = clean_text(element_text(part))
        label = clean_title(part.get("Label", ""))
        if text:
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _authors(article: ElementTree.Element | None) -> tuple[str, ...]:
    """AuthorList/Author as "ForeName LastName Suffix" (Initials when there is no ForeName), or CollectiveName;
    authors marked ``ValidYN="N"`` (a name PubMed records as given in error) are left out."""
    names: list[str] = []
    for author in article.iterfind("AuthorList/Author") if article is not None else ():
        if author.get("ValidYN", "Y") == "N":
            continue
        collective = element_text(author.find("CollectiveName"))
        first = author.findtext("ForeName") or author.findtext("Initials") or ""
        parts = (first, author.findtext("LastName") or "", author.findtext("Suffix") or "")
        name = clean_name(collective) or clean_name(" ".join(p for p in parts if p))
        if name:
            names.append(name)
    return tuple(names)


def _date_of(element: ElementTree.Element | None) -> str:
    """``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"`` from Year/Month/Day (Month a number or "Jan"...)."""
    if element is None or not (year := (element.findtext("Year") or "").strip()):
        return ""
    month = (element.findtext("Month") or "").strip()
    month = _MONTHS.get(month[:3].casefold(), month.zfill(2) if month.isdigit() else "")
    day = (element.findtext("Day") or "").strip()
    return "-".join([year] + ([month] + ([day.zfill(2)] if day.isdigit() else []) if month else []))


def _year_and_date(article: ElementTree.Element | None) -> tuple[int | None, str | None]:
    """Year and date of Journal/JournalIssue/PubDate (its Year, else its MedlineDate such as "1998 Dec-1999
    Jan"), else of ArticleDate (the electronic publication date)."""
    if article is None:
        return None, None
    pub_date = article.find("Journal/JournalIssue/PubDate")
    for date in (_date_of(pub_date), (pub_date.findtext("MedlineDate") or "") if pub_date is not None else "",
                 _date_of(article.find("ArticleDate"))):
        if (year := parse_year(date)) is not None:
            return year, clean_title(date)
    return None, None


def _doi(record: ElementTree.Element, article: ElementTree.Element | None) -> str:
    """PubmedData/ArticleIdList/ArticleId[@IdType="doi"], else Article/ELocationID[@EIdType="doi"]."""
    found = record.find("PubmedData/ArticleIdList/ArticleId[@IdType='doi']")
    if found is None and article is not None:
        found = article.find("ELocationID[@EIdType='doi']")
    return normalise_doi(element_text(found))


def pubmed_paper(record: ElementTree.Element, origin: str, source: str, period: str | None = None) -> Paper:
    """One ``PubmedArticle`` as a Paper.

    id: MedlineCitation/PMID (the number, as MEDLINE's ``PMID-`` field gives it); title: Article/ArticleTitle
    (inline markup kept as text; VernacularTitle when empty); abstract: :func:`_abstract`; authors:
    :func:`_authors`; year and date: :func:`_year_and_date`; venue: Journal/Title; doi: :func:`_doi`; keywords:
    every MedlineCitation/KeywordList/Keyword (author keywords, Owner="NOTNLM", among them; MeSH headings are
    not read).
    """
    citation = record.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    year, date = _year_and_date(article)
    keywords = (clean_title(element_text(k)) for k in record.iterfind("MedlineCitation/KeywordList/Keyword"))
    return Paper(
        id=clean_title(record.findtext("MedlineCitation/PMID") or ""),
        title=_title(article),
        authors=_authors(article),
        abstract=_abstract(article),
        year=year,
        date=date,
        period=period or (str(year) if year is not None else source),
        venue=clean_title(element_text(article.find("Journal/Title")) if article is not None else ""),
        source=source,
        origin=origin,
        doi=_doi(record, article),
        keywords=tuple(k for k in keywords if k),
        source_format="pubmed-xml",
    )


def _parse(text: str, path: str | Path) -> ElementTree.Element:
    """The root element; InputError for declared entities, malformed XML (naming the line) or another root."""
    if _ENTITY_DECLARATION.search(text):
        raise InputError(path, "declares XML entities (<!ENTITY ...>), which are refused (entity expansion)", _FIX)
    try:
        root = ElementTree.fromstring(text.lstrip("\ufeff"))
    except ElementTree.ParseError as error:
        line, column = error.position
        message = str(error).split(": line ")[0]
        raise InputError(path, f"is not well-formed XML ({message} at column {column + 1})", _FIX, line=line) from None
    if root.tag not in ("PubmedArticleSet", "PubmedArticle"):
        raise InputError(path, f"is XML but not PubMed XML (root element <{root.tag}>)", _FIX)
    return root


def _origins(text: str, path: str | Path, pattern: re.Pattern[str], count: int, kind: str = "record") -> list[str]:
    """``"<path>:<line>"`` of each record's start tag, or ``"<path>:record <n>"`` when the tags found in the text
    are not ``count`` (one in a comment or CDATA)."""
    starts = [m.start() for m in pattern.finditer(text)]
    if len(starts) != count:
        return [f"{path}:{kind} {n}" for n in range(1, count + 1)]
    lines, line, previous = [], 1, 0
    for start in starts:
        line += text.count("\n", previous, start)
        previous = start
        lines.append(f"{path}:{line}")
    return lines


def parse_pubmed_xml(text: str, path: str | Path, source: str, period: str | None = None) -> ReadResult:
    """Papers of PubMed XML in file order (fields as in :func:`pubmed_paper`). Records without a title are
    skipped (``"no title"``), and so are book records (``PubmedBookArticle``, ``"PubMed book record"``), which
    this reader does not read."""
    root = _parse(text, path)
    records = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    books = root.findall("PubmedBookArticle")
    papers: list[Paper] = []
    skipped: list[SkippedRecord] = []
    for record, origin in zip(records, _origins(text, path, _ARTICLE_START, len(records))):
        try:
            paper = pubmed_paper(record, origin, source, period)
        except RecursionError:
            raise InputError(path, f"nests XML elements too deeply to read (at {origin})", _FIX) from None
        if paper.title:
            papers.append(paper)
        else:
            skipped.append(SkippedRecord(source, origin, "no title"))
    for book, origin in zip(books, _origins(text, path, _BOOK_START, len(books), "book record")):
        title = book.find("BookDocument/ArticleTitle")
        title = book.find("BookDocument/Book/BookTitle") if title is None else title
        skipped.append(SkippedRecord(source, origin, "PubMed book record", clean_text(element_text(title))))
    return ReadResult(papers=tuple(papers), skipped=tuple(skipped))
