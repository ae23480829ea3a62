"""Charts: figures kept and reused between charts draw exactly what new figures draw; the charts are
SVG files, byte for byte reproducible."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hi_reports.geography import resolve
from hi_reports.pipeline import chapter_context

DATE = dt.date(2026, 11, 25)


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _same(first: Path, second: Path) -> bool:
    """Whether two figure files draw the same: SVG charts byte for byte, PNG maps pixel for
    pixel."""
    if first.suffix == ".svg":
        return first.read_bytes() == second.read_bytes()
    return np.array_equal(_pixels(first), _pixels(second))


@pytest.mark.slow
def test_reused_figures_draw_the_same_pixels_as_new_figures(
    reference, icb_profiles, tmp_path: Path
) -> None:
    """Each thread keeps one figure per chart layout. Charts of QHL and QOX drawn after other
    editions' charts (different numbers, series, categories and label lengths) must be byte for
    byte the charts a new thread, with new figures, draws for them (and the maps pixel for
    pixel)."""
    orgs = {code: resolve(reference, code, "icb") for code in ("QWE", "QHL", "QOX")}
    for (
        code,
        org,
    ) in orgs.items():  # this thread: QHL and QOX reuse the figures of the charts before
        chapter_context(
            org, reference, icb_profiles, date=DATE, figures_dir=tmp_path / "reused" / code
        )

    def fresh() -> None:
        for code in ("QOX", "QHL"):  # QOX first: its figures are new
            chapter_context(
                orgs[code], reference, icb_profiles, date=DATE, figures_dir=tmp_path / "new" / code
            )

    worker = threading.Thread(target=fresh)
    worker.start()
    worker.join()
    compared = 0
    for code in ("QOX",):
        files = sorted((tmp_path / "new" / code).iterdir())
        assert [f.suffix for f in files].count(".svg") == 7, (
            files
        )  # QOX has urban and rural residents, and residents in every quintile: every chart
        assert [f.suffix for f in files].count(".png") == 4, files  # and 4 maps (PLUS too)
        for new in files:
            reused = tmp_path / "reused" / code / new.name
            assert _same(reused, new), f"{code} {new.name} differs on a reused figure"
            compared += 1
    for new in sorted((tmp_path / "new" / "QHL").iterdir()):
        # QHL in the new thread reuses the figures QOX just used: still the same files
        assert _same(tmp_path / "reused" / "QHL" / new.name, new), new.name
        compared += 1
    assert compared >= 10


@pytest.mark.parametrize("name", ["2019", "2025"])
@pytest.mark.slow
def test_chart_labels_sources_and_alt_text_follow_the_vintage(
    name, data_dir, tmp_path: Path, monkeypatch
) -> None:
    """Every label, source and alt text of the charts names the edition's own vintage (IMD 2025,
    RUC 2021 and its six classes on 2025), never the other's."""
    from hi_reports.data import load_reference
    from hi_reports.draw import charts
    from hi_reports.indicators.chapters import Subject, imd_figures, rural_figures
    from hi_reports.pipeline import kind_profiles

    reference = load_reference(data_dir, name)
    vintage, other = reference.vintage, reference.vintage.other
    org = resolve(reference, "QHL", "icb")
    subject = Subject(org, kind_profiles(reference, "icb"), None)
    drawn: list[dict] = []
    plot = charts._plot
    monkeypatch.setattr(
        charts, "_plot", lambda *args, **kwargs: (drawn.append(kwargs), plot(*args, **kwargs))[1]
    )
    made = charts.draw_charts(
        org, imd_figures(subject), rural_figures(subject), tmp_path, vintage=vintage
    )
    labels = [
        words for k in drawn for words in (k["text"].categories, k["text"].axis, k["text"].note)
    ]
    text = " ".join(
        labels + [chart.alt for chart in made.values()] + [chart.title for chart in made.values()]
    )
    assert f"National {vintage.imd} decile (1 = most deprived 10% of LSOAs in England)" in labels
    assert f"Sources: {vintage.sources.population}; {vintage.sources.imd}." in labels
    assert f"Share of residents ({vintage.ruc_short}, LSOA)" in labels
    words = {6: "six", 8: "eight"}[len(vintage.ruc_classes)]
    assert f"each of the {words} {vintage.ruc} classes: " in made["rural_classes"].alt
    for wrong in (other.imd, other.ruc_short, other.ruc, other.iod, other.sources.population):
        assert wrong not in text, wrong


