"""What a reader can do to a report, done in headless Chromium, and the check that none of it sent data
anywhere: every figure hovered, every toolbar button clicked, every dialog a click opens clicked through, every
link followed, with the page's own Content-Security-Policy bypassed (so nothing passes because the CSP blocked
it) and every request that is not the file itself, a ``data:`` or a ``blob:`` URL routed to abort and recorded.

Used on the main job's report (test_report_privacy.py) and on the 47.5k-paper report (test_large_report.py,
beside the other checks of that report, so that it is built once). With ``showSendToCloud`` turned back on in
``reports.style.FIGURE_CONFIG`` and ``sendChartToCloud`` taken out of its ``modeBarButtonsToRemove``, the toolbar
offers "Share chart..." and both tests fail ("fig-overview's toolbar offers ['Share chart...']", checked
2026-12-08); either setting alone keeps the button away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Every toolbar button a reader may be offered (plotly.js's titles); a chart shows those that apply to it.
ALLOWED_TOOLBAR = frozenset({
    "Download plot as a PNG", "Zoom", "Pan", "Box Select", "Lasso Select", "Zoom in", "Zoom out", "Autoscale",
    "Reset axes",
})
#: Words no toolbar button may carry: an upload, an editor or a link to plotly's sites.
FORBIDDEN_TOOLBAR = re.compile(r"share|cloud|studio|edit|plotly|upload|send", re.I)
ALL_DRAWN_JS = "() => Array.from(document.querySelectorAll('div.figure[data-figure]')).every((d) => d.querySelector('svg.main-svg'))"
#: Marks every clickable element now in the page as seen; returns how many there are.
MARK_SEEN_JS = """() => {
  const all = document.querySelectorAll("a, button, [role=button], input[type=submit], input[type=button]");
  all.forEach((el) => { el.dataset.privacySeen = "1"; });
  return all.length;
}"""
#: Tags the visible clickable elements that appeared since the last MARK_SEEN_JS (what a dialog offers) with
#: ``data-privacy-new`` and describes them.
NEW_CONTROLS_JS = """() => {
  const found = [];
  document.querySelectorAll("a, button, [role=button], input[type=submit], input[type=button]").forEach((el) => {
    const box = el.getBoundingClientRect();
    if (el.dataset.privacySeen || el.closest(".modebar") || box.width === 0 || box.height === 0) { return; }
    el.dataset.privacyNew = String(found.length);
    found.push(el.tagName.toLowerCase() + ": " + (el.textContent || "").trim() + (el.getAttribute("href") ? " -> " + el.getAttribute("href") : ""));
  });
  return found;
}"""
PLOT_AREA_JS = """(id) => {
  const div = document.getElementById(id);
  const drag = div.querySelector(".nsewdrag") || div.querySelector("svg.main-svg");
  const box = drag.getBoundingClientRect();
  return {x: box.left, y: box.top, width: box.width, height: box.height};
}"""


@dataclass
class Exercised:
    """What a reader's every click and hover on a report did."""

    toolbars: dict[str, list[str]] = field(default_factory=dict)  # figure element id -> titles of its buttons
    offered: list[str] = field(default_factory=list)  # controls that clicks opened (dialogs, notes), clicked too
    links: list[str] = field(default_factory=list)  # hrefs of the page's links, each clicked
    left_the_file: list[str] = field(default_factory=list)  # requests to anything but the file, data: or blob:
    popups: list[str] = field(default_factory=list)  # new pages or windows opened
    navigations: list[str] = field(default_factory=list)  # main-frame navigations away from the file
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt messages (accepted)
    downloads: list[str] = field(default_factory=list)  # suggested file names
    errors: list[str] = field(default_factory=list)  # page errors


def _hover_plot_area(page: Any, figure_id: str) -> None:
    """Move the mouse over a 6 x 4 grid of points of the figure's plot area, hover labels and all."""
    area = page.evaluate(PLOT_AREA_JS, figure_id)
    for i in range(6):
        for j in range(4):
            page.mouse.move(area["x"] + area["width"] * (i + 0.5) / 6, area["y"] + area["height"] * (j + 0.5) / 4)


def _click_what_appeared(page: Any, exercised: Exercised) -> None:
    """Click every control that appeared since the last mark (a dialog's links and buttons), then mark again."""
    page.wait_for_timeout(150)
    for index, description in enumerate(page.evaluate(NEW_CONTROLS_JS)):
        exercised.offered.append(description)
        control = page.locator(f'[data-privacy-new="{index}"]')
        if control.count() and control.first.is_visible():
            control.first.click(timeout=5_000, force=True)
            page.wait_for_timeout(100)
    page.evaluate(MARK_SEEN_JS)


