"""Charts: figures kept and reused between charts draw exactly what new figures draw."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hi_reports.build import chapter_context
from hi_reports.geography import resolve

DATE = dt.date(2026, 11, 25)


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_reused_figures_draw_the_same_pixels_as_new_figures(reference, icb_profiles, tmp_path: Path) -> None:
    """Each thread keeps one figure per chart layout. Charts of QHL and QOX drawn after other
    editions' charts (different numbers, series, categories and title lengths) must be pixel for
    pixel the charts a new thread, with new figures, draws for them."""
    orgs = {code: resolve(reference, code, "icb") for code in ("QWE", "QHL", "QOX")}
    for code, org in orgs.items():  # this thread: QHL and QOX reuse the figures of the charts before
        chapter_context(org, reference, icb_profiles, DATE, tmp_path / "reused" / code)

    def fresh() -> None:
        for code in ("QOX", "QHL"):  # QOX first: its figures are new
            chapter_context(orgs[code], reference, icb_profiles, DATE, tmp_path / "new" / code)

    worker = threading.Thread(target=fresh)
    worker.start()
    worker.join()
    compared = 0
    for code in ("QOX",):
        pngs = sorted((tmp_path / "new" / code).glob("*.png"))
        assert len(pngs) == 9, pngs  # QOX has urban and rural residents: every chart, and 3 maps
        for new in pngs:
            reused = tmp_path / "reused" / code / new.name
            assert np.array_equal(_pixels(reused), _pixels(new)), f"{code} {new.name} differs on a reused figure"
            compared += 1
    for new in sorted((tmp_path / "new" / "QHL").glob("*.png")):
        # QHL in the new thread reuses the figures QOX just used: still the same pixels
        assert np.array_equal(_pixels(tmp_path / "reused" / "QHL" / new.name), _pixels(new)), new.name
        compared += 1
    assert compared >= 10


@pytest.mark.parametrize("name", ["2019", "2025"])
def test_chart_labels_sources_and_alt_text_follow_the_vintage(name, data_dir, tmp_path: Path, monkeypatch) -> None:
    """Every label, source and alt text of the charts names the edition's own vintage (IMD 2025,
    RUC 2021 and its six classes on 2025), never the other's."""
    from hi_reports.build import kind_profiles
    from hi_reports.data import load_reference
    from hi_reports.indicators import charts
    from hi_reports.indicators.chapters import Subject, imd_figures, rural_figures

    reference = load_reference(data_dir, name)
    vintage, other = reference.vintage, reference.vintage.other
    org = resolve(reference, "QHL", "icb")
    subject = Subject(org, kind_profiles(reference, "icb"), None)
    drawn: list[dict] = []
    plot = charts._plot
    monkeypatch.setattr(charts, "_plot", lambda *args, **kwargs: (drawn.append(kwargs), plot(*args, **kwargs))[1])
    made = charts.draw_charts(org.short_name, imd_figures(subject), rural_figures(subject), tmp_path, vintage=vintage)
    labels = [str(k.get(key, "")) for k in drawn for key in ("category_label", "axis_label", "caption")]
    text = " ".join(labels + [chart.alt for chart in made.values()] + [chart.title for chart in made.values()])
    assert f"National {vintage.imd} decile (1 = most deprived 10% of LSOAs in England)" in labels
    assert f"Sources: {vintage.sources.population}; {vintage.sources.imd}." in labels
    assert f"Share of residents ({vintage.ruc_short}, LSOA)" in labels
    words = {6: "six", 8: "eight"}[len(vintage.ruc_classes)]
    assert f"each of the {words} {vintage.ruc} classes: " in made["rural_classes"].alt
    for wrong in (other.imd, other.ruc_short, other.ruc, other.iod, other.sources.population):
        assert wrong not in text, wrong
