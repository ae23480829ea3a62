"""The book stage: chapters with errors named by file and line, escaping of data strings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypandoc
import pytest

from hi_reports.api import Edition, inline_text, md
from hi_reports.book import BookSources, write_project
from hi_reports.errors import TemplateError
from hi_reports.formatting import escape_markdown, join_words
from hi_reports.pipeline import EditionRequest, build_edition

SHIPPED = BookSources()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the shipped book sources, to break."""
    root = tmp_path / "book"
    root.mkdir()
    shutil.copy(SHIPPED.config, root / "_quarto.yml")
    shutil.copytree(SHIPPED.chapters, root / "chapters")
    shutil.copytree(SHIPPED.templates, root / "templates")
    return root


def _insert(path: Path, line: int, text: str) -> None:
    lines = path.read_text().splitlines()
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_undefined_value_names_chapter_file_and_line(
    book: Path, tmp_path: Path, data_dir: Path
) -> None:
    chapter = book / "chapters" / "imd.qmd"
    line = len(chapter.read_text().splitlines()) + 2
    chapter.write_text(
        chapter.read_text() + "\nResidents: `{python} ed.num(ed.imd.no_such_value)`.\n"
    )
    out = tmp_path / "editions"
    with pytest.raises(TemplateError) as caught:
        build_edition(
            EditionRequest(org="QHL", out=out, book=book, formats=("html",)), data_dir=data_dir
        )
    error = caught.value
    assert error.path.endswith("chapters/imd.qmd")
    assert error.line == line
    assert f"imd.qmd, line {line}" in str(error) and "no figure 'no_such_value'" in str(error)
    assert not out.exists(), "a failed build must write nothing under --out"


@pytest.mark.slow
def test_jinja_in_a_chapter_names_file_and_line(book: Path, tmp_path: Path, data_dir: Path) -> None:
    _insert(book / "chapters" / "rural.qmd", 3, "{% if org.kind == 'icb' %}An ICB.{% endif %}")
    with pytest.raises(TemplateError, match=r"rural\.qmd, line 3: Jinja2 syntax \(\{%\)") as caught:
        build_edition(
            EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)),
            data_dir=data_dir,
        )
    assert "Write a chapter" in caught.value.hint


@pytest.mark.slow
def test_a_syntax_error_in_a_cell_names_file_and_line(
    book: Path, tmp_path: Path, data_dir: Path
) -> None:
    _insert(
        book / "chapters" / "summary.qmd",
        3,
        "```{python}\n#| label: broken\nif True print(1)\n```\n",
    )
    with pytest.raises(TemplateError, match=r"summary\.qmd, .*broken.*SyntaxError"):
        build_edition(
            EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)),
            data_dir=data_dir,
        )


@pytest.mark.slow
def test_missing_chapter_listed_in_quarto_yml(book: Path, tmp_path: Path, data_dir: Path) -> None:
    (book / "chapters" / "rural.qmd").unlink()
    with pytest.raises(
        TemplateError, match=r"chapter chapters/rural\.qmd is listed but .* does not exist"
    ):
        build_edition(
            EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)),
            data_dir=data_dir,
        )


def test_data_strings_cannot_inject_markup() -> None:
    name = 'Evil <script>alert(1)</script> *bold* [link](http://x) <img src=x onerror="y">'
    for text in (inline_text(name), md(name), Edition.words([name, "B"])):
        html = pypandoc.convert_text(f"Name: {text}", "html", format="markdown")
        assert (
            "<script>" not in html
            and "<img" not in html
            and "<em>" not in html
            and "<a " not in html
        )
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert escape_markdown("a_b") == "a\\_b"


def test_names_with_commas_of_their_own_are_listed_with_semicolons() -> None:
    assert join_words(["Liverpool", "Burnley"]) == "Liverpool and Burnley"
    assert join_words(["Leeds", "Liverpool", "Burnley"]) == "Leeds, Liverpool and Burnley"
    assert (
        join_words(["Kingston upon Hull, City of", "Liverpool", "Burnley"])
        == "Kingston upon Hull, City of; Liverpool; and Burnley"
    )


