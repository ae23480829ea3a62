"""Fetch, verify and add: the real files of ../shared/data served as a mirror from 127.0.0.1."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hi_reports.cli.main import main
from hi_reports.data import CATALOGUE, get_dataset, load, read_dataset
from hi_reports.data.fetch import add, fetch, fetch_all, verify
from hi_reports.data.loaders import (
    fetching,
    file_sha256,
    find_file,
    read_source,
    require_file,
    require_files,
)
from hi_reports.data.registry import REGISTRY, read_registry
from hi_reports.data.vintage import V2019
from hi_reports.errors import DataError
from tests.publishers import ods_etr_csv, serve


@dataclasses.dataclass
class Mirror:
    """A local HTTP server: ``files`` by flat name, ``overrides`` (bytes, or an HTTP status)."""

    url: str
    files: dict[str, Path]
    overrides: dict[str, bytes | int]


@pytest.fixture(scope="module")
def mirror(data_dir: Path) -> Iterator[Mirror]:
    """Every catalogue dataset's file, served flat as ``<url>/<catalogue file name>``."""
    files: dict[str, Path] = {}
    for name, dataset in CATALOGUE.items():
        path = find_file(dataset, data_dir)
        if path is None:
            pytest.fail(
                f"dataset {name!r}: {dataset.filename} is not in {data_dir}; the mirror test "
                "needs every catalogue dataset there"
            )
        files[dataset.filename] = path
    with serve() as server:
        server.files.update(files)
        yield Mirror(server.url, files, server.overrides)


@pytest.fixture(autouse=True)
def _no_env_mirror(monkeypatch, request: pytest.FixtureRequest) -> Iterator[None]:
    monkeypatch.delenv("HI_REPORTS_MIRROR", raising=False)
    yield
    if "mirror" in request.fixturenames:  # the tests that need no real data do not start it
        request.getfixturevalue("mirror").overrides.clear()


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under ``folder``, hidden ones included, with its bytes."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"")
        for p in sorted(folder.rglob("*"))
    }


def test_catalogue_download_metadata() -> None:
    for name, dataset in CATALOGUE.items():
        assert dataset.licence and dataset.attribution, name
        if dataset.download_url:
            assert dataset.download_url.startswith("https://"), name
        if dataset.file_format == "xlsx":
            assert dataset.sheet and dataset.header_row >= 1, name
        if dataset.file_format == "zip":
            assert dataset.member, name


