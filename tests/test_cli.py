"""The hi-reports command line: exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hi_reports.cli.main import main
from hi_reports.data import CATALOGUE


def test_orgs_lists_the_42_icbs(data_dir: Path, capsys) -> None:
    assert main(["orgs", "--kind", "icb", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "42 organisations of kind icb"
    assert any(
        line.split()[:3] == ["QHL", "QHL", "E54000055"] and "Birmingham and Solihull" in line
        for line in lines
    )
    assert len(lines) == 44


@pytest.mark.slow
def test_orgs_of_every_kind_have_a_code(data_dir: Path, capsys) -> None:
    assert main(["orgs", "--kind", "trust", "--data-dir", str(data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("136 organisations of kind trust, 16 of them specialist trusts")
    assert any(
        line.split()[:2] == ["RXK", "RXK"] and "Sandwell and West Birmingham" in line
        for line in lines
    )
    assert main(["orgs", "--kind", "la", "--data-dir", str(data_dir)]) == 0
    assert any(
        line.split()[:3] == ["E08000025", "E08000025", "Birmingham"]
        for line in capsys.readouterr().out.splitlines()
    )


@pytest.mark.slow
def test_data_status(data_dir: Path, capsys) -> None:
    assert main(["data", "status", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert f"all {len(CATALOGUE)} datasets present" in out
    assert "9c19a6c221d0f258093e24eaae9b21f09be0e7626e9f96f8f75da4772e2789ad" in out
    assert "32,844 rows" in out


def test_unknown_org_exits_2_with_suggestions(data_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "editions"
    assert main(["build", "--org", "QHLL", "--data-dir", str(data_dir), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unknown organisation code 'QHLL'; did you mean QHL" in err
    assert not out.exists()


def test_missing_data_exits_2_naming_dataset_and_command(tmp_path: Path, capsys) -> None:
    """Offline (here: a mirror on a closed local port), a missing dataset is one line naming the
    dataset, where it was fetched from and the `data add` command."""
    out = tmp_path / "editions"
    empty = tmp_path / "empty"
    empty.mkdir()
    closed = "http://127.0.0.1:9"
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--data-dir",
                str(empty),
                "--out",
                str(out),
                "--mirror",
                closed,
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    # every one of the vintage, named at once: 9 with the census ethnic groups and their bridge
    assert "9 datasets are missing from" in err
    assert (
        "imd2019 (File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv)" in err
        and "lsoa11_boundaries (" in err
        and "census2021_ethnicity (ethnicity_lsoa21.csv)" in err
    )
    assert (
        f"fetching them failed (cannot download {closed}/"
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv" in err
    )
    assert (
        "argument --data-dir" not in err  # the data are missing; the folder names itself
        and "give their folder as the data folder" in err
        and "`hi-reports data add ID FILE`" in err
    )
    assert not out.exists() and list(empty.iterdir()) == []


def test_unknown_format_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["build", "--org", "QHL", "--format", "html,pptx"])
    assert caught.value.code == 2
    assert "unknown format 'pptx'; choose from html, pdf, docx" in capsys.readouterr().err


@pytest.mark.slow
def test_console_script_builds_an_edition(data_dir: Path, tmp_path: Path) -> None:
    """The installed `hi-reports` command, as a user runs it, with the data folder from the env."""
    script = Path(sys.executable).with_name("hi-reports")
    env = {**os.environ, "HI_REPORTS_DATA": str(data_dir)}
    result = subprocess.run(
        [
            str(script),
            "build",
            "--org",
            "qjm",
            "--out",
            str(tmp_path / "editions"),
            "--format",
            "html",
            "--engine",
            "builtin",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "NHS Lincolnshire Integrated Care Board (QJM): edition built" in result.stdout
    index = tmp_path / "editions" / "QJM" / "html" / "index.html"
    assert "NHS Lincolnshire Integrated Care Board" in index.read_text(encoding="utf-8")
    assert (tmp_path / "editions" / "QJM" / "annex.csv").is_file()


@pytest.mark.slow
def test_a_code_of_another_kind_says_which_and_kinds_take_any_case(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--kind",
                "trust",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "argument --kind: 'QHL' is not a trust code: it is NHS Birmingham and Solihull "
        "Integrated Care Board (kind icb) (choose kind icb, or leave the kind out)"
        in err
    )
    assert not any(tmp_path.iterdir())
    assert main(["orgs", "--kind", "ICB", "--data-dir", str(data_dir)]) == 0
    assert "42 organisations of kind icb" in capsys.readouterr().out


def test_data_status_of_a_partly_filled_folder_prints_no_nan(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    from hi_reports.data import get_dataset
    from hi_reports.data.loaders import find_file

    source = find_file(get_dataset("ruc2011"), data_dir)
    (tmp_path / source.name).symlink_to(source)
    assert main(["data", "status", "--data-dir", str(tmp_path)]) == 2  # most datasets are missing
    out = capsys.readouterr().out
    assert "ruc2011" in out and "present" in out and "nan" not in out.lower().split()
