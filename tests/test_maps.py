"""Maps: the LSOAs drawn, dissolved outlines, fill colours read back from the figure, captions,
attribution and alt text, a missing boundary file, and the classes of the maps of rates and
shares: each label's statement, read back from the alt text, holds for exactly the areas counted
under it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.colors import to_rgba

from hi_reports.data import CATALOGUE, load, load_reference
from hi_reports.data.vintage import V2019
from hi_reports.draw import maps
from hi_reports.errors import DataError
from hi_reports.geography import membership, resolve
from hi_reports.geography.boundaries import area_shapes, boundary_dataset, lsoa_shapes
from hi_reports.indicators.classes import Classes, printed, quantile_breaks
from hi_reports.indicators.disclosure import SAFE, UNSAFE, coarse_breaks

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
    assert names == [
        "lsoa11_boundaries",
        "lsoa21_boundaries",
        "icb23_boundaries",
        "lad21_boundaries",
        "lad24_boundaries",
    ]
    icbs = load("icb23_boundaries", data_dir).table
    assert len(icbs) == 42 and icbs.crs.to_epsg() == 27700
    assert list(icbs.columns) == ["icb23_code", "icb23_name", "geometry"]
    lads = load("lad24_boundaries", data_dir).table
    assert len(lads) == 296 and lads["lad24_code"].str.startswith("E0").all()


def test_boundaries_follow_the_reference_geography(reference) -> None:
    assert reference.vintage.lsoa_year == 2011
    assert boundary_dataset(reference) == "lsoa11_boundaries"


@pytest.mark.slow
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
    drawn = maps.organisation_maps(
        org, reference25, shapes25, membership(reference25, "icb"), tmp_path
    )
    lookup21 = pd.read_csv(next(data_dir.rglob("lookup_lsoa21_sicbl24_icb24.csv")))
    assert set(drawn["deciles"].codes) == set(
        lookup21.loc[lookup21["icb24_code_nhs"] == "QHL", "lsoa21_code"]
    )
    assert (
        "IMD 2025" in drawn["deciles"].note
        and "Rural-Urban Classification 2021" in drawn["rural"].note
    )
    truth = geopandas.read_file(
        next(data_dir.rglob("lsoa21_bsc_england.geojson")), engine="pyogrio"
    )
    assert set(truth["lsoa21_code"]) == set(reference25.lsoas.index)


def test_geometry_cached_as_geoparquet(reference, shapes) -> None:
    import pyarrow.parquet as pq

    from hi_reports.data.loaders import cache_dir

    sha = reference.source("lsoa11_boundaries").sha256
    cached = list(cache_dir().glob(f"lsoa11_boundaries-{sha[:20]}-*.parquet"))
    assert len(cached) == 1
    metadata = pq.read_schema(cached[0]).metadata
    assert b"geo" in metadata  # GeoParquet: the geometry column is described
    assert pq.read_metadata(cached[0]).num_rows == 32_844


@pytest.mark.slow
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
        assert np.allclose(
            np.sort(drawn, axis=0), np.sort(shapely.get_coordinates(truth), axis=0), atol=0.01
        )


def test_fill_colour_matches_decile(reference, shapes, data_dir: Path) -> None:
    path = next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"))
    with open(path, newline="", encoding="utf-8-sig") as handle:
        deciles = {
            r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Decile"])
            for r in csv.DictReader(handle)
        }
    org = resolve(reference, "QJM")
    positions, _ = maps.map_positions(reference, shapes, membership(reference, "icb"), org)
    figure = maps.figure(maps.decile_layers(reference, shapes, area_shapes(shapes, positions)))
    codes, colours, _ = _areas(figure)
    seen = set()
    for code, colour in zip(codes, colours, strict=True):
        assert tuple(colour) == pytest.approx(to_rgba(maps.DECILE_COLOURS[deciles[code] - 1]))
        seen.add(deciles[code])
    assert seen == set(range(1, 11))  # Lincolnshire has LSOAs of every decile
    assert maps.DECILE_COLOURS[0] == "#440154"  # decile 1 darkest (viridis)
    luminance = [
        0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b, _ in map(to_rgba, maps.DECILE_COLOURS)
    ]
    assert luminance == sorted(luminance)


def test_maps_sharing_a_figure_take_the_new_colours_and_legend(reference, shapes) -> None:
    positions, _ = maps.map_positions(
        reference, shapes, membership(reference, "icb"), resolve(reference, "QHL")
    )
    area = area_shapes(shapes, positions)
    shared = maps.recolour(
        maps.figure(maps.decile_layers(reference, shapes, area)),
        maps.core20_layers(reference, shapes, area),
    )
    fresh = maps.figure(maps.core20_layers(reference, shapes, area))
    assert np.array_equal(_areas(shared)[1], _areas(fresh)[1])
    assert np.array_equal(shared.images[0].get_array(), fresh.images[0].get_array())
    assert shared.images[0].oy == fresh.images[0].oy  # the legend stays top-aligned
    core20 = reference.lsoas["imd_decile"].to_numpy()[positions] <= 2
    dark = np.all(np.isclose(_areas(shared)[1], to_rgba(maps.CORE20_COLOUR)), axis=1)
    assert np.array_equal(dark, core20)


@pytest.mark.slow
def test_dissolved_outline_area_is_the_sum_of_its_lsoas(
    reference, shapes, lookup, independent, data_dir: Path
) -> None:
    for kind, code, column in (
        ("icb", "QHL", "icb22_code_h"),
        ("sub-icb", "15E", "sicbl22_code_h"),
    ):
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
    outline = area_shapes(
        shapes,
        maps.map_positions(
            reference, shapes, membership(reference, "icb"), resolve(reference, "QHL")
        )[0],
    ).outline
    assert outline.intersection(ons).area / outline.union(ons).area > 0.98


@pytest.mark.slow
def test_missing_boundary_file_is_a_one_line_data_error(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    # every file of the vintage but the boundaries (the census ethnic groups and their lookup too)
    for name in dict.fromkeys([*V2019.datasets.values(), *V2019.ethnicity_datasets]):
        source = next(data_dir.rglob(CATALOGUE[name].filename))
        (folder / source.name).symlink_to(source)
    reference = load_reference(folder)
    with pytest.raises(DataError) as caught:
        lsoa_shapes(reference)
    message = str(caught.value)
    assert "lsoa11_bsc_england.geojson" in message and "geoportal.statistics.gov.uk" in message
    assert "\n" not in message

    from hi_reports.cli.main import main

    # offline (a mirror on a closed local port): the build cannot fetch the boundaries either
    out = tmp_path / "editions"
    argv = [
        "build",
        "--org",
        "QHL",
        "--data-dir",
        str(folder),
        "--out",
        str(out),
        "--format",
        "html",
        "--mirror",
        "http://127.0.0.1:9",
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (
        "dataset 'lsoa11_boundaries'" in err and "no file named lsoa11_bsc_england.geojson" in err
    )
    assert "could not be fetched" in err and "geoportal.statistics.gov.uk" in err
    assert not out.exists()


@pytest.mark.slow
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
    # The catchment's classes hold the exact shares (none is printed), and the title counts them.
    share = (
        mine.set_index("lsoa_code")["weight"].reindex(list(drawn["catchment"].codes)).to_numpy()
        * 100
    )
    rows = _check_classes(drawn["catchment"].alt, share)
    assert [label for label, _ in rows] == [
        "0% to under 10%",
        "10% to under 25%",
        "25% to under 50%",
        "50% to under 75%",
        "75% to 100%",
    ]
    assert drawn["catchment"].title.startswith(
        f"{sum(n for _, n in rows[1:]):,} neighbourhoods send at least 10%"
    )
    assert f"{sum(n for _, n in rows[3:]):,} at least half" in drawn["catchment"].title


def _specialist_trusts(data_dir: Path) -> list[str]:
    """Trusts to which no MSOA sends 10% of its admitted patients, from the OHID file itself."""
    catchment = pd.read_csv(next(data_dir.rglob("trust_catchment_msoa11_2019_proportions.csv")))
    largest = catchment.groupby("trust_code")["proportion"].max()
    return sorted(largest.index[largest < 0.10])


@pytest.mark.slow
def test_a_specialist_trust_has_a_catchment_map_and_no_core_maps(
    reference, shapes, data_dir, tmp_path
) -> None:
    """RET and eight other specialist trusts have no neighbourhood sending them 10%: no core to map
    by deprivation or rurality, and a catchment map framed on every neighbourhood they serve."""
    specialist = _specialist_trusts(data_dir)
    assert "RET" in specialist and "RBV" in specialist and len(specialist) == 9
    weights = membership(reference, "trust")
    for code in specialist:
        org = resolve(reference, code, "trust")
        drawn = maps.organisation_maps(org, reference, shapes, weights, tmp_path / code)
        assert drawn.deciles is drawn.core20 is drawn.rural is None
        assert list(drawn) == ["catchment"]  # the maps it has
        mine = weights[(weights["org"] == org.key) & (weights["weight"] > 0)]
        assert set(drawn["catchment"].codes) == set(mine["lsoa_code"])
        assert drawn["catchment"].title.startswith(
            "No neighbourhood sends 10% of its admitted patients"
        )
        assert f"each of the {len(mine):,} neighbourhoods" in drawn["catchment"].alt
        assert (tmp_path / code / "map_catchment.png").is_file()


def test_a_specialist_trust_has_no_activity_map(reference, shapes, tmp_path: Path) -> None:
    """RET has no neighbourhood sending it 10%: no core to map rates on, so no map (it drew a
    figure of NaN height); an acute trust's map draws the neighbourhoods of its core."""
    weights = membership(reference, "trust")
    events = (reference.lsoas["population"] // 20).astype(float)
    activity = maps.MappedActivity("Test events", "test", events, 2.0, SAFE)
    ret = resolve(reference, "RET", "trust")
    assert not len(maps.map_positions(reference, shapes, weights, ret)[0])
    assert maps.activity_map(ret, reference, shapes, weights, activity, tmp_path / "RET") is None
    assert not (tmp_path / "RET" / "map_activity_test.png").exists()
    rxk = resolve(reference, "RXK", "trust")
    positions, _ = maps.map_positions(reference, shapes, weights, rxk)
    drawn = maps.activity_map(rxk, reference, shapes, weights, activity, tmp_path / "RXK")
    assert drawn is not None and len(positions) > 100
    assert sorted(drawn.codes) == sorted(shapes.codes[positions])
    assert (tmp_path / "RXK" / "map_activity_test.png").is_file()


@pytest.mark.slow
def test_a_specialist_trust_edition_says_why_it_has_no_core_maps(
    data_dir: Path, tmp_path: Path
) -> None:
    """RET with demonstration activity: no maps of deprivation, rurality or activity, and the
    chapters say why (the activity map crashed the build, framed on no neighbourhood)."""
    from bs4 import BeautifulSoup

    from hi_reports.cli.main import main

    assert (
        main(
            [
                "build",
                "--org",
                "RET",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path),
                "--format",
                "html",
                "--demo-activity",
                "--quiet",
            ]
        )
        == 0
    )
    pages = {
        p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text(" ")
        for p in (tmp_path / "RET" / "html").glob("*.html")
    }
    text = " ".join(" ".join(pages.values()).split())
    assert "No neighbourhood sends as much as 10% of its admitted patients to this trust" in text
    assert "so there is no core of the catchment to map by rurality" in text
    assert (
        "so there is no core of the catchment on which to map crude rates of emergency admissions; "
        "the table below gives them by national IMD quintile" in " ".join(pages["imd.html"].split())
    )
    methods = " ".join(pages["methods.html"].split())
    assert "so it has no maps of deprivation, rurality or activity" in methods
    assert "Maps of activity" not in methods and "classed as printed" not in methods
    images = [
        img
        for p in (tmp_path / "RET" / "html").glob("*.html")
        for img in BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find_all("img")
    ]
    assert [img for img in images if "map_catchment" in img["src"]]
    assert not [
        img for img in images if any(m in img["src"] for m in ("map_imd", "map_rural", "map_act"))
    ]
    assert not list((tmp_path / "RET").rglob("map_activity*"))


