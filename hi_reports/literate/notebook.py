"""A chapter as stock Quarto executes it: the Jupyter notebook its Jupyter engine makes of the
``.qmd``, run in a kernel cell by cell, inline expressions included.

hi-reports runs a chapter's cells in-process (:mod:`hi_reports.literate.weave`); ``quarto render
-P org:QHL`` runs the same source in a Jupyter kernel. This module reproduces the second path, so
that the tests can check that both give the same numbers (issue 15, item 5). It follows quarto-cli
(``src/core/jupyter/jupyter.ts`` ``quartoMdToJupyter``, ``src/resources/jupyter/notebook.py``,
``src/core/jupyter/jupyter-inline.ts``):

- the front matter becomes a raw cell (its ``jupyter`` key removed), the markdown between cells a
  markdown cell (blank lines at either end trimmed, an empty one dropped), each
  ```` ```{python} ```` cell a code cell;
- a cell option Quarto knows (``label``, ``echo``, ``fig-cap``, ``tbl-cap``...) stays a ``#|``
  line of the cell, any other (``tags``) moves to the cell's metadata; a labelled cell's id is its
  label;
- parameters are injected as papermill does: a cell tagged ``injected-parameters``, right after
  the first cell tagged ``parameters``, assigns each value; a chapter with no parameters cell gets
  none (Quarto ignores ``-P`` then);
- :func:`execute` runs Quarto's setup (figure size, resolution and format), then each code cell
  whose ``eval`` is not false, its ``#|`` lines stripped; at each markdown cell, in order, its
  inline expressions are evaluated in the kernel as ``user_expressions`` of an empty execute
  request, and their results stored in the cell's ``user_expressions`` metadata, as Quarto stores
  them;
- :func:`inline_markdown` turns a result into the markdown Quarto writes in its place.

What this does not reproduce: Quarto reads a ``---`` line followed by text after the front matter
as more YAML (a raw cell), and finds ```` ```{python} ```` cells inside other fences
(:mod:`hi_reports.literate.cells` reads both as markdown).

Executing needs ``nbclient`` and ``ipykernel`` (the ``test`` extra); converting needs only
``nbformat``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from nbformat import NotebookNode

from hi_reports.literate._nbformat import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_raw_cell,
)
from hi_reports.literate.cells import Cell, Document, Markdown, replace_inline

__all__ = [
    "OPTION_KEYS",
    "InlineResult",
    "execute",
    "figure_count",
    "inline_markdown",
    "inline_results",
    "parameters_source",
    "to_notebook",
]

#: The cell options Quarto keeps as ``#|`` lines of a code cell (quarto-cli's
#: ``kJupyterCellOptionKeys``); any other option moves to the cell's metadata.
OPTION_KEYS = frozenset(
    {
        "eval",
        "echo",
        "warning",
        "error",
        "output",
        "include",
        "label",
        "classes",
        "panel",
        "column",
        "fig-cap",
        "fig-subcap",
        "fig-scap",
        "fig-cap-location",
        "tbl-cap-location",
        "cap-location",
        "fig-column",
        "tbl-column",
        "fig-link",
        "fig-align",
        "fig-alt",
        "fig-env",
        "fig-pos",
        "lst-label",
        "lst-cap",
        "out-width",
        "out-height",
        "md-indent",
        "code-fold",
        "code-line-numbers",
        "code-summary",
        "code-overflow",
        "html-table-processing",
        "layout-align",
        "layout-valign",
        "layout-ncol",
        "layout-nrow",
        "layout",
        "tbl-cap",
        "tbl-colwidths",
    }
)

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

_OPTION_LINE = re.compile(r"^#\s*\| ?")
# quarto-cli's src/resources/jupyter/notebook.py, cell_execute_inline
_INLINE = re.compile(r"(?:^|[^`])`\{python\}[ \t]([^`]+)`", re.MULTILINE)
# The part of Quarto's Python setup cell (src/resources/jupyter/lang/python/setup.py) that shapes
# the outputs: figure size, resolution and format; then it clears the namespace (Quarto writes
# `%reset`, whose question a kernel without stdin answers yes; `-f` says so).
_SETUP = """\
try:
  import matplotlib.pyplot as plt
  plt.rcParams['figure.figsize'] = ({fig_width}, {fig_height})
  plt.rcParams['figure.dpi'] = {fig_dpi}
  plt.rcParams['savefig.dpi'] = "figure"
  from matplotlib_inline.backend_inline import set_matplotlib_formats
  set_matplotlib_formats({fig_format!r})
