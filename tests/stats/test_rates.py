"""Proportions and crude rates against testdata_Proportion and testdata_Rate (README sections
2-3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hi_reports.errors import StatsError
from hi_reports.stats import proportion, rate

from .conftest import load, rows

RTOL = 1e-9
PROP = "testdata_Proportion__testdata_Prop"
PROP_G = "testdata_Proportion__testdata_Prop_g"
RATE = "testdata_Rate__testdata_Rate"
RATE_G = "testdata_Rate__testdata_Rate_g"

FUNCS = {"proportion": proportion, "rate": rate}
SHEETS = {"proportion": (PROP, PROP_G), "rate": (RATE, RATE_G)}


def _close(actual, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=RTOL,
        equal_nan=True,
    )


def _methods_equal(actual: pd.Series, expected: pd.Series) -> None:
    a = [None if pd.isna(v) else v for v in actual]
    e = [None if pd.isna(v) else v for v in expected]
    assert a == e


# (statistic, first row, last row, multiplier) as the R tests slice the sheets
BLOCKS = [
    pytest.param("proportion", 1, 8, 1, id="proportion-rows1-8-x1"),
    pytest.param("proportion", 9, 16, 100, id="proportion-rows9-16-percentage"),
    pytest.param("proportion", 17, 19, 1, id="proportion-rows17-19-NA"),
    pytest.param("rate", 1, 8, 100, id="rate-rows1-8-per100"),
    pytest.param("rate", 9, 16, 100_000, id="rate-rows9-16-per100000"),
    pytest.param("rate", 17, 19, 100_000, id="rate-rows17-19-NA"),
    pytest.param("rate", 20, 20, 100_000, id="rate-row20-num-gt-denom"),
]


@pytest.mark.parametrize(("stat", "first", "last", "mult"), BLOCKS)
def test_one_level_95(stat: str, first: int, last: int, mult: float) -> None:
    df = rows(load(SHEETS[stat][0]), first, last)
    out = FUNCS[stat](df["Numerator"], df["Denominator"], multiplier=mult)
    assert list(out.columns) == ["value", "lower", "upper", "method"]
    _close(out["value"], df["value"])
    _close(out["lower"], df["lower95_0cl"])
    _close(out["upper"], df["upper95_0cl"])
    _methods_equal(out["method"], df["method"])
    assert out.attrs["statistic"] == df["statistic"].iloc[0]


@pytest.mark.parametrize(("stat", "first", "last", "mult"), BLOCKS)
@pytest.mark.parametrize("conf", [99.8, 0.998], ids=["99.8", "0.998"])
def test_one_level_99_8(stat: str, first: int, last: int, mult: float, conf: float) -> None:
    df = rows(load(SHEETS[stat][0]), first, last)
    out = FUNCS[stat](df["Numerator"], df["Denominator"], multiplier=mult, confidence=conf)
    _close(out["lower"], df["lower99_8cl"])
    _close(out["upper"], df["upper99_8cl"])


@pytest.mark.parametrize(("stat", "first", "last", "mult"), BLOCKS)
def test_two_levels(stat: str, first: int, last: int, mult: float) -> None:
    df = rows(load(SHEETS[stat][0]), first, last)
    out = FUNCS[stat](df["Numerator"], df["Denominator"], multiplier=mult, confidence=(0.95, 0.998))
    assert list(out.columns) == [
        "value",
        "lower_95_0",
        "upper_95_0",
        "lower_99_8",
        "upper_99_8",
        "method",
    ]
    for ours, theirs in (
        ("lower_95_0", "lower95_0cl"),
        ("upper_95_0", "upper95_0cl"),
        ("lower_99_8", "lower99_8cl"),
        ("upper_99_8", "upper99_8cl"),
    ):
        _close(out[ours], df[theirs])
    assert out.attrs["confidence"] == "95%, 99.8%"


@pytest.mark.parametrize("stat", ["proportion", "rate"])
def test_grouped_sums_match_grouped_sheet(stat: str) -> None:
    df = load(SHEETS[stat][0])
    expected = load(SHEETS[stat][1]).sort_values("Area").reset_index(drop=True)
    sums = (
        df.groupby("Area")[["Numerator", "Denominator"]]
        .sum(min_count=1)  # NA stays NA, as R
        .reset_index()
        .sort_values("Area")
        .reset_index(drop=True)
    )
    out = FUNCS[stat](
        sums["Numerator"], sums["Denominator"], multiplier=expected["multiplier"].iloc[0]
    )
    assert sums["Area"].tolist() == expected["Area"].tolist()
    _close(sums["Numerator"], expected["Numerator"])
    _close(out["value"], expected["value"])
    _close(out["lower"], expected["lowercl"])
    _close(out["upper"], expected["uppercl"])
    _methods_equal(out["method"], expected["method"])


@pytest.mark.parametrize("stat", ["proportion", "rate"])
def test_no_confidence_gives_values_only(stat: str) -> None:
    expected = rows(load(SHEETS[stat][1]), 1, 8)
    out = FUNCS[stat](
        expected["Numerator"],
        expected["Denominator"],
        confidence=None,
        multiplier=expected["multiplier"].iloc[0],
    )
    assert "lower" not in out.columns and "upper" not in out.columns
    _close(out["value"], expected["value"])


def test_series_index_is_kept() -> None:
    df = rows(load(PROP), 1, 8).set_index("Area")
    out = proportion(df["Numerator"], df["Denominator"])
    assert out.index.tolist() == df.index.tolist()


ERRORS = [
    pytest.param(
        proportion,
        dict(x=[-1], n=[10]),
        "numerators must be greater than or equal to zero",
        id="proportion-negative-x",
    ),
    pytest.param(
        proportion,
        dict(x=[1], n=[0]),
        "denominators must be greater than zero",
        id="proportion-zero-n",
    ),
    pytest.param(
        proportion,
        dict(x=[11], n=[10]),
        "numerators must be less than or equal to denominator for a proportion statistic",
        id="proportion-x-gt-n",
    ),
    pytest.param(
        proportion,
        dict(x=[1], n=[10], confidence=0.8),
        "confidence level, if specified, must be between 90 and 100 or between 0.9 and 1",
        id="proportion-confidence-0.8",
    ),
    pytest.param(
        proportion,
        dict(x=[1], n=[10], confidence=(0.95, 0.998, 0.99)),
        "a maximum of two confidence levels can be provided",
        id="proportion-three-levels",
    ),
    pytest.param(
        proportion,
        dict(x=[1], n=[10], confidence=(0.95, 0.99)),
        "two confidence levels can only be produced if they are specified as 0.95 and 0.998",
        id="proportion-two-levels-not-95-99.8",
    ),
    pytest.param(
        proportion,
        dict(x=[1, 2], n=[10, 20, 30]),
        "x and n must have the same length",
        id="proportion-lengths",
    ),
    pytest.param(
        rate,
        dict(x=[-1], n=[10]),
        "numerators must be greater than or equal to zero",
        id="rate-negative-x",
    ),
    pytest.param(
        rate, dict(x=[1], n=[0]), "denominators must be greater than zero", id="rate-zero-n"
    ),
    pytest.param(
        rate,
        dict(x=[1], n=[10], confidence=0.8),
        "confidence level must be between 90 and 100 or between 0.9 and 1",
        id="rate-confidence-0.8",
    ),
    pytest.param(
        rate,
        dict(x=[1], n=[10], confidence=(95, 99.8, 99)),
        "a maximum of two confidence levels can be provided",
        id="rate-three-levels",
    ),
    pytest.param(
        rate,
        dict(x=[1], n=[10], confidence=(0.95, 0.99)),
        "two confidence levels can only be produced if they are specified as 0.95 and 0.998",
        id="rate-two-levels-not-95-99.8",
    ),
    pytest.param(rate, dict(x=[1], n=[10], multiplier=0), "multiplier", id="rate-multiplier-zero"),
]


@pytest.mark.parametrize(("func", "kwargs", "message"), ERRORS)
def test_bad_arguments_raise(func, kwargs: dict, message: str) -> None:
    with pytest.raises(StatsError, match=message):
        func(**kwargs)
