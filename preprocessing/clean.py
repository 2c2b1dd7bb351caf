"""Text cleaning for titles, abstracts and author names read from scraped pages and exports.

``clean_text`` turns a scraped or exported abstract into plain prose: Unicode NFKC, the site's
"… (see more)" button text removed so the cut word is whole again, LaTeX and markdown markup reduced to
their words, URLs and PDF artefacts dropped, whitespace collapsed. ``clean_title`` and ``clean_name`` are the
lighter cleaning used where markup is not expected; ``normalise_title`` is the key used to find duplicates.
"""

from __future__ import annotations

import re
import unicodedata

TRUNCATION_LABELS: tuple[str, ...] = ("see more", "voir plus", "show more", "read more", "lire plus")
"""Button texts a listing site cuts into an abstract; each follows an ellipsis ("…" or "...")."""

TRUNCATION_MARKER = re.compile(  # the ellipsis, optional spaces, the button text in parentheses
    r"(?:…|\.\.\.)[ \t\u00a0]*\((?:" + "|".join(re.escape(label) for label in TRUNCATION_LABELS) + r")\)",
    re.IGNORECASE,
)
_PDF_CID = re.compile(r"\(cid:\d+\)")
#: A soft hyphen where a PDF broke a word across lines ("learn(cid:173) ing", "learn\u00ad ing"), with the space
#: the extraction left after it: the word is joined again.
_SOFT_HYPHEN = re.compile(r"(?:\(cid:173\)|\u00ad)\s*")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_LATEX_HREF = re.compile(r"\\href\{[^{}]*\}\{([^{}]*)\}")
_LATEX_URL = re.compile(r"\\url\{[^{}]*\}")
_LATEX_CITATION = re.compile(r"~?\\[A-Za-z]*cite[a-z]*\*?(?:\[[^\]]*\]){0,2}\{[^{}]*\}")
_LATEX_FORMATTING = re.compile(
    r"\\(?:textbf|textit|textsc|texttt|textrm|textsf|textup|textmd|textnormal|emph|underline|text|mbox"
    r"|mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|mathfrak|boldsymbol|bm|operatorname)\*?\{([^{}]*)\}"
)
_LATEX_ESCAPED_CHAR = re.compile(r"\\([%&#_{}$])")
_LATEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+\*?|[^A-Za-z\s])")
_MATH_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_MATH_INLINE = re.compile(r"(?<![\\$])\$(?=\S)([^$]+?)(?<=\S)(?<!\\)\$(?!\d)")
_URL = re.compile(r"(?:https?://|www\.)\S+?(?=[.,;:!?'\")\]]*(?:\s|$))", re.IGNORECASE)
_MARKDOWN_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MARKDOWN_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_MARKDOWN_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_PLACEHOLDER_DOLLAR = "\ue000"
_SPACE_BEFORE_PUNCTUATION = re.compile(r" (?=[.,;:!?)\]])")
_SPACE_AFTER_OPENING = re.compile(r"([(\[]) ")
_EMPTY_BRACKETS = re.compile(r"\( ?\)|\[ ?\]")
_NON_ALPHANUMERIC = re.compile(r"[^\w]+|_+")


def remove_truncation_markers(text: str) -> str:
    """Remove "… (see more)"-style button text, keeping whatever surrounds it.

    ``"effectivel… (voir plus)y"`` -> ``"effectively"``; ``"has been … (voir plus)one"`` -> ``"has been one"``.
    """
    return TRUNCATION_MARKER.sub("", text)


def unwrap_latex_markup(text: str) -> str:
    r"""Remove LaTeX citations and URLs, keep the text of links and of formatting commands.

    ``"see~\citet{x}"`` -> ``"see"``; ``"\textbf{\emph{x}}"`` -> ``"x"``; ``"\href{u}{site}"`` -> ``"site"``.
    Other commands (accents, symbols) are left for the caller.
    """
    text = _LATEX_HREF.sub(r"\1", text)
    text = _LATEX_URL.sub("", text)
    text = _LATEX_CITATION.sub("", text)
    previous = None
    while previous != text:  # unwrap nested formatting from the inside out
        previous = text
        text = _LATEX_FORMATTING.sub(r"\1", text)
    return text


