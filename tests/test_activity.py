"""Reading activity data: exclusions per reason, LSOA 2021 codes, formats, mappings and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hi_reports.data.activity import (
    AGE_BANDS,
    REASONS,
    parse_columns,
    parse_period,
    read_activity,
)
from hi_reports.data.demo import SYNTHETIC_LABEL, write_activity
from hi_reports.errors import DataError


@pytest.fixture(scope="module")
def lookup(data_dir: Path) -> Path:
    return next(data_dir.rglob("lookup_lsoa11_lsoa21_ltla22.csv"))


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _check_totals(summary) -> None:
    assert summary.rows_used + summary.rows_excluded == summary.rows_read
    assert summary.events_used + summary.events_excluded == summary.events_read


# One or more event rows per exclusion reason of an event-level file with dates (2023-24).
EVENT_ROWS = {
    None: ["E01000001,34,2023-05-01", " e01000001 ,3,31/12/2023", "E01000002,95,2024-03-31"],
    "lsoa_missing": [",3,2023-05-01", "  ,4,2023-05-01"],
    "lsoa_malformed": ["XYZ,3,2023-05-01", "E0100000,3,2023-05-01"],
    "lsoa_outside_england": ["W01000001,3,2023-05-01", "S01006506,3,2023-05-01"],
    "lsoa21_ambiguous": ["E01035188,30,2023-05-01"],
    "lsoa_unknown": ["E02000001,3,2023-05-01", "E01999999,3,2023-05-01"],
    "age_missing": ["E01000001,,2023-05-01"],
    "age_invalid": ["E01000001,abc,2023-05-01"],
    "age_out_of_range": ["E01000001,-1,2023-05-01", "E01000001,121,2023-05-01"],
    "date_missing": ["E01000001,40,"],
    "date_invalid": ["E01000001,40,2023-13-01", "E01000001,40,soon"],
    "date_outside_period": ["E01000001,40,2023-03-31", "E01000001,40,2024-04-01"],
}

# Pre-aggregated rows (with age bands) per reason that needs counts or bands.
AGGREGATED_ROWS = {
    None: ["E01000001,0-4,5", "E01000001,90 +,2", "E01000003,10-14,0"],
    "count_missing": ["E01000001,0-4,"],
    "count_invalid": ["E01000001,0-4,-2", "E01000001,0-4,1.5", "E01000001,0-4,many"],
    "lsoa_malformed": ["12345,0-4,4"],
    "age_missing": ["E01000001,,3"],
    "age_band_unknown": ["E01000001,85+,6", "E01000001,0-5,1"],
}


def test_every_exclusion_reason_of_event_rows(tmp_path: Path, lookup: Path) -> None:
    rows = [row for group in EVENT_ROWS.values() for row in group]
    path = _write(tmp_path / "events.csv", "lsoa_code,age,date", rows)
    activity = read_activity(path, period="2023-24", lsoa21_lookup=lookup)
    summary = activity.summary
    assert summary.kind == "events"
    assert summary.rows_read == summary.events_read == len(rows)
    _check_totals(summary)
    assert summary.rows_used == summary.events_used == len(EVENT_ROWS[None])
    for reason, group in EVENT_ROWS.items():
        if reason is None:
            continue
        item = summary.exclusion(reason)
        assert (item.rows, item.events) == (len(group), len(group)), reason
    assert summary.exclusion("lsoa_malformed").examples == ("E0100000", "XYZ")
    assert summary.exclusion("age_out_of_range").examples == ("-1", "121")
    assert [e.reason for e in summary.exclusions] == [key for key, _ in REASONS]
    counts = activity.counts.set_index(["lsoa_code", "age_band"])["count"]
    assert counts.to_dict() == {
        ("E01000001", "0-4"): 1,
        ("E01000001", "30-34"): 1,
        ("E01000002", "90+"): 1,
    }
    text = str(summary)
    assert "excluded 2 rows, 2 events: date outside the period" in text
    assert "used 3 rows, 3 events" in text
    annex = summary.to_frame()
    assert annex["rows"].iloc[0] == len(rows)
    assert annex.loc[annex["item"] == "excluded", "rows"].sum() == summary.rows_excluded


def test_every_exclusion_reason_of_aggregated_rows(tmp_path: Path, lookup: Path) -> None:
    rows = [row for group in AGGREGATED_ROWS.values() for row in group]
    path = _write(tmp_path / "aggregated.csv", "lsoa_code,age_band,count", rows)
    summary = read_activity(path, lsoa21_lookup=lookup).summary
    assert summary.kind == "aggregated"
    _check_totals(summary)
    assert (summary.rows_read, summary.events_read) == (len(rows), 5 + 2 + 0 + 4 + 3 + 6 + 1)
    assert (summary.rows_used, summary.events_used) == (3, 7)
    expected = {
        "count_missing": (1, 0),
        "count_invalid": (3, 0),  # unknown events count as 0
        "lsoa_malformed": (1, 4),
        "age_missing": (1, 3),
        "age_band_unknown": (2, 7),
    }
    for reason, (n_rows, n_events) in expected.items():
        item = summary.exclusion(reason)
        assert (item.rows, item.events) == (n_rows, n_events), reason
    assert summary.exclusion("age_band_unknown").examples == ("0-5", "85+")
    assert summary.exclusion("count_invalid").examples == ("-2", "many")
    others = [e for e in summary.exclusions if e.reason not in expected]
    assert all(e.rows == 0 for e in others)


def test_lsoa21_codes_are_mapped_or_reported(tmp_path: Path, lookup: Path) -> None:
    table = pd.read_csv(lookup, dtype=str)
    england = table[table["lsoa11_code"].str.startswith("E")]
    per21 = england.groupby("lsoa21_code").agg(
        n=("lsoa11_code", "nunique"),
        change=("change_code", "first"),
        lsoa11=("lsoa11_code", "first"),
    )
    unchanged = per21[(per21["change"] == "U")].index[:2].tolist()
    split = per21[(per21["change"] == "S")].head(2)
    merged = per21[(per21["change"] == "M")].index[0]
    complex_ = per21[(per21["change"] == "X")].index[0]
    rows = [
        f"{code},{age}"
        for code, age in zip(unchanged + split.index.tolist(), [1, 2, 3, 4], strict=True)
    ]
    rows += [f"{merged},50", f"{merged},51", f"{complex_},60"]
    path = _write(tmp_path / "lsoa21.csv", "lsoa_code,age", rows)
    activity = read_activity(path, lsoa21_lookup=lookup)
    summary = activity.summary
    _check_totals(summary)
    assert summary.rows_used == 4
    assert (summary.rows_mapped_2021, summary.events_mapped_2021) == (
        2,
        2,
    )  # unchanged codes need no mapping
    ambiguous = summary.exclusion("lsoa21_ambiguous")
    assert (ambiguous.rows, ambiguous.events) == (3, 3)
    assert set(ambiguous.examples) == {merged, complex_}
    expected = set(unchanged) | set(split["lsoa11"])
    assert set(activity.counts["lsoa_code"]) == expected
    assert "mapped from LSOA 2021 codes" in str(summary)


def test_2021_codes_without_lookup_are_unknown(tmp_path: Path, reference) -> None:
    path = _write(tmp_path / "a.csv", "lsoa_code,age", ["E01035188,3", "E01000001,4"])
    summary = read_activity(path, lsoa11_codes=reference.lsoas.index).summary
    assert summary.exclusion("lsoa_unknown").rows == 1
    assert summary.rows_used == 1


def _demo_rows(reference, n_lsoas: int = 300) -> pd.DataFrame:
    """Small pre-aggregated demo rows with their event-level equivalent (ages in years)."""
    from hi_reports.data.demo import demo_activity

    rows = demo_activity(reference, base_rate_per_1000=20)
    rows = rows[rows["lsoa_code"].isin(reference.lsoas.index[:n_lsoas])].reset_index(drop=True)
    return rows


@pytest.mark.slow
def test_csv_parquet_events_and_aggregates_agree(tmp_path: Path, reference, lookup: Path) -> None:
    rows = _demo_rows(reference)
    assert rows["count"].sum() > 1000
    results = []
    for name in ("agg.csv", "agg.parquet"):
        path = write_activity(rows, tmp_path / name)
        results.append(read_activity(path, lsoa21_lookup=lookup))
    # The same events one row each, with an age in years inside the band and a date.
    rng = np.random.default_rng(5)
    events = rows.loc[rows.index.repeat(rows["count"])].reset_index(drop=True)
    first = events["age_band"].map({b: 5 * i for i, b in enumerate(AGE_BANDS)})
    events["AgeOnAdmission"] = first + rng.integers(0, 5, len(events))
    events["AdmDate"] = "2023-06-01"
    events = events.rename(columns={"lsoa_code": "LSOA11"})[["LSOA11", "AgeOnAdmission", "AdmDate"]]
    for name in ("events.csv", "events.parquet"):
        path = write_activity(events, tmp_path / name)
        results.append(
            read_activity(
                path,
                columns="lsoa_code=LSOA11,age=AgeOnAdmission,date=AdmDate",
                period="2023-24",
                lsoa21_lookup=lookup,
            )
        )
    expected = rows[rows["count"] > 0].reset_index(drop=True)
    for activity in results:
        got = activity.counts
        pd.testing.assert_frame_equal(
            got.assign(age_band=got["age_band"].astype(str)),
            expected.astype({"count": "int64"}),
            check_dtype=False,
        )
        assert activity.summary.events_used == rows["count"].sum()
        assert activity.summary.rows_excluded == 0
        assert len(activity.sha256) == 64
    assert results[0].counts.equals(results[1].counts)
    assert results[2].summary.rows_read == rows["count"].sum()
    assert results[0].summary.rows_read == len(rows)


@pytest.mark.slow
def test_missing_column_names_file_columns_and_option(tmp_path: Path, lookup: Path) -> None:
    path = _write(tmp_path / "admissions.csv", "LSOA11,AgeOnAdmission", ["E01000001,3"])
    with pytest.raises(
        DataError,
        match=r"admissions\.csv: required column lsoa_code .*columns found: LSOA11, "
        r"AgeOnAdmission.*lsoa_code=YOUR_COLUMN",
    ) as error:
        read_activity(path, lsoa21_lookup=lookup)
    assert error.value.path == str(path)
    assert error.value.option == "columns" and "--columns" not in str(error.value)
    with pytest.raises(DataError, match=r"required column age or age_band .*age=YOUR_COLUMN"):
        read_activity(path, columns={"lsoa_code": "LSOA11"}, lsoa21_lookup=lookup)
    with pytest.raises(
        DataError,
        match=r"column 'Age' \(given for age\) not found; columns found: LSOA11, AgeOnAdmission",
    ):
        read_activity(path, columns="lsoa_code=LSOA11,age=Age", lsoa21_lookup=lookup)
    with pytest.raises(DataError, match=r"required column date \(needed for the period 2023-24\)"):
        read_activity(
            path,
            columns="lsoa_code=lsoa11,age=ageonadmission",
            period="2023-24",
            lsoa21_lookup=lookup,
        )
    activity = read_activity(
        path, columns="lsoa_code=lsoa11,age=ageonadmission", lsoa21_lookup=lookup
    )
    assert activity.summary.rows_used == 1


def test_unreadable_and_missing_files(tmp_path: Path, lookup: Path) -> None:
    with pytest.raises(DataError, match=r"activity file .*nothere\.csv not found"):
        read_activity(tmp_path / "nothere.csv", lsoa21_lookup=lookup)
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not a parquet file")
    with pytest.raises(DataError, match=r"cannot read activity file .*broken\.parquet as PARQUET"):
        read_activity(bad, lsoa21_lookup=lookup)
    other = tmp_path / "data.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(DataError, match=r"data\.xlsx: unknown format"):
        read_activity(other, lsoa21_lookup=lookup)


def test_parse_columns() -> None:
    assert parse_columns("lsoa_code=LSOA11, age = AgeOnAdmission,") == {
        "lsoa_code": "LSOA11",
        "age": "AgeOnAdmission",
    }
    assert parse_columns("") == {}
    with pytest.raises(DataError, match=r"'lsoa' is not NAME=YOUR_COLUMN"):
        parse_columns("lsoa")
    with pytest.raises(
        DataError, match=r"unknown column name 'postcode'.*lsoa_code, age, age_band"
    ):
        parse_columns("postcode=PC")
    with pytest.raises(DataError, match=r"'age' is given twice"):
        parse_columns("age=A,age=B")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023-24", "2023-04-01", "2024-03-31"),
        ("2023/2024", "2023-04-01", "2024-03-31"),
        ("2023", "2023-01-01", "2023-12-31"),
        ("1999-00", "1999-04-01", "2000-03-31"),
    ],
)
def test_parse_period(text: str, start: str, end: str) -> None:
    period = parse_period(text)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["2023-25", "FY23", "23-24", "2023-Q1", "April 2023"])
def test_parse_period_errors(text: str) -> None:
    with pytest.raises(
        DataError, match=r"is not a financial year like 2023-24 or a calendar year like 2023"
    ):
        parse_period(text)


def test_synthetic_label() -> None:
    assert SYNTHETIC_LABEL.startswith("SYNTHETIC")
