"""Science-map figures and the "Science maps" section: traces checked as data on ``fig.to_dict()``, escaping on
``fig.to_json()``. Result objects are built by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.figures import burst_timeline_figure, coword_network_figure, evolution_figure, thematic_map_figure
from reports.style import OFFLINE_TRACE_TYPES
from reports.view_sections import views_section
from topics.results import Bursts, CowordNetwork, ScienceViews, ThematicEvolution, ThematicMap

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _escaped_in_json(fig) -> bool:
    """The figure's JSON holds the script only escaped (to_json writes "/" as \\u002f)."""
    text = fig.to_json()
    return "<script" not in text and "&lt;script&gt;alert(1)" in text


def _map() -> ThematicMap:
    frame = pd.DataFrame({
        "kind": ["theme"] * 4 + ["topic"] * 2, "id": ["a", "b", "c", "d", "0", "1"],
        "label": ["RL", SCRIPT, "Vision", "NLP", "zero", "one"], "papers": [40, 10, 25, 5, 30, 12],
        "centrality": [4.0, 1.0, 3.0, 2.0, 1.5, 0.5], "density": [30.0, 40.0, 10.0, 20.0, 5.0, 9.0],
        "centrality_rank": [1, 4, 2, 3, 1, 2], "density_rank": [2, 1, 4, 3, 2, 1],
        "quadrant": ["motor", "niche", "basic", "emerging or declining", "basic", "niche"],
        "terms": ["policy; reward", f"{SCRIPT}; x", "image; pixel", "text; token", "u; v", "w; z"],
    })
    return ThematicMap(frame=frame, n_terms=10)


def _evolution() -> ThematicEvolution:
    nodes = pd.DataFrame({
        "node": ["0:theme:a", "0:theme:b", "1:theme:a", "1:theme:b", "2:theme:a"],
        "kind": ["theme"] * 5, "slice": ["2019-2020", "2019-2020", "2021", "2021", "2022"],
        "slice_index": [0, 0, 1, 1, 2], "id": ["a", "b", "a", "b", "a"],
        "label": ["RL", SCRIPT, "RL", SCRIPT, "RL"], "papers": [10, 4, 12, 3, 9],
        "terms": ["policy; reward", "x; y", f"policy; {SCRIPT}", "q; r", "policy; agent"],
        "linked": [True, False, True, False, True],
    })
    links = pd.DataFrame({
        "kind": ["theme", "theme"], "source": ["0:theme:a", "1:theme:a"], "target": ["1:theme:a", "2:theme:a"],
        "source_slice": ["2019-2020", "2021"], "target_slice": ["2021", "2022"], "source_label": ["RL", "RL"],
        "target_label": ["RL", "RL"], "inclusion": [0.5, 0.5], "n_shared": [1, 1], "shared_terms": ["policy", "policy"],
    })
    return ThematicEvolution(nodes, links, ("2019-2020", "2021", "2022"), (("2019", "2020"), ("2021",), ("2022",)),
                             3, 0.1, 10)


def _bursts() -> Bursts:
    frame = pd.DataFrame({
        "kind": ["term", "theme", "term"], "id": [SCRIPT, "rl", SCRIPT], "label": [SCRIPT, "RL", SCRIPT],
        "start": ["2020", "2019", "2023"], "end": ["2021", "2019", "2023"], "strength": [9.0, 5.0, 2.0],
        "papers_in_burst": [30, 12, 8],
    })
    return Bursts(frame, ("2019", "2020", "2021", "2022", "2023"), 2.0, 1.0, 200)


def _coword() -> CowordNetwork:
    nodes = pd.DataFrame({"term": ["policy", "reward", SCRIPT, "pixel"], "papers": [20, 15, 12, 9],
                          "community": [0, 0, 1, 1], "x": [0.1, 0.2, -0.5, -0.6], "y": [0.3, 0.1, -0.2, -0.4],
                          "degree": [1, 1, 1, 1]})
    edges = pd.DataFrame({"source": ["policy", SCRIPT], "target": ["reward", "pixel"], "cooccurrences": [8, 5],
                          "strength": [3.0, 2.0]})
    return CowordNetwork(nodes, edges, 1.0, 10, 0)


def _types(fig: dict) -> list[str]:
    return [trace["type"] for trace in fig["data"]]


def test_thematic_map_has_a_panel_per_kind_with_median_lines_and_quadrant_names() -> None:
    fig = thematic_map_figure(_map())
    data = fig.to_dict()
    assert _types(data) == ["scatter", "scatter"]
    assert [len(t["x"]) for t in data["data"]] == [4, 2]
    assert [t["marker"]["symbol"] for t in data["data"]] == ["circle", "diamond"]
    lines = data["layout"]["shapes"]
    assert len(lines) == 4  # a vertical and a horizontal median line per panel
    assert {s["x0"] for s in lines if s["type"] == "line" and s["x0"] == s["x1"]} == {2.5, 1.0}
    names = [a["text"] for a in data["layout"]["annotations"]]
    assert sum("Motor themes" in n for n in names) == 2
    assert _escaped_in_json(fig)


def test_thematic_map_of_one_kind_and_of_a_missing_kind() -> None:
    assert len(thematic_map_figure(_map(), kind="topic").to_dict()["data"]) == 1
    with pytest.raises(ValueError):
        thematic_map_figure(ThematicMap(_map().frame[_map().frame["kind"] == "theme"], 10), kind="topic")


