"""Run a chapter's cells in this process, in one namespace, and capture what Jupyter would show.

As knitr evaluates R chunks in the R session, the cells run with ``exec`` in a namespace of their
own (one per chapter and organisation), with no kernel: a kernel costs about a second a document,
and a batch of hundreds of editions would pay it thousands of times. What a cell shows is captured
the way Jupyter shows it:

- what it prints (standard output) is a :class:`Stream`;
- the value of its last line (unless the line ends in ``;``, as in Jupyter), and every object
  passed to ``display()`` (the namespace's own, and ``IPython.display.display`` while the cell
  runs), become outputs by type: a plotnine ``ggplot`` or a matplotlib figure a :class:`Figure`
  (PNG), a pandas DataFrame a :class:`Table`, an object with ``_repr_markdown_``
  (``IPython.display.Markdown``) or a string :class:`MarkdownText`, and anything else its
  ``repr()`` as a :class:`Stream`;
- every matplotlib figure the cell left open in pyplot is a :class:`Figure`, then closed.

An exception that comes from the chapter (:func:`raised_by_chapter`) stops it with a
:class:`CellError` naming the chapter file, the cell's label and the line in the file where it was
raised; one from hi_reports' own code surfaces as it is, a bug to fix here, not in the chapter.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import difflib
import functools
import io
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hi_reports.errors import TemplateError
from hi_reports.literate.cells import Cell

#: The names a build gives a chapter's parameters cell.
PARAMETERS = ("org", "kind", "vintage")

#: Figures are drawn at this resolution: 300 dots per inch, as a board paper's print needs
#: (Quarto's default for HTML is 96).
DPI = 300


class CellError(TemplateError):
    """A cell raised: the message names the chapter, the cell and the line."""


@dataclass(frozen=True)
class Stream:
    """Text output: what a cell printed, or the ``repr`` of a value."""

    text: str


@dataclass(frozen=True)
class MarkdownText:
    """Markdown a cell returned or displayed (a string, or ``IPython.display.Markdown``)."""

    text: str


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes."""

    png: bytes


@dataclass(frozen=True)
class Table:
    """A DataFrame a cell returned or displayed."""

    frame: Any


Output = Stream | MarkdownText | Figure | Table


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _close(figure: Any) -> None:
    """Close a matplotlib figure (pyplot forgets it)."""
    import matplotlib.pyplot as plt  # imported on use (0.9 s): a chapter that drew has it already

    plt.close(figure)


def to_output(value: Any) -> Output | None:
    """What Jupyter would show for ``value`` (None shows nothing)."""
    if value is None:
        return None
    kind = type(value)
    if kind.__module__.startswith("plotnine") and hasattr(value, "draw"):
        figure = value.draw()
        try:
            return Figure(_png(figure))
        finally:
            _close(figure)
    if hasattr(value, "savefig") and hasattr(value, "axes"):  # a matplotlib Figure
        png = _png(value)
        _close(value)
        return Figure(png)
    if kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas"):
        return Table(value)
    if isinstance(value, str):
        return MarkdownText(value)
    markdown = getattr(value, "_repr_markdown_", None)
    if callable(markdown):
        text = markdown()
        return MarkdownText(text if isinstance(text, str) else str(text[0]))
    return Stream(repr(value))


#: The code that draws a figure a chapter made: an error on its way is the figure's, so the
#: chapter's (a plotnine layer with a missing column fails only when drawn).
_DRAWING = frozenset({to_output.__code__, _png.__code__})


def _open_figures() -> list[Any]:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    return [pyplot.figure(number) for number in pyplot.get_fignums()]


