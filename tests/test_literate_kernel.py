"""One source, two engines (issue 15, item 5): a chapter executed as stock Quarto executes it, in a
Jupyter kernel through nbclient, prints the same numbers and draws the same figures as the
in-process run of an hi-reports build.

The kernel test needs nbclient and ipykernel (the ``test`` extra): without them it skips, except
under ``CI=true``, where it fails. The conversion tests need neither.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

import hi_reports
from hi_reports import api
from hi_reports.book.annex import Annex
from hi_reports.book.project import BookSources
from hi_reports.literate.cells import inline_expressions, parse
from hi_reports.literate.notebook import (
    execute,
    figure_count,
    inline_markdown,
    inline_results,
    parameters_source,
    to_notebook,
)
from hi_reports.literate.notebook import (
    page as markdown_page,
)
from hi_reports.literate.weave import Weaver

from .conftest import missing
from .test_literate import CHAPTER

ORG = "QHL"
# What the test asks the kernel after the chapter ran: every number its edition recorded, exactly
# (a float's repr round-trips). The chapter names its edition `ed`.
PROBE = "`{python} {key: row['value'] for (_, key), row in ed.annex.rows.items()}`"


@pytest.fixture(scope="module")
def shipped_edition(data_dir: Path) -> api.Edition:
    """The QHL edition, computed once for the shipped chapters' runs."""
    return hi_reports.edition(ORG, data_dir=data_dir)


def need_kernel() -> None:
    """Skip (fail under ``CI=true``) unless nbclient and ipykernel are installed."""
    absent = [name for name in ("nbclient", "ipykernel") if importlib.util.find_spec(name) is None]
    if absent:
        missing(
            f"{' and '.join(absent)} not installed, so no Jupyter kernel to compare with: "
            "pip install -e '.[test]'"
        )