except Exception:
  pass
%reset -f
"""


def _trim(lines: list[str]) -> list[str]:
    """quarto-cli's trimEmptyLines: no blank line at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _auto_id(label: str) -> str:
    """quarto-cli's jupyterAutoIdentifier (for ASCII labels)."""
    ident = re.sub(r"[^a-zA-Z0-9-_]", "", re.sub(r"\s", "-", label))
    return re.sub(r"^[^A-Za-z]+", "", ident)[:64]


def _option_lines(cell: Cell) -> list[str]:
    """The ``#|`` lines of a cell as written, its indentation removed."""
    body = cell.source.splitlines()[1:-1]
    indent = cell.indent
    lines = []
    for line in body:
        bare = line[len(indent) :] if line.startswith(indent) else line
        if not _OPTION_LINE.match(bare):
            break
        lines.append(bare)
    return lines


def _yaml_lines(options: Mapping[str, Any]) -> list[str]:
    if not options:
        return []
    text = yaml.safe_dump(dict(options), sort_keys=False, allow_unicode=True, width=1_000_000)
    return [f"#| {line}" for line in _trim(text.splitlines())]


def parameters_source(parameters: Mapping[str, Any]) -> str:
    """The code papermill's Python translator writes for ``parameters`` (as Quarto calls it:
    comment ``Injected Parameters``).

    Examples
    --------
    >>> print(parameters_source({"org": "QHL", "n": 3, "flag": True}), end="")
    # Injected Parameters
    org = "QHL"
    n = 3
    flag = True
    """

    def translate(value: Any) -> str:
        if isinstance(value, str):
            escaped = value.encode("unicode_escape").decode("utf-8").replace('"', r"\"")
            return f'"{escaped}"'
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return f"float('{value}')"
        if value is None or isinstance(value, (bool, int, float)):
            return str(value)
        if isinstance(value, Mapping):
            pairs = (f"{translate(str(k))}: {translate(v)}" for k, v in value.items())
            return "{" + ", ".join(pairs) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(translate(v) for v in value) + "]"
        return translate(str(value))

    lines = ["# Injected Parameters"]
    lines += [f"{name} = {translate(value)}" for name, value in parameters.items()]
    return "\n".join(lines) + "\n"


def to_notebook(document: Document, parameters: Mapping[str, Any] | None = None) -> NotebookNode:
    """The notebook Quarto's Jupyter engine makes of ``document`` and executes, ``parameters``
    injected after its parameters cell (``quarto render -P key:value``).

    Parameters
    ----------
    document
        A parsed chapter (:func:`hi_reports.literate.cells.parse`).
    parameters
        The values of ``-P``; none when empty or None.

    Returns
    -------
    nbformat.NotebookNode
        An nbformat 4.5 notebook with a python3 kernelspec, not yet executed.
    """
    cells: list[NotebookNode] = []
    used: set[str] = {_auto_id(c.label) for c in document.cells if c.label}

    def new_id(name: str) -> str:
        ident = name
        while ident in used:
            ident += "x"
        used.add(ident)
        return ident

    if document.front_matter_source:
        source = document.front_matter_source
        if document.front_matter and "jupyter" in document.front_matter:
            rest = {k: v for k, v in document.front_matter.items() if k != "jupyter"}
            dumped = yaml.safe_dump(rest, sort_keys=False, allow_unicode=True)
            source = f"---\n{dumped}---" if rest else ""
        lines = _trim(source.splitlines())
        if lines:
            cells.append(new_raw_cell("\n".join(lines), id=new_id("front-matter")))
    params = document.parameters_cell()
    for number, part in enumerate(document.parts, start=1):
        if isinstance(part, Markdown):
            lines = _trim(part.text.splitlines())
            if lines:
                cell = new_markdown_cell("\n".join(lines), id=new_id(f"cell-{number}"))
                cells.append(cell)
            continue
        kept = {k: v for k, v in part.options.items() if k in OPTION_KEYS}
        moved = {k: v for k, v in part.options.items() if k not in OPTION_KEYS and k != "id"}
        options = _option_lines(part) if len(kept) == len(part.options) else _yaml_lines(kept)
        source = "\n".join(_trim(options + part.code.splitlines()))
        if not source:
            continue
        if "id" in part.options:
            ident = str(part.options["id"])
        elif part.label and _auto_id(part.label):
            ident = _auto_id(part.label)
        else:
            ident = new_id(f"cell-{number}")
        cell = new_code_cell(source, id=ident, metadata=moved)
        if part.indent:
            cell.metadata["md-indent"] = part.indent
        cells.append(cell)
        if part is params and parameters:
            tags = [t for t in part.options.get("tags", []) if t != "parameters"]
            yaml_options = {k: v for k, v in kept.items() if k != "label"}
            prefix = "\n".join(_yaml_lines(yaml_options)) + "\n" if yaml_options else ""
            injected = new_code_cell(
                prefix + parameters_source(parameters),
                id=new_id("injected-parameters"),
                metadata={"tags": ["injected-parameters", *tags]},
            )
            cells.append(injected)
    notebook = new_notebook(cells, metadata={"kernelspec": dict(KERNELSPEC)})
    notebook.nbformat_minor = 5
    if params is not None and parameters:
        notebook.metadata["papermill"] = {"parameters": dict(parameters)}
    return notebook