@contextlib.contextmanager
def _ipython_display(show: Callable[..., None]) -> Iterator[None]:
    """While a cell runs, ``IPython.display.display`` (where IPython is installed) shows here."""
    targets = [
        m
        for m in (
            sys.modules.get("IPython.display"),
            sys.modules.get("IPython.core.display_functions"),
        )
        if m is not None
    ]
    saved = [(m, m.__dict__.get("display")) for m in targets]
    try:
        for module in targets:
            module.display = show  # type: ignore[attr-defined]
        yield
    finally:
        for module, original in saved:
            if original is not None:
                module.display = original  # type: ignore[attr-defined]


def _where(cell: Cell, path: str) -> str:
    return f"{path}, cell {cell.label!r}" if cell.label else f"{path}, cell at line {cell.line}"


def _compile(cell: Cell, path: str) -> tuple[types.CodeType, types.CodeType | None, int]:
    """The cell's code (its lines numbered as in the chapter file) but its last statement when
    that is an expression whose value is shown; that expression (or None), and its line.

    Raises
    ------
    CellError
        When the code does not compile.
    """
    try:
        return _compiled(cell.code, code_filename(path, cell.line), cell.code_line)
    except _BadCode as bad:
        raise _syntax_error(bad.error, cell, path, bad.line) from None


class _BadCode(Exception):
    """A cell's SyntaxError and the line of the chapter file it is on."""

    def __init__(self, error: SyntaxError, line: int) -> None:
        super().__init__(error.msg)
        self.error, self.line = error, line


@functools.lru_cache(maxsize=1024)
def _compiled(
    code: str, filename: str, first: int
) -> tuple[types.CodeType, types.CodeType | None, int]:
    """:func:`_compile` of a cell's ``code`` starting on line ``first``, once a process: every
    edition of a batch runs the same cells (a code object is never changed by running it)."""
    try:
        tree = ast.parse(code, filename=filename)
    except SyntaxError as error:  # its line is the cell's
        raise _BadCode(error, first + (error.lineno or 1) - 1) from None
    ast.increment_lineno(tree, first - 1)
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or code.rstrip().endswith(";"):  # Jupyter: ";" hides
        last = None
    else:
        tree.body.pop()
    try:  # what parses may still not compile ('return' outside a function)
        compiled = compile(tree, filename, "exec")
        if last is None:
            return compiled, None, first
        return compiled, compile(ast.Expression(last.value), filename, "eval"), last.lineno
    except SyntaxError as error:  # its line is the file's
        raise _BadCode(error, error.lineno or first) from None


def _syntax_error(error: SyntaxError, cell: Cell, path: str, line: int) -> CellError:
    return CellError(
        f"{_where(cell, path)}, line {line}: SyntaxError: {error.msg}",
        "fix the cell's Python",
        path,
        line,
    )


def run_cell(cell: Cell, namespace: dict[str, Any], path: str) -> list[Output]:
    """Run ``cell`` in ``namespace`` and return what it shows, in order.

    Raises
    ------
    CellError
        When the code does not compile, or raises (:func:`raised_by_chapter`): one line naming
        ``path``, the cell and the line in the file, and the Python error.
    Exception
        An error of hi_reports' own in capturing what the cell shows, as it is.
    """
    outputs: list[Output] = []
    printed = io.StringIO()

    def flush() -> None:  # what was printed so far comes before what is shown next
        if printed.getvalue():
            outputs.append(Stream(printed.getvalue()))
            printed.seek(0)
            printed.truncate()

    def show(*values: Any, **_: Any) -> None:
        for value in values:
            output = to_output(value)
            if output is not None:
                flush()
                outputs.append(output)

    code, last, last_line = _compile(cell, path)
    namespace.setdefault("display", show)
    before = {id(f) for f in _open_figures()}
    at = cell.code_line  # the line of an error raised outside the cell's code (in drawing)
    with contextlib.redirect_stdout(printed), _ipython_display(show):
        namespace["display"] = show
        try:
            exec(code, namespace)
            value = None
            if last is not None:
                value = eval(last, namespace)
                if _bare_number(value):
                    raise CellError(
                        f"{_where(cell, path)}, line {last_line}: the cell's value is a bare "
                        f"number ({float(value)!r})",
                        "print it through ed.pct, ed.num or ed.dec with a key and a definition, "
                        "so that the annex records it, or end the line with ';' to show nothing",
                        path,
                        last_line,
                    )
            at = last_line
            show(value)
            at = cell.code_line
            for figure in _open_figures():
                if id(figure) not in before:
                    show(figure)
        except CellError:
            raise
        except Exception as error:
            if not raised_by_chapter(error, path):
                raise
            raise _cell_error(error, cell, path, namespace, at) from None
        flush()
    return outputs