def as_read(markdown: str) -> str:
    """Text as pandoc reads it: a backslash before ASCII punctuation is dropped (both engines
    escape, each its own set of characters)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def test_a_chapter_becomes_the_notebook_quarto_executes() -> None:
    text = (
        "---\ntitle: T\njupyter: python3\n---\n\n# T\n\n```{python}\n#| label: params\n"
        '#| tags: [parameters, setup]\norg = "default"\n```\n\nIt is `{python} org`.\n\n'
        "```{python}\n#| label: fig-x\n#| eval: false\nraise SystemExit\n```\n"
    )
    notebook = to_notebook(parse(text, "chapters/t.qmd"), {"org": "QJM", "n": 2, "name": 'a "b"'})
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    assert notebook.metadata.papermill == {"parameters": {"org": "QJM", "n": 2, "name": 'a "b"'}}
    kinds = [(cell.cell_type, cell.source) for cell in notebook.cells]
    assert kinds == [
        ("raw", "---\ntitle: T\n---"),  # the jupyter key is Quarto's, not the document's
        ("markdown", "# T"),
        ("code", '#| label: params\norg = "default"'),  # tags moved to the metadata
        ("code", '# Injected Parameters\norg = "QJM"\nn = 2\nname = "a \\"b\\""\n'),
        ("markdown", "It is `{python} org`."),
        ("code", "#| label: fig-x\n#| eval: false\nraise SystemExit"),
    ]
    params, injected = notebook.cells[2], notebook.cells[3]
    assert params.metadata == {"tags": ["parameters", "setup"]} and params.id == "params"
    assert injected.metadata == {"tags": ["injected-parameters", "setup"]}
    assert notebook.cells[5].id == "fig-x"
    # no parameters cell: Quarto injects nothing (hi-reports' Weaver sets them before the first
    # cell, as papermill would)
    plain = to_notebook(parse("# P\n\n```{python}\nx = 1\n```\n", "p.qmd"), {"org": "QJM"})
    assert [c.source for c in plain.cells] == ["# P", "x = 1"] and "papermill" not in plain.metadata
    assert parameters_source({"x": None, "y": [1, "é"], "z": 1.5}) == (
        '# Injected Parameters\nx = None\ny = [1, "\\xe9"]\nz = 1.5\n'
    )


def test_inline_values_are_written_as_quarto_writes_them() -> None:
    assert inline_markdown({"text/plain": "'51.4%'"}) == "51\\.4%"
    assert inline_markdown({"text/plain": "'NHS A (B), C-D'"}) == "NHS A \\(B\\)\\, C\\-D"
    assert inline_markdown({"text/plain": "1204"}) == "1204"
    assert inline_markdown({"text/plain": "<Markdown>", "text/markdown": "**x**"}) == "**x**"
    assert as_read(inline_markdown({"text/plain": "'51.4%'"})) == as_read(api.inline_text("51.4%"))


def test_one_cells_printing_in_several_stream_messages_is_one_text() -> None:
    """A kernel may split a cell's printing into several stream messages (it did in CI, in the
    middle of a table): the page joins them as Quarto does, never with a blank line."""
    notebook = to_notebook(parse("```{python}\n#| output: asis\nprint(1)\n```\n", "t.qmd"), {})
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="| a | b |\n"),
        nbformat.v4.new_output("stream", name="stdout", text="|:--|--:|\n| 1 | 2 |\n"),
    ]
    assert markdown_page(notebook) == "| a | b |\n|:--|--:|\n| 1 | 2 |\n"


@pytest.mark.slow
def test_the_kernel_gives_the_numbers_and_figures_of_the_in_process_run(
    data_dir: Path, tmp_path: Path
) -> None:
    need_kernel()
    document = parse(CHAPTER, str(tmp_path / "chapters" / "local.qmd"))

    # in-process, as pipeline.literate() runs a chapter: the edition current, computed once
    computed = hi_reports.edition(ORG, data_dir=data_dir)
    edition = api.Edition(computed.org, computed.reference, computed.context, annex=Annex())
    parameters = {"org": edition.org.code, "kind": edition.kind, "vintage": edition.vintage}
    values: list[Any] = []

    def inline(value: Any) -> str:
        values.append(value)
        return api.inline_text(value)

    with api.current(edition):
        woven = Weaver(tmp_path / "figures", inline=inline).weave(document, parameters)
    numbers = {key: row["value"] for (_, key), row in edition.annex.rows.items()}

    # in a Jupyter kernel, as `quarto render -P org:QHL` runs it; the kernel computes the edition
    # from HI_REPORTS_DATA (this session's parse cache, HI_REPORTS_CACHE, is inherited)
    notebook = to_notebook(document, parameters)
    notebook.cells.append(nbformat.v4.new_markdown_cell(PROBE, id="probe"))
    (tmp_path / "chapters").mkdir()
    env = {**os.environ, "HI_REPORTS_DATA": str(data_dir)}
    execute(notebook, cwd=tmp_path / "chapters", env=env, timeout=300)
    *results, probe = inline_results(notebook)

    # the same expressions, found by both engines' rules, in the same order
    expressions = [
        i.expression
        for p in document.parts
        if hasattr(p, "text")
        for i in inline_expressions(p.text)
    ]
    assert [r.expression for r in results] == expressions and len(expressions) == 2
    # the same values: the kernel's repr read back equals the in-process value...
    assert [ast.literal_eval(r.data["text/plain"]) for r in results] == values
    assert values[0] == edition.org.name and values[1].endswith("%")
    # ...and the same text on the page once pandoc has read each engine's escaping
    assert [as_read(r.markdown) for r in results] == [as_read(api.inline_text(v)) for v in values]
    for result in results:
        assert as_read(result.markdown) in as_read(woven)
    # every number the chapter recorded, to the last bit
    assert ast.literal_eval(probe.data["text/plain"]) == numbers and set(numbers) == {"local.q1"}
    # the same figures: PNG outputs in the kernel, images woven in-process
    woven_figures = re.findall(r"!\[[^\]]*\]\(figures/([^)]+\.png)\)", woven)
    assert figure_count(notebook) == len(woven_figures) == 1
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(woven_figures)


def same_page(text: str) -> str:
    """A page as pandoc reads it, blank-line runs and trailing spaces aside, with figure files
    named by their file name only (Quarto's run copies them beside the chapter, prefixed by the
    organisation; a build has them in the project)."""
    text = re.sub(r"\]\(figures/(?:[A-Za-z0-9]+-\d{4}-)?", "](figures/", as_read(text))
    return "\n".join(
        line.rstrip() for line in re.sub(r"\n\s*\n+", "\n\n", text).strip().splitlines()
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "chapter", ["index", "intro", "imd", "rural", "plus", "summary", "methods"]
)
def test_a_shipped_chapter_prints_the_same_page_in_a_kernel(
    chapter: str, data_dir: Path, tmp_path: Path, shipped_edition: api.Edition
) -> None:
    """Each shipped chapter, run by stock Quarto's way (a kernel, the edition computed from the
    data folder), writes the page the build writes: every sentence, number, table and figure."""
    need_kernel()
    source = BookSources().chapters / f"{chapter}.qmd"
    document = parse(source.read_text(encoding="utf-8"), str(source))
    edition = api.Edition(
        shipped_edition.org, shipped_edition.reference, shipped_edition.context, annex=Annex()
    )
    parameters = {"org": edition.org.code, "kind": edition.kind, "vintage": edition.vintage}
    with api.current(edition):
        woven = Weaver(tmp_path / "figures").weave(document, parameters)
    numbers = {key: row["value"] for (_, key), row in edition.annex.rows.items()}

    notebook = to_notebook(document, parameters)
    notebook.cells.append(nbformat.v4.new_markdown_cell(PROBE, id="probe"))
    cwd = tmp_path / "quarto" / "chapters"
    cwd.mkdir(parents=True)
    execute(notebook, cwd=cwd, env={**os.environ, "HI_REPORTS_DATA": str(data_dir)}, timeout=300)
    probe = inline_results(notebook)[-1]
    notebook.cells.pop()

    page = markdown_page(notebook)
    # a figure a code cell draws (a plotnine chart of a chapter of one's own) is an image output
    # in the notebook, which Quarto writes out itself: counted there, not compared as markdown
    cell_figure = re.compile(rf"!\[[^\]]*\]\(figures/{chapter}-[^)]+\)\{{[^}}]*\}}")
    drawn = cell_figure.findall(woven)
    woven = cell_figure.sub("", woven)
    assert figure_count(notebook) == len(drawn)
    assert same_page(page) == same_page(woven)
    assert ast.literal_eval(probe.data["text/plain"]) == numbers and len(numbers) > 3
    # every figure the page shows is a file beside the chapter, as Quarto needs it
    shown = re.findall(r"\]\((figures/[^)]+\.(?:png|svg))\)", page)
    assert all((cwd / path).is_file() for path in shown)
    assert len(shown) == len(re.findall(r"\]\(figures/[^)]+\.(?:png|svg)\)", woven))
    if chapter == "plus":
        assert len(shown) == 2  # its chart and its map
    if chapter == "imd":
        assert len(shown) >= 3
