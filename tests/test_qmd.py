"""Quarto markdown chapters read into parts and written back (hi_reports.literate.cells): no
execution."""

from __future__ import annotations

import dataclasses
import json
import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hi_reports.errors import TemplateError
from hi_reports.literate.cells import (
    Cell,
    Document,
    Inline,
    Markdown,
    inline_expressions,
    parse,
    render,
    replace_inline,
)

PATH = "chapters/local.qmd"

CHAPTER = """\
---
title: "Your own numbers"
execute:
  echo: false
---

# Your own numbers {#sec-local}

```{python}
#| tags: [parameters]
org = "QHL"
kind = None
```

```{python}
import hi_reports
ed = hi_reports.edition(org, kind=kind)
```

Of `{python} ed.org.name`'s residents, `{python} ed.pct(core20)` live in Core20 neighbourhoods.

::: {.callout-note}
## Residents by quintile

```{python}
#| label: fig-local-quintiles
#| fig-cap: "Residents by national IMD quintile, mid-2020"
#| fig-alt: >-
#|   A bar chart of residents in each national IMD quintile:
#|   most live in quintile 1.
(ggplot(ed.lsoas, aes("imd_quintile", "residents")) + geom_col())
```
:::

To draw one of your own, write a cell like this:

````markdown
```{python}
#| label: fig-mine
ggplot(df) + geom_col()
```
````

~~~
```{python}
print("a tilde fence is markdown too")
```
~~~

```python
print("not executed: no braces")
```

```{.python}
print("not executed: a class")
```
"""


def part_kinds(document: Document) -> list[str]:
    return [type(part).__name__ for part in document.parts]


# Real-world chapters -----------------------------------------------------------------------------


def test_a_chapter_reads_into_front_matter_markdown_and_cells() -> None:
    document = parse(CHAPTER, PATH)
    assert document.front_matter == {"title": "Your own numbers", "execute": {"echo": False}}
    assert part_kinds(document) == [
        "Markdown",
        "Cell",
        "Markdown",
        "Cell",
        "Markdown",
        "Cell",
        "Markdown",
    ]
    parameters, setup, figure = document.cells
    assert (parameters.line, setup.line, figure.line) == (9, 15, 25)
    assert setup.code == "import hi_reports\ned = hi_reports.edition(org, kind=kind)"
    assert setup.options == {}
    assert document.parts[0] == Markdown("\n# Your own numbers {#sec-local}\n\n")
    assert [part.line for part in document.parts] == [6, 9, 14, 15, 19, 25, 33]
    assert document.path == PATH


def test_a_figure_cell_has_its_label_caption_and_alt_text() -> None:
    figure = parse(CHAPTER, PATH).cells[2]
    assert figure.label == "fig-local-quintiles"
    assert figure.options == {
        "label": "fig-local-quintiles",
        "fig-cap": "Residents by national IMD quintile, mid-2020",
        "fig-alt": "A bar chart of residents in each national IMD quintile: "
        "most live in quintile 1.",
    }
    assert figure.code == '(ggplot(ed.lsoas, aes("imd_quintile", "residents")) + geom_col())'
    assert figure.source.startswith("```{python}\n#| label: fig-local-quintiles\n")
    assert figure.source.endswith("geom_col())\n```\n")


def test_the_parameters_cell_is_the_one_tagged_parameters() -> None:
    document = parse(CHAPTER, PATH)
    assert document.parameters_cell() is document.cells[0]
    assert document.parameters_cell().code == 'org = "QHL"\nkind = None'
    assert parse("```{python}\n#| tags: [other]\nx = 1\n```\n").parameters_cell() is None
    assert parse("No code at all.\n").parameters_cell() is None
    assert parse("```{python}\n#| tags: parameters\n```\n").parameters_cell() is None


def test_a_cell_in_a_callout_is_a_cell() -> None:
    text = "::: {.callout-tip}\n## Try it\n\n```{python}\nx = 1\n```\n\n:::\n"
    document = parse(text)
    assert part_kinds(document) == ["Markdown", "Cell", "Markdown"]
    assert document.cells[0].code == "x = 1"
    assert document.parts[2].text == "\n:::\n"


def test_a_cell_shown_inside_a_longer_fence_is_markdown() -> None:
    document = parse(CHAPTER, PATH)
    tail = document.parts[-1].text
    assert "#| label: fig-mine" in tail and "a tilde fence" in tail
    assert all(cell.label != "fig-mine" for cell in document.cells)
    # Five backticks around four around a cell: still one markdown part.
    nested = "`````\n````markdown\n```{python}\nx\n```\n````\n`````\n"
    assert parse(nested).parts == (Markdown(nested),)