def _cell_error(
    error: Exception, cell: Cell, path: str, namespace: dict[str, Any], at: int
) -> CellError:
    """The chapter's ``error`` on one line, with a hint (a parameter's or a close name); its line
    is the innermost of the cell's code it passed through, else ``at``."""
    line = _error_line(error, code_filename(path, cell.line)) or at
    hint = (
        "fix the cell; to debug it, run the chapter's cells in Python, from its folder, with "
        "ed = hi_reports.edition(org)"
    )
    if isinstance(error, NameError) and error.name in PARAMETERS:
        hint = (
            f"set {error.name} in a parameters cell ('#| tags: [parameters]'), which hi-reports "
            "and Quarto fill for each organisation"
        )
    elif isinstance(error, NameError) and error.name:
        names = [n for n in namespace if not n.startswith("__")] + dir(builtins)
        close = difflib.get_close_matches(error.name, names, n=1)
        if close:
            hint = f"did you mean {close[0]!r}? Names come from the cells above or from imports"
    return CellError(
        f"{_where(cell, path)}, line {line}: {type(error).__name__}: {error}", hint, path, line
    )


def _chapter(path: str) -> str:
    """How the file names of the chapter ``path``'s code start (see :func:`code_filename`)."""
    return f"<{path}:"


def code_filename(path: str, line: int) -> str:
    """The file name the chapter ``path``'s code from ``line`` on (a cell, an inline expression)
    is compiled with, which tracebacks show and :func:`raised_by_chapter` recognises."""
    return f"{_chapter(path)}{line}>"


#: The folder of this library: an error raised in its own code is a bug of hi_reports.
_LIBRARY = Path(__file__).resolve().parent


def raised_by_chapter(error: BaseException, path: str) -> bool:
    """Whether ``error`` comes from the chapter ``path`` rather than from hi_reports.

    It does when the chapter's code (a cell or an inline expression) is on its way, or the drawing
    of a figure the chapter made (:func:`to_output`), and it was raised anywhere but in this
    library's own code: in the chapter, or in what the chapter called (pandas, plotnine, the
    edition's API). An error raised by this library's own lines, or on a way that does not pass
    through the chapter, is a bug of hi_reports: it must surface as itself.
    """
    frames = [frame.f_code for frame, _ in traceback.walk_tb(error.__traceback__)]
    if not frames or Path(frames[-1].co_filename).resolve().parent == _LIBRARY:
        return False
    return any(code.co_filename.startswith(_chapter(path)) or code in _DRAWING for code in frames)


def _bare_number(value: Any) -> bool:
    """A float (Python's or numpy's) shown as a cell's value: a number the annex would not know."""
    return isinstance(value, float) or (
        type(value).__module__ == "numpy" and "float" in type(value).__name__
    )


def _error_line(error: BaseException, filename: str) -> int | None:
    """The line in the chapter file of the innermost frame of the cell's code in ``error``."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


def new_namespace(name: str = "__chapter__") -> dict[str, Any]:
    """A fresh namespace for a chapter, like a notebook's: its own ``__name__`` and builtins."""
    module = types.ModuleType(name)
    return module.__dict__


__all__ = [
    "CellError",
    "Figure",
    "MarkdownText",
    "Output",
    "Stream",
    "Table",
    "code_filename",
    "new_namespace",
    "raised_by_chapter",
    "run_cell",
    "to_output",
]
