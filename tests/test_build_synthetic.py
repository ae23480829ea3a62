"""The fast loop's end to end: the committed synthetic data (``tests/synthetic/``) built in this
process, so that ``pytest -m "not slow"`` runs the batch, the pipeline, the chapters, the edition
API and the ONS download through the code a user runs, in seconds and without ../shared.

``tests/test_synthetic.py`` runs the installed command, the PDF and Word (marked slow). Every number
checked here is computed from the synthetic CSVs with plain pandas, not with the package.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import hi_reports
from hi_reports.cli.main import main
from hi_reports.data import CATALOGUE, get_dataset, load
from hi_reports.data.fetch import fetch
from hi_reports.data.loaders import read_source
from hi_reports.data.registry import read_registry
from tests.publishers import ons_service, serve

from .conftest import synthetic_file

KEY = "activity.emergency_admissions"


def _lsoas() -> pd.DataFrame:
    """One row per synthetic LSOA: its ICB, IMD quintile and residents, joined with pandas."""
    lookup = pd.read_csv(synthetic_file("lsoa_icb_lookup"), dtype=str)
    imd = pd.read_csv(synthetic_file("imd2019"), encoding="utf-8-sig", thousands=",")
    people = pd.read_csv(synthetic_file("population2020"), dtype={"lsoa11_code": str})
    deciles = imd.set_index("LSOA code (2011)")["Index of Multiple Deprivation (IMD) Decile"]
    frame = lookup.set_index("lsoa11_code")[["icb22_code_h"]].join(deciles.rename("decile"))
    frame = frame.join(people.set_index("lsoa11_code")["total_population"].rename("residents"))
    assert frame.notna().all().all()
    return frame.assign(quintile=(frame["decile"] + 1) // 2)


def _annex(path: Path) -> pd.DataFrame:
    annex = pd.read_csv(path, dtype={"printed": str})
    return annex.drop_duplicates("key").set_index("key")


def _words(page: Path) -> str:
    """The words of an HTML page, spaces normalised."""
    text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")
    return " ".join(text.split())


def test_a_batch_of_both_icbs_then_a_second_run_with_nothing_to_do(
    synthetic_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``build --kind icb --all`` in one process (``--jobs 1``): each edition's annex, pages and
    notebook and the batch index; a second run (the two named) finds nothing to do; a third, that
    fails to rebuild one, leaves its older edition in place and the index says so."""
    out = tmp_path / "editions"
    args = [
        "build",
        "--kind",
        "icb",
        "--all",
        "--data-dir",
        str(synthetic_dir),
        "--out",
        str(out),
        "--format",
        "html",
        "--engine",
        "builtin",
        "--jobs",
        "1",
    ]
    assert main(args) == 0
    printed = capsys.readouterr()
    assert "2 built, 0 unchanged, 0 failed" in printed.out + printed.err

    lsoas = _lsoas()
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = {
        tr.find("td", attrs={"data-value": True})["data-value"]: [
            td.get_text(strip=True) for td in tr.find_all("td")
        ]
        for tr in index.find_all("tr")
        if tr.find("td")
    }
    assert set(rows) == {"QZN", "QZS"}
    for code, cells in rows.items():
        mine = lsoas[lsoas["icb22_code_h"] == code]
        residents = float(mine["residents"].sum())
        core20 = float(mine.loc[mine["decile"] <= 2, "residents"].sum()) / residents
        assert f"{residents:,.0f}" in cells and f"{core20:.1%}" in cells

        folder = out / code
        annex = _annex(folder / "annex.csv")
        assert annex.loc["intro.population", "value"] == residents
        assert annex.loc["intro.population", "printed"] == f"{residents:,.0f}"
        assert annex.loc["imd.core20.share", "value"] == pytest.approx(core20, abs=1e-12)
        for decile, people in mine.groupby("decile")["residents"].sum().items():
            share = annex.loc[f"imd.decile_{decile}.share", "value"]
            assert share == pytest.approx(people / residents, abs=1e-12)

        pages = {p.stem for p in (folder / "html").glob("*.html")}
        assert {"index", "intro", "imd", "rural", "summary", "methods"} <= pages
        assert f"{residents:,.0f}" in _words(folder / "html" / "intro.html")
        imd = BeautifulSoup(
            (folder / "html" / "imd.html").read_text(encoding="utf-8"), "html.parser"
        )
        images = [img["src"] for img in imd.find_all("img")]
        assert images and all((folder / "html" / src).is_file() for src in images)
        notebook = json.loads((folder / "reproduce.ipynb").read_text(encoding="utf-8"))
        assert any(cell["cell_type"] == "code" for cell in notebook["cells"])

    again = [a if a != "--all" else "--org" for a in args]  # the same two, named
    again.insert(again.index("--org") + 1, "QZS,qzn")
    assert main(again) == 0
    printed = capsys.readouterr()
    assert "0 built, 2 unchanged, 0 failed" in printed.out + printed.err

    import hi_reports.pipeline.context as context

    real = context.draw_charts

    def broken(org, *args, **kwargs):
        if org.code == "QZS":
            raise RuntimeError("no charts today")
        return real(org, *args, **kwargs)

    monkeypatch.setattr(context, "draw_charts", broken)
    before = (out / "QZS" / "manifest.json").read_bytes()
    assert main([*again, "--force"]) == 1
    assert (out / "QZS" / "manifest.json").read_bytes() == before  # the older edition is kept
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    built = {
        tr.find("td").get_text(strip=True): tr.find_all("td")[-1].get_text(" ", strip=True)
        for tr in index.find_all("tr")
        if tr.find("td")
    }
    today = dt.date.today().isoformat()
    assert built["QZN"] == today
    assert built["QZS"] == f"{today} not rebuilt: the build of {today} failed"


