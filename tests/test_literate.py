"""Literate chapters: cells run in-process, outputs woven into Quarto markdown, and a user's own
chapter built into editions through the edition API (issue 15)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from hi_reports.cli.main import main
from hi_reports.errors import TemplateError
from hi_reports.literate.cells import parse
from hi_reports.literate.execute import (
    CellError,
    Figure,
    MarkdownText,
    Stream,
    Table,
    new_namespace,
    run_cell,
)
from hi_reports.literate.weave import Weaver, pipe_table

from .conftest import need_tool

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> list:
    document = parse(f"# T\n\n```{{python}}\n{code}\n```\n", "chapters/t.qmd")
    return run_cell(document.cells[0], new_namespace(), "chapters/t.qmd")


def test_outputs_are_captured_by_type_and_in_order() -> None:
    outputs = _run(
        "print('a')\nimport pandas as pd\ndisplay(pd.DataFrame({'x': [1]}))\nprint('b')\n'**md**'"
    )
    assert [type(o) for o in outputs] == [Stream, Table, Stream, MarkdownText]
    assert outputs[0].text == "a\n" and outputs[2].text == "b\n" and outputs[3].text == "**md**"
    assert _run("x = 1\nx + 1;") == []  # a trailing ";" hides the value, as in Jupyter
    assert _run("x = [1, 2]\nx") == [Stream("[1, 2]")]
    figures = _run("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2]);")
    assert (
        len(figures) == 1
        and isinstance(figures[0], Figure)
        and figures[0].png.startswith(b"\x89PNG")
    )
    plot = _run(
        "import pandas as pd\nfrom plotnine import ggplot, aes, geom_col\n"
        "ggplot(pd.DataFrame({'q': ['1', '2'], 'n': [3, 4]}), aes('q', 'n')) + geom_col()"
    )
    assert len(plot) == 1 and isinstance(plot[0], Figure)


def test_a_cell_that_raises_names_the_file_the_cell_and_the_line() -> None:
    text = "# T\n\n```{python}\n#| label: fig-x\nx = 1\ny = x / 0\n```\n"
    cell = parse(text, "chapters/t.qmd").cells[0]
    with pytest.raises(CellError) as raised:
        run_cell(cell, new_namespace(), "chapters/t.qmd")
    assert raised.value.message == (
        "chapters/t.qmd, cell 'fig-x', line 6: ZeroDivisionError: division by zero"
    )
    assert raised.value.line == 6
    with pytest.raises(CellError, match=r"chapters/t.qmd, cell at line 3, line 5: SyntaxError"):
        _run("x = 1\nx = = 2")
    with pytest.raises(CellError, match=r"line 4: NameError: name 'nope' is not defined"):
        _run("nope")
    with pytest.raises(CellError) as raised:
        _run("quintiles = [1, 2]\nlen(quintile)")
    assert raised.value.hint.startswith("did you mean 'quintiles'?")


def test_the_chapters_errors_are_its_own_and_a_bug_of_hi_reports_surfaces_as_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An error raised in the cell, in a library it calls, or in drawing the figure it made is the
    chapter's (file, cell and line); one raised by hi_reports' own code around the cell is not."""
    with pytest.raises(CellError, match=r"cell at line 3, line 5: TypeError: unsupported operand"):
        _run("x = 1\nx + 'a'")
    with pytest.raises(CellError, match=r"line 5: KeyError: 'nope'"):
        _run("import pandas as pd\npd.DataFrame({'x': [1]})['nope']")
    with pytest.raises(CellError, match=r"line 6: PlotnineError: .*nope"):  # fails when drawn
        _run(
            "import pandas as pd\nfrom plotnine import ggplot, aes, geom_col\n"
            "ggplot(pd.DataFrame({'q': ['1'], 'n': [3]}), aes('q', 'nope')) + geom_col()"
        )
    # a bug of ours in showing a value: to_output takes _repr_markdown_ to give text or a tuple
    with pytest.raises(IndexError):
        _run("class Empty:\n    def _repr_markdown_(self):\n        return ()\nEmpty()")

    def broken(value: object) -> None:
        raise TypeError("a bug of hi_reports")

    monkeypatch.setattr("hi_reports.literate.execute.to_output", broken)
    with pytest.raises(TypeError, match="a bug of hi_reports"):
        _run("1")
    monkeypatch.undo()

    def formatter(value: object) -> str:
        raise TypeError("a bug of the formatter")

    text = "# T\n\nThe answer: `{python} 6 * 7`.\n"
    with pytest.raises(TypeError, match="a bug of the formatter"):
        Weaver(tmp_path, inline=formatter).weave(parse(text, "chapters/t.qmd"))
    with pytest.raises(CellError, match=r"line 3, inline expression .*: TypeError: unsupported"):
        Weaver(tmp_path).weave(parse(text.replace("6 * 7", "6 + 'a'"), "chapters/t.qmd"))


