"""The report shows the venue-mix warning where the trend calls are shown, with the withheld call in the table."""

from __future__ import annotations

from reports.trend_sections import test_parts as window_parts
from tests.topics.test_mix_check import run_trends, venue_corpus


def test_the_window_part_warns_of_the_venue_mix_and_shows_the_withheld_call() -> None:
    trends, _ = run_trends(*venue_corpus())
    (part,) = window_parts(trends)
    (note,) = part.notes
    assert note.startswith("Warning: the venue mix changes across 2010–2019 (dissimilarity ")
    assert "Withheld: Vision (emerging overall); the table shows them as no clear trend" in note
    assert part.table is not None
    columns = part.table.columns
    assert columns[-2:] == ("Slope within venues", "Trend within venues")
    rows = {row[1]: row for row in part.table.rows}
    assert rows["Vision"][2] == "No clear trend (emerging overall, withheld: not so within venues)"
    assert rows["Vision"][-1] == "No clear trend"
    assert rows["Rising"][2] == "emerging" and rows["Rising"][-1] == "emerging"
    assert "with no clear trend, of 3 themes and topics" in part.caption