@pytest.mark.slow
def test_england_maps_are_of_the_42_icbs(reference, shapes, lookup, tmp_path: Path) -> None:
    from hi_reports.geography import organisations
    from hi_reports.indicators.chapters import variation_figures
    from hi_reports.pipeline import kind_profiles

    icbs = {o.key: o for o in organisations(reference, "icb")}
    variation = variation_figures(kind_profiles(reference, "icb"), icbs)
    drawn = maps.england_maps(reference, shapes, variation, icbs, tmp_path)
    assert drawn.deciles is None and "deciles" not in drawn
    assert set(drawn["core20"].codes) == set(lookup["icb22_code"])
    total = sum(shapes.icb[c].area for c in drawn["core20"].codes)
    assert total == pytest.approx(sum(g.area for g in shapes.geometry), rel=1e-6)
    # The title names the three ICBs with the highest Core20 share.
    top = sorted(variation.core20.by_organisation, key=lambda pair: -pair[1].value)[:3]
    for name, _ in top:
        assert name in drawn["core20"].title
    # The classes hold the ICBs' shares as printed (to one decimal) under one rule.
    for key in ("core20", "rural"):
        # the key of the dict the figures were: "values"
        share = {m.key.rsplit(".", 1)[-1]: m.value for _, m in variation[key]["values"]}
        printed_share = np.array([float(f"{share[c] * 100:.1f}") for c in drawn[key].codes])
        rows = _check_classes(drawn[key].alt.split(". Highest")[0], printed_share)
        assert sum(n for _, n in rows) == 42 and f"in {len(rows)} classes" in drawn[key].alt
    # "Lowest" names the three ICBs with the lowest rural shares as printed, and every ICB tied
    # with the third (two print 0.0%, and two 0.1%)
    rural = {
        m.key.rsplit(".", 1)[-1]: round(m.value * 100, 1)
        for _, m in variation.rural.by_organisation
    }
    third = sorted(rural.values())[2]
    ends = [
        f"{icbs[c].short_name} {v:.1f}%"
        for c, v in sorted(rural.items(), key=lambda i: i[1])
        if v <= third
    ]
    lowest = drawn["rural"].alt.split("Lowest: ")[1]
    assert len(ends) == 4 and all(end in lowest for end in ends) and lowest.count("%") == 4, lowest
    assert "July 2022" in drawn["core20"].caption