def test_plain_markdown_chapters_and_quarto_shortcodes_are_kept(book: Path, tmp_path: Path) -> None:
    chapter = "# Title {#sec-x}\n\n![A](b.png){#fig-y}\n\n{{< pagebreak >}}\n"
    (book / "chapters" / "index.qmd").write_text(chapter)
    config = book / "_quarto.yml"
    config.write_text(config.read_text().replace("    - chapters/intro.qmd\n", ""))
    for name in ("imd", "rural", "plus", "summary", "methods"):
        config.write_text(config.read_text().replace(f"    - chapters/{name}.qmd\n", ""))
    annex = write_project(
        tmp_path / "p", title="T", subtitle="S", date="2026-01-01", sources=BookSources(book)
    )
    assert (tmp_path / "p" / "index.qmd").read_text() == chapter and annex.empty


@pytest.mark.slow
def test_quarto_parts_in_book_chapters(book: Path, tmp_path: Path, data_dir: Path) -> None:
    """Quarto's parts (`- part: TITLE` or `- part: FILE` with `chapters:`) build as Quarto reads
    them: every chapter rendered in order, the parts kept in the project's _quarto.yml."""
    import yaml
    from bs4 import BeautifulSoup

    config = yaml.safe_load((book / "_quarto.yml").read_text())
    (book / "chapters" / "places.qmd").write_text(
        "# Places {#sec-places}\n\nTwo ways to look at places.\n"
    )
    config["book"]["chapters"] = [
        "chapters/index.qmd",
        {"part": "Who lives here", "chapters": ["chapters/intro.qmd", "chapters/imd.qmd"]},
        {"part": "chapters/places.qmd", "chapters": ["chapters/rural.qmd", "chapters/plus.qmd"]},
        "chapters/summary.qmd",
    ]
    (book / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    edition = build_edition(
        EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html", "pdf")),
        data_dir=data_dir,
    )
    project = yaml.safe_load((edition.project / "_quarto.yml").read_text())
    assert project["book"]["chapters"] == [
        "index.qmd",
        {"part": "Who lives here", "chapters": ["intro.qmd", "imd.qmd"]},
        {"part": "places.qmd", "chapters": ["rural.qmd", "plus.qmd"]},
        "summary.qmd",
    ]
    for name in ("index", "intro", "imd", "places", "rural", "plus", "summary", "methods"):
        assert (edition.project / f"{name}.qmd").is_file(), name
    html = edition.folder / "html"
    places = BeautifulSoup((html / "places.html").read_text(encoding="utf-8"), "html.parser")
    assert "Two ways to look at places." in places.get_text()
    assert edition.outputs["pdf"].stat().st_size > 0


@pytest.mark.slow
def test_a_book_entry_that_is_neither_file_nor_part(
    book: Path, tmp_path: Path, data_dir: Path
) -> None:
    import yaml

    config = yaml.safe_load((book / "_quarto.yml").read_text())
    config["book"]["chapters"].append({"title": "oops"})
    (book / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    with pytest.raises(
        TemplateError,
        match=r"book\.chapters has an entry that is neither a chapter file nor a part",
    ):
        build_edition(
            EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)),
            data_dir=data_dir,
        )
    assert not (tmp_path / "e").exists()


def _headings_run_on(project: Path) -> list[str]:
    """Markdown headings and figures (outside code) not preceded by a blank line or a callout's
    opening: pandoc prints such a heading as literal text ("## Where the numbers come from" on
    page 3) and such a figure as an image inside the paragraph, without its caption."""
    import re

    found = []
    for path in sorted(project.glob("*.qmd")):
        lines, fenced = path.read_text(encoding="utf-8").splitlines(), False
        for i, line in enumerate(lines):
            fenced = fenced != line.startswith("```")
            before = lines[i - 1].strip() if i else ""
            block = re.match(r"#{1,6} ", line) or line.startswith("![")  # a heading or a figure
            if not fenced and block and before and not before.startswith(":::"):
                found.append(f"{path.name}:{i + 1}: {before[-40:]!r} then {line!r}")
    return found


@pytest.mark.slow
def test_every_heading_starts_a_block(edition, reference, tmp_path: Path) -> None:
    """In the rendered chapters of an ICB (the shared edition), a trust and England, every heading
    follows a blank line, whatever the templates' conditions printed before it."""
    assert _headings_run_on(edition.project) == []
    for code in ("RXK", "england"):
        built = build_edition(
            EditionRequest(org=code, out=tmp_path, formats=("html",)), reference=reference
        )
        assert _headings_run_on(built.project) == [], code
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        (edition.folder / "html" / "intro.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert "## Where" not in page.get_text()
    assert [h.get_text(" ", strip=True) for h in page.find_all("h2")][
        -1
    ] == "1.3 Where the numbers come from"
