"""The wheel ships the book sources as package data, so a non-editable install can build
editions, and hi_reports finds them beside its own package (hi_reports/shipped.py), never through
sys.prefix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hi_reports.book.project import BookSources
from hi_reports.errors import TemplateError
from hi_reports.shipped import PACKAGE_DATA, book_folder

PROJECT = Path(__file__).resolve().parents[1]


def _book(folder: Path) -> Path:
    (folder / "chapters").mkdir(parents=True)
    (folder / "_quarto.yml").write_text("book: {chapters: []}\n", encoding="utf-8")
    return folder


def test_an_installed_package_reads_its_package_data(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "hi_reports"
    _book(package / PACKAGE_DATA)
    _book(tmp_path / "site-packages")  # whatever is beside the package is not the book
    assert book_folder(package) == package / PACKAGE_DATA


def test_a_checkout_reads_the_top_of_the_repository(tmp_path: Path) -> None:
    package = tmp_path / "clone" / "hi_reports"
    package.mkdir(parents=True)
    _book(tmp_path / "clone")
    assert book_folder(package) == tmp_path / "clone"


def test_without_book_sources_the_book_stage_says_where_they_should_be(tmp_path: Path) -> None:
    package = tmp_path / "hi_reports"
    package.mkdir()
    root = book_folder(package)
    assert root == package / PACKAGE_DATA
    with pytest.raises(TemplateError, match=rf"book sources incomplete: {root}"):
        BookSources(root).check()


def test_this_checkout_reads_its_own_files() -> None:
    assert book_folder() == PROJECT == BookSources().root


@pytest.mark.slow
def test_the_wheel_ships_every_book_source_and_reads_it_installed(tmp_path: Path) -> None:
    """Build the wheel, install it into a folder of its own and read the book sources from there,
    as a `pip install .` (not editable) would."""
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w"), str(PROJECT)],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next((tmp_path / "w").glob("hi_reports-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    sources = BookSources(PROJECT)
    expected = {"_quarto.yml"}
    for folder in (sources.chapters, sources.templates):
        expected |= {
            p.relative_to(PROJECT).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
    data = f"hi_reports/{PACKAGE_DATA}/"
    assert {n.removeprefix(data) for n in names if n.startswith(data)} == expected
    modules = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "hi_reports").rglob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
    assert not [n for n in names if "share/hi-reports" in n]

    target = tmp_path / "installed"
    subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    script = (
        "import json, hi_reports\n"
        "from hi_reports.book.project import BookSources\n"
        "from hi_reports.render._docx import shipped_reference\n"
        "s = BookSources()\n"
        "s.check()\n"
        "print(json.dumps([hi_reports.__file__, str(s.root), str(shipped_reference())]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        check=True,
        capture_output=True,
        text=True,
    )
    module, root, reference = json.loads(proc.stdout)
    assert Path(module).is_relative_to(target)
    assert Path(root) == target / "hi_reports" / PACKAGE_DATA
    assert Path(reference) == Path(root) / "templates" / "word" / "reference.docx"
    for name in sorted(expected):
        assert (Path(root) / name).read_bytes() == (PROJECT / name).read_bytes(), name
