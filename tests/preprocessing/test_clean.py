"""clean_text, clean_title, clean_name and normalise_title."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preprocessing.clean import clean_name, clean_text, clean_title, normalise_title, remove_truncation_markers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("effectivel… (voir plus)y minimize", "effectively minimize"),
        ("including fore… (see more)casting, interpolation", "including forecasting, interpolation"),
        ("has been … (voir plus)one of the most", "has been one of the most"),
        ("we… (voir plus) show that", "we show that"),
        ("task engagemen… (see more)t. However", "task engagement. However"),
        ("cut... (show more)ting", "cutting"),
        ("cut…(read more)ting", "cutting"),
        ("cut… (lire plus)ting", "cutting"),
        ("cut… (See More)ting", "cutting"),
    ],
)
def test_truncation_marker_is_removed_and_the_word_rejoined(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_remove_truncation_markers_keeps_the_space_before_the_marker() -> None:
    assert remove_truncation_markers("has been … (voir plus)one") == "has been one"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Re… (voir plus)cently,~\\citet{vaswani2021general} introduced", "Recently, introduced"),
        ("as shown \\cite{a,b} and \\citep[p.~3]{x}.", "as shown and."),
        ("see~\\citealp[see][p.~2]{key} here", "see here"),
        ("a \\textbf{bold} and \\emph{\\textit{nested}} word", "a bold and nested word"),
        ("the \\alpha{} parameter and \\mathcal{L}", "the parameter and L"),
        ("loss $\\mathcal{L}(x_i)$ is small", "loss L(x_i) is small"),
        ("display $$a+b$$ math", "display a+b math"),
        ("it costs $5m and $3m", "it costs $5m and $3m"),
        ("an escaped \\$ sign and 50\\% off", "an escaped $ sign and 50% off"),
        ("non~breaking", "non breaking"),
        ("a \\href{http://x.org}{site} and \\url{http://y.org} end", "a site and end"),
    ],
)
def test_latex_markup(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("see [the code](https://github.com/a/b) now", "see the code now"),
        ("at [`https://github.com/z/f`](https://github.com/z/f).", "at."),
        ("performance *on every individual data point*.", "performance on every individual data point."),
        ("a **strong** and _light_ claim", "a strong and light claim"),
        ("snake_case_name and 2*3*4 stay", "snake_case_name and 2*3*4 stay"),
        ("code at https://github.com/x/y and www.example.org.", "code at and."),
        ("link (https://example.org) here", "link here"),
        ("The code is available in (https://git.io/x),.", "The code is available in,."),
        ("Mixed case Www.Example.org and HTTPS://A.B/c end", "Mixed case and end"),
        ("a flow. and new. words stay", "a flow. and new. words stay"),
    ],
)
def test_markdown_and_urls(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_nfkc_pdf_artefacts_and_whitespace() -> None:
    assert clean_text("  ﬁne-tun(cid:173)ing\n\tof   models (cid:9) ") == "fine-tuning of models"
    # a word a PDF broke across lines with a soft hyphen is one word again (old NeurIPS abstracts: "learn ing")
    assert clean_text("The Hebbian  learn(cid:173) ing rule, us\u00ad ing real images") == (
        "The Hebbian learning rule, using real images"
    )


def test_plain_text_is_unchanged() -> None:
    text = "Natural policy gradient (NPG) is a common policy optimization algorithm, e.g. for RL."
    assert clean_text(text) == text


def test_clean_title_and_name_are_light() -> None:
    assert clean_title("  Str2Str:  A ﬁne\tTitle $x$ ") == "Str2Str: A fine Title $x$"
    assert clean_name(" Étienne  Marcotte, ") == "Étienne Marcotte"
    assert clean_name("Rishav*") == "Rishav"


def test_normalise_title() -> None:
    assert normalise_title("Feasible  Learning!") == "feasible learning"
    assert normalise_title("TACTiS-2: Better, Faster") == "tactis 2 better faster"
    assert normalise_title("snake_case") == "snake case"
    assert normalise_title("ﬁnding Pokémon") == "finding pokémon"
    assert normalise_title(" -- ") == ""


@given(st.text())
def test_normalise_title_is_idempotent(text: str) -> None:
    key = normalise_title(text)
    assert normalise_title(key) == key


@given(st.text())
def test_clean_text_gives_one_stripped_line(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    assert "\n" not in cleaned and "  " not in cleaned