def exercise_report(chromium: Any, path: Path) -> Exercised:
    """Open ``path`` in a fresh context and do everything a reader can do to it; return what happened."""
    exercised = Exercised()
    file_url = path.as_uri()
    context = chromium.new_context(bypass_csp=True, accept_downloads=True, viewport={"width": 1400, "height": 1000})

    def on_request(request: Any) -> None:
        url = request.url
        if url != file_url and not url.startswith(("data:", "blob:")):
            exercised.left_the_file.append(url)

    context.on("request", on_request)
    context.route("**/*", lambda route: route.continue_() if route.request.url == file_url else route.abort())
    page = context.new_page()

    def on_popup(popup: Any) -> None:
        exercised.popups.append(popup.url or "about:blank")
        popup.close()

    context.on("page", on_popup)
    page.on("pageerror", lambda error: exercised.errors.append(str(error)))
    page.on("dialog", lambda dialog: (exercised.dialogs.append(dialog.message), dialog.accept()))
    page.on("download", lambda download: exercised.downloads.append(download.suggested_filename))
    page.on("framenavigated", lambda frame: exercised.navigations.append(frame.url)
            if frame == page.main_frame and frame.url.split("#")[0] != file_url else None)
    try:
        page.goto(file_url, wait_until="load", timeout=300_000)
        page.wait_for_function(ALL_DRAWN_JS, timeout=300_000)
        page.evaluate(MARK_SEEN_JS)
        figure_ids = page.evaluate("() => Array.from(document.querySelectorAll('div.figure[data-figure]')).map((d) => d.id)")
        for figure_id in figure_ids:
            page.locator(f"#{figure_id}").scroll_into_view_if_needed()
            _hover_plot_area(page, figure_id)
            buttons = page.locator(f"#{figure_id} .modebar-btn")
            titles = [buttons.nth(i).get_attribute("data-title") or "" for i in range(buttons.count())]
            exercised.toolbars[figure_id] = titles
            for index, title in enumerate(titles):
                page.hover(f"#{figure_id}")  # the toolbar shows on hover
                button = page.locator(f"#{figure_id} .modebar-btn").nth(index)
                if title.startswith("Download"):
                    with page.expect_download(timeout=30_000):
                        button.click(force=True)
                else:
                    button.click(force=True)
                _click_what_appeared(page, exercised)
                if exercised.left_the_file or exercised.popups:
                    return exercised  # a leak found: the test fails on it; clicking on would only repeat it
            if page.locator(f"#{figure_id} .nsewdrag").count():
                page.locator(f"#{figure_id} .nsewdrag").first.dblclick(force=True)  # double-click resets the view
        links = page.locator("a[href]")
        exercised.links = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        for index in range(links.count()):
            link = page.locator("a[href]").nth(index)
            if link.is_visible():
                link.click()
        _click_what_appeared(page, exercised)
        page.wait_for_timeout(300)  # anything a click started has had time to send
        leftover = page.evaluate("() => Array.from(document.querySelectorAll('a[href], form, [target]')).map((el) => el.outerHTML.slice(0, 120))")
        exercised.links.extend(f"in the page after the clicks: {html}" for html in leftover if 'href="#' not in html)
    finally:
        context.close()
    return exercised


def assert_private(exercised: Exercised) -> None:
    """Everything a reader could click kept the data in the page."""
    assert exercised.toolbars, "no figure found"
    for figure_id, titles in exercised.toolbars.items():
        assert titles, f"{figure_id} has no toolbar"
        offered = [t for t in titles if FORBIDDEN_TOOLBAR.search(t) or t not in ALLOWED_TOOLBAR]
        assert not offered, f"{figure_id}'s toolbar offers {offered}"
        assert "Download plot as a PNG" in titles, figure_id
    assert exercised.left_the_file == []
    assert exercised.popups == []
    assert exercised.navigations == []
    assert exercised.dialogs == []
    assert all(href.startswith("#") for href in exercised.links), exercised.links
    assert exercised.errors == []
    assert len(exercised.downloads) == len(exercised.toolbars)
    assert all(name.endswith(".png") for name in exercised.downloads), exercised.downloads