def _capture_maps(monkeypatch) -> dict[str, tuple[object, list[tuple[str, float]]]]:
    """Keep each map figure ``maps`` writes, with every text drawn in it and its size in points at
    the board paper's printed width."""
    from matplotlib.text import Text

    from hi_reports.draw.figfile import PRINTED_WIDTH

    kept: dict[str, tuple[object, list[tuple[str, float]]]] = {}
    current: list[str] = []
    draw, save = Text.draw, maps.save

    def recording(self, renderer):
        if current and self.get_visible() and self.get_text().strip():
            kept[current[-1]][1].append(
                (self.get_text(), self.get_fontsize() * PRINTED_WIDTH / self.figure.get_figwidth())
            )
        return draw(self, renderer)

    def saving(fig, folder, name):
        current.append(name)
        kept[name] = (fig, [])
        try:
            return save(fig, folder, name)
        finally:
            current.pop()

    monkeypatch.setattr(Text, "draw", recording)
    monkeypatch.setattr(maps, "save", saving)
    return kept


def _drawn_sizes(fig) -> list[tuple[str, float]]:
    """The texts of a figure (the legend or the key, pasted into a map pixel for pixel) and their
    sizes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig).draw()
    return [
        (t.get_text(), t.get_fontsize())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]


@pytest.mark.slow
def test_maps_print_every_text_at_8pt_or_more_at_300_dpi(
    reference, shapes, lookup, tmp_path, monkeypatch
) -> None:
    """A map is drawn at the width the PDF prints it (14.4 cm) and written at 300 dpi; every text
    drawn on it (local-authority names, scale, ICB numbers, the inset's title) and in its legend
    and key (drawn at the same scale and pasted pixel for pixel) is 8 pt or more."""
    from PIL import Image

    from hi_reports.draw import mapdraw
    from hi_reports.draw.figfile import MIN_TEXT_PT, PRINTED_WIDTH
    from hi_reports.geography import organisations
    from hi_reports.indicators.chapters import variation_figures
    from hi_reports.pipeline import kind_profiles

    kept = _capture_maps(monkeypatch)
    maps.organisation_maps(
        resolve(reference, "QHL"), reference, shapes, membership(reference, "icb"), tmp_path
    )
    icbs = {o.key: o for o in organisations(reference, "icb")}
    maps.england_maps(
        reference, shapes, variation_figures(kind_profiles(reference, "icb"), icbs), icbs, tmp_path
    )
    assert set(kept) == {
        "map_imd_deciles",
        "map_imd_core20",
        "map_rural",
        "map_icb_core20",
        "map_icb_rural",
    }
    for name, (fig, texts) in kept.items():
        assert fig.get_figwidth() == pytest.approx(PRINTED_WIDTH) and fig.dpi == mapdraw.DPI == 300
        assert texts and min(size for _, size in texts) >= MIN_TEXT_PT, (
            name,
            min(texts, key=lambda t: t[1]),
        )
        with Image.open(tmp_path / f"{name}.png") as png:
            assert png.size[0] == int(PRINTED_WIDTH * 300) and png.info["dpi"] == pytest.approx(
                (300, 300), abs=0.01
            )
            assert png.convert("RGB").getpixel((2, 2)) == (255, 255, 255)  # the page stays white
    assert {"Birmingham", "Solihull", "5 km"} <= {text for text, _ in kept["map_imd_deciles"][1]}
    assert {str(n) for n in range(1, 43)} <= {text for text, _ in kept["map_icb_core20"][1]}
    for title, rows in [
        (
            f"National {reference.vintage.imd} decile\n1 = most deprived 10% in England",
            [("10 least deprived", "#FDE725")] * 10,
        ),
        ("Crude rate per 1,000\nresidents a year", [("1 to 7 events: suppressed", "#A0A8AD")]),
    ]:
        legend = mapdraw.legend_figure(title, rows)
        assert legend.dpi == mapdraw.DPI and legend.get_figwidth() == mapdraw.LEGEND_WIDTH
        assert min(size for _, size in _drawn_sizes(legend)) >= MIN_TEXT_PT
        assert mapdraw.legend_image(title, rows).shape[1] == round(
            mapdraw.LEGEND_WIDTH * mapdraw.DPI
        )
    key = maps.icb_key(reference, shapes, sorted(shapes.icb), icbs)
    key_figure = mapdraw.key_figure(key)
    assert (
        key_figure.get_figwidth() == pytest.approx(PRINTED_WIDTH) and key_figure.dpi == mapdraw.DPI
    )
    key_texts = _drawn_sizes(key_figure)
    assert min(size for _, size in key_texts) >= MIN_TEXT_PT
    listed = " ".join(" ".join(text.split()) for text, _ in key_texts)
    assert all(icbs[c].short_name in listed for c in shapes.icb)


@pytest.mark.slow
def test_england_maps_number_the_icbs_with_a_key_and_a_london_inset(
    reference, shapes, tmp_path, monkeypatch
) -> None:
    """The 42 ICBs are numbered from north to south, each number inside its ICB; London's five ICBs
    (those made only of London boroughs) are numbered in an inset of London, the others on the map;
    no two numbers overlap; the caption gives the inset's scale."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from hi_reports.geography import organisations
    from hi_reports.indicators.chapters import variation_figures
    from hi_reports.pipeline import kind_profiles

    icbs = {o.key: o for o in organisations(reference, "icb")}
    key = maps.icb_key(reference, shapes, sorted(shapes.icb), icbs)
    assert len(key.codes) == len(set(key.codes)) == 42 and key.names == tuple(
        icbs[c].short_name for c in key.codes
    )
    north = [round(y, -3) for _, y in key.points]
    assert north == sorted(north, reverse=True)  # number 1 is the northernmost
    for code, (x, y) in zip(key.codes, key.points, strict=True):
        assert shapes.icb[code].contains(shapely.Point(x, y)), icbs[code].short_name
    london = {
        c
        for c in shapes.icb
        if (
            reference.lsoas.loc[reference.lsoas["icb_code"] == c, "lad_code"]
            .str.startswith("E09")
            .all()
        )
    }
    assert set(key.inset) == london and len(london) == 5
    assert {icbs[c].short_name for c in london} == {
        "North Central London",
        "North East London",
        "North West London",
        "South East London",
        "South West London",
    }
    kept = _capture_maps(monkeypatch)
    drawn = maps.england_maps(
        reference, shapes, variation_figures(kind_profiles(reference, "icb"), icbs), icbs, tmp_path
    )
    assert "Scale: the bar is 100 km, in the London inset 10 km" in drawn["core20"].note
    for name in ("map_icb_core20", "map_icb_rural"):
        fig = kept[name][0]
        FigureCanvasAgg(fig).draw()
        main, inset = fig.axes[0], next(ax for ax in fig.axes if ax.get_label() == "inset")
        assert set(inset.collections[0].get_urls()) == london
        colours = dict(
            zip(
                main.collections[0].get_urls(),
                map(tuple, main.collections[0].get_facecolors()),
                strict=True,
            )
        )
        assert all(
            tuple(c) == colours[code]
            for code, c in zip(
                inset.collections[0].get_urls(), inset.collections[0].get_facecolors(), strict=True
            )
        )
        numbers = {ax: [t for t in ax.texts if t.get_text().isdigit()] for ax in (main, inset)}
        on_inset = {key.codes[int(t.get_text()) - 1] for t in numbers[inset]}
        on_map = {key.codes[int(t.get_text()) - 1] for t in numbers[main]}
        assert on_inset == london and on_map == set(key.codes) - london
        assert any(t.get_text() == "London" for t in inset.texts)
        boxes = [t.get_bbox_patch().get_window_extent() for t in numbers[main]]
        for i, box in enumerate(boxes):
            assert not any(box.overlaps(other) for other in boxes[i + 1 :]), numbers[main][
                i
            ].get_text()
        for t in numbers[main]:  # a number moved apart from another stays close to its place
            x, y = key.points[int(t.get_text()) - 1]
            assert np.hypot(t.get_position()[0] - x, t.get_position()[1] - y) < 25_000


def test_ends_keep_ties() -> None:
    values = {"a": 9.0, "b": 8.0, "c": 7.0, "d": 7.0, "e": 1.0}
    assert maps._ends(values, highest=True) == ["a", "b", "c", "d"]
    assert maps._ends(values, highest=False) == ["e", "c", "d"]
    assert maps._ends({"a": 1.0, "b": 1.0}, highest=True) == ["a", "b"]


def test_activity_map_suppresses_small_counts(reference, shapes, tmp_path: Path) -> None:
    org = resolve(reference, "QHL")
    weights = membership(reference, "icb")
    lsoas = reference.lsoas
    events = (lsoas["population"] // 20).astype(float)
    members = sorted(lsoas.index[lsoas["icb_ods"] == "QHL"])
    small = members[:5]
    events[small] = [1, 3, 5, 7, 7]
    events[members[5]] = 8
    test_events = maps.MappedActivity("Test events", "test", events, 2.0, SAFE)
    layers = maps.activity_layers(org, reference, shapes, weights, test_events)
    codes, colours, _ = _areas(maps.figure(layers))
    assert sorted(codes) == members
    colour = dict(zip(codes, map(tuple, colours), strict=True))
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
    breaks = np.array(layers.classes.breaks)
    assert np.allclose(
        breaks * 10, np.round(breaks * 10), rtol=0, atol=1e-9
    )  # a grid of 0.1 or coarser
    exact = (events[members] / (lsoas.loc[members, "population"] * 2.0) * 1000).to_numpy()
    assert not np.isclose(breaks[:, None], exact[None, :5], rtol=1e-9, atol=0).any()
    # The map depends on the published counts only: other true counts that round (or suppress) the
    # same way draw the same map with the same limits.
    other = events.copy()
    step = np.where(np.floor((events + 1) / 5 + 0.5) == np.floor(events / 5 + 0.5), 1, -1)
    other[:] = np.where(events > 7, events + step, events)
    other[small] = [7, 2, 1, 4, 6]
    assert (other != events).sum() > 700
    again = maps.activity_layers(
        org,
        reference,
        shapes,
        weights,
        maps.MappedActivity("Test events", "test", other, 2.0, SAFE),
    )
    assert again.classes.breaks == layers.classes.breaks and again.colours == layers.colours
    rate_map = maps.activity_map(org, reference, shapes, weights, test_events, tmp_path)
    assert {m.key: m.value for m in rate_map.measures}[
        "maps.activity.test.suppressed"
    ] == 5  # five LSOAs
    assert "1 to 7 events are suppressed" in rate_map.note
    assert (tmp_path / "map_activity_test.png").is_file()


@pytest.mark.slow
def test_edition_maps_have_caption_attribution_and_alt_text(edition, reference) -> None:
    text = (edition.project / "imd.qmd").read_text(encoding="utf-8")
    qhl = reference.lsoas[reference.lsoas["icb_ods"] == "QHL"]
    first = int((qhl["imd_decile"] == 1).sum())
    assert (
        f"![{first} of the 773 neighbourhoods are among the 10% most deprived in England." in text
    )
    assert (
        "Contains OS data © Crown copyright and database right 2011.](figures/map_imd_deciles.png)"
        in text
    )
    per_decile = "; ".join(
        f"decile {d}: {int((qhl['imd_decile'] == d).sum())}" for d in range(1, 11)
    )
    assert f"Neighbourhoods per decile: {per_decile}." in text
    birmingham = qhl[qhl["lad_name"] == "Birmingham"]
    assert f"Birmingham {int((birmingham['imd_decile'] <= 2).sum())} of {len(birmingham)}" in text
    assert (edition.project / "figures" / "map_imd_deciles.png").is_file()
    assert (
        "!["
        in (edition.project / "rural.qmd").read_text(encoding="utf-8").split("map_rural.png")[0]
    )
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(
        (edition.folder / "html" / "imd.html").read_text(encoding="utf-8"), "html.parser"
    )
    image = soup.find("img", src=lambda src: src and src.endswith("map_imd_deciles.png"))
    assert image["alt"].startswith(
        "Map of the 773 neighbourhoods (LSOAs) of Birmingham and Solihull"
    )
    assert f"Neighbourhoods per decile: {per_decile}." in image["alt"]
    annex = pd.read_csv(edition.annex)
    row = annex[annex["key"] == "maps.decile_1_lsoas"].iloc[0]
    assert row["value"] == first and row["chapter"] == "imd"
    methods = (edition.project / "methods.qmd").read_text(encoding="utf-8")
    assert (
        "Maps: Source: Office for National Statistics licensed under the Open Government "
        "Licence v.3.0. Contains OS data © Crown copyright and database right 2011." in methods
    )


# The classes of maps of numbers: one classification for fills, legend, caption and alt text.

#: A class as the alt text prints it ("140.0 to under 140.6: 1", "75% to 100%: 43", "216.1: 1").
CLASS_ROW = re.compile(
    r"(?<![\w.,])([\d,]+(?:\.\d+)?%?(?: to (?:under )?[\d,]+(?:\.\d+)?%?)?): ([\d,]+)(?=[ ;.]|$)"
)


def _number(text: str) -> float:
    return float(text.rstrip("%").replace(",", ""))


def _holds(label: str, value: float) -> bool:
    """Whether ``value`` satisfies a class label as a reader takes it: "X to under Y" is X <= v < Y,
    "X to Y" is X <= v <= Y, "X" is v == X."""
    parts = re.fullmatch(r"(.+?)(?: to (under )?(.+))?", label)
    low = _number(parts.group(1))
    if parts.group(3) is None:
        return value == low
    high = _number(parts.group(3))
    return low <= value < high if parts.group(2) else low <= value <= high


def _class_rows(alt: str) -> list[tuple[str, int]]:
    """The classes and counts an alt text prints, in order."""
    return [(label, int(n.replace(",", ""))) for label, n in CLASS_ROW.findall(alt)]


def _check_classes(
    alt: str, values: np.ndarray, legend=None, colours=None
) -> list[tuple[str, int]]:
    """Every value not NaN satisfies exactly one class label of ``alt``, and each label's count is
    the number of values satisfying it; the legend and fills (when given) agree with the labels."""
    rows = _class_rows(alt)
    shown = values[np.isfinite(values)]
    assert rows, alt
    for label, n in rows:
        assert sum(_holds(label, v) for v in shown) == n, (label, n, alt)
    assert all(sum(_holds(label, v) for label, _ in rows) == 1 for v in shown), alt
    if legend is not None:
        labelled = [label for label, _ in legend if label[0].isdigit() and "events" not in label]
        assert labelled == [label for label, _ in rows], (legend, alt)
        if colours is not None:
            fill = dict(legend)
            for value, colour in zip(values, colours, strict=True):
                if np.isfinite(value):
                    assert colour == fill[next(label for label, _ in rows if _holds(label, value))]
                else:
                    assert colour == maps.SUPPRESSED_COLOUR
    return rows


def test_classes_on_hand_made_values_with_ties_and_a_single_value() -> None:
    """The one rule: lower <= x < upper, the highest class closed; ties share a class; a class of
    one value is labelled with it; limits are printed numbers; empty classes merge."""
    classes = Classes.of([1.0, 2.0, 2.0, 2.0, 3.5, 5.0, np.nan], [1, 2, 3.5, 5])
    assert classes.index == (
        0,
        1,
        1,
        1,
        2,
        2,
        -1,
    )  # 2.0 on a limit is in the class above; 5.0 in the top
    assert classes.counts == (1, 3, 2) and classes.classed == 6
    assert classes.labels == ("1.0 to under 2.0", "2.0 to under 3.5", "3.5 to 5.0")
    assert classes.at_least == "3.5 or more"
    assert classes.colours(maps.REDS, "grey") == (
        *(maps.REDS[2],),
        *(maps.REDS[3],) * 3,
        *(maps.REDS[4],) * 2,
        "grey",
    )
    # Ties: the quantile limits are values, tied values share a class, and a top value alone is a
    # class.
    assert quantile_breaks([0, 0, 0, 8, 8]) == [0, 8, 8]
    ties = Classes.of([0, 0, 0, 8, 8], quantile_breaks([0, 0, 0, 8, 8]))
    assert (
        ties.counts == (3, 2)
        and ties.labels == ("0.0 to under 8.0", "8.0")
        and ties.at_least == "8.0"
    )
    assert quantile_breaks([1, 2, 3, 4, 5, 6]) == [1, 2, 3, 4, 5, 6]
    # A single value (the Isles of Scilly's one neighbourhood at 216.08): printed as 216.1, and said
    # so.
    one = Classes.of(printed([216.08]), quantile_breaks(printed([216.08])))
    assert one.breaks == (216.1, 216.1) and one.labels == ("216.1",) and one.at_least == "216.1"
    assert "more than" not in one.at_least
    # Limits are rounded to the printed digits before anything is classed by them.
    shares = Classes.of([9.96, 10.0, 24.99], [0, 9.99, 25.0], digits=0, suffix="%")
    assert shares.breaks == (0, 10, 25) and shares.index == (0, 1, 1)
    assert shares.labels == ("0% to under 10%", "10% to 25%")
    # printed() rounds as the book prints (0.35 is 0.34999... in binary: "0.3").
    assert printed([0.35, 0.25, 216.08, np.nan], 1)[:3].tolist() == [0.3, 0.2, 216.1]
    # An empty class merges into the class below; every area still satisfies its label.
    gaps = Classes.of([1, 1, 5], [0, 2, 4, 6])
    assert gaps.counts == (2, 0, 1)
    merged = gaps.without_empty()
    assert merged.breaks == (0, 4, 6) and merged.counts == (2, 1) and merged.index == (0, 0, 1)
    low = Classes.of([5, 5], [0, 2, 6]).without_empty()
    assert low.breaks == (0, 6) and low.labels == ("0.0 to 6.0",)
    for c in (classes, ties, one, shares, merged, low):
        alt = "; ".join(f"{label}: {n}" for label, n in zip(c.labels, c.counts, strict=True))
        _check_classes(alt, np.asarray(c.values, dtype=float))
    # No value to class: no class; a value outside the limits is an error.
    assert Classes.of([np.nan], []).size == 0
    with pytest.raises(ValueError, match="outside"):
        Classes.of([7.0], [0, 5])
    # On the coarse grid of the disclosure rule a top class of one rate stays a class.
    assert coarse_breaks([0, 6.5, 6.5]) == [0, 6, 8]


def _published_rates(reference, code: str, events: pd.Series, rule) -> np.ndarray:
    """Crude rates of a local authority's LSOAs as printed, from plain arithmetic on the events:
    1 to 7 suppressed (NaN), others rounded to the nearest 5 (halves up), under ``rule``."""
    lsoas = reference.lsoas
    members = sorted(lsoas.index[lsoas["lad_code"] == code])
    counts = events.reindex(members, fill_value=0).to_numpy(dtype=float)
    if rule.safe:
        counts = np.where((counts >= 1) & (counts <= 7), np.nan, np.floor(counts / 5 + 0.5) * 5)
    rates = counts / lsoas.loc[members, "population"].to_numpy(dtype=float) * 1000
    return np.array([float(f"{r:.1f}") if np.isfinite(r) else np.nan for r in rates])


@pytest.fixture(scope="module")
def demo_events(reference) -> pd.Series:
    from hi_reports.data.demo import demo_activity

    return demo_activity(reference, calibrate=True).groupby("lsoa_code")["count"].sum()


@pytest.mark.parametrize("rule", [SAFE, UNSAFE], ids=["safe", "unsafe"])
@pytest.mark.parametrize(
    "code", ["E09000001", "E06000053"], ids=["City of London", "Isles of Scilly"]
)
def test_activity_map_classes_captions_and_alt_text_agree(
    reference, shapes, demo_events, tmp_path, code, rule
) -> None:
    """City of London (6 neighbourhoods; its alt text counted 2, 0, 1, 1, 2 by no single rule) and
    the Isles of Scilly (1; "more than 216.1" where its rate prints 216.1): every class's count in
    the alt text is the number of neighbourhoods whose printed rate satisfies its label, the legend
    and fills follow the same labels, and the caption's limit is the top class's, as printed."""
    org = resolve(reference, code, "la")
    weights = membership(reference, "la")
    rates = _published_rates(reference, code, demo_events, rule)
    demo = maps.MappedActivity("Emergency admissions", "demo", demo_events, 1.0, rule, True)
    layers = maps.activity_layers(org, reference, shapes, weights, demo)
    assert np.array_equal(np.asarray(layers.classes.values), rates, equal_nan=True)
    drawn = maps.activity_map(org, reference, shapes, weights, demo, tmp_path)
    rows = _check_classes(drawn.alt, rates, layers.legend, layers.colours)
    assert sum(n for _, n in rows) == len(rates) == len(drawn.codes)
    assert "more than" not in drawn.title and "more than" not in drawn.alt
    annex = {m.key: m.value for m in drawn.measures}
    top_label, top_n = rows[-1]
    top_lower = _number(top_label.split(" to ")[0])
    assert (
        annex["maps.activity.demo.top_class"] == top_lower
        and annex["maps.activity.demo.top_class_areas"] == top_n
    )
    if len(rows) > 1:
        said = re.search(
            r"the (\d+ )?neighbourhoods? with the highest crude rates? "
            r"ha(?:s|ve) ([\d,.]+)( or more)?",
            drawn.title,
        )
        assert said and _number(said.group(2)) == top_lower, drawn.title
        assert int(said.group(1) or 1) == top_n == int((rates >= top_lower).sum())
    else:
        assert (
            f"a crude rate {'of ' + top_label if ' to ' not in top_label else 'from ' + top_label}"
            in drawn.title
        )
    if code == "E06000053" and not rule.safe:
        assert (
            rates.tolist() == [216.1]
            and "the one neighbourhood has a crude rate of 216.1 per 1,000" in drawn.title
        )
        assert "in one class: 216.1: 1." in drawn.alt and "1 neighbourhoods" not in drawn.alt


@pytest.mark.parametrize(
    "counts, says",
    [
        ([3, 5, 0, 2, 7, 40], "4 of the 6 neighbourhoods, with 1 to 7 events, are not shown"),
        (
            [3, 3, 3, 3, 3, 3],
            "no neighbourhood's crude rate can be shown: all 6 have 1 to 7 events",
        ),
        ([0, 0, 0, 0, 0, 0], "none of the 6 neighbourhoods had any emergency admissions"),
        (
            [0, 0, 3, 3, 3, 3],
            "none of the 2 neighbourhoods shown had any emergency admissions; 4 of the 6",
        ),
        ([0, 0, 0, 0, 0, 12], "the neighbourhood with the highest crude rate has "),
        ([9, 3, 3, 3, 3, 3], "the one neighbourhood shown has a crude rate from "),
    ],
)
def test_activity_map_when_most_neighbourhoods_are_suppressed(
    reference, shapes, tmp_path, counts, says
) -> None:
    """Small counts in City of London: the caption says what can be shown and how much is
    suppressed, never "more than 0.0" nor a limit of 0.0, and the alt text's classes still hold."""
    code = "E09000001"
    org = resolve(reference, code, "la")
    members = sorted(reference.lsoas.index[reference.lsoas["lad_code"] == code])
    events = pd.Series(0.0, index=reference.lsoas.index)
    events[members] = counts
    drawn = maps.activity_map(
        org,
        reference,
        shapes,
        membership(reference, "la"),
        maps.MappedActivity("Emergency admissions", "t", events, 1.0, SAFE),
        tmp_path,
    )
    assert says in drawn.title, drawn.title
    assert "more than" not in drawn.title and not re.search(r"(?<![\d.,])0\.0 or more", drawn.title)
    hidden = sum(1 <= c <= 7 for c in counts)
    assert f"1 to 7 events: suppressed: {hidden}." in drawn.alt
    assert {m.key: m.value for m in drawn.measures}["maps.activity.t.suppressed"] == hidden
    rates = _published_rates(reference, code, events, SAFE)
    if np.isfinite(rates).any():
        _check_classes(drawn.alt, rates)
    else:
        assert "in no class" in drawn.alt and not _class_rows(drawn.alt)