def test_evolution_is_a_sankey_of_the_linked_nodes_with_the_unlinked_ones_beside() -> None:
    fig = evolution_figure(_evolution())
    data = fig.to_dict()
    assert _types(data) == ["sankey", "scatter"]
    sankey, row = data["data"]
    assert len(sankey["node"]["label"]) == 3
    assert sankey["link"]["source"] == [0, 1] and sankey["link"]["target"] == [1, 2]
    assert len(sorted(set(sankey["node"]["x"]))) == 3  # one fixed column per slice
    assert len(row["x"]) == 2  # the two unlinked nodes, in their slices' columns
    assert row["x"] == [sankey["node"]["x"][0], sankey["node"]["x"][1]]
    assert set(_types(data)) <= OFFLINE_TRACE_TYPES
    assert _escaped_in_json(fig)


def test_evolution_without_any_link_draws_no_sankey_only_the_unlinked_nodes() -> None:
    """plotly.js throws on a Sankey without nodes (and then draws nothing of the figure)."""
    import dataclasses

    evolution = _evolution()
    lonely = dataclasses.replace(
        evolution, nodes=evolution.nodes.assign(linked=False), links=evolution.links.iloc[:0]
    )
    data = evolution_figure(lonely).to_dict()
    assert _types(data) == ["scatter"]
    assert len(data["data"][0]["x"]) == 5
    assert any("No link between the slices" in a["text"] for a in data["layout"]["annotations"])


def test_burst_timeline_draws_one_bar_per_burst_strongest_on_top() -> None:
    fig = burst_timeline_figure(_bursts())
    data = fig.to_dict()
    assert _types(data) == ["bar"]
    bar = data["data"][0]
    assert len(bar["x"]) == 3
    assert bar["base"] == [0.5, -0.5, 3.5] and bar["x"] == [2, 1, 1]
    rows = data["layout"]["yaxis"]["categoryarray"]
    assert rows == [ESCAPED, "Theme: RL"]  # the term with two bursts keeps one row
    assert bar["marker"]["color"] == [9.0, 5.0, 2.0]
    assert _escaped_in_json(fig)


def test_coword_network_has_edge_lines_and_a_bubble_trace_per_community() -> None:
    fig = coword_network_figure(_coword())
    data = fig.to_dict()
    lines = [t for t in data["data"] if t["mode"] == "lines"]
    bubbles = [t for t in data["data"] if t["mode"] == "markers+text"]
    assert len(bubbles) == 2 and sum(len(t["x"]) for t in bubbles) == 4
    assert sum(t["x"].count(None) for t in lines) == 2  # two edges
    assert bubbles[0]["marker"]["color"] != bubbles[1]["marker"]["color"]
    assert _escaped_in_json(fig)


def test_the_section_has_a_part_per_view_and_names_the_csv_files() -> None:
    views = ScienceViews(_map(), _evolution(), _bursts(), _coword(), notes=("No something: because.",))
    section = views_section(views)
    assert section is not None
    assert [p.id for p in section.parts] == [
        "science-maps-thematic-map", "science-maps-evolution-theme", "science-maps-bursts", "science-maps-coword",
    ]
    assert all(p.figure is not None for p in section.parts)
    captions = " ".join(p.caption for p in section.parts)
    for name in views.csv_frames():
        assert name in captions
    assert "median" in captions and "inclusion index" in captions and "s = 2" in captions
    assert section.notes == ("No something: because.",)
    assert section.parts[0].table is not None and len(section.parts[0].table.rows) == 6


def test_no_section_without_views_and_a_caption_when_no_burst() -> None:
    assert views_section(None) is None
    assert views_section(ScienceViews(notes=("No views.",))) is None
    empty = Bursts(_bursts().frame.iloc[:0], ("2019", "2020"), 2.0, 1.0, 200)
    section = views_section(ScienceViews(bursts=empty))
    assert section is not None and section.parts[0].figure is None
    assert "No burst" in section.parts[0].caption


def test_burst_timeline_labels_at_most_twelve_periods_of_39_years() -> None:
    from topics.results import Bursts

    periods = tuple(str(y) for y in range(1987, 2026))
    frame = pd.DataFrame(
        [("term", "deep", "deep", "2014", "2025", 10.0, 50)],
        columns=["kind", "id", "label", "start", "end", "strength", "papers_in_burst"],
    )
    fig = burst_timeline_figure(Bursts(frame, periods, 2.0, 1.0, 200))
    shown = fig.to_dict()["layout"]["xaxis"]["ticktext"]
    assert 2 <= len(shown) <= 12 and all(int(label) % 5 == 0 for label in shown)


def test_thematic_map_labels_never_collide_the_larger_group_keeps_its_label() -> None:
    from reports.figures.thematic_map import shown_labels

    rows = pd.DataFrame({
        "label": ["Small theme", "Big theme", "Far theme"], "papers": [90, 100, 10],
        "centrality": [10.0, 10.2, 40.0], "density": [5.0, 5.1, 20.0],
    })
    assert shown_labels(rows, [0.0, 50.0], [0.0, 25.0], 2, 100.0) == [False, True, True]
