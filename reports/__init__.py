"""Report layer: Plotly figures and the self-contained, offline HTML report of a run.

``render_report(run)`` returns the page as a string; ``build_sections(run)`` gives the sections it shows.
"""

from reports.html import render_report
from reports.page import Section
from reports.sections import build_sections

__all__ = ["Section", "build_sections", "render_report"]
