"""The reproducibility notebook beside each edition's annex: valid, and it reproduces every number.

The notebook's code cells are run in this process, in the edition's folder, as Jupyter would run
them in order (no kernel: the tests need no Jupyter).
"""

from __future__ import annotations

import io
import os
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from hi_reports.edition import ActivitySpec, EditionRequest, build_edition


def run_notebook(folder: Path, data_dir: Path | None = None, activity_dir: Path | None = None) -> tuple[dict, str]:
    """Run the code cells of ``folder/reproduce.ipynb`` in ``folder``; return their names and output.

    The notebook holds no path: the data folder and the activity files' folder are given as a user
    gives them, in ``$HI_REPORTS_DATA`` and ``$HI_REPORTS_ACTIVITY_DIR``.
    """
    from .conftest import DATA_DIR

    book = nbformat.read(str(folder / "reproduce.ipynb"), as_version=4)
    nbformat.validate(book)
    namespace: dict = {}
    printed = io.StringIO()
    cwd = os.getcwd()
    saved = {k: os.environ.get(k) for k in ("HI_REPORTS_DATA", "HI_REPORTS_ACTIVITY_DIR")}
    os.environ["HI_REPORTS_DATA"] = str(data_dir or DATA_DIR)
    if activity_dir is not None:
        os.environ["HI_REPORTS_ACTIVITY_DIR"] = str(activity_dir)
    os.chdir(folder)
    try:
        with redirect_stdout(printed):
            for cell in book.cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, "reproduce.ipynb", "exec"), namespace)  # noqa: S102 - runs the notebook
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return namespace, printed.getvalue()


def test_the_notebook_reproduces_every_number_of_the_annex(edition) -> None:
    namespace, out = run_notebook(edition.folder)
    annex = pd.read_csv(edition.annex)
    assert f"{len(annex)} of {len(annex)} numbers of the annex reproduced" in out
    assert "NHS Birmingham and Solihull Integrated Care Board | vintage 2019" in out
    assert "1,358,012 residents in 773 LSOAs" in out  # test_kinds computes these from the raw files
    assert namespace["check"]["recomputed"].notna().all()


def test_the_notebook_fails_on_an_annex_that_was_changed(edition, tmp_path: Path) -> None:
    folder = tmp_path / "QHL"
    shutil.copytree(edition.folder, folder, ignore=shutil.ignore_patterns("html", "project", "*.pdf", "*.docx"))
    annex = pd.read_csv(folder / "annex.csv")
    row = annex.index[annex["key"] == "rural.rank"][0]
    annex.loc[row, "value"] += 1
    annex.to_csv(folder / "annex.csv", index=False)
    with pytest.raises(AssertionError, match="rural.rank"):
        run_notebook(folder)


@pytest.mark.parametrize(
    ("code", "kind", "activity"),
    [("RXK", "trust", ()), ("QHL", "icb", (ActivitySpec("Emergency admissions", demo=True),))],
)
def test_the_notebook_of_a_trust_and_of_an_edition_with_activity(
    code: str, kind: str, activity: tuple, data_dir: Path, tmp_path: Path
) -> None:
    built = build_edition(EditionRequest(code, tmp_path, kind=kind, formats=("html",), activity=activity),
                          data_dir=data_dir)
    source = (built.folder / "reproduce.ipynb").read_text(encoding="utf-8")
    assert ("demo" in source) == bool(activity)
    _, out = run_notebook(built.folder)
    rows = len(pd.read_csv(built.annex))
    assert f"{rows} of {rows} numbers of the annex reproduced" in out
