"""Errors and warnings of hi_reports: one base class, one subclass per pipeline stage.

The CLI catches :class:`HIReportsError` only at the top, prints ``str(error)`` (and the hint, when
there is one) on one line and exits with status 2. Every message says what went wrong, where (file,
row, column, organisation) and how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class HIReportsError(Exception):
    """Base class of every error hi_reports raises on purpose.

    Parameters
    ----------
    message
        What went wrong and where.
    hint
        How to fix it (a command to run, a valid choice), or ``None``.
    option
        The setting at fault (``"org"``, ``"kind"``, ``"vintage"``, ...), or ``None``. The library
        names settings, never command-line flags: the CLI names the flag (``--kind``).
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None, *, option: str | None = None) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint
        self.option = option

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def __reduce__(self) -> tuple[Any, ...]:
        # process pools pickle errors: keep every field (path, line, option), not only the args
        return (_restore, (type(self), dict(vars(self))))


def _restore(cls: type[HIReportsError], fields: dict[str, Any]) -> HIReportsError:
    error = cls.__new__(cls)
    Exception.__init__(error, fields.get("message"), fields.get("hint"))
    vars(error).update(fields)
    return error


class DataError(HIReportsError):
    """A reference or activity data file is missing, unreadable or inconsistent."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        path: Path | str | None = None,
        *,
        option: str | None = None,
    ) -> None:
        super().__init__(message, hint, option=option)
        self.path = None if path is None else str(path)


class GeographyError(HIReportsError):
    """An organisation code is unknown or ambiguous."""


class StatsError(HIReportsError, ValueError):
    """A statistical function was given a bad argument (it names the argument)."""


class IndicatorError(HIReportsError):
    """An indicator could not be computed for an organisation."""


class TemplateError(HIReportsError):
    """A chapter failed to run or render; names the chapter file and line."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        path: str | None = None,
        line: int | None = None,
        *,
        option: str | None = None,
    ) -> None:
        super().__init__(message, hint, option=option)
        self.path = path
        self.line = line


class UsageError(HIReportsError):
    """Command-line options that do not make sense together (raised by the CLI only; exits 2,
    as argparse does)."""


class RenderError(HIReportsError):
    """A rendering engine failed or is not available."""


class MissingDependencyError(RenderError):
    """An optional program or package is not installed; names the install step."""


class HIReportsWarning(UserWarning):
    """Base class of hi_reports warnings."""
