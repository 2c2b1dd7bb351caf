"""Fixtures for the topics tests: the CLI driven in-process, and a token cache that never touches ~/.cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.topics.helpers import CliResult, invoke


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``cli("run", path, ...)`` runs the CLI in-process and returns its exit code, stdout and stderr."""

    def run(*argv: object) -> CliResult:
        capsys.readouterr()
        code = invoke(argv)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$XDG_CACHE_HOME points at a fresh, not yet created folder, so no test touches the user's ~/.cache."""
    home = tmp_path_factory.mktemp("xdg") / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home