@pytest.mark.parametrize(
    "fence",
    [
        "```python",
        "```{.python}",
        "~~~{python}",
        "~~~ {python}",
        "```{r}",
        "```{{python}}",
        "```{pythonic}",
    ],
)
def test_fences_that_are_not_python_cells_are_markdown(fence: str) -> None:
    closing = "~~~" if fence.startswith("~") else "```"
    text = f"Before\n\n{fence}\nx = 1\n{closing}\n\nAfter `{{python}} y`\n"
    document = parse(text)
    assert document.parts == (Markdown(text),)
    assert [inline.expression for inline in inline_expressions(text)] == ["y"]


def test_a_markdown_fence_closes_with_a_run_at_least_as_long() -> None:
    # CommonMark: ````` closes ```` ; the cell after it is a cell.
    text = "````\n```{python}\nx\n```\n`````\n\n```{python}\ny = 1\n```\n"
    document = parse(text)
    assert part_kinds(document) == ["Markdown", "Cell"]
    assert document.cells[0].code == "y = 1" and document.cells[0].line == 7


def test_a_cell_closes_only_at_a_run_of_the_same_length() -> None:
    # As quarto-cli does: a longer or shorter run of backticks inside a cell is code.
    text = '````{python}\ns = """\n```\n`````\n"""\n````\nAfter\n'
    document = parse(text)
    assert document.cells[0].code == 's = """\n```\n`````\n"""'
    assert document.parts[1] == Markdown("After\n")


def test_a_cell_header_may_have_spaces_and_an_empty_option_list() -> None:
    for header in ["```{python}", "``` {python}", "```{python }", "```{python,}", "```{python}  "]:
        document = parse(f"{header}\nx = 1\n```\n")
        assert document.cells[0].code == "x = 1", header


def test_an_indented_cell_is_a_cell_and_its_code_is_dedented() -> None:
    # quarto-cli's Jupyter engine strips the opening fence's indentation from the code.
    text = (
        "1. Load the data:\n\n   ```{python}\n   #| echo: true\n   if ok:\n       x = 1\n   ```\n"
    )
    document = parse(text)
    assert document.cells[0].code == "if ok:\n    x = 1"
    assert document.cells[0].options == {"echo": True}
    assert render(document) == text
    changed = dataclasses.replace(document.cells[0], code="x = 2")
    assert render(dataclasses.replace(document, parts=(document.parts[0], changed))).endswith(
        "   ```{python}\n   #| echo: true\n   x = 2\n   ```\n"
    )


def test_option_lines_follow_quartos_prefix_and_yaml() -> None:
    text = (
        "```{python}\n"
        "#|label: tbl-rates\n"
        "# | tbl-cap: Rates per 1,000\n"
        "#| echo: no\n"
        "#| include: false\n"
        "#| fig-width: 1e1\n"
        "#| n: 0o17\n"
        "#| when: 2024-04-01\n"
        "#| fig-cap: |\n"
        "#|   Two\n"
        "#|   lines\n"
        "#| classes: [a, b]\n"
        "#| note: plain words\n"
        "rates\n"
        "#| a comment, not an option\n"
        "```\n"
    )
    cell = parse(text).cells[0]
    # YAML 1.2's JSON schema, as Quarto reads options: "no" and dates stay strings.
    assert cell.options == {
        "label": "tbl-rates",
        "tbl-cap": "Rates per 1,000",
        "echo": "no",
        "include": False,
        "fig-width": 10.0,
        "n": 15,
        "when": "2024-04-01",
        "fig-cap": "Two\nlines\n",
        "classes": ["a", "b"],
        "note": "plain words",
    }
    assert cell.code == "rates\n#| a comment, not an option"
    assert parse("```{python}\n\n#| echo: false\n```\n").cells[0].options == {}


def test_an_empty_cell_and_a_cell_of_options_only() -> None:
    document = parse("```{python}\n```\n\n```{python}\n#| label: only-options\n```\n")
    assert document.cells[0] == Cell("", {})
    assert document.cells[1] == Cell("", {"label": "only-options"})


def test_front_matter_only_at_the_top_and_followed_by_a_line() -> None:
    assert parse("# No front matter\n").front_matter is None
    assert parse("---\n---\n").front_matter == {}
    # A rule, not front matter (quarto-cli: a blank line after "---").
    rule = "---\n\nText\n"
    assert parse(rule).front_matter is None and parse(rule).parts == (Markdown(rule),)
    unclosed = "---\ntitle: x\n"
    assert parse(unclosed).front_matter is None and render(parse(unclosed)) == unclosed
    later = "Text\n\n---\ntitle: x\n---\n"
    assert parse(later).front_matter is None


