"""Batches with activity data: read once, in every edition, and a changed file rebuilds every
edition that prints or stores anything of it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from hi_reports.batch import BatchRequest, build_batch
from hi_reports.data.demo import demo_activity
from hi_reports.edition import ActivitySpec

CODES = ["QHL", "QJM", "QOP"]


def test_changed_activity_rebuilds_the_editions(reference, tmp_path: Path) -> None:
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

    # five more admissions in one Birmingham LSOA: QHL's figures change, and every edition's
    # methods appendix (the file's events read and used) and notebook (the file read again)
    qhl = reference.lsoas.index[reference.lsoas["icb_ods"] == "QHL"]
    row = counts.index[counts["lsoa_code"].isin(qhl) & (counts["age_band"] == "40-44")][0]
    counts.loc[row, "count"] += 5
    counts.to_csv(path, index=False)
    changed = build_batch(request, reference=reference)
    assert sorted(o.code for o in changed.built) == sorted(CODES) and not changed.unchanged
    total = int(counts["count"].sum())
    for code in CODES:
        annex = pd.read_csv(tmp_path / "editions" / code / "annex.csv").drop_duplicates("key").set_index("key")
        assert annex.loc["activity.emergency_admissions.quality.events_read", "value"] == total
    assert (annex.index == "activity.emergency_admissions.sii").any()


def _quality(folder: Path) -> pd.Series:
    """The methods appendix's data-quality figures of an edition, from its annex."""
    annex = pd.read_csv(folder / "annex.csv").drop_duplicates("key").set_index("key")["value"]
    return annex[annex.index.str.startswith("activity.emergency_admissions.quality.")]


def test_a_change_to_excluded_rows_only_rebuilds_every_edition(reference, tmp_path: Path) -> None:
    """Rows that are excluded change no rate, but the methods appendix counts them and the
    notebook reads the file again: every edition must be rebuilt with the new counts."""
    counts = demo_activity(reference, seed=5)
    counts = counts[counts["count"] > 0].reset_index(drop=True)
    path = tmp_path / "admissions.csv"
    counts.to_csv(path, index=False)
    request = BatchRequest(
        out=tmp_path / "editions", codes=CODES, formats=("html",), engine="builtin", jobs=2,
        date=dt.date(2026, 11, 25), activity=(ActivitySpec("Emergency admissions", path),),
    )
    assert sorted(o.code for o in build_batch(request, reference=reference).built) == sorted(CODES)
    before = {code: _quality(tmp_path / "editions" / code) for code in CODES}
    assert "activity.emergency_admissions.quality.excluded.lsoa_outside_england.rows" not in before["QJM"]

    # 20 rows of 100 events: multiples of 5, so the figures are the same whether published
    # counts are exact or rounded to 5
    welsh = pd.DataFrame({"lsoa_code": [f"W0100{n:04d}" for n in range(1, 21)], "age_band": "40-44", "count": 5})
    pd.concat([counts, welsh]).to_csv(path, index=False)
    rebuilt = build_batch(request, reference=reference)
    assert sorted(o.code for o in rebuilt.built) == sorted(CODES) and not rebuilt.unchanged
    for code in CODES:
        after = _quality(tmp_path / "editions" / code)
        prefix = "activity.emergency_admissions.quality."
        assert after[prefix + "rows_read"] == before[code][prefix + "rows_read"] + 20
        assert after[prefix + "events_read"] == before[code][prefix + "events_read"] + 100
        assert after[prefix + "events_used"] == before[code][prefix + "events_used"]
        assert after[prefix + "excluded.lsoa_outside_england.rows"] == 20
        assert after[prefix + "excluded.lsoa_outside_england.events"] == 100
        manifest = json.loads((tmp_path / "editions" / code / "manifest.json").read_text())
        assert manifest["inputs"]["activity"]
    assert sorted(o.code for o in build_batch(request, reference=reference).unchanged) == sorted(CODES)
