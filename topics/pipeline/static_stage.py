"""``report.static``: the run also writes its report's figures as PNG/SVG/PDF files into figures/ beside the
report, as ``topics export`` does (:mod:`reports.static_export`). Each step is a no-op when the key is unset.

The browser is looked for before any work, the figures are drawn once the report is rendered (before any file is
written, so a failed drawing leaves the previous outputs as they were) and they are moved in after the outputs.
"""

from __future__ import annotations

from pathlib import Path

from topics.config import RunConfig
from topics.pipeline.progress import RunProgress


def check_static_figures(config: RunConfig) -> None:
    """Fail early, before any work, when the run should write static figures and cannot draw them (no kaleido or
    no browser)."""
    if config.report.static is not None:
        from reports.static_export import check_can_draw

        check_can_draw()


def draw_static_figures(config: RunConfig, report_html: str, progress: RunProgress) -> dict[str, bytes]:
    """The static figure files of the rendered report ``report_html`` by file name (none when unset)."""
    static = config.report.static
    if static is None:
        return {}
    from reports.static_export import export_report

    with progress.stage("figures"):
        return export_report(report_html, config.output.dir, static.formats, static.dpi)


def write_static_figures(config: RunConfig, files: dict[str, bytes]) -> dict[str, Path]:
    """Write ``files`` (:func:`draw_static_figures`) into the output folder's figures/, replacing the folder's
    figure files as one set; their paths by ``"figures/<name>"``."""
    if config.report.static is None:
        return {}
    from reports.static_export import FIGURES_DIR, write_figures

    written = write_figures(config.output.dir, files, replace_all=True)
    return {f"{FIGURES_DIR}/{name}": path for name, path in written.items()}