def test_windows_line_endings_are_kept() -> None:
    text = CHAPTER.replace("\n", "\r\n")
    document = parse(text, PATH)
    assert document.cells[1].code == "import hi_reports\r\ned = hi_reports.edition(org, kind=kind)"
    assert document.cells[2].options == parse(CHAPTER).cells[2].options
    assert render(document) == text


# Inline expressions ------------------------------------------------------------------------------


def test_inline_expressions_with_their_positions() -> None:
    text = (
        "Line one.\nOf `{python} ed.org.name`'s residents, `{python}  ed.pct(core20) ` live here.\n"
    )
    found = inline_expressions(text, line=20)
    assert [inline.expression for inline in found] == ["ed.org.name", "ed.pct(core20)"]
    assert text[found[0].start : found[0].end] == "`{python} ed.org.name`"
    assert text[found[1].start : found[1].end] == "`{python}  ed.pct(core20) `"
    assert [inline.line for inline in found] == [21, 21]
    assert found[0] == Inline("ed.org.name", 13, 35, 21)


def test_inline_expressions_of_a_parsed_chapter() -> None:
    document = parse(CHAPTER, PATH)
    found = [
        inline
        for part in document.parts
        if isinstance(part, Markdown)
        for inline in inline_expressions(part.text, part.line)
    ]
    assert [(inline.expression, inline.line) for inline in found] == [
        ("ed.org.name", 20),
        ("ed.pct(core20)", 20),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "``{python} x``",  # double backticks: a code span Quarto leaves alone
        "`` `{python} x` ``",  # Quarto's syntax shown inside a longer code span
        "```` ``{python} x`` ````",
        "`{python}x`",  # no space after {python}
        "`{python} `",  # nothing to evaluate
        "`{r} x`",
        "`{Python} x`",
        "\\`{python} x`",  # an escaped backtick opens no code span
        "`code` {python} x`",
        "```\n`{python} x`\n```",  # fenced code
        "~~~~\n`{python} x`\n~~~~",
        "    ```{python}\n    `{python} x`\n    ```",
    ],
)
def test_no_inline_expression(text: str) -> None:
    assert inline_expressions(text) == []
    assert replace_inline(text, lambda expression: "VALUE") == text


def test_a_stray_backtick_in_another_paragraph_does_not_hide_an_expression() -> None:
    text = "A stray ` here.\n\nThe value is `{python} x`.\n"
    assert [inline.expression for inline in inline_expressions(text)] == ["x"]


def test_replace_inline_puts_each_value_in_place() -> None:
    text = "`{python} a` and `{python} b + 1`, not ``{python} c``; `{python} a`\n"
    values = {"a": "12.5%", "b + 1": "3"}
    assert replace_inline(text, values.__getitem__) == "12.5% and 3, not ``{python} c``; 12.5%\n"
    assert replace_inline("No expressions.", values.__getitem__) == "No expressions."


def test_an_expression_may_run_over_two_lines_of_a_paragraph() -> None:
    found = inline_expressions("The `{python} f(a,\nb)` value")
    assert [inline.expression for inline in found] == ["f(a,\nb)"]


# Errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '# T\n\n```{python}\n#| label: fig-x\n#| fig-cap: "never closed\nx = 1\n```\n',
            5,
            "the cell option '#| fig-cap: \"never closed' is not valid YAML",
        ),
        (
            "```{python}\n#| label: fig-x\n#| tags: [parameters\n```\n",
            3,
            "the cell option '#| tags: [parameters' is not valid YAML (expected ',' or ']'",
        ),
        (
            "```{python}\n#| echo: false\n#| echo: true\n```\n",
            3,
            "the cell option '#| echo: true' is not valid YAML (the key 'echo' is given twice)",
        ),
        (
            "```{python}\n#| echo false\n```\n",
            2,
            "the cell options must be 'key: value' lines, not '#| echo false'",
        ),
        (
            "Intro\n\n```{python}\nx = 1\n",
            3,
            "the python cell opened here is never closed",
        ),
        (
            "```{python}\nx = 1\n````\n",
            1,
            "the python cell opened here is never closed",
        ),
        (
            "```{python}\n#| label: fig-a\n```\n\n"
            "::: {.callout-note}\n```{python}\n#| label: fig-a\n```\n:::\n",
            6,
            "the cell label 'fig-a' is already used by the cell at line 1",
        ),
        (
            "Text\n\n```{python setup, echo=false}\nx = 1\n```\n",
            3,
            "options in a cell header ({python setup, echo=false}) are ignored by Quarto's "
            "Jupyter engine",
        ),
        (
            "```{python, label = 'fig-x'}\nx = 1\n```\n",
            1,
            "options in a cell header",
        ),
        (
            "---\ntitle: [Local\n---\n",
            2,
            "the front matter is not valid YAML",
        ),
        (
            "---\n- a list\n---\n",
            2,
            "the front matter must be 'key: value' lines, not a list",
        ),
    ],
    ids=[
        "unclosed-quote",
        "unclosed-list",
        "duplicate-key",
        "not-a-mapping",
        "unclosed-cell",
        "longer-fence-does-not-close",
        "duplicate-label",
        "knitr-header",
        "knitr-header-comma",
        "front-matter-yaml",
        "front-matter-not-a-mapping",
    ],
)
def test_errors_name_the_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(
        TemplateError, match=f"^{re.escape(f'{PATH}, line {line}: {message}')}"
    ) as caught:
        parse(text, PATH)
    error = caught.value
    assert (error.path, error.line) == (PATH, line)
    assert "\n" not in str(error) and error.hint
    assert pickle.loads(pickle.dumps(error)).message == error.message


def test_the_unclosed_cell_hint_says_how_long_the_fence_must_be() -> None:
    with pytest.raises(TemplateError) as caught:
        parse("````{python}\nx = 1\n```\n")
    assert (
        caught.value.hint == "end it with a line of exactly 4 backticks (````), as Quarto requires"
    )


def test_a_label_may_repeat_in_another_chapter_but_not_in_examples() -> None:
    cell = "```{python}\n#| label: fig-a\n```\n"
    assert parse(cell, "a.qmd").cells[0].label == parse(cell, "b.qmd").cells[0].label
    assert len(parse(cell + "\n````\n" + cell + "````\n").cells) == 1


# Writing back ------------------------------------------------------------------------------------


def test_render_writes_an_unchanged_chapter_byte_for_byte() -> None:
    for text in [CHAPTER, CHAPTER.rstrip("\n"), CHAPTER.replace("\n", "\r\n"), "", "\n", "x"]:
        assert render(parse(text)) == text
        assert parse(render(parse(text))) == parse(text)


def test_render_writes_changed_options_code_and_front_matter_afresh() -> None:
    document = parse(CHAPTER, PATH)
    figure = document.cells[2]
    changed = dataclasses.replace(
        figure, code="draw()", options={**figure.options, "fig-cap": "Two\nlines\n", "echo": "no"}
    )
    parts = tuple(changed if part is figure else part for part in document.parts)
    edited = dataclasses.replace(
        document, parts=parts, front_matter={"title": "Edited", "date": "2024-04-01"}
    )
    text = render(edited)
    assert text.startswith("---\ntitle: Edited\ndate: '2024-04-01'\n---\n\n# Your own numbers")
    assert (
        "```{python}\n"
        "#| label: fig-local-quintiles\n"
        "#| fig-cap: |\n"
        "#|   Two\n"
        "#|   lines\n"
        "#| fig-alt: 'A bar chart of residents in each national IMD quintile: most live in "
        "quintile 1.'\n"
        "#| echo: 'no'\n"
        "draw()\n"
        "```\n"
    ) in text
    assert parse(text) == edited
    assert render(parse(text)) == text


def test_a_new_cell_is_written_with_a_fence_longer_than_its_code_needs() -> None:
    cell = Cell('s = """\n```\n````\n"""', {"tags": ["parameters"], "label": "tbl-x"})
    document = Document(None, (Markdown("Text\n"), cell, Markdown("\nEnd\n")))
    text = render(document)
    assert text == (
        'Text\n`````{python}\n#| tags: [parameters]\n#| label: tbl-x\ns = """\n```\n````\n"""\n'
        "`````\n\nEnd\n"
    )
    assert parse(text) == document


# Round trip: chapters built from random parts ----------------------------------------------------

WORDS = st.text(
    alphabet=st.characters(
        categories=("L", "N", "Zs"), include_characters=".,;:!?'\"()*_-#{}[]<>/|$%&+=~"
    ),
    max_size=30,
)
SCALARS = st.one_of(
    WORDS,
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.none(),
    st.sampled_from(["no", "2024-01-01", "1e3"]),
)
OPTION_VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
CODE_LINES = st.lists(
    st.one_of(
        WORDS.map(lambda s: "x = " + json.dumps(s, ensure_ascii=False)),
        st.sampled_from(["", "    pass", "#| a comment after code", "s = '```'", "```", "````"]),
    ),
    max_size=4,
)


