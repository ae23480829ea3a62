"""Batches with activity data: read once, in every edition, and a changed file rebuilds only the
editions whose printed figures change."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from hi_reports.batch import BatchRequest, build_batch
from hi_reports.data.demo import demo_activity
from hi_reports.edition import ActivitySpec

CODES = ["QHL", "QJM", "QOP"]


def test_changed_activity_rebuilds_only_the_editions_it_touches(reference, tmp_path: Path) -> None:
    counts = demo_activity(reference, seed=3)
    counts = counts[counts["count"] > 0].reset_index(drop=True)
    path = tmp_path / "admissions.csv"
    counts.to_csv(path, index=False)
    request = BatchRequest(
        out=tmp_path / "editions", codes=CODES, formats=("html",), engine="builtin", jobs=2,
        date=dt.date(2026, 11, 25), activity=(ActivitySpec("Emergency admissions", path),),
    )
    first = build_batch(request, reference=reference)
    assert first.ok and sorted(o.code for o in first.built) == sorted(CODES)
    for code in CODES:
        manifest = json.loads((tmp_path / "editions" / code / "manifest.json").read_text())
        assert manifest["inputs"]["activity"]
        assert "## Emergency admissions by deprivation" in (tmp_path / "editions" / code / "project" / "imd.qmd").read_text()

    again = build_batch(request, reference=reference)
    assert sorted(o.code for o in again.unchanged) == sorted(CODES)

    # five more admissions in one Birmingham LSOA: QHL's figures change, England's rates do not
    qhl = reference.lsoas.index[reference.lsoas["icb_ods"] == "QHL"]
    row = counts.index[counts["lsoa_code"].isin(qhl) & (counts["age_band"] == "40-44")][0]
    counts.loc[row, "count"] += 5
    counts.to_csv(path, index=False)
    changed = build_batch(request, reference=reference)
    assert [o.code for o in changed.built] == ["QHL"]
    assert sorted(o.code for o in changed.unchanged) == ["QJM", "QOP"]
    # one admission moved to another LSOA of QHL in the same IMD decile and RUC class: no printed
    # figure changes, but the map of rates by neighbourhood does, so QHL is rebuilt
    lsoas = reference.lsoas
    here = lsoas.loc[counts.loc[row, "lsoa_code"]]
    twins = lsoas.index[(lsoas["icb_ods"] == "QHL") & (lsoas["imd_decile"] == here["imd_decile"])
                        & (lsoas["ruc_code"] == here["ruc_code"]) & (lsoas.index != here.name)]
    other = counts.index[counts["lsoa_code"].isin(twins) & (counts["age_band"] == "40-44")][0]
    counts.loc[row, "count"] -= 1
    counts.loc[other, "count"] += 1
    counts.to_csv(path, index=False)
    moved = build_batch(request, reference=reference)
    assert [o.code for o in moved.built] == ["QHL"]
    annex = pd.read_csv(tmp_path / "editions" / "QHL" / "annex.csv")
    assert (annex["key"] == "activity.emergency_admissions.sii").any()
