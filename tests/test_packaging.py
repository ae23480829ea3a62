"""The wheel ships the book sources, so a non-editable install can build editions."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from hi_reports.book.project import BookSources

PROJECT = Path(__file__).resolve().parents[1]


def test_wheel_ships_every_book_source(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(PROJECT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next(tmp_path.glob("hi_reports-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = {
            name.split("/data/share/hi-reports/", 1)[1]
            for name in archive.namelist()
            if "/data/share/hi-reports/" in name
        }
    sources = BookSources()
    expected = {"_quarto.yml"}
    for folder in (sources.chapters, sources.templates):
        expected |= {
            p.relative_to(sources.root).as_posix() for p in folder.rglob("*") if p.is_file()
        }
    assert names == expected