@st.composite
def cells(draw: st.DrawFn, number: int) -> tuple[str, tuple]:
    """A cell's text and what it should parse into (code lines, options)."""
    keys = draw(
        st.lists(st.sampled_from(["fig-cap", "fig-alt", "echo", "output", "tags"]), unique=True)
    )
    options = {key: draw(OPTION_VALUES) for key in keys}
    if draw(st.booleans()):
        options = {"label": f"fig-{number}", **options}
    prefix = draw(st.sampled_from(["#| ", "#|", "# | "]))
    option_lines = [
        f"{prefix}{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in options.items()
    ]
    if draw(st.booleans()):
        options["tbl-cap"] = "Two\nlines\n"
        option_lines += ["#| tbl-cap: |", "#|   Two", "#|   lines"]
    code = draw(CODE_LINES)
    if code and code[0] == "#| a comment after code":
        code[0] = "# a comment"
    ticks = "```"
    while ticks in code:
        ticks += "`"
    indent = draw(st.sampled_from(["", "", "  "]))
    lines = [ticks + draw(st.sampled_from(["{python}", " {python} "])), *option_lines, *code, ticks]
    text = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
    return text, ("cell", "\n".join(code), options)


MARKDOWN = st.one_of(
    WORDS.map(lambda s: f"P {s}\n"),
    st.just("\n"),
    st.just("# A heading {#sec-x}\n"),
    st.just("::: {.callout-note}\n"),
    st.just(":::\n"),
    st.just("````markdown\n```{python}\n#| label: fig-shown\nx = 1\n```\n````\n"),
    st.just("~~~\n```{python}\n`{python} hidden`\n```\n~~~\n"),
    st.just("```python\nnot_a_cell()\n```\n"),
    st.just("```{.python}\nnot_a_cell()\n```\n"),
    st.just("The share is ``{python} literal`` and `` `{python} literal` ``.\n"),
)
INLINE = st.from_regex(r"[a-z_][a-z0-9_.]{0,10}(\(\))?", fullmatch=True).map(
    lambda expression: (f"The value is `{{python}} {expression}`.\n", expression)
)


@st.composite
def chapters(draw: st.DrawFn) -> tuple[str, list[tuple], list[str]]:
    """A chapter's text, its parts as they should parse, and its inline expressions."""
    pieces, expected, expressions = [], [], []
    if draw(st.booleans()):
        pieces.append("---\ntitle: A chapter\nexecute:\n  echo: false\n---\n")
    for number in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["markdown", "inline", "cell"]))
        if kind == "cell":
            text, part = draw(cells(number))
        elif kind == "inline":
            text, expression = draw(INLINE)
            part = ("markdown", text)
            expressions.append(expression)
        else:
            text = draw(MARKDOWN)
            part = ("markdown", text)
        pieces.append(text)
        if part[0] == "markdown" and expected and expected[-1][0] == "markdown":
            expected[-1] = ("markdown", expected[-1][1] + text)
        else:
            expected.append(part)
    return "".join(pieces), expected, expressions


def as_tuples(document: Document) -> list[tuple]:
    return [
        ("markdown", part.text) if isinstance(part, Markdown) else ("cell", part.code, part.options)
        for part in document.parts
    ]


@settings(max_examples=200, deadline=None)
@given(chapters(), st.booleans())
@pytest.mark.slow
def test_round_trip_of_random_chapters(chapter: tuple, crlf: bool) -> None:
    text, expected, expressions = chapter
    if crlf:
        text = text.replace("\n", "\r\n")
        expected = [(part[0], part[1].replace("\n", "\r\n"), *part[2:]) for part in expected]
    document = parse(text, PATH)
    assert as_tuples(document) == expected
    assert render(document) == text
    assert parse(render(document)) == document
    found = [
        inline.expression
        for part in document.parts
        if isinstance(part, Markdown)
        for inline in inline_expressions(part.text, part.line)
    ]
    assert found == expressions
    # Line numbers: each part starts where the text before it ends.
    offset = len(document.front_matter_source)
    for part in document.parts:
        assert part.line == text.count("\n", 0, offset) + 1
        offset += len(part.text if isinstance(part, Markdown) else part.source)
    # Written afresh (no sources kept), a document still reads back as itself.
    fresh = Document(
        document.front_matter,
        tuple(
            dataclasses.replace(p, source="") if isinstance(p, Cell) else p for p in document.parts
        ),
    )
    assert parse(render(fresh)) == fresh