def _strip_latex(text: str) -> str:
    text = unwrap_latex_markup(text) if "\\" in text else text
    if "$" in text:
        text = text.replace(r"\$", _PLACEHOLDER_DOLLAR)
        text = _MATH_DISPLAY.sub(r"\1", text)
        text = _MATH_INLINE.sub(r"\1", text)
    if "\\" in text:
        text = _LATEX_ESCAPED_CHAR.sub(r"\1", text)
        text = _LATEX_COMMAND.sub("", text)
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    if "~" in text:
        text = text.replace("~", " ")
    return text.replace(_PLACEHOLDER_DOLLAR, "$") if _PLACEHOLDER_DOLLAR in text else text


def _strip_markdown(text: str) -> str:
    if "*" in text or "__" in text:
        text = _MARKDOWN_STRONG.sub(r"\2", text)
    if "*" in text:
        text = _MARKDOWN_EMPHASIS_STAR.sub(r"\1", text)
    if "_" in text:
        text = _MARKDOWN_EMPHASIS_UNDERSCORE.sub(r"\1", text)
    return text.replace("`", "")


def _may_hold_url(text: str) -> bool:
    """Cheap test before the URL regex: "://" or "www." in any case ("w." narrows what must be lowercased)."""
    return "://" in text or (("w." in text or "W." in text) and "www." in text.lower())


def _remove_urls(text: str) -> str:
    return _URL.sub("", text) if _may_hold_url(text) else text


def _tidy_spacing(text: str) -> str:
    text = " ".join(text.split())
    if "(" in text or "[" in text:
        if "()" in text or "( )" in text or "[]" in text or "[ ]" in text:
            text = _EMPTY_BRACKETS.sub("", text)
        if "( " in text or "[ " in text:
            text = _SPACE_AFTER_OPENING.sub(r"\1", text)
        if "  " in text or text.startswith(" ") or text.endswith(" "):  # where empty brackets were
            text = " ".join(text.split())
    return _SPACE_BEFORE_PUNCTUATION.sub("", text) if _SPACE_BEFORE_PUNCTUATION.search(text) else text


def clean_text(text: str) -> str:
    """Plain prose from a scraped or exported abstract (or title): one line, single spaces, no markup.

    Steps, in order: NFKC (ligatures such as "ﬁ" become "fi"); truncation markers removed; a PDF's soft hyphens
    ("learn(cid:173) ing", U+00AD) joined back into the word and other "(cid:N)" artefacts removed; markdown
    links reduced to their text; LaTeX citations removed, formatting commands
    unwrapped, other commands dropped, ``$`` math delimiters removed (content kept, currency such as "$5m"
    kept), ``~`` made a space; URLs removed; markdown emphasis and code ticks unwrapped; whitespace collapsed.
    """
    text = unicodedata.normalize("NFKC", text)
    if "..." in text:  # NFKC has turned "…" into "..."
        text = remove_truncation_markers(text)
    if "(cid:" in text or "\u00ad" in text:
        text = _PDF_CID.sub("", _SOFT_HYPHEN.sub("", text))
    if "](" in text:
        text = _MARKDOWN_LINK.sub(r"\1", text)
    if "\\" in text:  # \href and \url before URL removal, which would cut them apart
        text = _LATEX_URL.sub("", _LATEX_HREF.sub(r"\1", text))
    text = _remove_urls(text)
    text = _remove_urls(_strip_latex(text))
    text = _strip_markdown(text)
    return _tidy_spacing(text)


def clean_title(text: str) -> str:
    """Light cleaning for a title line from a listing: NFKC and single spaces, nothing else."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def clean_name(text: str) -> str:
    """Light cleaning for one author name: NFKC, single spaces, no surrounding separators (``,;*``)."""
    return clean_title(text).strip(" ,;*†‡")


def normalise_title(text: str) -> str:
    """Duplicate-detection key: NFKC, casefolded, letters and digits only, words joined by single spaces.

    ``"Feasible  Learning!"`` and ``"feasible learning"`` both give ``"feasible learning"``.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_ALPHANUMERIC.sub(" ", folded).split())


_DOI = re.compile(r"10\.\d{4,9}/\S+")


def normalise_doi(text: str) -> str:
    """The bare DOI in ``text``, lower-cased (DOIs are case-insensitive), without a resolver or ``doi:`` prefix
    and trailing punctuation: ``"https://doi.org/10.1000/XYZ."`` -> ``"10.1000/xyz"``; ``""`` when it holds none."""
    match = _DOI.search(text.strip())
    return match.group(0).rstrip(".,;").lower() if match else ""