def _record_drawn_text(monkeypatch, module) -> dict[str, list[tuple[str, float]]]:
    """Record, for every figure ``module`` writes (through its ``write_svg``), each text matplotlib
    draws in it and its size in points when the figure prints at the board paper's width."""
    from matplotlib.text import Text

    from hi_reports.draw.figfile import PRINTED_WIDTH

    drawn: dict[str, list[tuple[str, float]]] = {}
    current: list[str] = []
    draw, write = Text.draw, module.write_svg

    def recording(self, renderer):
        if current and self.get_visible() and self.get_text().strip():
            drawn[current[-1]].append(
                (self.get_text(), self.get_fontsize() * PRINTED_WIDTH / self.figure.get_figwidth())
            )
        return draw(self, renderer)

    def writing(figure, folder, name):
        current.append(f"{folder.name}/{name}")
        drawn[current[-1]] = []
        try:
            return write(figure, folder, name)
        finally:
            current.pop()

    monkeypatch.setattr(Text, "draw", recording)
    monkeypatch.setattr(module, "write_svg", writing)
    return drawn


@pytest.mark.slow
def test_charts_print_every_text_at_8pt_or_more_as_svg_without_a_title(
    reference, icb_profiles, tmp_path: Path, monkeypatch
) -> None:
    """At the width the PDF prints a chart (90% of the 16 cm text width, 14.4 cm), every tick label,
    legend entry, axis title and source note is 8 pt or more; the chart has no title (its caption
    in the book says the finding); the file is an SVG 14.4 cm wide, its letters as outlines."""
    import re

    from hi_reports.draw import charts
    from hi_reports.draw.figfile import MIN_TEXT_PT, PRINTED_WIDTH
    from hi_reports.geography import organisations
    from hi_reports.indicators.chapters import (
        Subject,
        imd_figures,
        rural_figures,
        variation_figures,
    )

    drawn = _record_drawn_text(monkeypatch, charts)
    icbs = {o.key: o for o in organisations(reference, "icb")}
    made: dict[tuple[str, str], charts.Chart] = {}
    for code in ("QHL", "england"):
        org = resolve(reference, code, "england" if code == "england" else "icb")
        subject = Subject(org, icb_profiles, icbs[org.parents[0]] if org.parents else None)
        drawn_charts = charts.draw_charts(
            org,
            imd_figures(subject),
            rural_figures(subject),
            tmp_path / code,
            vintage=reference.vintage,
        )
        made.update({(code, name): chart for name, chart in drawn_charts.items()})
    variation = charts.draw_variation_charts(
        variation_figures(icb_profiles, icbs), tmp_path / "england"
    )
    made.update({("england", name): chart for name, chart in variation.items()})
    series = charts._Series(
        "A trust with a long name", [231.8, 126.1], "#003087", [230.5, 124.2], [233.1, 128.0]
    )
    charts._plot(
        tmp_path,
        "rates",
        charts._Bars(["Q1", "Q5"], [series], line=charts._Line(174.2, "#768692", "England")),
        text=charts.ChartText(
            axis="Rate per 1,000 a year",
            note="Rates age-standardised to the 2013 European Standard Population. Error bars: "
            "95% confidence limits (Dobson). Synthetic demonstration data.",
        ),
        layout=charts._Layout(shares=False),
    )
    assert len(drawn) == 6 + 6 + 2 + 1 and all(drawn.values())
    sizes = [size for texts in drawn.values() for _, size in texts]
    assert min(sizes) >= MIN_TEXT_PT == 8.0, min(
        drawn.items(), key=lambda item: min(s for _, s in item[1])
    )
    assert (
        min(size for text, size in drawn[f"{tmp_path.name}/rates"] if text.startswith("Rates age-"))
        >= 8.0
    )
    texts = {name: " ".join(text for text, _ in texts) for name, texts in drawn.items()}
    assert (
        "Birmingham and Solihull" in texts["QHL/imd_deciles"]
        and "England" in texts["QHL/imd_deciles"]
    )
    assert (
        "Bath and North East Somerset, Swindon and Wiltshire" in texts["england/variation_core20"]
    )  # in full
    for (code, name), chart in made.items():
        assert chart.title not in texts[f"{code}/{name}"], (
            name
        )  # the caption alone states the finding
        assert chart.path == f"figures/{chart.name}.svg"
    for path in [*(tmp_path / "QHL").iterdir(), *(tmp_path / "england").iterdir()]:
        svg = path.read_text(encoding="utf-8")
        width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
        assert (
            width == pytest.approx(PRINTED_WIDTH * 72, abs=0.01) == pytest.approx(14.4 / 2.54 * 72)
        )
        assert "<text" not in svg and "<image" not in svg and "<dc:date>" not in svg, path.name