def test_a_bare_number_as_a_cells_value_is_refused() -> None:
    """A float shown as a cell's value would reach the page with no entry in the annex (an inline
    expression refuses it too); a whole int, text and a hidden value are shown."""
    for code in ("0.514355543249986", "import numpy as np\nnp.float64(698501.0)"):
        with pytest.raises(CellError, match=r"the cell's value is a bare number") as raised:
            _run(code)
        assert "ed.pct" in raised.value.hint
    assert _run("3") == [Stream("3")] and _run("0.5;") == []


def test_an_id_is_given_once_in_the_book(tmp_path: Path) -> None:
    from hi_reports.book import BookSources, write_project

    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "templates").mkdir()
    (book / "_quarto.yml").write_text(
        "project: {type: book}\nbook:\n  title: T\n  chapters: [chapters/a.qmd, chapters/b.qmd]\n"
    )
    (book / "chapters" / "a.qmd").write_text("# A {#sec-a}\n\n```python\nprint('{#sec-a}')\n```\n")
    (book / "chapters" / "b.qmd").write_text("# B {#sec-b}\n\n## Again {#sec-a}\n")
    with pytest.raises(TemplateError, match=r"b\.qmd: the id #sec-a is also given in .*a\.qmd"):
        write_project(
            tmp_path / "p", title="T", subtitle="S", date="2026-01-01", sources=BookSources(book)
        )


def test_weave_writes_quarto_markdown_with_outputs_and_options(tmp_path: Path) -> None:
    text = """---
title: Local
---
# Local {#sec-local}

```{python}
#| tags: [parameters]
org = "default"
```

```{python}
#| include: false
hidden = "not shown"
print(hidden)
```

We are `{python} org`, with `{python} len(org)` letters.

```{python}
#| label: fig-bars
#| fig-cap: "Bars"
#| fig-alt: "Two bars, the second taller"
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.bar(["a", "b"], [1, 2]);
```

```{python}
#| label: tbl-t
#| tbl-cap: "A table"
#| echo: true
import pandas as pd
pd.DataFrame({"name": ["a|b"], "n": [3]})
```

```{python}
#| eval: false
raise SystemExit("never run")
```
"""
    woven = Weaver(tmp_path / "figures").weave(parse(text, "chapters/local.qmd"), {"org": "QHL"})
    assert woven.startswith("---\ntitle: Local\n---\n# Local {#sec-local}")
    assert "We are QHL, with 3 letters." in woven and "not shown" not in woven
    assert (
        '![Bars](figures/local-fig-bars.png){#fig-bars fig-alt="Two bars, the second taller"}'
        in woven
    )
    assert (tmp_path / "figures" / "local-fig-bars.png").read_bytes().startswith(b"\x89PNG")
    assert "```python\nimport pandas as pd\n" in woven  # echo: true
    assert "| name | n |\n|:--|--:|\n| a\\|b | 3 |\n: A table {#tbl-t}" in woven
    assert "never run" not in woven and "```{python}" not in woven and "#|" not in woven
    # no parameters cell: no parameters, as in Quarto; naming org says how to add the cell
    with pytest.raises(CellError) as raised:
        Weaver(tmp_path / "f2").weave(
            parse("# P\n\n```{python}\nx = org\n```\n", "p.qmd"), {"org": "QJM"}
        )
    assert (
        raised.value.message
        == "p.qmd, cell at line 3, line 4: NameError: name 'org' is not defined"
    )
    assert "parameters cell" in raised.value.hint


