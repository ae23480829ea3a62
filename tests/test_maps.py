"""Maps: the LSOAs drawn, dissolved outlines, fill colours read back from the figure, captions,
attribution and alt text, and a missing boundary file."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_rgba

from hi_reports.data import CATALOGUE, load, load_reference
from hi_reports.data.vintage import V2019
from hi_reports.errors import DataError
from hi_reports.geography import membership, resolve
from hi_reports.geography.boundaries import area_shapes, boundary_dataset, lsoa_shapes
from hi_reports.indicators import maps

LOOKUP = "lookup_lsoa11_sicbl22_icb22_ltla22.csv"


def _independent_lsoas(data_dir: Path):
    """The LSOA 2011 boundaries read straight from the GeoJSON, projected, by code."""
    import geopandas

    path = next(data_dir.rglob("lsoa11_bsc_england.geojson"))
    return geopandas.read_file(path, engine="pyogrio").to_crs(27700).set_index("lsoa11_code")


@pytest.fixture(scope="module")
def independent(data_dir: Path):
    return _independent_lsoas(data_dir)


@pytest.fixture(scope="module")
def lookup(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(next(data_dir.rglob(LOOKUP)))


@pytest.fixture(scope="module")
def shapes(reference):
    return lsoa_shapes(reference)


def _areas(figure):
    """The area collection of a map figure: (codes, face colours, paths)."""
    collection = figure.axes[0].collections[0]
    return collection.get_urls(), collection.get_facecolors(), collection.get_paths()


def test_boundary_datasets_in_the_catalogue(data_dir: Path) -> None:
    names = [n for n, d in CATALOGUE.items() if d.geometry]
    assert names == ["lsoa11_boundaries", "lsoa21_boundaries", "icb23_boundaries", "lad21_boundaries", "lad24_boundaries"]
    icbs = load("icb23_boundaries", data_dir).table
    assert len(icbs) == 42 and icbs.crs.to_epsg() == 27700
    assert list(icbs.columns) == ["icb23_code", "icb23_name", "geometry"]
    lads = load("lad24_boundaries", data_dir).table
    assert len(lads) == 296 and lads["lad24_code"].str.startswith("E0").all()


def test_boundaries_follow_the_reference_geography(reference) -> None:
    assert reference.vintage.lsoa_year == 2011
    assert boundary_dataset(reference) == "lsoa11_boundaries"


def test_a_2025_edition_maps_the_2021_lsoas(data_dir: Path, tmp_path: Path) -> None:
    """On vintage 2025 the maps draw LSOA 2021 shapes: an ICB's members by the April 2024 lookup,
    coloured by IMD 2025 decile and grouped by RUC 2021."""
    import geopandas

    from hi_reports.data import load_reference
    from hi_reports.geography.boundaries import lsoa_shapes

    reference25 = load_reference(data_dir, "2025")
    assert boundary_dataset(reference25) == "lsoa21_boundaries"
    shapes25 = lsoa_shapes(reference25)
    org = resolve(reference25, "QHL")
    drawn = maps.organisation_maps(org, reference25, shapes25, membership(reference25, "icb"), tmp_path)
    lookup21 = pd.read_csv(next(data_dir.rglob("lookup_lsoa21_sicbl24_icb24.csv")))
    assert set(drawn["deciles"].codes) == set(lookup21.loc[lookup21["icb24_code_nhs"] == "QHL", "lsoa21_code"])
    assert "IMD 2025" in drawn["deciles"].note and "Rural-Urban Classification 2021" in drawn["rural"].note
    truth = geopandas.read_file(next(data_dir.rglob("lsoa21_bsc_england.geojson")), engine="pyogrio")
    assert set(truth["lsoa21_code"]) == set(reference25.lsoas.index)


def test_geometry_cached_as_geoparquet(reference, shapes) -> None:
    import pyarrow.parquet as pq

    from hi_reports.data.loaders import cache_dir

    sha = reference.sources["lsoa11_boundaries"].sha256
    cached = list(cache_dir().glob(f"lsoa11_boundaries-{sha[:20]}-*.parquet"))
    assert len(cached) == 1
    metadata = pq.read_schema(cached[0]).metadata
    assert b"geo" in metadata  # GeoParquet: the geometry column is described
    assert pq.read_metadata(cached[0]).num_rows == 32_844


def test_icb_map_draws_exactly_its_member_lsoas(reference, shapes, lookup, independent) -> None:
    org = resolve(reference, "QHL")
    positions, _ = maps.map_positions(reference, shapes, membership(reference, "icb"), org)
    figure = maps.figure(maps.decile_layers(reference, shapes, area_shapes(shapes, positions)))
    codes, colours, paths = _areas(figure)
    expected = set(lookup.loc[lookup["icb22_code_h"] == "QHL", "lsoa11_code"])
    assert len(codes) == len(set(codes)) == len(paths) == len(colours) == 773
    assert set(codes) == expected
    # Each path is its LSOA's polygon: its vertices are the boundary's, projected.
    for i in (0, 400, 772):
        truth = independent.geometry[codes[i]]
        drawn = paths[i].vertices
        assert np.allclose(np.sort(drawn, axis=0), np.sort(shapely.get_coordinates(truth), axis=0), atol=0.01)


def test_fill_colour_matches_decile(reference, shapes, data_dir: Path) -> None:
    path = next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"))
    with open(path, newline="", encoding="utf-8-sig") as handle:
        deciles = {r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Decile"]) for r in csv.DictReader(handle)}
    org = resolve(reference, "QJM")
    positions, _ = maps.map_positions(reference, shapes, membership(reference, "icb"), org)
    figure = maps.figure(maps.decile_layers(reference, shapes, area_shapes(shapes, positions)))
    codes, colours, _ = _areas(figure)
    seen = set()
    for code, colour in zip(codes, colours):
        assert tuple(colour) == pytest.approx(to_rgba(maps.DECILE_COLOURS[deciles[code] - 1]))
        seen.add(deciles[code])
    assert seen == set(range(1, 11))  # Lincolnshire has LSOAs of every decile
    assert maps.DECILE_COLOURS[0] == "#440154"  # decile 1 darkest (viridis)
    luminance = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b, _ in map(to_rgba, maps.DECILE_COLOURS)]
    assert luminance == sorted(luminance)


def test_maps_sharing_a_figure_take_the_new_colours_and_legend(reference, shapes) -> None:
    positions, _ = maps.map_positions(reference, shapes, membership(reference, "icb"), resolve(reference, "QHL"))
    area = area_shapes(shapes, positions)
    shared = maps.recolour(maps.figure(maps.decile_layers(reference, shapes, area)), maps.core20_layers(reference, shapes, area))
    fresh = maps.figure(maps.core20_layers(reference, shapes, area))
    assert np.array_equal(_areas(shared)[1], _areas(fresh)[1])
    assert np.array_equal(shared.images[0].get_array(), fresh.images[0].get_array())
    assert shared.images[0].oy == fresh.images[0].oy  # the legend stays top-aligned
    core20 = reference.lsoas["imd_decile"].to_numpy()[positions] <= 2
    dark = np.all(np.isclose(_areas(shared)[1], to_rgba(maps.CORE20_COLOUR)), axis=1)
    assert np.array_equal(dark, core20)


def test_dissolved_outline_area_is_the_sum_of_its_lsoas(reference, shapes, lookup, independent, data_dir: Path) -> None:
    for kind, code, column in (("icb", "QHL", "icb22_code_h"), ("sub-icb", "15E", "sicbl22_code_h")):
        org = resolve(reference, code, kind)
        positions, _ = maps.map_positions(reference, shapes, membership(reference, kind), org)
        area = area_shapes(shapes, positions)
        members = lookup.loc[lookup[column] == code, "lsoa11_code"]
        expected = independent.geometry[members].area.sum()
        assert area.outline.area == pytest.approx(expected, rel=1e-6)
        assert sum(d[2].area for d in area.districts) == pytest.approx(expected, rel=1e-6)
        # The borders are the lookup's local authorities in the area.
        names = lookup.loc[lookup[column] == code, "ltla22_name"].unique()
        assert sorted(d[1] for d in area.districts) == sorted(names)
    # The ICB outline matches ONS's own ICB boundary (April 2023) closely.
    ons = load("icb23_boundaries", data_dir).table.set_index("icb23_code").geometry["E54000055"]
    outline = area_shapes(shapes, maps.map_positions(reference, shapes, membership(reference, "icb"),
                                                     resolve(reference, "QHL"))[0]).outline
    assert outline.intersection(ons).area / outline.union(ons).area > 0.98


def test_missing_boundary_file_is_a_one_line_data_error(data_dir: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in dict.fromkeys(V2019.datasets.values()):
        source = next(data_dir.rglob(CATALOGUE[name].filename))
        (folder / source.name).symlink_to(source)
    reference = load_reference(folder)
    with pytest.raises(DataError) as caught:
        lsoa_shapes(reference)
    message = str(caught.value)
    assert "lsoa11_bsc_england.geojson" in message and "geoportal.statistics.gov.uk" in message
    assert "\n" not in message

    from hi_reports.cli import main

    # offline (a mirror on a closed local port): the build cannot fetch the boundaries either
    out = tmp_path / "editions"
    argv = ["build", "--org", "QHL", "--data-dir", str(folder), "--out", str(out), "--format", "html",
            "--mirror", "http://127.0.0.1:9"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "dataset 'lsoa11_boundaries'" in err and "no file named lsoa11_bsc_england.geojson" in err
    assert "could not be fetched" in err and "geoportal.statistics.gov.uk" in err
    assert not out.exists()


def test_trust_maps_draw_the_core_of_the_catchment(reference, shapes, tmp_path: Path) -> None:
    org = resolve(reference, "RXK", "trust")
    weights = membership(reference, "trust")
    drawn = maps.organisation_maps(org, reference, shapes, weights, tmp_path)
    mine = weights[weights["org"] == "RXK"]
    core = set(mine.loc[mine["weight"] >= 0.10, "lsoa_code"])
    assert set(drawn["deciles"].codes) == core
    assert set(drawn["catchment"].codes) == set(mine.loc[mine["weight"] > 0, "lsoa_code"])
    assert "at least 10% of their admitted patients" in drawn["deciles"].note
    assert (tmp_path / "map_catchment.png").is_file()


def _specialist_trusts(data_dir: Path) -> list[str]:
    """Trusts to which no MSOA sends 10% of its admitted patients, from the OHID file itself."""
    catchment = pd.read_csv(next(data_dir.rglob("trust_catchment_msoa11_2019_proportions.csv")))
    largest = catchment.groupby("trust_code")["proportion"].max()
    return sorted(largest.index[largest < 0.10])


def test_a_specialist_trust_has_a_catchment_map_and_no_core_maps(reference, shapes, data_dir, tmp_path) -> None:
    """RET and eight other specialist trusts have no neighbourhood sending them 10%: no core to map
    by deprivation or rurality, and a catchment map framed on every neighbourhood they serve."""
    specialist = _specialist_trusts(data_dir)
    assert "RET" in specialist and "RBV" in specialist and len(specialist) == 9
    weights = membership(reference, "trust")
    for code in specialist:
        org = resolve(reference, code, "trust")
        drawn = maps.organisation_maps(org, reference, shapes, weights, tmp_path / code)
        assert drawn["deciles"] is drawn["core20"] is drawn["rural"] is None
        mine = weights[(weights["org"] == org.key) & (weights["weight"] > 0)]
        assert set(drawn["catchment"].codes) == set(mine["lsoa_code"])
        assert drawn["catchment"].title.startswith("No neighbourhood sends 10% of its admitted patients")
        assert f"each of the {len(mine):,} neighbourhoods" in drawn["catchment"].alt
        assert (tmp_path / code / "map_catchment.png").is_file()


@pytest.mark.slow
def test_a_specialist_trust_edition_says_why_it_has_no_core_maps(data_dir: Path, tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    from hi_reports.cli import main

    assert main(["build", "--org", "RET", "--data-dir", str(data_dir), "--out", str(tmp_path),
                 "--format", "html", "--quiet"]) == 0
    pages = {p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text(" ")
             for p in (tmp_path / "RET" / "html").glob("*.html")}
    text = " ".join(" ".join(pages.values()).split())
    assert "No neighbourhood sends as much as 10% of its admitted patients to this trust" in text
    assert "so there is no core of the catchment to map by rurality" in text
    images = [img for p in (tmp_path / "RET" / "html").glob("*.html")
              for img in BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find_all("img")]
    assert [img for img in images if "map_catchment" in img["src"]]
    assert not [img for img in images if "map_imd" in img["src"] or "map_rural" in img["src"]]


def test_england_maps_are_of_the_42_icbs(reference, shapes, lookup, tmp_path: Path) -> None:
    from hi_reports.edition import kind_profiles
    from hi_reports.geography import organisations
    from hi_reports.indicators.chapters import variation_figures

    icbs = {o.key: o for o in organisations(reference, "icb")}
    variation = variation_figures(kind_profiles(reference, "icb"), icbs)
    drawn = maps.england_maps(reference, shapes, variation, icbs, tmp_path)
    assert drawn["deciles"] is None
    assert set(drawn["core20"].codes) == set(lookup["icb22_code"])
    total = sum(shapes.icb[c].area for c in drawn["core20"].codes)
    assert total == pytest.approx(sum(g.area for g in shapes.geometry), rel=1e-6)
    # The title names the three ICBs with the highest Core20 share.
    top = sorted(variation["core20"]["values"], key=lambda pair: -pair[1].value)[:3]
    for name, _ in top:
        assert name in drawn["core20"].title


def test_activity_map_suppresses_small_counts(reference, shapes, tmp_path: Path) -> None:
    from hi_reports.indicators.activity import SMALL_COUNT_MAX

    org = resolve(reference, "QHL")
    weights = membership(reference, "icb")
    lsoas = reference.lsoas
    events = (lsoas["population"] // 20).astype(float)
    members = sorted(lsoas.index[lsoas["icb_ods"] == "QHL"])
    small = members[:5]
    events[small] = [1, 3, 5, 7, 7]
    events[members[5]] = 8
    layers = maps.activity_layers(org, reference, shapes, weights, events, 2.0, SMALL_COUNT_MAX)
    codes, colours, _ = _areas(maps.figure(layers))
    assert sorted(codes) == members
    colour = dict(zip(codes, map(tuple, colours)))
    grey = to_rgba(maps.SUPPRESSED_COLOUR)
    assert all(colour[c] == pytest.approx(grey) for c in small)
    assert colour[members[5]] != pytest.approx(grey)
    # Darker for higher rates: the palette's order follows the rates on the published counts
    # (rounded to the nearest 5), computed here per year.
    published = np.floor(events[members] / 5 + 0.5) * 5
    rates = published / (lsoas.loc[members, "population"] * 2.0) * 1000
    rank = {tuple(to_rgba(c)): i for i, c in enumerate(maps.REDS)}
    shown = [c for c in members if c not in small]
    classes = np.array([rank[tuple(colour[c])] for c in shown])
    order = np.argsort(rates[shown].to_numpy(), kind="stable")
    assert (np.diff(classes[order]) >= 0).all()
    assert len(set(classes)) == 5
    # Class limits lie on a grid of round numbers chosen from the published rates: a limit equals a
    # neighbourhood's exact rate only by coincidence, and then its count is the published one.
    breaks = np.array(layers.extra["breaks"])
    assert np.allclose(breaks * 10, np.round(breaks * 10), rtol=0, atol=1e-9)  # a grid of 0.1 or coarser
    exact = (events[members] / (lsoas.loc[members, "population"] * 2.0) * 1000).to_numpy()
    assert not np.isclose(breaks[:, None], exact[None, :5], rtol=1e-9, atol=0).any()
    # The map depends on the published counts only: other true counts that round (or suppress) the
    # same way draw the same map with the same limits.
    other = events.copy()
    step = np.where(np.floor((events + 1) / 5 + 0.5) == np.floor(events / 5 + 0.5), 1, -1)
    other[:] = np.where(events > 7, events + step, events)
    other[small] = [7, 2, 1, 4, 6]
    assert (other != events).sum() > 700
    again = maps.activity_layers(org, reference, shapes, weights, other, 2.0, SMALL_COUNT_MAX)
    assert again.extra["breaks"] == layers.extra["breaks"] and again.colours == layers.colours
    rate_map = maps.activity_map(org, reference, shapes, weights, events, 2.0, "test", "Test events", False,
                                 tmp_path, SMALL_COUNT_MAX)
    assert rate_map.measures[1].value == 5  # five LSOAs suppressed
    assert "1 to 7 events are suppressed" in rate_map.note
    assert (tmp_path / "map_activity_test.png").is_file()


@pytest.mark.slow
def test_edition_maps_have_caption_attribution_and_alt_text(edition, reference) -> None:
    text = (edition.project / "imd.qmd").read_text(encoding="utf-8")
    qhl = reference.lsoas[reference.lsoas["icb_ods"] == "QHL"]
    first = int((qhl["imd_decile"] == 1).sum())
    assert f"![{first} of the 773 neighbourhoods are among the 10% most deprived in England." in text
    assert "Contains OS data © Crown copyright and database right 2011.](figures/map_imd_deciles.png)" in text
    per_decile = "; ".join(f"decile {d}: {int((qhl['imd_decile'] == d).sum())}" for d in range(1, 11))
    assert f"Neighbourhoods per decile: {per_decile}." in text
    birmingham = qhl[qhl["lad_name"] == "Birmingham"]
    assert f"Birmingham {int((birmingham['imd_decile'] <= 2).sum())} of {len(birmingham)}" in text
    assert (edition.project / "figures" / "map_imd_deciles.png").is_file()
    assert "![" in (edition.project / "rural.qmd").read_text(encoding="utf-8").split("map_rural.png")[0]
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((edition.folder / "html" / "imd.html").read_text(encoding="utf-8"), "html.parser")
    image = soup.find("img", src=lambda src: src and src.endswith("map_imd_deciles.png"))
    assert image["alt"].startswith("Map of the 773 neighbourhoods (LSOAs) of Birmingham and Solihull")
    assert f"Neighbourhoods per decile: {per_decile}." in image["alt"]
    annex = pd.read_csv(edition.annex)
    row = annex[annex["key"] == "maps.decile_1_lsoas"].iloc[0]
    assert row["value"] == first and row["chapter"] == "imd"
    methods = (edition.project / "methods.qmd").read_text(encoding="utf-8")
    assert "Maps: Source: Office for National Statistics licensed under the Open Government Licence v.3.0. " \
           "Contains OS data © Crown copyright and database right 2011." in methods