def _cell_options(source: str) -> dict[str, Any]:
    """A code cell's ``#|`` options, read as Quarto's notebook.py reads them (PyYAML)."""
    lines = []
    for line in source.splitlines():
        match = _OPTION_LINE.match(line)
        if not match:
            break
        lines.append(re.sub(r":\s+$", ":", line[match.end() :]))
    value = yaml.safe_load("\n".join(lines)) if lines else None
    return value if isinstance(value, dict) else {}


def _strip_options(source: str) -> str:
    """The code Quarto sends to the kernel: the cell without its ``#|`` lines."""
    lines = source.splitlines()
    count = 0
    while count < len(lines) and _OPTION_LINE.match(lines[count]):
        count += 1
    return "\n".join(lines[count:]) if count else source


def execute(
    notebook: NotebookNode,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: int = 600,
    fig_format: str = "retina",
    fig_width: float = 7,
    fig_height: float = 5,
    fig_dpi: int = 96,
) -> NotebookNode:
    """Execute ``notebook`` in a new python3 kernel the way Quarto's Jupyter engine does.

    Quarto's setup runs first (figure size, resolution and format; the defaults are those of its
    HTML format), then each cell in order: a code cell unless its ``eval`` option is false, its
    ``#|`` lines stripped; a markdown cell's inline expressions as ``user_expressions``, their
    results stored in its ``user_expressions`` metadata (see :func:`inline_results`).

    Parameters
    ----------
    notebook
        From :func:`to_notebook`; executed in place and returned.
    cwd
        The kernel's working directory: Quarto's is the chapter's folder.
    env
        The kernel's whole environment (default: this process's).
    timeout
        Seconds a cell may run.
    fig_format, fig_width, fig_height, fig_dpi
        Quarto's figure options as its setup cell sets them: the format matplotlib's inline
        backend shows (``retina``, ``png``, ``svg``), the size in inches and the resolution.

    Returns
    -------
    NotebookNode
        ``notebook``, its cells' outputs and inline results filled in.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        A cell raised (and has no ``error: true`` option).
    RuntimeError
        An inline expression raised.
    """
    from nbclient import NotebookClient  # the test extra: imported on use

    resources = {"metadata": {"path": str(cwd)}} if cwd is not None else {}
    client = NotebookClient(
        notebook,
        kernel_name=KERNELSPEC["name"],
        timeout=timeout,
        resources=resources,
        record_timing=False,
    )
    setup = new_code_cell(
        _SETUP.format(
            fig_format=fig_format, fig_width=fig_width, fig_height=fig_height, fig_dpi=fig_dpi
        )
    )
    # nbclient writes an executed cell back at its index: the setup cell runs at the head of the
    # notebook and is taken out again, so that it replaces none of the notebook's cells
    notebook.cells.insert(0, setup)
    try:
        with client.setup_kernel(env=dict(os.environ if env is None else env)):
            client.execute_cell(setup, 0, store_history=False)
            _execute_cells(client, notebook)
    finally:
        notebook.cells.pop(0)
    return notebook


def _execute_cells(client: Any, notebook: NotebookNode) -> None:
    """Run the notebook's cells after the setup cell at its head, as Quarto does."""
    count = 0
    for index, cell in enumerate(notebook.cells[1:], start=1):
        if cell.cell_type == "markdown":
            _execute_inline(client, cell)
            continue
        if cell.cell_type != "code":
            continue
        count += 1
        cell.outputs, cell.execution_count = [], None
        options = _cell_options(cell.source)
        if options.get("eval", True) is not True:
            continue
        tags = list(cell.metadata.get("tags", []))
        if options.get("error") is True:
            cell.metadata["tags"] = [*tags, "raises-exception"]
        source = cell.source
        cell.source = _strip_options(source)
        try:
            client.execute_cell(cell, index, execution_count=count, store_history=True)
        finally:
            cell.source = source
            if options.get("error") is True:
                cell.metadata["tags"] = tags
                if not tags:
                    del cell.metadata["tags"]
        cell.execution_count = count