def test_the_injected_parameters_follow_a_shown_parameters_cell(tmp_path: Path) -> None:
    """An analyst reading a chapter's code sees the edition's parameters after the defaults, as
    Quarto shows them: the defaults alone would point a copy of the code at another organisation."""
    from hi_reports.literate.cells import parse
    from hi_reports.literate.weave import Weaver

    document = parse("```{python}\n#| tags: [parameters]\norg = 'QHL'\n```\n\nText.\n", "x.qmd")
    shown = Weaver(tmp_path, inline=str, echo=True).weave(document, {"org": "QJM", "kind": "icb"})
    assert "```python\norg = 'QHL'\n```" in shown
    assert "```python\n# Injected Parameters\norg = 'QJM'\nkind = 'icb'\n```" in shown
    assert shown.index("org = 'QHL'") < shown.index("# Injected Parameters")
    hidden = Weaver(tmp_path, inline=str, echo=False).weave(document, {"org": "QJM"})
    assert "Injected" not in hidden and "org = " not in hidden


def test_a_label_is_used_once_in_the_book(tmp_path: Path) -> None:
    weaver = Weaver(tmp_path)
    cell = "```{python}\n#| label: tbl-x\n1;\n```\n"
    weaver.weave(parse(f"# A\n\n{cell}", "chapters/a.qmd"))
    with pytest.raises(
        TemplateError,
        match=r"chapters/b.qmd, line 3: the label 'tbl-x' is also used in chapters/a.qmd",
    ):
        weaver.weave(parse(f"# B\n\n{cell}", "chapters/b.qmd"))


def test_pipe_table_of_numbers_and_missing_values() -> None:
    frame = pd.DataFrame({"a": ["x", None], "b": [1.5, float("nan")]})
    assert pipe_table(frame) == "| a | b |\n|:--|--:|\n| x | 1.5 |\n|  |  |"


# --- a user's chapter in a local book project, built for three ICBs in one batch ---------------

