"""The builtin engine's Word document."""

from __future__ import annotations

import zipfile


def test_docx_has_chapters_and_toc(rendered) -> None:
    assert rendered.docx.name == "edition.docx"
    with zipfile.ZipFile(rendered.docx) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
    assert "unfair and avoidable differences in health" in xml
    assert "Health Inequalities Book" in xml
    assert "TOC \\o" in xml  # the table-of-contents field
    assert "312,400" in xml
    assert media, "the figure is embedded"
