"""The book stage: strict templates, errors with file and line, escaping of data strings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypandoc
import pytest

from hi_reports.book import Annex, BookSources, escape_markdown, make_environment
from hi_reports.book.environment import render_chapter
from hi_reports.build import EditionRequest, build_edition
from hi_reports.errors import TemplateError
from hi_reports.indicators import Measure

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


def test_undefined_value_names_chapter_file_and_line(book: Path, tmp_path: Path, data_dir: Path) -> None:
    _insert(book / "chapters" / "imd.qmd", 7, "Residents: {{ imd.no_such_value | num }}.")
    out = tmp_path / "editions"
    with pytest.raises(TemplateError) as caught:
        build_edition(EditionRequest(org="QHL", out=out, book=book, formats=("html",)), data_dir=data_dir)
    error = caught.value
    assert error.path.endswith("chapters/imd.qmd")
    assert error.line == 7
    assert "imd.qmd, line 7" in str(error) and "no_such_value" in str(error)
    assert not out.exists(), "a failed build must write nothing under --out"


def test_syntax_error_names_file_and_line(book: Path, tmp_path: Path, data_dir: Path) -> None:
    _insert(book / "chapters" / "rural.qmd", 3, "{% if %}")
    with pytest.raises(TemplateError, match=r"rural\.qmd, line 3"):
        build_edition(EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)), data_dir=data_dir)


def test_missing_chapter_listed_in_quarto_yml(book: Path, tmp_path: Path, data_dir: Path) -> None:
    (book / "chapters" / "rural.qmd").unlink()
    with pytest.raises(TemplateError, match=r"chapter chapters/rural\.qmd is listed but .* does not exist"):
        build_edition(EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)), data_dir=data_dir)


def _render(tmp_path: Path, source: str, context: dict) -> tuple[str, Annex]:
    (tmp_path / "t.qmd").write_text(source)
    annex = Annex(chapter="t")
    env = make_environment([tmp_path], annex)
    return render_chapter(env, "t.qmd", context, tmp_path / "t.qmd"), annex


def test_data_strings_cannot_inject_markup(tmp_path: Path) -> None:
    name = 'Evil <script>alert(1)</script> *bold* [link](http://x) <img src=x onerror="y">'
    text, _ = _render(tmp_path, "Name: {{ name }}\n", {"name": name})
    html = pypandoc.convert_text(text, "html", format="markdown")
    assert "<script>" not in html and "<img" not in html and "<em>" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert escape_markdown("a_b") == "a\\_b"


def test_numbers_only_through_filters_and_recorded(tmp_path: Path) -> None:
    share = Measure("x.share", 0.31234, "share", "Share of residents in X", "A source")
    count = Measure("x.count", 412345.4, "count", "Residents in X", "A source")
    rank = Measure("x.rank", 4.0, "rank", "Rank", "A source", of=42)
    text, annex = _render(tmp_path, "{{ s | pct }} {{ c | num }} {{ r | rank }}\n", {"s": share, "c": count, "r": rank})
    assert text == "31.2% 412,345 4th of 42\n"
    assert [row["printed"] for row in annex.rows.values()] == ["31.2%", "412,345", "4th of 42"]
    with pytest.raises(TemplateError, match=r"t\.qmd, line 1: .*bare number"):
        _render(tmp_path, "{{ x }}\n", {"x": 0.5})
    with pytest.raises(TemplateError, match=r"print x\.share through a filter"):
        _render(tmp_path, "{{ s }}\n", {"s": share})
    with pytest.raises(TemplateError, match=r"'pct' filter formats a Measure"):
        _render(tmp_path, "{{ 3 | pct }}\n", {})


def test_quarto_attributes_are_not_jinja_comments(tmp_path: Path) -> None:
    text, _ = _render(tmp_path, "# Title {#sec-x}\n\n![A](b.png){#fig-y}\n", {})
    assert text == "# Title {#sec-x}\n\n![A](b.png){#fig-y}\n"


@pytest.mark.slow
def test_quarto_parts_in_book_chapters(book: Path, tmp_path: Path, data_dir: Path) -> None:
    """Quarto's parts (`- part: TITLE` or `- part: FILE` with `chapters:`) build as Quarto reads
    them: every chapter rendered in order, the parts kept in the project's _quarto.yml."""
    import yaml
    from bs4 import BeautifulSoup

    config = yaml.safe_load((book / "_quarto.yml").read_text())
    (book / "chapters" / "places.qmd").write_text("# Places {#sec-places}\n\nTwo ways to look at places.\n")
    config["book"]["chapters"] = [
        "chapters/index.qmd",
        {"part": "Who lives here", "chapters": ["chapters/intro.qmd", "chapters/imd.qmd"]},
        {"part": "chapters/places.qmd", "chapters": ["chapters/rural.qmd"]},
        "chapters/summary.qmd",
    ]
    (book / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    edition = build_edition(
        EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html", "pdf")), data_dir=data_dir
    )
    project = yaml.safe_load((edition.project / "_quarto.yml").read_text())
    assert project["book"]["chapters"] == [
        "index.qmd",
        {"part": "Who lives here", "chapters": ["intro.qmd", "imd.qmd"]},
        {"part": "places.qmd", "chapters": ["rural.qmd"]},
        "summary.qmd",
    ]
    for name in ("index", "intro", "imd", "places", "rural", "summary", "methods"):
        assert (edition.project / f"{name}.qmd").is_file(), name
    html = edition.folder / "html"
    places = BeautifulSoup((html / "places.html").read_text(encoding="utf-8"), "html.parser")
    assert "Two ways to look at places." in places.get_text()
    assert edition.outputs["pdf"].stat().st_size > 0


def test_a_book_entry_that_is_neither_file_nor_part(book: Path, tmp_path: Path, data_dir: Path) -> None:
    import yaml

    config = yaml.safe_load((book / "_quarto.yml").read_text())
    config["book"]["chapters"].append({"title": "oops"})
    (book / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    with pytest.raises(TemplateError, match=r"book\.chapters has an entry that is neither a chapter file nor a part"):
        build_edition(EditionRequest(org="QHL", out=tmp_path / "e", book=book, formats=("html",)), data_dir=data_dir)
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
def test_every_heading_starts_a_block(edition, data_dir: Path, tmp_path: Path) -> None:
    """In the rendered chapters of an ICB (the shared edition), a trust and England, every heading
    follows a blank line, whatever the templates' conditions printed before it."""
    assert _headings_run_on(edition.project) == []
    for code in ("RXK", "england"):
        built = build_edition(EditionRequest(org=code, out=tmp_path, formats=("html",)), data_dir=data_dir)
        assert _headings_run_on(built.project) == [], code
    from bs4 import BeautifulSoup

    page = BeautifulSoup((edition.folder / "html" / "intro.html").read_text(encoding="utf-8"), "html.parser")
    assert "## Where" not in page.get_text()
    assert [h.get_text(" ", strip=True) for h in page.find_all("h2")][-1] == "1.3 Where the numbers come from"
