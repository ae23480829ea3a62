"""Charts: figures kept and reused between charts draw exactly what new figures draw."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from hi_reports.edition import chapter_context
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
