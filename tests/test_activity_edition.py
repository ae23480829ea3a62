"""Activity data in editions: the CLI options, the chapters, the annex, and the demo's gradient."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from hi_reports.cli.main import main
from hi_reports.pipeline import ActivitySpec, EditionRequest, build_edition

from .conftest import need_tool


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'"))


def _annex(edition) -> pd.DataFrame:
    return pd.read_csv(edition.annex).drop_duplicates("key").set_index("key")


@pytest.mark.slow
def test_england_demo_recovers_the_known_gradient(reference, tmp_path: Path) -> None:
    """The calibrated demo's rate ratios (1.8 most/least deprived, 1.2 rural/urban) fall inside the
    edition's own 95% limits, and every output says the data are synthetic."""
    request = EditionRequest(
        org="england",
        out=tmp_path,
        formats=("html", "pdf"),
        engine="builtin",
        activity=(ActivitySpec("Emergency admissions", demo=True),),
    )
    edition = build_edition(request, reference=reference)
    annex = _annex(edition)
    key = "activity.emergency_admissions"
    assert (
        annex.loc[f"{key}.ratio_lower", "value"] <= 1.8 <= annex.loc[f"{key}.ratio_upper", "value"]
    )
    urban, rural = f"{key}.urban_rural.urban", f"{key}.urban_rural.rural"
    assert (
        annex.loc[f"{rural}.dsr_lower", "value"] / annex.loc[f"{urban}.dsr_upper", "value"]
        <= 1.2
        <= annex.loc[f"{rural}.dsr_upper", "value"] / annex.loc[f"{urban}.dsr_lower", "value"]
    )
    assert annex.loc[f"{key}.sii_lower", "value"] > 0  # a significant gradient
    # residents are England's, counted once
    assert annex.loc[f"{key}.all.all.population", "value"] == 56_550_138
    assert annex.loc[f"{key}.ratio", "source"].startswith("SYNTHETIC DEMONSTRATION DATA")
    text = _words(
        subprocess.run(
            [need_tool("pdftotext"), str(edition.outputs["pdf"]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert "England: public edition with synthetic activity data" in text
    assert "SYNTHETIC DEMONSTRATION DATA" in text and "statistically significant" in text
    imd = BeautifulSoup(
        (edition.outputs["html"].parent / "imd.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert "SYNTHETIC DEMONSTRATION DATA" in imd.get_text(" ")


@pytest.fixture(scope="module")
def activity_file(reference, tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """Pre-aggregated activity for QHL's LSOAs with the user's own column names, plus bad rows:
    a malformed code, a Welsh code, a merged LSOA 2021 code, a split LSOA 2021 code, an unknown
    age band and a negative count."""
    from hi_reports.data.demo import demo_activity

    lookup = reference.load_extra("lsoa11_lsoa21_lookup")
    counts = demo_activity(reference, seed=7)
    qhl = reference.lsoas.index[reference.lsoas["icb_ods"] == "QHL"]
    rows = counts[counts["lsoa_code"].isin(qhl) & (counts["count"] > 0)].copy()
    split = lookup[lookup["change_code"] == "S"].iloc[0]
    merged = lookup[lookup["change_code"] == "M"].iloc[0]
    bad = pd.DataFrame(
        [
            ("XYZ", "40-44", 3),
            ("W01000001", "40-44", 4),
            (merged["lsoa21_code"], "40-44", 5),
            (split["lsoa21_code"], "40-44", 6),
            (qhl[0], "100-104", 7),
            (qhl[0], "40-44", -1),
        ],
        columns=["lsoa_code", "age_band", "count"],
    )
    frame = pd.concat([rows, bad], ignore_index=True).rename(
        columns={"lsoa_code": "PatientLSOA", "age_band": "Band", "count": "Admissions"}
    )
    path = tmp_path_factory.mktemp("activity") / "admissions.csv"
    frame.to_csv(path, index=False)
    return path, rows.assign(split=split["lsoa11_code"])


@pytest.mark.slow
def test_cli_activity_with_own_column_names(
    data_dir: Path, tmp_path: Path, activity_file, reference, capsys
) -> None:
    path, rows = activity_file
    code = main(
        [
            "build",
            "--org",
            "QHL",
            "--data-dir",
            str(data_dir),
            "--out",
            str(tmp_path),
            "--format",
            "html",
            "--engine",
            "builtin",
            "--activity",
            str(path),
            "--measure",
            "Emergency admissions",
            "--columns",
            "lsoa_code=PatientLSOA,age_band=Band,count=Admissions",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    read = len(rows) + 6
    assert f"{read:,} rows" in out
    assert "excluded 1 row, 3 events: LSOA code malformed" in out
    assert "excluded 1 row, 4 events: LSOA code in Wales or Scotland" in out
    assert "excluded 1 row, 5 events: LSOA 2021 code with no single LSOA 2011" in out
    assert "excluded 1 row, 7 events: age band not one of" in out
    assert "excluded 1 row, 0 events: count negative" in out
    assert "(1 row mapped from LSOA 2021 codes)" in out

    folder = tmp_path / "QHL"
    annex = pd.read_csv(folder / "annex.csv").drop_duplicates("key").set_index("key")
    quality = annex[annex.index.str.startswith("activity.emergency_admissions.quality.")]["value"]
    # Data-quality counts follow the disclosure rule, each on its own: the rounded rows read and
    # used, and the five single-row exclusions suppressed (\* in the table, not in the annex), so
    # that no difference is exact.
    assert quality["activity.emergency_admissions.quality.rows_read"] == 5 * np.floor(
        read / 5 + 0.5
    )
    assert quality["activity.emergency_admissions.quality.rows_used"] == 5 * np.floor(
        (read - 5) / 5 + 0.5
    )
    excluded = quality[quality.index.str.contains("excluded")]
    assert list(excluded.index) == [
        "activity.emergency_admissions.quality.excluded.count_invalid.events"
    ]
    assert excluded.iloc[0] == 0  # the negative count's row adds 0 events: 0 is published as 0
    # local counts by quintile: an independent sum of the valid rows (plus the split 2021 row),
    # rounded to 5
    valid = pd.concat(
        [
            rows[["lsoa_code", "count"]],
            pd.DataFrame({"lsoa_code": [rows["split"].iloc[0]], "count": [6]}),
        ]
    )
    valid = valid[
        valid["lsoa_code"].isin(reference.lsoas.index[reference.lsoas["icb_ods"] == "QHL"])
    ]
    by_quintile = valid.groupby(valid["lsoa_code"].map(reference.lsoas["imd_quintile"]))[
        "count"
    ].sum()
    for q, events in by_quintile.items():
        published = annex.loc[f"activity.emergency_admissions.imd_quintile.{q}.events", "value"]
        assert published == 5 * np.round(events / 5)
    methods = (folder / "project" / "methods.qmd").read_text()
    assert "| Excluded: LSOA code in Wales or Scotland | \\* | \\* |" in methods
    assert '--activity FILE --measure "Emergency admissions"' in methods


@pytest.mark.slow
def test_config_file_with_two_measures(data_dir: Path, tmp_path: Path, activity_file) -> None:
    path, _ = activity_file
    config = tmp_path / "edition.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "activity": [
                    {
                        "file": str(path),
                        "measure": "Emergency admissions",
                        "columns": {
                            "lsoa_code": "PatientLSOA",
                            "age_band": "Band",
                            "count": "Admissions",
                        },
                    },
                    {
                        "file": str(path),
                        "measure": "Outpatient appointments",
                        "columns": "lsoa_code=PatientLSOA,age_band=Band,count=Admissions",
                    },
                ]
            }
        )
    )
    assert (
        main(
            [
                "build",
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
                "--config",
                str(config),
                "--quiet",
            ]
        )
        == 0
    )
    imd = (tmp_path / "e" / "QHL" / "project" / "imd.qmd").read_text()
    assert "## Emergency admissions by deprivation" in imd
    assert "## Outpatient appointments by deprivation" in imd


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--activity", "x.csv"], "--activity needs --measure"),
        (["--period", "2023-24"], "--measure, --columns and --period describe an --activity FILE"),
        (
            ["--activity", "missing.csv", "--measure", "A"],
            "activity file missing.csv for 'A' does not exist",
        ),
    ],
)
def test_activity_option_errors(data_dir: Path, tmp_path: Path, capsys, args, message) -> None:
    out = tmp_path / "e"
    assert (
        main(["build", "--org", "QHL", "--data-dir", str(data_dir), "--out", str(out), *args]) == 2
    )
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.slow
def test_missing_column_names_the_option(
    data_dir: Path, tmp_path: Path, activity_file, capsys
) -> None:
    path, _ = activity_file
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path / "e"),
                "--activity",
                str(path),
                "--measure",
                "Emergency admissions",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "admissions.csv" in err and "lsoa_code" in err and "--columns" in err
