"""Disclosure control that holds: the tests play a reader who calculates.

A 28-row activity file (one row per emergency admission) of Birmingham and Solihull ICB (QHL):
3 admissions in one national IMD quintile 1 LSOA, 2 in one rural LSOA, 12 in another QHL LSOA,
9 in an LSOA of another ICB, and 2 Welsh rows. Every published output (annex, HTML, PDF, Word,
the Quarto project, the notebook, the maps and their alt text) is attacked with what a reader
has: the published figures and the public LSOA populations. No attack gives back a true count
that the rule suppresses or rounds. With ``unsafe_counts`` the true figures are printed, and every
page and file says so.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hi_reports.indicators.disclosure import SAFE, UNSAFE, UNSAFE_MARK, coarse_breaks
from hi_reports.pipeline import ActivitySpec, EditionRequest, build_edition

from .conftest import need_tool
from .test_notebook import run_notebook

KEY = "activity.emergency_admissions"


@pytest.fixture(scope="module")
def small_file(reference, tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The 28-row file and the true events by LSOA (with the LSOAs' attributes)."""
    lsoas = reference.lsoas
    qhl = lsoas[lsoas["icb_ods"] == "QHL"].sort_index()
    q1 = qhl[(qhl["imd_quintile"] == 1) & (qhl["urban_rural"] == "Urban")].index[0]
    rural = qhl[(qhl["urban_rural"] == "Rural") & (qhl["imd_quintile"] == 5)].index[0]
    other = qhl[(qhl["imd_quintile"] == 3) & (qhl["urban_rural"] == "Urban")].index[0]
    away = lsoas[lsoas["icb_ods"] != "QHL"].sort_index().index[0]
    events = {q1: 3, rural: 2, other: 12, away: 9, "W01000001": 2}
    rows = [(code, 20 + 7 * i % 60) for code, n in events.items() for i in range(n)]
    frame = pd.DataFrame(rows, columns=["lsoa_code", "age"])
    assert len(frame) == 28
    folder = tmp_path_factory.mktemp("patient_extract")
    path = folder / "admissions_extract.csv"
    frame.to_csv(path, index=False)
    truth = pd.Series({k: v for k, v in events.items() if k.startswith("E")}, name="events")
    return path, lsoas.loc[truth.index].assign(events=truth)


def _build(reference, tmp_path_factory, path: Path, unsafe: bool):
    out = tmp_path_factory.mktemp("unsafe" if unsafe else "safe")
    request = EditionRequest(
        "QHL",
        out,
        kind="icb",
        formats=("html", "pdf", "docx"),
        engine="builtin",
        activity=(ActivitySpec("Emergency admissions", path),),
        unsafe_counts=unsafe,
    )
    return build_edition(request, reference=reference)


@pytest.fixture(scope="module")
def safe(reference, small_file, tmp_path_factory):
    return _build(reference, tmp_path_factory, small_file[0], unsafe=False)


@pytest.fixture(scope="module")
def unsafe(reference, small_file, tmp_path_factory):
    return _build(reference, tmp_path_factory, small_file[0], unsafe=True)


def _annex(edition) -> pd.Series:
    annex = pd.read_csv(edition.annex).drop_duplicates("key").set_index("key")
    return annex["value"]


def _true_groups(truth: pd.DataFrame) -> dict[str, float]:
    """The true local events by group, as the annex keys name them, computed with plain pandas."""
    local = truth[truth["icb_ods"] == "QHL"]
    out = {f"{KEY}.all.all": float(local["events"].sum())}
    for column, dimension in (
        ("imd_quintile", "imd_quintile"),
        ("urban_rural", "urban_rural"),
        ("ruc_code", "ruc_code"),
    ):
        for group, n in local.groupby(local[column].astype(str))["events"].sum().items():
            out[f"{KEY}.{dimension}.{str(group).lower()}"] = float(n)
    return out


