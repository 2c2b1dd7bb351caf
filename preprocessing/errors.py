"""User-facing errors: raised for bad input, caught once by the CLI.

Every message names the file (and line or key where known), what was expected,
and how to fix it. The CLI prints the message on one line and exits with code 2.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input file, bad config value, unwritable path)."""


class InputError(UserError):
    """A problem with an input file; the message names the file and, where known, the line."""

    def __init__(self, path: object, problem: str, fix: str = "", line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        message = f"{where}: {problem}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)
        self.path = str(path)
        self.line = line
        self.problem = problem
        self.fix = fix