def _execute_inline(client: Any, cell: NotebookNode) -> None:
    """Quarto's cell_execute_inline: the cell's inline expressions, evaluated in the kernel."""
    expressions = _INLINE.findall(cell.source)
    cell.metadata.pop("user_expressions", None)
    if not expressions:
        return
    requested = {str(index): expression for index, expression in enumerate(expressions)}
    reply = client.wait_for_reply(client.kc.execute("", user_expressions=requested))
    content = reply["content"]
    if content.get("status") != "ok":
        raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
    results = []
    for key, expression in requested.items():
        result = content["user_expressions"][key]
        if result.get("status") != "ok":
            raise RuntimeError(
                f"inline expression {expression!r}: {result.get('ename')}: {result.get('evalue')}"
            )
        results.append({"expression": expression, "result": result})
    cell.metadata["user_expressions"] = results


@dataclass(frozen=True)
class InlineResult:
    """An inline expression evaluated in the kernel.

    Parameters
    ----------
    expression
        The expression, trimmed (as Quarto looks it up).
    data
        Its mime bundle: ``text/plain`` (the ``repr``), and ``text/markdown`` or ``text/html``
        when the value offers them.
    """

    expression: str
    data: dict[str, Any]

    @property
    def markdown(self) -> str:
        """What Quarto writes in the expression's place (:func:`inline_markdown`)."""
        return inline_markdown(self.data)


def inline_results(notebook: NotebookNode) -> list[InlineResult]:
    """The inline expressions of an executed notebook, in order, with their results."""
    return [
        InlineResult(item["expression"].strip(), dict(item["result"].get("data", {})))
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for item in cell.metadata.get("user_expressions", [])
    ]


def inline_markdown(data: Mapping[str, Any], to_html: bool = True) -> str:
    """The markdown Quarto writes for an inline expression's mime bundle (quarto-cli's
    ``resolveUserExpressions``): HTML as a raw inline for an HTML format, markdown as it is,
    LaTeX as a raw inline, and plain text (a ``repr``) with the quotes of a string removed and its
    markdown punctuation backslash-escaped (``'12.3%'`` -> ``12\\.3%``).
    """

    def text(mime: str) -> str:
        value = data[mime]
        return "".join(map(str, value)) if isinstance(value, list) else str(value)

    order = ["text/html", "text/markdown"] if to_html else ["text/markdown", "text/latex"]
    for mime in order:
        if mime in data:
            raw = {"text/html": "html", "text/latex": "tex"}.get(mime)
            return f"`{text(mime)}`{{={raw}}}" if raw else text(mime)
    plain = text("text/plain") if "text/plain" in data else ""
    if len(plain) >= 2 and plain[0] == plain[-1] and plain[0] in "'\"":
        plain = plain[1:-1].replace("\\", "\\\\")
        # JavaScript's [\\`*_{}\[\]()>#+-.!]: "+-." is the range + , - .
        return re.sub(r"([\\`*_{}\[\]()>#+,\-.!])", r"\\\1", plain)
    return plain


def page(notebook: NotebookNode) -> str:
    """The markdown Quarto's Jupyter engine hands to pandoc for an executed notebook, as far as a
    board edition shows it: its markdown cells with their inline results, and the printed output
    of its ``output: asis`` cells (raw and hidden cells give nothing)."""
    results = iter(inline_results(notebook))
    pieces = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            pieces.append(replace_inline(cell.source, lambda _: next(results).markdown))
        elif cell.cell_type == "code" and _cell_options(cell.source).get("output") == "asis":
            # a kernel may send one cell's printing in several stream messages: one text, as
            # Quarto's engine joins consecutive streams before pandoc reads them
            pieces.append(
                "".join(
                    o.get("text", "")
                    for o in cell.get("outputs", [])
                    if o.get("output_type") == "stream"
                )
            )
    return "\n\n".join(pieces)


def figure_count(notebook: NotebookNode) -> int:
    """How many PNG images the executed code cells display (``display_data`` and
    ``execute_result`` outputs with ``image/png``)."""
    return sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") in ("display_data", "execute_result")
        and "image/png" in output.get("data", {})
    )
