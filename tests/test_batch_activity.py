"""Batches with activity data: read once, in every edition, and a changed file rebuilds every
edition that prints or stores anything of it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hi_reports.batch import BatchRequest, build_batch
from hi_reports.data.demo import demo_activity
from hi_reports.pipeline import ActivitySpec

#: Each test builds batches of whole editions: `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

CODES = ["QHL", "QJM", "QOP"]


def _with_events(counts: pd.DataFrame) -> pd.DataFrame:
    """England's demonstration rows with events. The whole country: England's printed rates must
    not move when a few admissions move within QHL. The tests write them as Parquet, which each of
    their seven batches reads in a fraction of the CSV's time (tests/test_activity.py reads CSV),
    and build one edition at a time in the test's process (the pool is tests/test_batch.py's)."""
    return counts[counts["count"] > 0].reset_index(drop=True)


def test_changed_activity_rebuilds_the_editions(reference, tmp_path: Path) -> None:
    counts = _with_events(demo_activity(reference, seed=3))
    path = tmp_path / "admissions.parquet"
    counts.to_parquet(path, index=False)
    request = BatchRequest(
        out=tmp_path / "editions",
        codes=CODES,
        formats=("html",),
        engine="builtin",
        jobs=1,
        date=dt.date(2026, 11, 25),
        activity=(ActivitySpec("Emergency admissions", path),),
    )
    first = build_batch(request, reference=reference)
    assert first.ok and sorted(o.code for o in first.built) == sorted(CODES)
    for code in CODES:
        manifest = json.loads((tmp_path / "editions" / code / "manifest.json").read_text())
        assert manifest["inputs"]["activity"]
        assert (
            "## Emergency admissions by deprivation"
            in (tmp_path / "editions" / code / "project" / "imd.qmd").read_text()
        )

    # No file of the batch (editions, manifests, index, notebooks) names the activity file's folder.
    for file in (tmp_path / "editions").rglob("*"):
        if file.is_file() and file.suffix in (
            ".json",
            ".html",
            ".ipynb",
            ".csv",
            ".qmd",
            ".yml",
            ".typ",
        ):
            assert str(tmp_path) not in file.read_text(encoding="utf-8", errors="replace"), file

    again = build_batch(request, reference=reference)
    assert sorted(o.code for o in again.unchanged) == sorted(CODES)

    # five admissions moved from a Birmingham LSOA of IMD quintile 1 to one of quintile 5: QHL's
    # figures change; the file's totals (the quality table every edition prints) and England's
    # printed rates do not
    lsoas = reference.lsoas
    qhl = lsoas.index[lsoas["icb_ods"] == "QHL"]
    band = counts["age_band"] == "40-44"
    q1 = counts.index[
        counts["lsoa_code"].isin(qhl[lsoas.loc[qhl, "imd_quintile"] == 1])
        & band
        & (counts["count"] >= 5)
    ][0]
    q5 = counts.index[counts["lsoa_code"].isin(qhl[lsoas.loc[qhl, "imd_quintile"] == 5]) & band][0]
    counts.loc[q1, "count"] -= 5
    counts.loc[q5, "count"] += 5
    counts.to_parquet(path, index=False)
    changed = build_batch(request, reference=reference)
    assert [o.code for o in changed.built] == ["QHL"]
    assert sorted(o.code for o in changed.unchanged) == ["QJM", "QOP"]
    # One admission moved between two LSOAs of QHL in the same IMD decile and RUC class: no group's
    # figure changes. The map of rates by neighbourhood shows each LSOA's count rounded to 5, so QHL
    # is rebuilt only when a move changes a rounded count: not for the first move, yes for the
    # second.
    lsoas = reference.lsoas

    def move(changes_rounding: bool) -> None:
        totals = counts.groupby("lsoa_code")["count"].sum()
        mine = lsoas[(lsoas["icb_ods"] == "QHL") & lsoas.index.isin(totals.index)]
        for source in mine.index:
            here = mine.loc[source]
            twins = mine.index[
                (mine["imd_decile"] == here["imd_decile"])
                & (mine["ruc_code"] == here["ruc_code"])
                & (mine.index != source)
            ]
            for target in twins:
                t_from, t_to = totals[source], totals[target]
                changed = np.floor(t_from / 5 + 0.5) != np.floor(
                    (t_from - 1) / 5 + 0.5
                ) or np.floor(t_to / 5 + 0.5) != np.floor((t_to + 1) / 5 + 0.5)
                small = min(t_from - 1, t_to) <= 7
                if changed == changes_rounding and not small:
                    take = counts.index[(counts["lsoa_code"] == source) & (counts["count"] > 0)][0]
                    give = counts.index[
                        (counts["lsoa_code"] == target)
                        & (counts["age_band"] == counts.loc[take, "age_band"])
                    ]
                    if len(give):
                        counts.loc[take, "count"] -= 1
                        counts.loc[give[0], "count"] += 1
                        counts.to_parquet(path, index=False)
                        return
        raise AssertionError("no such move in the test data")

    move(changes_rounding=False)
    assert build_batch(request, reference=reference).built == []
    move(changes_rounding=True)
    moved = build_batch(request, reference=reference)
    assert [o.code for o in moved.built] == ["QHL"]
    annex = pd.read_csv(tmp_path / "editions" / "QHL" / "annex.csv")
    assert (annex["key"] == "activity.emergency_admissions.sii").any()

    # five more admissions: the rounded events read and used change, and every edition prints them
    counts.loc[q5, "count"] += 5
    counts.to_parquet(path, index=False)
    assert sorted(o.code for o in build_batch(request, reference=reference).built) == sorted(CODES)


def _quality(folder: Path) -> pd.Series:
    """The methods appendix's data-quality figures of an edition, from its annex."""
    annex = pd.read_csv(folder / "annex.csv").drop_duplicates("key").set_index("key")["value"]
    return annex[annex.index.str.startswith("activity.emergency_admissions.quality.")]


def test_a_change_to_excluded_rows_only_rebuilds_every_edition(reference, tmp_path: Path) -> None:
    """Rows that are excluded change no rate, but the methods appendix counts them and the
    notebook reads the file again: every edition must be rebuilt with the new counts."""
    counts = _with_events(demo_activity(reference, seed=5))
    path = tmp_path / "admissions.parquet"
    counts.to_parquet(path, index=False)
    request = BatchRequest(
        out=tmp_path / "editions",
        codes=CODES,
        formats=("html",),
        engine="builtin",
        jobs=1,
        date=dt.date(2026, 11, 25),
        activity=(ActivitySpec("Emergency admissions", path),),
    )
    assert sorted(o.code for o in build_batch(request, reference=reference).built) == sorted(CODES)
    before = {code: _quality(tmp_path / "editions" / code) for code in CODES}
    assert (
        "activity.emergency_admissions.quality.excluded.lsoa_outside_england.rows"
        not in before["QJM"]
    )

    # 20 rows of 100 events: multiples of 5, so the figures are the same whether published
    # counts are exact or rounded to 5
    welsh = pd.DataFrame(
        {"lsoa_code": [f"W0100{n:04d}" for n in range(1, 21)], "age_band": "40-44", "count": 5}
    )
    pd.concat([counts, welsh]).to_parquet(path, index=False)
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
    assert sorted(o.code for o in build_batch(request, reference=reference).unchanged) == sorted(
        CODES
    )
