"""Colours of charts and maps: WCAG 1.4.11 contrast (3:1) against the page and between series side
by side, and distinct under simulated protanopia and deuteranopia; the charts drawn use them."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex

from hi_reports.draw import charts, maps, palette
from hi_reports.draw.palette import (
    WHITE,
    contrast_ratio,
    distance,
    relative_luminance,
    simulate,
)

#: CIE76 distance two colours keep under simulated colour blindness: plainly different (about 2 is
#: just noticeable; the NHS blue and dark blue the charts used to pair, 1.86:1 apart, are 21 apart,
#: 17 to 18 when colour blind).
CVD_DISTANCE = 25
DEFICIENCIES = ("protanopia", "deuteranopia")
SERIES = (palette.ORGANISATION, palette.ENGLAND_COLOUR, palette.RURAL, *palette.AGE_COLOURS)


def test_contrast_ratio_matches_wcag_examples() -> None:
    """The WCAG formula: black on white 21:1, a colour with itself 1:1, and the figures of issue 16
    (yellow on white 1.73:1, the two blues 1.86:1, England's grey against the NHS blue 1.70:1)."""
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#768692", "#768692") == 1.0
    assert (
        relative_luminance("#FFFFFF") == pytest.approx(1.0) and relative_luminance("#000000") == 0.0
    )
    assert round(contrast_ratio("#FFB81C", WHITE), 2) == 1.73
    assert round(contrast_ratio("#005EB8", "#003087"), 2) == 1.86
    assert round(contrast_ratio("#768692", "#005EB8"), 2) == 1.70
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the AA grey of text
    with pytest.raises(ValueError, match="not #RRGGBB"):
        relative_luminance("#FFF")


def test_simulation_keeps_greys_and_confuses_red_with_green() -> None:
    """Dichromacy keeps neutral greys and blue-yellow differences, and merges red and green."""
    for kind in DEFICIENCIES:
        assert np.allclose(simulate("#808080", kind), simulate("#808080", "protanopia"), atol=1e-3)
        assert distance(simulate("#808080", kind), "#808080") < 1
        red_green = distance(simulate("#D5281B", kind), simulate("#009639", kind))
        assert red_green < distance("#D5281B", "#009639") / 3, kind
        assert distance(simulate("#003087", kind), simulate("#FFB81C", kind)) > 60
    with pytest.raises(ValueError, match="protanopia or deuteranopia"):
        simulate("#003087", "tritanopia")


@pytest.mark.parametrize("colour", SERIES)
def test_every_series_colour_is_3_to_1_against_white(colour: str) -> None:
    assert contrast_ratio(colour, WHITE) >= 3.0


@pytest.mark.parametrize("first, second", palette.SIDE_BY_SIDE)
def test_series_side_by_side_are_3_to_1_apart_and_distinct_when_colour_blind(
    first: str, second: str
) -> None:
    assert contrast_ratio(first, second) >= 3.0
    for kind in DEFICIENCIES:
        assert distance(simulate(first, kind), simulate(second, kind)) >= CVD_DISTANCE, kind


@pytest.mark.parametrize("first, second", palette.SAME_CHART)
def test_series_of_one_chart_not_side_by_side_stay_distinct_when_colour_blind(
    first: str, second: str
) -> None:
    for kind in DEFICIENCIES:
        assert distance(simulate(first, kind), simulate(second, kind)) >= CVD_DISTANCE, kind


def test_lines_over_bars_have_a_casing_that_contrasts_with_every_bar() -> None:
    assert contrast_ratio(palette.TEXT, WHITE) >= 3.0  # the line on the page
    for colour in SERIES:
        assert contrast_ratio(palette.CASING, colour) >= 3.0  # its casing on a bar
    assert contrast_ratio(palette.NOTE, WHITE) >= 4.5  # source notes are text: 4.5:1 (WCAG 1.4.3)


@pytest.mark.parametrize(
    "colours",
    [maps.DECILE_COLOURS, maps.BLUES, maps.GREENS, maps.REDS, *maps.RURAL_COLOURS.values()],
    ids=lambda c: f"{len(c)} classes from {c[0]}",
)
def test_sequential_map_palettes_run_light_to_dark_and_their_ends_are_far_apart(colours) -> None:
    """Neighbouring classes of a sequential palette cannot all be 3:1 apart (the maps have a
    legend); the ends are, and every palette keeps its order of lightness when colour blind."""
    assert contrast_ratio(colours[0], colours[-1]) >= 3.0
    for kind in (None, *DEFICIENCIES):
        lightness = [palette.lab(simulate(c, kind) if kind else c)[0] for c in colours]
        assert lightness == sorted(lightness) or lightness == sorted(lightness, reverse=True), kind
        assert abs(lightness[0] - lightness[-1]) > 40, kind


def test_the_two_classes_of_the_core20_map_are_3_to_1_apart() -> None:
    assert contrast_ratio(maps.CORE20_COLOUR, maps.OTHER_COLOUR) >= 3.0


def _drawn(monkeypatch, tmp_path: Path, reference, profiles) -> dict[str, dict]:
    """Draw the charts of QHL and of England (with the ICB variation charts, and a chart of rates
    with error bars), keeping each figure's bar colours, lines, markers and error bars as
    written."""
    from hi_reports.geography import organisations, resolve
    from hi_reports.indicators.chapters import (
        Subject,
        imd_figures,
        rural_figures,
        variation_figures,
    )

    seen: dict[str, dict] = {}
    write = charts.write_svg

    def keep(figure, folder, name):
        ax = figure.axes[0]
        collections = [
            c for c in ax.collections if len(c.get_offsets()) or hasattr(c, "get_segments")
        ]
        seen[f"{folder.name}/{name}"] = {
            "bars": [
                to_hex(c.patches[0].get_facecolor())
                for c in ax.containers
                if getattr(c, "patches", None)
            ],
            "lines": [
                (to_hex(line.get_color()), line.get_linestyle(), line.get_linewidth())
                for line in ax.lines
            ],
            "markers": [
                to_hex(c.get_edgecolor()[0]) for c in collections if not hasattr(c, "get_segments")
            ],
            "errors": [
                (to_hex(c.get_color()[0]), float(c.get_linewidth()[0]))
                for c in collections
                if hasattr(c, "get_segments")
            ],
        }
        return write(figure, folder, name)

    monkeypatch.setattr(charts, "write_svg", keep)
    icbs = {o.key: o for o in organisations(reference, "icb")}
    for code in ("QHL", "england"):
        org = resolve(reference, code, "england" if code == "england" else "icb")
        subject = Subject(org, profiles, icbs[org.parents[0]] if org.parents else None)
        charts.draw_charts(
            org,
            imd_figures(subject),
            rural_figures(subject),
            tmp_path / code,
            vintage=reference.vintage,
        )
    charts.draw_variation_charts(variation_figures(profiles, icbs), tmp_path / "england")
    rates = charts._Series(
        "Birmingham and Solihull",
        [231.8, 126.1],
        palette.ORGANISATION,
        [230.5, 124.2],
        [233.1, 128.0],
    )
    england = charts._Series(
        "England", [174.2, 176.6], palette.ENGLAND_COLOUR, [173.0, 175.0], [175.4, 178.2]
    )
    charts._plot(
        tmp_path / "rates",
        "rates",
        charts._Bars(
            ["Q1", "Q5"],
            [rates, england],
            line=charts._Line(174.2, palette.ENGLAND_COLOUR, "England"),
        ),
        text=charts.ChartText(note="Error bars: 95% confidence limits."),
        layout=charts._Layout(shares=False),
    )
    return seen


@pytest.mark.slow
def test_the_charts_drawn_use_colours_that_pass(
    reference, icb_profiles, monkeypatch, tmp_path
) -> None:
    """Every bar of every chart of QHL and England is 3:1 against white and against the bars beside
    it; England's marks and the dashed lines are 3:1 against the page and against the bars, or
    carry a wider white casing; error bars are dark on a wider white casing."""
    drawn = _drawn(monkeypatch, tmp_path, reference, icb_profiles)
    assert len(drawn) == 6 + 6 + 2 + 1
    assert {tuple(d["bars"]) for d in drawn.values()} >= {
        (palette.ORGANISATION, palette.ENGLAND_COLOUR),
        tuple(c.lower() for c in palette.AGE_COLOURS),
        (palette.URBAN, palette.RURAL.lower()),
    }
    assert drawn["QHL/imd_deciles"]["markers"] == [palette.ENGLAND_COLOUR.lower()]
    for name, chart in drawn.items():
        for colour in chart["bars"] + chart["markers"]:
            assert contrast_ratio(colour, WHITE) >= 3.0, (name, colour)
        for first, second in pairwise(chart["bars"]):
            assert contrast_ratio(first, second) >= 3.0, (name, first, second)
        for colour in chart["markers"]:
            assert all(contrast_ratio(colour, bar) >= 3.0 for bar in chart["bars"]), (name, colour)
        casings = [
            width for colour, style, width in chart["lines"] if colour == "#ffffff" and style == "-"
        ]
        for colour, style, width in chart["lines"]:
            if style == "--":
                assert contrast_ratio(colour, WHITE) >= 3.0, (name, colour)
                assert all(contrast_ratio(colour, bar) >= 3.0 for bar in chart["bars"]) or any(
                    w > width for w in casings
                ), (name, colour)
        dark = [width for colour, width in chart["errors"] if contrast_ratio(colour, WHITE) >= 3.0]
        light = [width for colour, width in chart["errors"] if colour == "#ffffff"]
        assert len(dark) == len(light) and all(w < min(light) for w in dark), (
            name,
            chart["errors"],
        )
        assert "#ffb81c" not in chart["bars"] + [c for c, _, _ in chart["lines"]], (
            name
        )  # the old yellow
    assert drawn["rates/rates"]["errors"] and drawn["QHL/imd_domains"]["bars"] == [
        palette.ORGANISATION.lower(),
        palette.ENGLAND_COLOUR.lower(),
    ]