@pytest.mark.slow
def test_fetch_every_dataset_through_the_cli_then_verify(
    mirror: Mirror, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "data"
    assert main(["data", "fetch", "--data-dir", str(folder), "--mirror", mirror.url]) == 0
    out = capsys.readouterr().out
    registry = read_registry(folder)
    for name, dataset in CATALOGUE.items():
        source = mirror.files[dataset.filename]
        fetched = folder / dataset.filename
        assert fetched.read_bytes() == source.read_bytes(), name
        assert registry[name][:2] == (file_sha256(source), dataset.filename)
        assert f"{name:22} fetched  {dataset.filename}" in out
        assert f"from {mirror.url}/" in out
        # parsed into the cache on fetch; the table equals an independent read of the original
        pd.testing.assert_frame_equal(load(name, folder).table, read_source(dataset, source))
    assert f"{len(CATALOGUE)} datasets ready in {folder}" in out
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no staging left behind

    assert main(["data", "verify", "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert (
        out.count(" ok ") == len(CATALOGUE)
        and f"{len(CATALOGUE)} files checked, none differs" in out
    )

    ruc = folder / get_dataset("ruc2011").filename
    data = bytearray(ruc.read_bytes())
    data[1000] ^= 1  # one bit of one byte
    ruc.write_bytes(bytes(data))
    assert main(["data", "verify", "--data-dir", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert f"ruc2011                MISMATCH  {ruc}: sha256 {file_sha256(ruc)}" in out
    assert err.startswith(
        f"hi-reports: error: 1 of {len(CATALOGUE)} files in {folder} differ from their sha256: "
        "ruc2011"
    )
    assert [c.dataset for c in verify(folder) if c.status == "mismatch"] == ["ruc2011"]


def test_fetch_api_reads_the_mirror_from_the_environment(
    mirror: Mirror, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("HI_REPORTS_MIRROR", mirror.url + "/")
    fetched = fetch("trust_names", tmp_path, progress=False)
    assert fetched.known is True and fetched.rows == 138
    assert fetched.source == f"{mirror.url}/nhs_trusts_names.csv"
    assert fetched.sha256 == get_dataset("trust_names").sha256 == file_sha256(fetched.path)


def test_a_corrupted_byte_is_a_hash_error_naming_the_file(
    mirror: Mirror, tmp_path: Path, capsys
) -> None:
    dataset = get_dataset("ruc2011")
    body = bytearray(mirror.files[dataset.filename].read_bytes())
    body[5000] = ord("X") if body[5000] != ord("X") else ord("Y")
    mirror.overrides[dataset.filename] = bytes(body)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    before = _snapshot(folder)
    assert (
        main(["data", "fetch", "ruc2011", "--data-dir", str(folder), "--mirror", mirror.url]) == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"ruc11_lsoa11.csv downloaded from {mirror.url}/ruc11_lsoa11.csv has sha256" in err
    assert f"not the catalogue's {dataset.sha256}" in err
    assert _snapshot(folder) == before  # no file, no registry, no staging folder
    with pytest.raises(DataError, match=r"ruc11_lsoa11\.csv downloaded from .* has sha256"):
        fetch("ruc2011", folder, mirror.url, progress=False)
    assert _snapshot(folder) == before


def test_http_404_is_a_clear_error(mirror: Mirror, tmp_path: Path, capsys) -> None:
    mirror.overrides["File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"] = 404
    folder = tmp_path / "data"
    assert (
        main(["data", "fetch", "imd2019", "--data-dir", str(folder), "--mirror", mirror.url]) == 2
    )
    err = capsys.readouterr().err
    assert err == (
        f"hi-reports: error: cannot download {mirror.url}/"
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv: HTTP 404 Not Found\n"
    )
    assert _snapshot(folder) == {}


def test_data_add_checks_parses_copies_and_registers(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "data"
    ruc = get_dataset("ruc2011")
    reference = find_file(ruc, data_dir)
    assert main(["data", "add", "ruc2011", str(reference), "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "its sha256 is the one the catalogue knows" in out and "32,844 rows" in out
    assert (folder / ruc.filename).read_bytes() == reference.read_bytes()

    # the publisher's layout (ONS titles), which the catalogue has no hash for: accepted, recorded
    table = pd.read_csv(reference, dtype=str)
    publisher = tmp_path / "RUC11_LSOA11_EW.csv"
    table.rename(
        columns={"lsoa11_code": "LSOA11CD", "ruc11_code": "RUC11CD", "ruc11_name": "RUC11"}
    )[["LSOA11CD", "RUC11CD", "RUC11"]].to_csv(publisher, index=False)
    added = add("ruc2011", publisher, folder)
    assert added.known is False and added.sha256 == file_sha256(publisher)
    assert read_registry(folder)["ruc2011"][:2] == (file_sha256(publisher), ruc.filename)
    assert load("ruc2011", folder).table.equals(read_dataset(ruc, reference))
    assert {c.dataset: c.status for c in verify(folder)}["ruc2011"] == "ok"

    # a wrong file: File 2 is not File 1; nothing is copied
    wrong = find_file(get_dataset("iod2019_domains"), data_dir)
    assert main(["data", "add", "imd2019", str(wrong), "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(wrong) in err and "no column for 'imd_rank'" in err
    assert sorted(p.name for p in folder.iterdir()) == [REGISTRY, ruc.filename]
    assert (
        main(["data", "add", "imd2019", str(tmp_path / "nope.csv"), "--data-dir", str(folder)]) == 2
    )
    assert f"{tmp_path / 'nope.csv'}: no such file" in capsys.readouterr().err


def test_publisher_download_unpacks_an_xlsx_sheet_and_a_zip_member(
    mirror: Mirror, data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    names = get_dataset("trust_names")
    original = find_file(names, data_dir)
    expected = read_dataset(names, original)
    workbook = io.BytesIO()
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        pd.DataFrame({"a": ["NHS trusts, April 2022"]}).to_excel(
            writer, sheet_name="Notes", index=False
        )
        pd.read_csv(original, dtype=str).to_excel(
            writer, sheet_name="Trusts", startrow=2, index=False
        )
    mirror.overrides["trusts.xlsx"] = workbook.getvalue()
    # ODS's etr.zip: etr.csv has no title row and 27 columns, the close date 12th (blank if open)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("etr.pdf", "ODS")
        packed.writestr("etr.csv", ods_etr_csv(original))
    mirror.overrides["etr.zip"] = archive.getvalue()

    cases = {
        "xlsx": {"file_format": "xlsx", "sheet": "Trusts", "header_row": 3},
        "zip": {},  # the catalogue's own: etr.csv from the ZIP, titles added
    }
    for suffix, fields in cases.items():
        url = f"{mirror.url}/{'trusts.xlsx' if suffix == 'xlsx' else 'etr.zip'}"
        assert suffix == "xlsx" or (names.file_format, names.member, names.header_row) == (
            "zip",
            "etr.csv",
            0,
        )
        monkeypatch.setitem(
            CATALOGUE, "trust_names", dataclasses.replace(names, download_url=url, **fields)
        )
        folder = tmp_path / suffix
        fetched = fetch("trust_names", folder, progress=False)
        assert fetched.known is None and fetched.path == folder / names.filename
        assert read_registry(folder)["trust_names"] == (fetched.sha256, names.filename, url)
        pd.testing.assert_frame_equal(load("trust_names", folder).table, expected)

    # where the publisher's file is fixed, another file is refused
    monkeypatch.setitem(
        CATALOGUE,
        "trust_names",
        dataclasses.replace(names, download_url=f"{mirror.url}/etr.zip", download_sha256="0" * 64),
    )
    with pytest.raises(
        DataError, match=r"nhs_trusts_names.csv downloaded from .*etr.zip has sha256"
    ):
        fetch("trust_names", tmp_path / "fixed", progress=False)
    assert not (tmp_path / "fixed" / names.filename).exists()


@pytest.mark.slow
def test_build_with_an_empty_data_folder_and_a_mirror(
    mirror: Mirror, tmp_path: Path, capsys
) -> None:
    empty = tmp_path / "data"
    empty.mkdir()  # a data folder named on the command line must exist: a typo is not fetched into
    out = tmp_path / "editions"
    argv = [
        "build",
        "--org",
        "QHL",
        "--data-dir",
        str(empty),
        "--mirror",
        mirror.url,
        "--out",
        str(out),
        "--format",
        "html",
        "--engine",
        "builtin",
        "--quiet",
    ]
    assert main(argv) == 0
    err = capsys.readouterr().err
    core = list(V2019.required)  # the default vintage's, and not the other's
    for name in core:
        assert (
            f"dataset {name!r} was missing: fetched {mirror.url}/{get_dataset(name).filename}"
            in err
        )
    html = (out / "QHL" / "html" / "index.html").read_text(encoding="utf-8")
    assert "Birmingham and Solihull" in html
    assert [c.dataset for c in verify(empty) if c.status == "ok"] == core
    assert "imd2025" not in err


def test_a_dataset_with_no_fixed_file_needs_a_mirror_or_data_add(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    assert main(["data", "fetch", "trust_catchment", "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    catchment = get_dataset("trust_catchment")
    assert f"dataset 'trust_catchment' ({catchment.title}) has no direct download" in err
    assert catchment.url in err and "`hi-reports data add trust_catchment FILE`" in err
    assert not folder.exists() or not any(folder.iterdir())


def test_an_unknown_dataset_id_is_refused_before_anything_is_fetched(
    tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "data"
    with pytest.raises(
        DataError,
        match=r"^unknown dataset 'imd2091'; did you mean imd2019, imd2025\? \(the datasets are "
        r"imd2019, iod2019_domains, ",
    ) as caught:
        fetch_all(["ruc2011", "imd2091"], folder, progress=False)
    assert caught.value.option == "id"
    assert not folder.exists()
    for argv in (["data", "fetch", "nosuch"], ["data", "add", "nosuch", str(tmp_path / "x.csv")]):
        assert main([*argv, "--data-dir", str(folder)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("hi-reports: error: argument ID: unknown dataset 'nosuch' (")
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not folder.exists()


def test_a_zip_without_the_member_or_not_a_zip_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    archive = tmp_path / "etr.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("readme.txt", "ODS")
        packed.writestr("etr.csv.old", "RXK,Sandwell\n")  # its name starts like the member's
    with pytest.raises(
        DataError,
        match=r"etr\.zip: the ZIP has no member 'etr\.csv'; it has readme\.txt, etr\.csv\.old",
    ):
        add("trust_names", archive, folder)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"broken\.zip: not a ZIP file"):
        add("trust_names", broken, folder)
    assert not folder.exists()  # nothing installed, no staging folder left


def test_the_loaders_hand_a_missing_dataset_to_the_fetcher(tmp_path: Path) -> None:
    asked: list[str] = []

    def offline(dataset, root: Path) -> Path | None:
        asked.append(dataset.name)
        if dataset.name == "trust_catchment":
            return None  # nowhere to fetch it from
        raise DataError("cannot download it: offline")

    ruc, catchment = get_dataset("ruc2011"), get_dataset("trust_catchment")
    with pytest.raises(DataError, match=r"is missing: expected a file named ruc11_lsoa11\.csv"):
        require_file(ruc, tmp_path)
    with fetching(offline):
        with pytest.raises(
            DataError,
            match=r"'ruc2011' .* is missing from .* and could not be fetched: cannot download it: "
            "offline",
        ):
            require_file(ruc, tmp_path)
        with pytest.raises(
            DataError,
            match=r"^2 datasets are missing from .*: ruc2011 \(ruc11_lsoa11\.csv\), "
            r"trust_catchment .*; fetching them failed \(cannot download it: offline\)",
        ):
            require_files([ruc, catchment], tmp_path)
    assert asked == ["ruc2011", "ruc2011", "trust_catchment"]
    with pytest.raises(DataError, match=r"is missing: expected"):
        require_file(ruc, tmp_path)  # the fetcher is gone with its block
    assert asked == ["ruc2011", "ruc2011", "trust_catchment"]
