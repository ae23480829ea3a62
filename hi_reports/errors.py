"""Errors and warnings of hi_reports: one base class, one subclass per pipeline stage.

The CLI catches :class:`HIReportsError` only at the top, prints ``str(error)`` (and the hint, when
there is one) on one line and exits with status 2. Every message says what went wrong, where (file,
row, column, organisation) and how to fix it.
"""

from __future__ import annotations

from pathlib import Path


class HIReportsError(Exception):
    """Base class of every error hi_reports raises on purpose.

    Parameters
    ----------
    message
        What went wrong and where.
    hint
        How to fix it (a command to run, a valid choice), or ``None``.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class DataError(HIReportsError):
    """A reference or activity data file is missing, unreadable or inconsistent."""

    def __init__(
        self, message: str, hint: str | None = None, path: Path | str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.path = None if path is None else str(path)

    def __reduce__(self):  # keep the path when pickled (process pools)
        return (type(self), (self.message, self.hint, self.path))


class GeographyError(HIReportsError):
    """An organisation code is unknown or ambiguous."""


class StatsError(HIReportsError, ValueError):
    """A statistical function was given a bad argument (it names the argument)."""


class IndicatorError(HIReportsError):
    """An indicator could not be computed for an organisation."""


class TemplateError(HIReportsError):
    """A chapter template failed to render; names the chapter file and line."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.path = path
        self.line = line

    def __reduce__(self):
        return (type(self), (self.message, self.hint, self.path, self.line))


class UsageError(HIReportsError):
    """Command-line options that do not make sense together (raised by the CLI only; exits 2,
    as argparse does)."""


class RenderError(HIReportsError):
    """A rendering engine failed or is not available."""


class MissingDependencyError(RenderError):
    """An optional program or package is not installed; names the install step."""


class HIReportsWarning(UserWarning):
    """Base class of hi_reports warnings."""
