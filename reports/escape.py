"""Escaping of scraped text before it reaches Plotly.

Plotly renders a small HTML subset in titles, axis labels, legend names, annotations and hover text
(``<a href>``, ``<span style>``, ``<b>``, ``<br>``, ...). Paper titles, author names and topic terms come from
scraped web pages, so every such string goes through :func:`escape_text` first; the report's own markup
(``<br>``, ``<b>``) is added only around already-escaped text.

Plotly decodes numeric character references and ``&lt; &gt; &amp;`` but not ``&quot;``, so quotes are written
as numeric references and display as quotes.
"""

from __future__ import annotations

import html
import textwrap

#: Line break understood by Plotly's text renderer.
PLOTLY_BREAK = "<br>"


def escape_text(value: object) -> str:
    """``value`` as text that Plotly shows literally: ``<``, ``>``, ``&``, quotes become character references."""
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("&quot;", "&#34;").replace("&#x27;", "&#39;")


def shorten(value: str, max_chars: int) -> str:
    """``value`` cut to at most ``max_chars`` characters (an ellipsis marks the cut)."""
    value = " ".join(str(value).split())
    if len(value) <= max_chars:
        return value
    return value[: max(max_chars - 1, 0)].rstrip() + "\u2026"


def escape_wrapped(value: str, width: int = 70, max_lines: int = 3) -> str:
    """``value`` wrapped at ``width`` characters into at most ``max_lines`` lines, each escaped, joined by
    Plotly line breaks. Wrapping happens before escaping so that no entity is split."""
    lines = textwrap.wrap(" ".join(str(value).split()), width=width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = shorten(lines[-1] + " \u2026", width)
    return PLOTLY_BREAK.join(escape_text(line) for line in lines)