def test_a_trust_edition_with_its_own_activity_file_and_front_matter_from_a_config_file(
    synthetic_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trust (R9S) for analysts, its activity file and board-paper front matter named in
    ``edition.yml``: residents and events weighted by the catchment, events of patients living
    outside it counted apart, the classification on every page."""
    lookup = pd.read_csv(synthetic_file("lsoa_icb_lookup"), dtype=str)
    events = pd.DataFrame(
        [(code, (7 * i) % 90) for i, code in enumerate(lookup["lsoa11_code"]) for _ in range(3)],
        columns=["LSOA11", "AgeOnAdmission"],
    )
    events.to_csv(tmp_path / "admissions.csv", index=False)
    config = {
        "activity": [
            {
                "file": "admissions.csv",
                "measure": "Emergency admissions",
                "columns": {"lsoa_code": "LSOA11", "age": "AgeOnAdmission"},
            }
        ],
        "front": {"classification": "OFFICIAL-SENSITIVE", "author": "Public health intelligence"},
    }
    (tmp_path / "edition.yml").write_text(
        json.dumps(config), encoding="utf-8"
    )  # YAML 1.2 reads JSON
    monkeypatch.chdir(tmp_path)
    args = ["build", "--org", "R9S", "--kind", "trust", "--data-dir", str(synthetic_dir)]
    options = ["--format", "html", "--engine", "builtin", "--config", "edition.yml"]
    assert main([*args, "--out", "editions", *options, "--audience", "analyst"]) == 0

    catchment = pd.read_csv(synthetic_file("trust_catchment"))
    msoa = pd.read_csv(synthetic_file("lsoa_msoa_lookup")).set_index("lsoa11_code")["msoa11_code"]
    share = catchment[catchment["trust_code"] == "R9S"].set_index("msoa_code")["proportion"]
    weight = msoa.map(share).fillna(0.0)
    residents = (_lsoas()["residents"] * weight).sum()
    local = (events["LSOA11"].map(weight)).sum()  # each event counts with its LSOA's weight

    folder = tmp_path / "editions" / "R9S"
    annex = _annex(folder / "annex.csv")
    assert annex.loc["intro.population", "value"] == pytest.approx(residents, rel=1e-9)
    assert annex.loc[f"{KEY}.all.all.events", "value"] == 5 * round(local / 5)
    assert annex.loc[f"{KEY}.outside", "value"] == 5 * round((len(events) - local) / 5)
    assert annex.loc[f"{KEY}.all.all.events", "source"].startswith(
        "Emergency admissions: admissions.csv"
    )
    pages = sorted((folder / "html").glob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        assert "OFFICIAL-SENSITIVE" in _words(page), page.name
    assert "your own data" in _words(folder / "html" / "intro.html")  # the analysts' box


def test_the_edition_api_outside_a_build_computes_the_edition_from_the_data_folder(
    synthetic_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an analyst's script calls: ``hi_reports.edition`` loads the data folder and computes
    the edition; its LSOAs are the files', its formatters record every number they print, and
    ``ed.figure`` copies a chart beside the chapter (tests/test_api.py: the same on QHL, slow)."""
    ed = hi_reports.edition("qzs", data_dir=synthetic_dir)
    assert (ed.org.code, ed.kind, ed.vintage) == ("QZS", "icb", "2019")
    mine = _lsoas()
    mine = mine[mine["icb22_code_h"] == "QZS"].sort_index()
    assert ed.lsoas["lsoa_code"].tolist() == mine.index.tolist()
    assert ed.lsoas["residents"].tolist() == mine["residents"].astype(float).tolist()
    assert ed.lsoas["imd_decile"].tolist() == mine["decile"].tolist()
    core20 = mine.loc[mine["decile"] <= 2, "residents"].sum() / mine["residents"].sum()
    assert ed.imd.core20.share.value == pytest.approx(core20, rel=1e-12)
    assert ed.pct(ed.imd.core20.share) == f"{core20:.1%}"
    assert ed.num(ed.overview.population) == f"{mine['residents'].sum():,.0f}"
    assert [row["key"] for row in ed.annex.rows.values()][-2:] == [
        "imd.core20.share",
        "intro.population",
    ]
    monkeypatch.chdir(tmp_path)
    markdown = ed.figure(ed.charts.imd_deciles)
    assert "](figures/QZS-2019-imd_deciles.svg)" in markdown
    assert (tmp_path / "figures" / "QZS-2019-imd_deciles.svg").read_bytes().startswith(b"<?xml")


def test_an_ons_dataset_is_paged_from_a_stand_in_feature_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The synthetic RUC and boundary files served as ONS's ArcGIS layers, in pages of 100: what
    is fetched reads back as the file it was served from (tests/test_publishers.py does the same
    with the real files, marked slow)."""
    monkeypatch.delenv("HI_REPORTS_MIRROR", raising=False)
    with serve() as publishers:
        for name in ("ruc2011", "lsoa11_boundaries"):
            dataset = get_dataset(name)
            service = ons_service(name, synthetic_file(name))
            service.max_record_count = 100
            layer = dataset.download_url.split("/rest/services/", 1)[1]
            publishers.services[unquote(layer.split("/FeatureServer", 1)[0])] = service
            monkeypatch.setitem(
                CATALOGUE,
                name,
                dataclasses.replace(dataset, download_url=publishers.local(dataset.download_url)),
            )
            fetched = fetch(name, tmp_path, progress=False)

            assert fetched.path == tmp_path / dataset.filename
            assert read_registry(tmp_path)[name][0] == fetched.sha256
            expected = read_source(dataset, synthetic_file(name))
            pd.testing.assert_frame_equal(load(name, tmp_path).table, expected)
            pages = publishers.queries[unquote(layer.split("/FeatureServer", 1)[0])][2:]
            assert [int(q["resultOffset"]) for q in pages] == [0, 100, 200, 300]