def _texts(edition) -> dict[str, str]:
    """Every file of the edition as text: PDF through pdftotext, Word through its XML."""
    texts = {}
    for path in sorted(p for p in edition.folder.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            texts[str(path)] = subprocess.run(
                [need_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                texts[str(path)] = " ".join(
                    docx.read(n).decode("utf-8", "replace")
                    for n in docx.namelist()
                    if n.endswith(".xml")
                )
        elif path.suffix in (".png", ".jpg", ".parquet"):
            texts[str(path)] = path.read_bytes().decode("latin-1")
        else:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def test_the_rule() -> None:
    counts = np.array([0, 0.4, 0.6, 1, 3, 7, 7.4, 7.6, 8, 12, 12.5, 13, 17, 26, 28])
    published = SAFE.publish(counts)
    assert np.array_equal(
        published,
        [0, 0, np.nan, np.nan, np.nan, np.nan, np.nan, 10, 10, 10, 15, 15, 15, 25, 30],
        equal_nan=True,
    )
    assert (
        np.array_equal(UNSAFE.publish(counts), counts)
        and not UNSAFE.safe
        and UNSAFE.mark == UNSAFE_MARK
    )
    assert coarse_breaks([0.0, 1.234, 2.71, 6.667]) == [
        0.0,
        1.0,
        2.5,
        7.0,
    ]  # steps of 0.5: half the narrowest class


@pytest.mark.slow
def test_rate_times_person_years_gives_no_true_count(safe, small_file) -> None:
    annex = _annex(safe)
    truth = _true_groups(small_file[1])
    tried = 0
    for group, true in truth.items():
        if f"{group}.crude" in annex.index and np.isfinite(annex[f"{group}.crude"]):
            back = annex[f"{group}.crude"] * annex[f"{group}.population"] / 1000
            assert back == pytest.approx(annex[f"{group}.events"], abs=0.01)  # the published count
            assert true % 5 == 0 or abs(back - true) > 0.4, group
            tried += 1
        if 1 <= true <= 7:  # suppressed: no count, rate, limit or standardised rate published
            shown = annex[
                [k for k in annex.index if k.startswith(f"{group}.") and k != f"{group}.population"]
            ]
            assert shown.isna().all(), shown
    assert tried >= 3
    assert truth[f"{KEY}.imd_quintile.1"] == 3 and truth[f"{KEY}.urban_rural.rural"] == 2


@pytest.mark.slow
def test_subtraction_of_group_totals_gives_no_suppressed_count(safe, small_file) -> None:
    annex = _annex(safe)
    total = annex[f"{KEY}.all.all.events"]
    for dimension, groups in (("imd_quintile", "12345"), ("urban_rural", ("urban", "rural"))):
        published = [annex.get(f"{KEY}.{dimension}.{g}.events", np.nan) for g in groups]
        rest = total - np.nansum(published)
        assert rest not in (3, 2), dimension
    # the quality table and the outside count: used minus outside is not the local total (17)
    used, outside = annex[f"{KEY}.quality.events_used"], annex[f"{KEY}.outside"]
    assert used - outside != 17 and (used, outside, total) == (25, 10, 15)
    read = annex[f"{KEY}.quality.events_read"]
    assert read - used != 2  # the Welsh events
    assert not any(
        "excluded" in k for k in annex.index if k.endswith(".events")
    )  # 2 Welsh: suppressed
    # no published count of the activity is a true count the rule hides
    counts = annex[[k for k in annex.index if k.startswith(KEY) and not k.endswith("population")]]
    assert not counts.isin([2, 3, 9, 12, 17, 26, 28]).any(), counts[
        counts.isin([2, 3, 9, 12, 17, 26, 28])
    ]


@pytest.mark.slow
def test_map_class_limits_give_no_lsoa_count(safe, small_file, reference) -> None:
    truth = small_file[1]
    imd = (safe.project / "imd.qmd").read_text(encoding="utf-8")
    alt = re.search(
        r'!\[[^\]]*\]\(figures/map_activity_emergency_admissions\.png\)\{[^}]*fig-alt="([^"]*)"',
        imd,
    )
    assert alt, "no activity map"
    pairs = re.findall(r"(\d+(?:\.\d+)?) to (?:under )?(\d+(?:\.\d+)?)", alt.group(1))
    limits = {float(v) for pair in pairs for v in pair}
    limits.add(float(_annex(safe)["maps.activity.emergency_admissions.top_class"]))
    assert limits
    people = truth["population"].to_numpy(dtype=float)
    exact = truth["events"].to_numpy() / people * 1000
    for limit in limits:
        assert not np.isclose(limit, exact, rtol=1e-9).any(), limit
        back = limit * people / 1000
        assert not np.isclose(back, truth["events"].to_numpy(), atol=0.01).any(), limit


@pytest.mark.slow
def test_no_output_holds_a_path(safe, small_file, data_dir) -> None:
    path = small_file[0]
    secrets = {
        str(path.parent),
        str(path.parent.resolve()),
        str(Path(data_dir).resolve()),
        str(data_dir),
    }
    texts = _texts(safe)
    assert any(p.endswith("reproduce.ipynb") for p in texts) and any(
        "/project/" in p for p in texts
    )
    assert any(p.endswith(".pdf") for p in texts) and any(p.endswith(".docx") for p in texts)
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
    notebook = texts[str(safe.folder / "reproduce.ipynb")]
    assert "admissions_extract.csv" in notebook and "HI_REPORTS_DATA" in notebook


@pytest.mark.slow
def test_the_notebook_reproduces_the_published_figures(safe, small_file) -> None:
    _, out = run_notebook(safe.folder, activity_dir=small_file[0].parent)
    rows = len(pd.read_csv(safe.annex))
    assert f"{rows} of {rows} numbers of the annex reproduced" in out


@pytest.mark.slow
def test_the_methods_state_the_rule(safe) -> None:
    methods = re.sub(r"\s+", " ", (safe.project / "methods.qmd").read_text(encoding="utf-8"))
    assert "NHS England applies to its own Hospital Episode Statistics outputs" in methods
    assert "HES Analysis Guide" in methods and "Office for National Statistics" in methods
    assert "statistical practice requires" not in methods
    assert UNSAFE_MARK not in " ".join(_texts(safe).values())


@pytest.mark.slow
def test_unsafe_counts_print_the_true_figures_marked_everywhere(unsafe, small_file) -> None:
    annex = pd.read_csv(unsafe.annex)
    assert (annex["marking"] == UNSAFE_MARK).all()
    values = annex.drop_duplicates("key").set_index("key")["value"]
    assert (
        values[f"{KEY}.imd_quintile.1.events"] == 3
        and values[f"{KEY}.urban_rural.rural.events"] == 2
    )
    assert values[f"{KEY}.all.all.events"] == 17 and values[f"{KEY}.outside"] == 9
    assert values[f"{KEY}.quality.events_read"] == 28
    assert values[f"{KEY}.quality.excluded.lsoa_outside_england.events"] == 2
    # every page of the PDF, every HTML page, the Word document and the notebook carry the mark
    pdf = subprocess.run(
        [need_tool("pdftotext"), str(unsafe.outputs["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = [p for p in pdf.split("\f") if p.strip()]
    assert len(pages) > 5 and all(UNSAFE_MARK in re.sub(r"\s+", " ", p) for p in pages)
    html = list((unsafe.folder / "html").glob("*.html"))
    assert html and all(UNSAFE_MARK in p.read_text(encoding="utf-8") for p in html)
    texts = _texts(unsafe)
    assert UNSAFE_MARK in texts[str(unsafe.outputs["docx"])]
    assert UNSAFE_MARK in texts[str(unsafe.folder / "reproduce.ipynb")]
    for chapter in ("index", "intro", "imd", "rural", "plus", "summary", "methods"):
        assert UNSAFE_MARK in (unsafe.project / f"{chapter}.qmd").read_text(encoding="utf-8"), (
            chapter
        )


@pytest.mark.slow
def test_unsafe_counts_on_the_command_line_and_in_the_config(
    data_dir: Path, tmp_path: Path, capsys, reference
) -> None:
    from hi_reports.cli.config import read_config_file
    from hi_reports.cli.main import main
    from hi_reports.data.demo import demo_activity

    config = tmp_path / "edition.yml"
    config.write_text(
        "unsafe_counts: true\nactivity:\n  - {file: a.csv, measure: Emergency admissions}\n"
    )
    assert [s.unsafe_counts for s in read_config_file(config).activity] == [True]
    config.write_text("activity:\n  - {file: a.csv, measure: Emergency admissions}\n")
    assert [s.unsafe_counts for s in read_config_file(config).activity] == [False]

    assert (
        main(
            [
                "demo",
                "--org",
                "QHL",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path / "e"),
                "--format",
                "html",
                "--engine",
                "builtin",
                "--unsafe-counts",
            ]
        )
        == 0
    )
    assert f"{UNSAFE_MARK}: true activity counts, for internal use only" in capsys.readouterr().out
    annex = pd.read_csv(tmp_path / "e" / "QHL" / "annex.csv")
    assert (annex["marking"] == UNSAFE_MARK).all()
    events = annex.drop_duplicates("key").set_index("key")["value"][f"{KEY}.all.all.events"]
    counts = demo_activity(reference, calibrate=True)
    qhl = reference.lsoas.index[reference.lsoas["icb_ods"] == "QHL"]
    assert events == counts.loc[counts["lsoa_code"].isin(qhl), "count"].sum()  # the true count
    html = (tmp_path / "e" / "QHL" / "html" / "index.html").read_text(encoding="utf-8")
    assert UNSAFE_MARK in html


@pytest.mark.slow
def test_the_notebook_of_an_unsafe_edition_reproduces_its_true_figures(unsafe, small_file) -> None:
    namespace, out = run_notebook(unsafe.folder, activity_dir=small_file[0].parent)
    rows = len(pd.read_csv(unsafe.annex))
    assert f"{rows} of {rows} numbers of the annex reproduced" in out
    assert namespace["activity"][0].disclosure.mark == UNSAFE_MARK