CHAPTER = """# Our own analysis {#sec-local}

```{python}
#| tags: [parameters]
org = "QHL"
```

```{python}
import hi_reports
from plotnine import aes, geom_col, ggplot, labs

ed = hi_reports.edition(org)
lsoas = ed.lsoas
by_quintile = lsoas.groupby("imd_quintile", as_index=False)["residents"].sum()
q1 = by_quintile.loc[by_quintile["imd_quintile"] == 1, "residents"].sum() / lsoas["residents"].sum()
```

In `{python} ed.org.name`, `{python} ed.pct(q1, key="local.q1", \
definition="Share of residents in national IMD quintile 1, from the chapter's own sum")` \
of residents live in the most deprived national quintile.

```{python}
#| label: fig-local-quintiles
#| fig-cap: "Residents by national IMD quintile"
#| fig-alt: "Bars of the residents of each national IMD quintile, 1 the most deprived."
by_quintile["quintile"] = by_quintile["imd_quintile"].astype(str)
ggplot(by_quintile, aes("quintile", "residents")) + geom_col() \
+ labs(x="National IMD quintile", y="Residents")
```

@fig-local-quintiles shows them, quintile by quintile.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("book")
    for name in ("_quarto.yml", "chapters", "templates"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, root / name)
    (root / "chapters" / "local.qmd").write_text(CHAPTER, encoding="utf-8")
    (root / "chapters" / "plain.qmd").write_text(
        "# Plain {#sec-plain}\n\nNo code here, only prose.\n", encoding="utf-8"
    )
    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    chapters = config["book"]["chapters"]
    chapters.insert(chapters.index("chapters/summary.qmd"), "chapters/local.qmd")
    chapters.insert(chapters.index("chapters/summary.qmd"), "chapters/plain.qmd")
    (root / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.slow
@pytest.mark.pdf
def test_a_users_chapter_prints_each_icbs_own_numbers(
    project: Path, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "editions"
    assert (
        main(
            [
                "build",
                "--kind",
                "icb",
                "--org",
                "QHL,QJM,QOP",
                "--book",
                str(project),
                "--data-dir",
                str(data_dir),
                "--out",
                str(out),
                "--format",
                "html,pdf",
                "--quiet",
            ]
        )
        == 0
    )
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    people = pd.read_csv(
        next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")),
        usecols=["lsoa11_code", "total_population"],
    )
    imd = pd.read_csv(next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")))
    imd = imd.set_axis(["lsoa11_code", "name", "lad", "lad_name", "rank", "decile"], axis=1)
    raw = lookup.merge(people, on="lsoa11_code").merge(
        imd[["lsoa11_code", "decile"]], on="lsoa11_code"
    )
    pdftotext = need_tool("pdftotext")
    for code in ("QHL", "QJM", "QOP"):
        mine = raw[raw["icb22_code_h"] == code]
        share = (
            mine.loc[mine["decile"] <= 2, "total_population"].sum() / mine["total_population"].sum()
        )
        name = mine["icb22_name"].iloc[0]
        annex = pd.read_csv(out / code / "annex.csv").set_index("key")
        assert annex.loc["local.q1", "chapter"] == "local"
        assert annex.loc["local.q1", "value"] == pytest.approx(share, rel=1e-12)
        assert annex.loc["local.q1", "printed"] == f"{share:.1%}"
        text = " ".join(
            subprocess.run(
                [pdftotext, str(out / code / f"{code}.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
        assert (
            f"In {name}, {share:.1%} of residents live in the most deprived national quintile."
            in text
        )
        caption = re.search(r"Figure (\d+\.\d+): Residents by national IMD quintile", text)
        assert caption, text
        assert f"Figure {caption[1]} shows them, quintile by quintile." in text  # the reference
        page = BeautifulSoup(
            (out / code / "html" / "local.html").read_text(encoding="utf-8"), "html.parser"
        )
        assert page.find("a", href="#fig-local-quintiles").get_text() == f"Figure {caption[1]}"
        image = page.find("img", alt=re.compile("^Bars of the residents"))
        assert image is not None and (out / code / "html" / image["src"]).is_file()
        plain = (out / code / "html" / "plain.html").read_text(
            encoding="utf-8"
        )  # a chapter with no code
        assert "No code here, only prose." in plain


@pytest.mark.slow
def test_a_cell_that_fails_for_one_organisation_stops_only_its_edition(
    project: Path, data_dir: Path, tmp_path: Path, capsys
) -> None:
    failing = project.parent / "failing"
    shutil.copytree(project, failing)
    chapter = failing / "chapters" / "local.qmd"
    chapter.write_text(
        CHAPTER.replace(
            "lsoas = ed.lsoas\n",
            'lsoas = ed.lsoas\nif org == "QJM":\n'
            '    raise ValueError("no local data for " + org)\n',
        ),
        encoding="utf-8",
    )
    out = tmp_path / "editions"
    assert (
        main(
            [
                "build",
                "--kind",
                "icb",
                "--org",
                "QHL,QJM",
                "--book",
                str(failing),
                "--data-dir",
                str(data_dir),
                "--out",
                str(out),
                "--format",
                "html",
                "--quiet",
            ]
        )
        == 1
    )
    captured = capsys.readouterr()
    assert "ValueError: no local data for QJM" in captured.out + captured.err
    assert re.search(r"local.qmd, cell at line 8, line 15: ValueError", captured.out + captured.err)
    assert (out / "QHL" / "html" / "local.html").is_file() and not (out / "QJM").exists()


def test_init_writes_a_project_and_refuses_a_folder_in_use(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path / "book")]) == 0
    book = tmp_path / "book"
    assert sorted(p.name for p in book.iterdir()) == ["_quarto.yml", "chapters", "templates"]
    config = yaml.safe_load((book / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["hi-reports"] == {
        "org": "QHL",
        "kind": "icb",
        "vintage": "2019",
        "formats": ["html", "pdf"],
    }
    assert config["book"]["chapters"][-2:] == ["chapters/local.qmd", "chapters/summary.qmd"]
    assert (
        parse((book / "chapters" / "local.qmd").read_text(encoding="utf-8")).parameters_cell()
        is not None
    )
    capsys.readouterr()
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path / "used")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an empty folder; nothing was written" in err
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    config["hi-reports"]["orgs"] = "QHL"
    (book / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert main(["build", "--book", str(book), "--out", str(tmp_path / "out")]) == 2
    assert "the `hi-reports:` section has unknown keys orgs" in capsys.readouterr().err


@pytest.mark.slow
def test_build_inside_a_project_uses_its_options_and_its_own_data(
    data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    book = tmp_path / "book"
    assert main(["init", str(book), "--org", "QJM"]) == 0
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    people = pd.read_csv(
        next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")),
        usecols=["lsoa11_code", "total_population"],
    )
    imd = pd.read_csv(next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")))
    imd = imd.set_axis(["lsoa11_code", "name", "lad", "lad_name", "rank", "decile"], axis=1)
    raw = lookup.merge(people, on="lsoa11_code").merge(
        imd[["lsoa11_code", "decile"]], on="lsoa11_code"
    )
    mine = raw[raw["icb22_code_h"] == "QJM"]
    q1 = mine[mine["decile"] <= 2]
    events = pd.DataFrame(
        {"lsoa_code": list(q1["lsoa11_code"].iloc[:10]) * 101}
    )  # 1,010 events in quintile 1
    events.to_csv(book / "chapters" / "local.csv", index=False)
    monkeypatch.chdir(book)
    assert main(["build", "--data-dir", str(data_dir), "--format", "html", "--quiet"]) == 0
    annex = pd.read_csv(book / "editions" / "QJM" / "annex.csv").set_index("key")
    expected = 1000 * 1010 / q1["total_population"].sum()  # 1,010 rounds to 1,010 (a multiple of 5)
    assert annex.loc["local.rate_q1", "value"] == pytest.approx(expected, rel=1e-12)
    page = (book / "editions" / "QJM" / "html" / "local.html").read_text(encoding="utf-8")
    assert "events in local.csv" in page and f"{expected:.1f} per 1,000" in page
    # the starter's cross-reference to its chart, numbered as the chart's caption
    number = re.search(r'class="caption-label">Figure (\d+\.\d+):</span> Events per 1,000', page)
    assert number, page
    assert re.search(rf'href="#fig-local-rates"[^>]*>Figure {re.escape(number[1])}</a> shows', page)
    # the edition's notebook reproduces the package's numbers and says which are the chapter's own
    from .test_notebook import run_notebook

    _, printed = run_notebook(book / "editions" / "QJM", data_dir)
    assert re.search(
        r"(\d+) of \1 numbers of the annex reproduced; 1 from chapters of your own \(local\)",
        printed,
    ), printed


@pytest.mark.slow
def test_the_analyst_edition_shows_code_and_boxes_with_the_same_numbers(
    project: Path, data_dir: Path, tmp_path: Path
) -> None:
    pages = {}
    for audience in ("board", "analyst"):
        out = tmp_path / audience
        assert (
            main(
                [
                    "build",
                    "--org",
                    "QHL",
                    "--book",
                    str(project),
                    "--data-dir",
                    str(data_dir),
                    "--out",
                    str(out),
                    "--format",
                    "html",
                    "--audience",
                    audience,
                    "--quiet",
                ]
            )
            == 0
        )
        pages[audience] = {
            p.stem: " ".join(
                BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text(" ").split()
            )
            for p in (out / "QHL" / "html").glob("*.html")
        }
        pages[audience]["annex"] = (out / "QHL" / "annex.csv").read_text(encoding="utf-8")
    assert pages["analyst"]["annex"] == pages["board"]["annex"]  # same cells, same numbers
    for chapter in ("intro", "imd", "rural", "plus", "summary"):
        assert "Do this with your own data" in pages["analyst"][chapter], chapter
        assert "Do this with your own data" not in pages["board"][chapter], chapter
    assert "ed = hi_reports.edition(org)" in pages["analyst"]["local"]
    assert "# Injected Parameters org = 'QHL'" in pages["analyst"]["local"]
    assert "hi_reports.edition" not in pages["board"]["local"]
    # the shipped chapters show the cells that compute, not those that write sentences
    code = {
        audience: {name: re.sub(r"\s", "", text) for name, text in chapters.items()}
        for audience, chapters in pages.items()
    }
    worked = 'residents_by_decile=lsoas.groupby("imd_decile")["residents"].sum()'
    assert worked in code["analyst"]["imd"] and worked not in code["board"]["imd"]
    assert "ed=hi_reports.edition(org,kind,vintage)" in code["analyst"]["rural"]
    for chapter in ("index", "intro", "imd", "rural", "plus", "summary", "methods"):
        assert (
            "print(" not in code["analyst"][chapter] and "{python}" not in code["analyst"][chapter]
        ), chapter
    assert "local edition for analysts" in pages["analyst"]["index"]
    assert "--audience analyst" in pages["analyst"]["methods"]


def _counting_chapter(name: str, counter: Path, extra: str = "") -> str:
    """A chapter that notes each run of its cells in ``counter`` (outside the book)."""
    return (
        f"# {name.title()} {{#sec-{name}}}\n\n"
        "```{python}\n#| tags: [parameters]\norg = 'QHL'\n```\n\n"
        f"```{{python}}\nimport hi_reports\ned = hi_reports.edition(org)\n"
        f"open({str(counter)!r}, 'a').write(org + ' ')\n{extra}```\n\n"
        f"`{{python}} ed.pct(ed.imd['core20']['share'])` of residents are in Core20.\n"
    )


@pytest.mark.slow
def test_a_batch_after_one_chapter_changed_runs_only_that_chapter(
    project: Path, data_dir: Path, tmp_path: Path
) -> None:
    book = tmp_path / "book"
    shutil.copytree(project, book)
    counters = {name: tmp_path / f"{name}.runs" for name in ("first", "second")}
    config = yaml.safe_load((book / "_quarto.yml").read_text(encoding="utf-8"))
    for name, counter in counters.items():
        (book / "chapters" / f"{name}.qmd").write_text(
            _counting_chapter(name, counter), encoding="utf-8"
        )
        config["book"]["chapters"].insert(-1, f"chapters/{name}.qmd")
    (book / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    out = tmp_path / "editions"
    command = [
        "build",
        "--kind",
        "icb",
        "--org",
        "QHL,QJM",
        "--book",
        str(book),
        "--data-dir",
        str(data_dir),
        "--out",
        str(out),
        "--format",
        "html",
        "--quiet",
    ]

    def runs() -> dict[str, list[str]]:
        return {
            name: sorted(c.read_text().split()) if c.exists() else []
            for name, c in counters.items()
        }

    assert main(command) == 0
    assert runs() == {"first": ["QHL", "QJM"], "second": ["QHL", "QJM"]}
    annex = (out / "QJM" / "annex.csv").read_text(encoding="utf-8")
    (book / "chapters" / "second.qmd").write_text(
        _counting_chapter("second", counters["second"], "x = 1\n"), encoding="utf-8"
    )
    assert main(command) == 0  # the book changed: both editions rebuilt, the first chapter kept
    assert runs() == {"first": ["QHL", "QJM"], "second": ["QHL", "QHL", "QJM", "QJM"]}
    assert (out / "QJM" / "annex.csv").read_text(encoding="utf-8") == annex
    assert "of residents are in Core20" in (out / "QJM" / "html" / "first.html").read_text(
        encoding="utf-8"
    )
    (book / "chapters" / "local.csv").write_text(
        "lsoa_code\n", encoding="utf-8"
    )  # a file beside them
    assert main(command) == 0
    assert runs() == {"first": ["QHL", "QHL", "QJM", "QJM"], "second": ["QHL"] * 3 + ["QJM"] * 3}
    (book / "data").mkdir()
    (book / "data" / "extra.csv").write_text("x\n7\n", encoding="utf-8")  # elsewhere in the project
    assert main(command) == 0
    assert runs() == {"first": ["QHL"] * 3 + ["QJM"] * 3, "second": ["QHL"] * 4 + ["QJM"] * 4}
    assert main(command) == 0  # nothing changed: nothing built
    assert runs() == {"first": ["QHL"] * 3 + ["QJM"] * 3, "second": ["QHL"] * 4 + ["QJM"] * 4}
    assert main([*command, "--force"]) == 0  # every edition and every chapter again
    assert runs() == {"first": ["QHL"] * 4 + ["QJM"] * 4, "second": ["QHL"] * 5 + ["QJM"] * 5}


def test_inline_errors_name_their_own_line_and_the_annex_keys_are_one_number_each(
    tmp_path: Path,
) -> None:
    from hi_reports.api import APIError, inline_text

    text = "# T\n\n```{python}\nx = 0.25\n```\n\nFirst line.\nThen `{python} x` here.\n"
    with pytest.raises(CellError) as raised:
        Weaver(tmp_path, inline=inline_text).weave(parse(text, "chapters/t.qmd"))
    assert raised.value.message == (
        "chapters/t.qmd, line 8, inline expression `{python} x`: a bare number "
        "0.25 in an inline expression"
    )
    assert "ed.pct" in raised.value.hint
    import numpy as np

    assert inline_text(np.int64(22006)) == "22006"
    with pytest.raises(APIError, match=re.escape("a bare number 0.5")):
        inline_text(np.float64(0.5))


def test_a_frozen_chapter_is_kept_under_the_key_of_what_it_read(tmp_path: Path) -> None:
    """The freeze: a chapter's result is stored whole and read back under a key of its file, its
    text, its parameters and the digest of the rest (the data, the package, the project's files:
    :func:`book_inputs`); a change to any of them is another key, and a damaged store is no
    result (a batch reusing them: the slow test above)."""
    from hi_reports.literate.freeze import Freezer, Frozen, freeze_key
    from hi_reports.pipeline import book_inputs

    chapter = tmp_path / "chapters" / "imd.qmd"
    chapter.parent.mkdir()
    chapter.write_text("# IMD\n", encoding="utf-8")
    key = freeze_key(chapter, "# IMD\n", {"org": "QZN"}, "digest")
    assert key == freeze_key(chapter, "# IMD\n", {"org": "QZN"}, "digest")
    others = {
        freeze_key(chapter, "# IMD!\n", {"org": "QZN"}, "digest"),
        freeze_key(chapter, "# IMD\n", {"org": "QZS"}, "digest"),
        freeze_key(chapter, "# IMD\n", {"org": "QZN"}, "another digest"),
        freeze_key(chapter.with_name("rural.qmd"), "# IMD\n", {"org": "QZN"}, "digest"),
    }
    assert len(others) == 4 and key not in others

    # what a chapter may read: any file of the project, but its chapters' text, its templates,
    # hidden and _-prefixed entries, virtual environments and the editions built into it
    for name in (
        "chapters/lookup.csv",
        "chapters/sub/x.csv",
        "data/extra.csv",
        "_quarto.yml",
        "templates/typst/board.typ",
        ".git/HEAD",
        "_freeze/x.json",
        "venv/pyvenv.cfg",
        "venv/lib/site.py",
        "editions/QZN/annex.csv",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    inputs = book_inputs(tmp_path, outputs=tmp_path / "editions")
    assert [path for path, _ in inputs] == [
        "chapters/lookup.csv",
        "chapters/sub/x.csv",
        "data/extra.csv",
    ]
    before = dict(inputs)
    (tmp_path / "data" / "extra.csv").write_text("changed", encoding="utf-8")
    after = dict(book_inputs(tmp_path, outputs=tmp_path / "editions"))
    assert {p for p in after if after[p] != before[p]} == {"data/extra.csv"}

    store = Freezer(tmp_path / "freeze")
    assert store.get(key) is None
    frozen = Frozen("Some **words**", {"fig.png": b"\x89PNG\r\n"}, [{"key": "imd.x", "value": 1.5}])
    store.put(key, frozen)
    assert store.get(key) == frozen
    (tmp_path / "freeze" / f"{key}.json").write_text("{not json", encoding="utf-8")
    assert store.get(key) is None
