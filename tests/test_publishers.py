"""Fetching from the publishers' own servers, stood in for on 127.0.0.1 (tests/publishers.py).

The ONS datasets come from ArcGIS feature services, paged; MHCLG's and ONS's workbooks are XLSX
in the publishers' layouts. A build from an empty data folder with no mirror must give the same
numbers as a build from the reference copies.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from hi_reports.cli.main import main
from hi_reports.data import CATALOGUE, get_dataset, load
from hi_reports.data.fetch import fetch
from hi_reports.data.loaders import find_file, read_source
from hi_reports.data.registry import read_registry
from hi_reports.data.vintage import V2019
from hi_reports.errors import DataError
from tests.publishers import ONS_FIELDS, Publishers, ods_etr_csv, ons_service, serve, xlsx

ARCGIS = [name for name, d in CATALOGUE.items() if d.file_format == "arcgis"]


def service_name(url: str) -> str:
    return unquote(url.split("/rest/services/", 1)[1].split("/FeatureServer", 1)[0])


@pytest.fixture(scope="module")
def publishers(data_dir: Path) -> Iterator[Publishers]:
    with serve() as server:
        for name in ARCGIS:
            dataset = get_dataset(name)
            path = find_file(dataset, data_dir)
            assert path is not None, name
            repeats = 2 if dataset.collapse_repeats else 1
            server.services[service_name(dataset.download_url)] = ons_service(name, path, repeats)
        yield server


@pytest.fixture
def at_publishers(publishers: Publishers, monkeypatch) -> Iterator[Publishers]:
    """Point every catalogue download at the stand-in server (same paths, local host)."""
    monkeypatch.delenv("HI_REPORTS_MIRROR", raising=False)
    for name, dataset in CATALOGUE.items():
        if dataset.download_url:
            local = dataclasses.replace(
                dataset, download_url=publishers.local(dataset.download_url)
            )
            monkeypatch.setitem(CATALOGUE, name, local)
    publishers.queries.clear()
    saved = {name: dataclasses.replace(s) for name, s in publishers.services.items()}
    yield publishers
    publishers.services.update(saved)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"")
        for p in sorted(folder.rglob("*"))
    }


def test_every_ons_dataset_has_a_feature_service_and_the_fields_public_code_reads() -> None:
    assert set(ARCGIS) == set(ONS_FIELDS)  # lookups, classifications and every boundary layer
    for name in ARCGIS:
        url = get_dataset(name).download_url
        assert url.startswith("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/")
        assert url.endswith("/FeatureServer/0"), name


@pytest.mark.parametrize("name", ARCGIS)
@pytest.mark.slow
def test_an_ons_dataset_is_paged_from_its_feature_service(
    name: str, at_publishers: Publishers, data_dir: Path, tmp_path: Path
) -> None:
    dataset = get_dataset(name)
    service = at_publishers.services[service_name(dataset.download_url)]
    fetched = fetch(name, tmp_path, progress=False)

    assert fetched.path == tmp_path / dataset.filename and fetched.known is None
    assert read_registry(tmp_path)[name] == (fetched.sha256, dataset.filename, dataset.download_url)
    reference = read_source(dataset, find_file(dataset, data_dir))
    pd.testing.assert_frame_equal(load(name, tmp_path).table, reference)

    # the layer, its count, then every page in object-id order, each as big as the layer allows
    queries = at_publishers.queries[service_name(dataset.download_url)]
    assert queries[0] == {"f": "json"} and queries[1]["returnCountOnly"] == "true"
    pages = queries[2:]
    assert [int(q["resultOffset"]) for q in pages] == list(range(0, len(service.rows), 1000))
    assert {q["orderByFields"] for q in pages} == {"FID"}
    assert {q["returnGeometry"] for q in pages} == {"true" if dataset.geometry else "false"}
    if dataset.geometry:
        assert {(q["outSR"], q["geometryPrecision"]) for q in pages} == {("4326", "6")}
        assert json.loads(fetched.path.read_text())["type"] == "FeatureCollection"
    else:
        with open(fetched.path, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert "FID" not in header and set(header) <= set(ONS_FIELDS[name].values()) | {"OA11CD"}


@pytest.mark.slow
def test_an_arcgis_error_or_a_layer_that_stops_early_leaves_the_folder_as_it_was(
    at_publishers: Publishers, tmp_path: Path, capsys
) -> None:
    dataset = get_dataset("lsoa_icb_lookup")
    service = at_publishers.services[service_name(dataset.download_url)]
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    before = _snapshot(folder)

    service.stop_at = 2000  # replaced mid-download: the third page is empty
    assert main(["data", "fetch", "lsoa_icb_lookup", "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (
        f"{dataset.download_url}: the service counted 32,844 rows but sent 2,000 (2,000 distinct); "
        "it may have changed during the download: fetch again"
    ) in err
    assert _snapshot(folder) == before

    service.stop_at = None
    service.error = {
        "code": 400,
        "message": "Cannot perform query. Invalid query parameters.",
        "details": ["'where' parameter is invalid"],
    }
    with pytest.raises(
        DataError,
        match=r"the ArcGIS service answered error 400: Cannot perform query\. "
        r"Invalid query parameters\. \('where' parameter is invalid\)",
    ):
        fetch("lsoa_icb_lookup", folder, progress=False)
    assert _snapshot(folder) == before


@pytest.mark.slow
def test_a_busy_server_is_asked_again_and_a_failing_one_is_a_clear_error(
    at_publishers: Publishers, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("hi_reports.data.arcgis.BACKOFF", (0.0, 0.0))
    dataset = get_dataset("ruc2021")
    service = at_publishers.services[service_name(dataset.download_url)]
    service.busy = 2  # the layer's description fails twice, then answers
    fetched = fetch("ruc2021", tmp_path / "ok", progress=False)
    assert fetched.rows == 33_755
    assert at_publishers.queries[service_name(dataset.download_url)][:3] == [{"f": "json"}] * 3

    service.busy = 3
    with pytest.raises(
        DataError,
        match=r"^cannot download http://127\.0\.0\.1:\d+/services1\.arcgis\.com/.*"
        r"/LSOA21_RUC21_EW_LU/FeatureServer/0: HTTP 503 Service Unavailable \(set "
        r"HI_REPORTS_MIRROR to an internal copy of the data, or download it from .*, then run "
        r"`hi-reports data add ruc2021 FILE`\)$",
    ):
        fetch("ruc2021", tmp_path / "down", progress=False)
    assert not (tmp_path / "down" / dataset.filename).exists()


def _publisher_workbooks(publishers: Publishers, data_dir: Path) -> None:
    """MHCLG's Files 1 and 2 and ONS's mid-2020 population workbook, in the publishers' layouts,
    made from the reference copies; File 7 (CSV) carries File 6's denominators under File 6's
    titles, so the reference File 6 stands in for it."""

    def rows(path: Path, rename: dict[str, str] | None = None) -> list[list]:
        table = pd.read_csv(path, encoding="utf-8-sig", thousands=",", dtype=object)
        table = table.rename(columns=rename or {})
        body = [
            [int(v) if isinstance(v, str) and v.isdigit() else v for v in r]
            for r in table.itertuples(index=False)
        ]
        return [list(table.columns), *body]

    imd = get_dataset("imd2019")
    publishers.add_file(
        CATALOGUE["imd2019"].download_url,
        xlsx({"Notes": [["IoD2019"]], imd.sheet: rows(find_file(imd, data_dir))}),
    )
    domains = get_dataset("iod2019_domains")
    publishers.add_file(
        CATALOGUE["iod2019_domains"].download_url,
        xlsx({"Notes": [["IoD2019"]], domains.sheet: rows(find_file(domains, data_dir))}),
    )
    denominators = get_dataset("iod2019_denominators")
    publishers.add_file(
        CATALOGUE["iod2019_denominators"].download_url,
        find_file(denominators, data_dir).read_bytes(),
    )
    population = get_dataset("population2020")
    table = rows(
        find_file(population, data_dir),
        {"lsoa11_code": "LSOA Code", "lsoa11_name": "LSOA Name", "total_population": "All Ages"},
    )
    header = [int(c) if c.isdigit() else c for c in table[0]]  # ages are numbers, but "90+"
    title = [
        ["Mid-2020 Population Estimates for Lower Layer Super Output Areas in England and Wales"],
        ["Persons"],
        [],
        [],
    ]
    assert population.header_row == len(title) + 1
    publishers.add_file(
        CATALOGUE["population2020"].download_url,
        xlsx({"Contents": [["SAPE23DT2"]], population.sheet: [*title, header, *table[1:]]}),
    )
    # Nomis's census2021-ts021.zip: the LSOA table under Nomis's titles (the first alias of each
    # column), made from the reference copy
    ethnicity = get_dataset("census2021_ethnicity")
    tidy = read_source(ethnicity, find_file(ethnicity, data_dir))
    nomis = tidy.rename(columns={c.name: c.aliases[0] for c in ethnicity.columns})
    nomis.insert(0, "date", 2021)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr(ethnicity.member, nomis.to_csv(index=False))
    publishers.add_file(CATALOGUE["census2021_ethnicity"].download_url, archive.getvalue())


@pytest.mark.slow
def test_build_from_an_empty_data_folder_fetches_from_the_publishers_and_gives_the_same_numbers(
    at_publishers: Publishers, data_dir: Path, tmp_path: Path, capsys
) -> None:
    _publisher_workbooks(at_publishers, data_dir)
    empty = tmp_path / "data"
    empty.mkdir()  # a data folder named on the command line must exist: a typo is not fetched into
    common = ["--format", "html", "--engine", "builtin", "--quiet"]
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--data-dir",
                str(empty),
                "--out",
                str(tmp_path / "a"),
                *common,
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    for name in V2019.required:  # every dataset the default vintage reads, none of the other's
        assert f"dataset {name!r} was missing: fetched {CATALOGUE[name].download_url}" in err
    assert "imd2025" not in err and "census2021_age6" not in err
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path / "b"),
                *common,
            ]
        )
        == 0
    )

    fetched = pd.read_csv(tmp_path / "a" / "QHL" / "annex.csv", dtype=str, keep_default_na=False)
    reference = pd.read_csv(tmp_path / "b" / "QHL" / "annex.csv", dtype=str, keep_default_na=False)
    # the same numbers; the reference folder also holds vintage 2025, so its edition adds the
    # note comparing the Core20 share under both vintages
    comparison = reference["key"].str.startswith("imd.vintage_")
    assert sorted(reference.loc[comparison, "key"]) == [
        "imd.vintage_2019.core20",
        "imd.vintage_2025.core20",
    ]
    assert len(fetched) > 200
    pd.testing.assert_frame_equal(fetched, reference[~comparison].reset_index(drop=True))

    # `data fetch` then fetches the rest of the catalogue, and lists what only a person can add
    _more_publisher_files(at_publishers, data_dir)
    assert main(["data", "fetch", "--data-dir", str(empty)]) == 0
    out = capsys.readouterr().out
    by_hand = [n for n, d in CATALOGUE.items() if d.download_url is None]
    assert sorted(by_hand) == ["census2021_age6", "trust_catchment"]
    for name, dataset in CATALOGUE.items():
        if name in V2019.required:
            assert f"{name:22} present" in out
        elif name in by_hand:
            assert (
                f"{name:22} by hand  needed for " in out
                and f"`hi-reports data add {name} FILE`" in out
            )
            assert dataset.url in out
        else:
            assert f"{name:22} fetched  {dataset.filename}" in out and dataset.download_url in out
            pd.testing.assert_frame_equal(
                load(name, empty).table, read_source(dataset, find_file(dataset, data_dir))
            )
    assert (
        "2 datasets to add by hand (or fetch them from a mirror): trust_catchment, census2021_age6"
        in out
    )


def _more_publisher_files(publishers: Publishers, data_dir: Path) -> None:
    """ODS's etr.zip (etr.csv without a title row) and MHCLG's IoD2025 File 7 (the reference
    copy, a tidy selection of File 7's columns, stands in for it)."""
    names = find_file(get_dataset("trust_names"), data_dir)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("etr.csv", ods_etr_csv(names))
        packed.writestr("etr.pdf", "ODS")
    publishers.add_file(CATALOGUE["trust_names"].download_url, archive.getvalue())
    imd = get_dataset("imd2025")
    publishers.add_file(CATALOGUE["imd2025"].download_url, find_file(imd, data_dir).read_bytes())
