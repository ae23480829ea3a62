"""Nothing a user owns is lost or silently wrong: measure names are text and keys, rows are used
or refused with their reasons, and a data file is never chosen by guess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from hi_reports.data.activity import read_activity
from hi_reports.data.catalogue import get_dataset
from hi_reports.data.loaders import find_file, index_files
from hi_reports.errors import DataError
from hi_reports.formatting import SLUG_MAX, slug
from hi_reports.pipeline import MEASURE_MAX, ActivitySpec, check_activity_specs

from .conftest import need_tool

CODES = pd.Index(["E01009000", "E01008947"])


def test_one_slug_for_files_and_annex_keys() -> None:
    import hi_reports.indicators.activity
    import hi_reports.pipeline.activity

    assert (
        hi_reports.pipeline.activity._slug is slug and hi_reports.indicators.activity._slug is slug
    )
    assert slug("A&E attendances") == slug("A+E attendances") == "a_e_attendances"
    assert slug("Überweisungen") == "uberweisungen"
    long_a, long_b = slug("x" * 300 + "a"), slug("x" * 300 + "b")
    assert len(long_a) == SLUG_MAX and long_a != long_b


def test_measures_sharing_a_slug_are_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("lsoa_code,age\nE01009000,4\n", encoding="utf-8")
    specs = (ActivitySpec("A&E attendances", path), ActivitySpec("A+E attendances", path))
    with pytest.raises(
        DataError, match=r"'A&E attendances' \(file .*a\.csv\) and 'A\+E attendances' .*same key"
    ):
        check_activity_specs(specs)
    with pytest.raises(
        DataError, match=r"'Emergency admissions' .*and 'Emergency admissions' \(the synthetic"
    ):
        check_activity_specs(
            (
                ActivitySpec("Emergency admissions", path),
                ActivitySpec("Emergency admissions", demo=True),
            )
        )
    with pytest.raises(DataError, match=f"more than {MEASURE_MAX}"):
        check_activity_specs((ActivitySpec("A" * (MEASURE_MAX + 1), path),))
    check_activity_specs(
        (ActivitySpec("A&E attendances", path), ActivitySpec("Emergency admissions", demo=True))
    )


def test_counts_with_thousands_separators_are_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        'lsoa_code,age_band,count\nE01009000,40-44,"1,234"\nE01008947,0-4,"12,345.0"\n'
        'E01008947,5-9,"1,23"\n',
        encoding="utf-8",
    )
    activity = read_activity(path, lsoa11_codes=CODES, checksum=False)
    assert activity.summary.events_used == 1_234 + 12_345 and activity.summary.rows_used == 2
    bad = activity.summary.exclusion("count_invalid")
    assert (bad.rows, bad.examples) == (1, ("1,23",))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lsoa_code,age\n", "has no usable rows: it has a header and no data rows"),
        (
            "lsoa_code,age,count\nE01009000,4,abc\nE01009000,5,-2\nW01000001,6,3\n",
            (
                r"of 3 rows, 2 excluded: count negative, not a whole number or not a number "
                r"\(e\.g\. '-2', 'abc'\); "
                r"1 excluded: LSOA code in Wales or Scotland \(e\.g\. 'W01000001'\)"
            ),
        ),
        ("lsoa_code,age,count\nE01009000,4,0\n", "of 1 row, 1 valid with a count of 0 events"),
    ],
    ids=["header-only", "all-excluded", "all-zero"],
)
def test_a_file_with_no_usable_rows_is_an_error_with_its_reasons(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "activity.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(
        DataError,
        match=f"activity file {re.escape(str(path))} {message}"
        if message.startswith("has")
        else message,
    ) as caught:
        read_activity(path, lsoa11_codes=CODES, checksum=False)
    assert "\n" not in str(caught.value) and caught.value.path == str(path)


def test_an_integer_lsoa_column_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "int.parquet"
    pd.DataFrame({"lsoa_code": [1009000, 1008947], "age": [4, 5]}).to_parquet(path)
    with pytest.raises(
        DataError, match=r"column 'lsoa_code' \(lsoa_code\) holds BIGINT values, not LSOA codes"
    ):
        read_activity(path, lsoa11_codes=CODES, checksum=False)


def test_two_copies_of_a_data_file_are_refused_naming_both(tmp_path: Path) -> None:
    dataset = get_dataset("ruc2011")
    for folder in ("ruc", "_archive", ".old"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / dataset.filename).write_text("x\n", encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"'ruc2011': 2 files .* could be it: .*_archive/ruc11_lsoa11\.csv and "
        r".*ruc/ruc11_lsoa11\.csv",
    ) as caught:
        find_file(dataset, tmp_path, index_files(tmp_path))
    assert ".old" not in str(caught.value)  # hidden folders are skipped
    (tmp_path / "_archive" / dataset.filename).unlink()
    assert find_file(dataset, tmp_path) == tmp_path / "ruc" / dataset.filename


def test_chart_labels_are_text_not_mathtext(tmp_path: Path) -> None:
    """A label matplotlib would read as (broken) mathtext is drawn as written."""
    from hi_reports.draw.charts import ChartText, _Bars, _Layout, _plot, _Series

    _plot(
        tmp_path,
        "dollars",
        _Bars(["a", "$b^"], [_Series("$x_", [1.0, 2.0], "#003087")]),
        text=ChartText(note=r"Costs $\frac{ to $10"),
        layout=_Layout(shares=False),
    )
    assert (tmp_path / "dollars.svg").stat().st_size > 0


NAME = "A&E <b>$5 to $10</b> *x* #1 _y_ `z`"


@pytest.mark.slow
def test_a_measure_name_with_markup_is_text_in_every_output(reference, tmp_path: Path) -> None:
    from hi_reports.data.demo import demo_activity

    counts = demo_activity(reference, seed=7)
    counts[counts["count"] > 0].to_csv(tmp_path / "activity.csv", index=False)
    out = tmp_path / "editions"
    script = Path(sys.executable).with_name("hi-reports")
    result = subprocess.run(
        [
            str(script),
            "build",
            "--org",
            "QHL",
            "--data-dir",
            str(reference.folder),
            "--out",
            str(out),
            "--engine",
            "builtin",
            "--format",
            "html,pdf",
            "--activity",
            "activity.csv",
            "--measure",
            NAME,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    page = BeautifulSoup(
        (out / "QHL" / "html" / "imd.html").read_text(encoding="utf-8"), "html.parser"
    )
    headings = [h.get_text(" ", strip=True) for h in page.find_all(["h1", "h2", "h3"])]
    assert any(h.endswith(f"{NAME} by deprivation") for h in headings), headings
    assert any(NAME in caption.get_text() for caption in page.find_all(["figcaption", "caption"]))
    markup = [
        t
        for t in page.find_all(["b", "strong", "em", "code"])
        if t.get_text() in ("$5 to $10", "x", "y", "z")
    ]
    assert not markup, markup
    pdf = subprocess.run(
        [need_tool("pdftotext"), str(out / "QHL" / "QHL.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{NAME} by deprivation" in pdf and f"Activity data: {NAME}" in pdf
    figures = sorted(p.name for p in (out / "QHL" / "project" / "figures").glob("*activity*"))
    assert figures and all(re.fullmatch(r"[a-z0-9_]+\.(png|svg)", name) for name in figures)
