"""The quarto engine, driven by a fake ``quarto`` program that records its arguments."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from hi_reports.errors import RenderError
from hi_reports.render import get_engine, render

FAKE_QUARTO = r'''#!{python}
"""A stand-in for `quarto render <project> --to <fmt>`: logs argv, writes plausible outputs."""
import json, os, sys
from pathlib import Path

log = Path(os.environ["FAKE_QUARTO_LOG"])
with log.open("a") as f:
    f.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd()}}) + "\n")
if os.environ.get("FAKE_QUARTO_FAIL"):
    print("Starting render...", file=sys.stderr)
    print("ERROR: compilation failed: unknown variable: board", file=sys.stderr)
    sys.exit(1)
project = Path(sys.argv[2])
book = project / os.environ.get("FAKE_QUARTO_OUTDIR", "_book")
book.mkdir(exist_ok=True)
fmt = sys.argv[sys.argv.index("--to") + 1]
if fmt == "html":
    for page in ("index", "intro", "imd"):
        (book / f"{{page}}.html").write_text(f"<html><body>{{page}}</body></html>")
    (book / "figures").mkdir(exist_ok=True)
    (book / "figures" / "imd_deciles.png").write_bytes(b"PNG")
    (book / "site_libs").mkdir(exist_ok=True)
    (book / "site_libs" / "quarto.js").write_text("//")
elif fmt == "typst":
    (book / "Health-Inequalities-Book.pdf").write_bytes(b"%PDF-1.7 fake")
elif fmt == "docx":
    (book / "Health-Inequalities-Book.docx").write_bytes(b"PK fake")
else:
    sys.exit(f"unknown format {{fmt}}")
'''


@pytest.fixture
def fake_quarto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Put a fake `quarto` first on the PATH; return its log file."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "quarto"
    exe.write_text(FAKE_QUARTO.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    log = tmp_path / "quarto-calls.jsonl"
    monkeypatch.setenv("PATH", str(bindir))
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return log


def _calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_quarto_engine_collects_outputs(fake_quarto: Path, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = render(project, out, formats=("html", "pdf", "docx"), engine="quarto", basename="QHL")
    calls = _calls(fake_quarto)
    from hi_reports.render.typst_child import font_folder

    assert [c["argv"] for c in calls] == [
        ["render", str(project), "--to", "html"],
        ["render", str(project), "--to", "typst", "--metadata", f"font-paths:{font_folder()}"],
        ["render", str(project), "--to", "docx"],
    ]
    assert (Path(font_folder()) / "DejaVuSans.ttf").is_file()
    assert all(Path(c["cwd"]) == project for c in calls)
    assert result.engine == "quarto"
    assert result.html_index == out / "html" / "index.html"
    assert (out / "html" / "imd.html").is_file()
    assert (out / "html" / "figures" / "imd_deciles.png").is_file()
    assert (out / "html" / "site_libs" / "quarto.js").is_file()
    assert result.pdf == out / "QHL.pdf" and result.pdf.read_bytes().startswith(b"%PDF")
    assert result.docx == out / "QHL.docx" and result.docx.is_file()
    assert not list((out / "html").glob("*.pdf"))


def test_quarto_engine_reads_output_dir(
    fake_quarto: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = (project / "_quarto.yml").read_text()
    (project / "_quarto.yml").write_text(config.replace("output-dir: _book", "output-dir: site"))
    monkeypatch.setenv("FAKE_QUARTO_OUTDIR", "site")
    result = render(project, tmp_path / "out", formats=("pdf",), engine="quarto")
    assert result.pdf == tmp_path / "out" / "edition.pdf" and result.pdf.is_file()


def test_failing_quarto_gives_render_error(
    fake_quarto: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(RenderError, match=r"quarto render --to typst failed") as info:
        get_engine("quarto").render(project, tmp_path / "out", formats=("pdf",))
    assert "unknown variable: board" in info.value.message
    assert "builtin" in info.value.hint


def test_quarto_missing_chapter_checked_first(
    fake_quarto: Path, project: Path, tmp_path: Path
) -> None:
    (project / "intro.qmd").unlink()
    with pytest.raises(RenderError, match=r"intro\.qmd"):
        render(project, tmp_path / "out", formats=("html",), engine="quarto")
    assert not fake_quarto.exists()  # quarto was never run
