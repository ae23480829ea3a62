"""Weave a chapter: run its cells and write plain Quarto markdown with their outputs in place.

The result is what Quarto's Jupyter engine hands to pandoc: the markdown of the chapter, each cell
replaced by what it shows, and each inline expression by its value. Cell options are Quarto's:

=============  ===========================================================================
``label``      the cross-reference id of its figure (``fig-...``) or table (``tbl-...``)
``fig-cap``    the figure's caption; ``fig-alt`` its alternative text
``tbl-cap``    the table's caption
``echo``       show the code above its output (default: the ``echo`` argument, off for boards)
``eval``       ``false``: do not run the cell
``output``     ``false``: run it, show nothing of its output; ``asis``: printed text is markdown
``include``    ``false``: run it, show neither code nor output
=============  ===========================================================================

Parameters work as in Quarto and papermill: the values given replace the defaults of the cell
tagged ``parameters`` right after it runs (papermill's injected cell), and where the cell's code
is shown the values follow it, as Quarto shows them ("# Injected Parameters"). A chapter without
one gets
none, as in Quarto (``quarto render -P org:QHL`` would fail on it too); a cell that then names
``org`` fails with a hint to add the parameters cell.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hi_reports.errors import HIReportsError, TemplateError
from hi_reports.literate.cells import Cell, Document, Markdown, inline_expressions, replace_inline
from hi_reports.literate.execute import (
    CellError,
    Figure,
    MarkdownText,
    Output,
    Stream,
    Table,
    code_filename,
    new_namespace,
    raised_by_chapter,
    run_cell,
)


def pipe_table(frame: Any) -> str:
    """A pandas DataFrame as a pipe table (numbers right-aligned, ``|`` escaped)."""
    columns = [str(c) for c in frame.columns]
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]

    def cell(value: Any) -> str:
        text = "" if value is None or value != value else str(value)  # NaN: empty
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(c) for c in columns) + " |",
        "|" + "|".join("--:" if n else ":--" for n in numeric) + "|",
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def _working_directory(folder: Path) -> Iterator[None]:
    """Run in ``folder`` (when it exists), then go back."""
    before = os.getcwd()
    if folder.is_dir():
        os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _attr(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


class Weaver:
    """Runs the cells of chapters and writes their markdown; one per edition.

    Parameters
    ----------
    figures
        The project's figures folder: figure files are written there, and referred to as
        ``figures/<name>.png``.
    inline
        Turns the value of an inline expression into markdown (the edition's formatter: it refuses
        a bare float, which the annex would not know).
    echo
        Show code above outputs, unless a cell says otherwise.
    """

    def __init__(
        self, figures: Path, inline: Callable[[Any], str] = str, echo: bool = False
    ) -> None:
        self.figures = figures
        self.inline = inline
        self.echo = echo
        #: The labels of the cells woven so far, and their chapters.
        self.labels: dict[str, str] = {}
        #: The figures the last :meth:`weave` wrote: file name to PNG.
        self.written: dict[str, bytes] = {}

    def check_labels(self, document: Document) -> None:
        """Refuse a label another chapter of the book has used; remember this chapter's."""
        path = document.path
        for cell in document.cells:  # a cross-reference label names one thing in the whole book
            if cell.label in self.labels and self.labels[cell.label] != path:
                raise TemplateError(
                    f"{path}, line {cell.line}: the label {cell.label!r} is also used in "
                    f"{self.labels[cell.label]}",
                    "give each cell's label a name used once in the book",
                    path,
                    cell.line,
                )
            if cell.label:
                self.labels[cell.label] = path

    def weave(self, document: Document, parameters: Mapping[str, Any] | None = None) -> str:
        """Run ``document``'s cells in a fresh namespace and return its markdown with outputs."""
        path, stem = document.path, Path(document.path).stem
        self.check_labels(document)
        self.written = {}
        namespace = new_namespace()
        pieces: list[str] = [document.front_matter_source]
        with _working_directory(Path(path).parent):  # as Quarto: cells run in the chapter's folder
            self._parts(document, namespace, pieces, parameters, stem)
        return "".join(pieces)

    def _parts(
        self,
        document: Document,
        namespace: dict[str, Any],
        pieces: list[str],
        parameters: Mapping[str, Any] | None,
        stem: str,
    ) -> None:
        path = document.path
        params = document.parameters_cell()
        for number, part in enumerate(document.parts, start=1):
            if isinstance(part, Markdown):
                pieces.append(self._inline(part, namespace, path))
                continue
            if part.options.get("eval", True) is False:
                pieces.append(self._code(part) if part.options.get("echo", self.echo) else "")
                continue
            outputs = run_cell(part, namespace, path)
            pieces.append(
                self._cell(part, outputs, f"{stem}-{part.label or f'cell-{number}'}", path)
            )
            if part is params and parameters:
                namespace.update(parameters)  # papermill's injected cell
                if self._shown(part):  # and shown after the defaults, as Quarto shows it
                    values = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
                    pieces.append(f"```python\n# Injected Parameters\n{values}\n```\n\n")

    def _inline(self, part: Markdown, namespace: dict[str, Any], path: str) -> str:
        lines = iter([inline.line for inline in inline_expressions(part.text, part.line)])

        def value(expression: str) -> str:
            line = next(lines, part.line)
            where = f"{path}, line {line}, inline expression `{{python}} {expression}`"
            hint = "fix the expression; inline expressions see the names the cells above defined"
            try:
                code = compile(expression, code_filename(path, line), "eval")
            except SyntaxError as error:
                raise CellError(f"{where}: SyntaxError: {error.msg}", hint, path, line) from None
            try:
                return self.inline(eval(code, namespace))
            except HIReportsError as error:
                raise CellError(f"{where}: {error.message}", error.hint, path, line) from None
            except Exception as error:
                if not raised_by_chapter(error, path):
                    raise  # a bug of hi_reports (of the formatter, say), not the chapter's
                message = f"{where}: {type(error).__name__}: {error}"
                raise CellError(message, hint, path, line) from None

        return replace_inline(part.text, value)

    def _shown(self, cell: Cell) -> bool:
        """Whether the cell's code is printed (``echo``, and not left out by ``include``)."""
        options = cell.options
        return options.get("include", True) is not False and bool(options.get("echo", self.echo))

    def _code(self, cell: Cell) -> str:
        return f"```python\n{cell.code}\n```\n\n"

    def _cell(self, cell: Cell, outputs: list[Output], name: str, path: str) -> str:
        options = cell.options
        if options.get("include", True) is False:
            return ""
        shown = [] if options.get("output", True) is False else outputs
        pieces = [self._code(cell)] if self._shown(cell) else []
        figures = [o for o in shown if isinstance(o, Figure)]
        for output in shown:
            if isinstance(output, Figure):
                suffix = "" if len(figures) == 1 else f"-{figures.index(output) + 1}"
                pieces.append(
                    self._figure(output, cell, f"{name}{suffix}", first=output is figures[0])
                )
            elif isinstance(output, Table):
                pieces.append(self._table(output, cell))
            elif isinstance(output, MarkdownText) or options.get("output") == "asis":
                pieces.append(output.text.rstrip("\n") + "\n\n")
            elif isinstance(output, Stream):
                pieces.append(f"```\n{output.text.rstrip(chr(10))}\n```\n\n")
        return "".join(pieces)

    def _figure(self, figure: Figure, cell: Cell, name: str, first: bool) -> str:
        self.figures.mkdir(parents=True, exist_ok=True)
        file = f"{name.replace('_', '-')}.png"
        (self.figures / file).write_bytes(figure.png)
        self.written[file] = figure.png
        caption = str(cell.options.get("fig-cap", ""))
        attributes = []
        label = cell.label
        if first and label and label.startswith("fig-"):
            attributes.append(f"#{label}")
        if cell.options.get("fig-alt"):
            attributes.append(f'fig-alt="{_attr(cell.options["fig-alt"])}"')
        braces = "{" + " ".join(attributes) + "}" if attributes else ""
        return f"![{caption}](figures/{file}){braces}\n\n"

    def _table(self, table: Table, cell: Cell) -> str:
        caption = str(cell.options.get("tbl-cap", ""))
        label = cell.label if cell.label and cell.label.startswith("tbl-") else None
        line = ""
        if caption or label:
            line = ": " + caption + (f" {{#{label}}}" if label else "") + "\n"
        return pipe_table(table.frame) + "\n" + line + "\n"


__all__ = ["Weaver", "pipe_table"]
