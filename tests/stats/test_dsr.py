"""Directly standardised rates against testdata_DSR_ISR (README section 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hi_reports.errors import StatsError
from hi_reports.stats import ESP2013, dsr

from .conftest import load, rows

RTOL = 1e-9
RESULTS = "testdata_DSR_ISR__testresults_DSR"
TWO_CIS = [
    ("lower_95_0", "lower95_0cl"),
    ("upper_95_0", "upper95_0cl"),
    ("lower_99_8", "lower99_8cl"),
    ("upper_99_8", "upper99_8cl"),
]


def _close(actual, expected, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=rtol,
        equal_nan=True,
    )


def _multiarea() -> pd.DataFrame:
    return load("testdata_DSR_ISR__testdata_multiarea")


def _check(out: pd.DataFrame, expected: pd.DataFrame, pairs, rtol: float = RTOL) -> None:
    assert out["area"].tolist() == expected["area"].tolist()
    _close(out["total_count"], expected["total_count"], rtol)
    _close(out["total_pop"], expected["total_pop"], rtol)
    _close(out["value"], expected["value"], rtol)
    for ours, theirs in pairs:
        _close(out[ours], expected[theirs], rtol)
    assert out["statistic"].tolist() == expected["statistic"].tolist()
    assert out["method"].tolist() == expected["method"].tolist()


@pytest.mark.parametrize(
    ("multiplier", "first", "last"),
    [
        pytest.param(100_000, 5, 7, id="per100000-rows5-7"),
        pytest.param(10_000, 1, 3, id="per10000-rows1-3"),
    ],
)
def test_multiarea_two_levels(multiplier: int, first: int, last: int) -> None:
    out = dsr(
        _multiarea(), population="pop", by="area", multiplier=multiplier, confidence=(0.95, 0.998)
    )
    _check(out, rows(load(RESULTS), first, last), TWO_CIS)
    assert (out["confidence"] == "95%, 99.8%").all()


@pytest.mark.parametrize(
    ("confidence", "lower", "upper"),
    [
        pytest.param(0.95, "lower95_0cl", "upper95_0cl", id="95"),
        pytest.param(99.8, "lower99_8cl", "upper99_8cl", id="99.8"),
        pytest.param(0.998, "lower99_8cl", "upper99_8cl", id="0.998"),
    ],
)
def test_multiarea_one_level(confidence: float, lower: str, upper: str) -> None:
    out = dsr(_multiarea(), count="count", population="pop", by="area", confidence=confidence)
    assert list(out.columns) == [
        "area",
        "total_count",
        "total_pop",
        "value",
        "lower",
        "upper",
        "confidence",
        "statistic",
        "method",
    ]
    _check(out, rows(load(RESULTS), 5, 7), [("lower", lower), ("upper", upper)])


def test_standard_as_column_or_vector_equals_default() -> None:
    data = _multiarea()
    default = dsr(data, population="pop", by="area")
    data["esp2013"] = np.tile(ESP2013, 3)
    by_column = dsr(data, population="pop", standard="esp2013", by="area")
    by_vector = dsr(data, population="pop", standard=list(ESP2013), by="area")
    pd.testing.assert_frame_equal(default, by_column)
    pd.testing.assert_frame_equal(default, by_vector)


def test_esp1976_standard_column_row8() -> None:
    # Only total_count ... upper95_0cl of row 8 are correct (its 99.8% columns are x10 wrong).
    data = load("testdata_DSR_ISR__testdata_1976")
    out = dsr(data, population="pop", standard="esp1976")
    expected = rows(load(RESULTS), 8, 8)
    assert len(out) == 1
    for ours, theirs in (
        ("total_count", "total_count"),
        ("total_pop", "total_pop"),
        ("value", "value"),
        ("lower", "lower95_0cl"),
        ("upper", "upper95_0cl"),
    ):
        _close(out[ours], expected[theirs])


def _nonindependent() -> pd.DataFrame:
    """test_DSR_nonind as LoadTestdata builds it (README section 5, steps 1-6)."""
    raw = load("testdata_DSR_ISR__testdata_nonindepe").drop(columns="count")
    long = raw.melt(
        id_vars=["area", "ageband", "pop"],
        value_vars=["f1", "f2", "f3", "f4"],
        var_name="freq",
        value_name="persons",
    )
    long["freq"] = long["freq"].str[1].astype(int)
    long = long[~((long["freq"] == 4) & (long["area"] != "testdata_nonind_big"))]
    long = long.sort_values(["freq", "ageband"], kind="stable").reset_index(drop=True)
    long["esp2013"] = long.groupby(["area", "freq"]).cumcount().map(dict(enumerate(ESP2013)))
    assert len(long) == 247
    return long


def test_nonindependent_events_rows9_12() -> None:
    out = dsr(
        _nonindependent(),
        count="persons",
        population="pop",
        standard="esp2013",
        by="area",
        confidence=(0.95, 0.998),
        independent_events=False,
        event_frequency="freq",
        ageband="ageband",
    )
    # expected values are stored to 8 decimal places
    _check(out, rows(load(RESULTS), 9, 12), TWO_CIS, rtol=1e-10)


def test_nonindependent_events_ignore_row_order() -> None:
    data = _nonindependent()
    kwargs = dict(
        count="persons",
        population="pop",
        standard="esp2013",
        by="area",
        independent_events=False,
        event_frequency="freq",
        ageband="ageband",
    )
    shuffled = data.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(dsr(data, **kwargs), dsr(shuffled, **kwargs))


def test_nonindependent_inconsistent_population_raises() -> None:
    data = _nonindependent()
    data.loc[
        (data["area"] == "testdata_nonind_big")
        & (data["freq"] == 2)
        & (data["ageband"] == "00-04"),
        "pop",
    ] = 999
    with pytest.raises(
        StatsError,
        match="There are rows with the same grouping variables and ageband but with different",
    ):
        dsr(
            data,
            count="persons",
            population="pop",
            standard="esp2013",
            by="area",
            independent_events=False,
            event_frequency="freq",
            ageband="ageband",
        )


@pytest.mark.parametrize(
    ("sheet", "kwargs", "message"),
    [
        pytest.param(
            "err1",
            dict(standard="stdpop"),
            "numerators must all be greater than or equal to zero",
            id="err1-negative-count",
        ),
        pytest.param(
            "err2",
            dict(by="area"),
            "denominators must all be greater than zero",
            id="err2-zero-pop",
        ),
        pytest.param(
            "err3",
            dict(standard="stdpop"),
            "denominators must all be greater than zero",
            id="err3-negative-pop",
        ),
        pytest.param(
            "err4",
            dict(standard="stdpop"),
            "stdpop must all be greater than or equal to zero",
            id="err4-negative-stdpop",
        ),
    ],
)
def test_error_sheets(sheet: str, kwargs: dict, message: str) -> None:
    data = load(f"testdata_DSR_ISR__testdata_{sheet}")
    with pytest.raises(StatsError, match=message):
        dsr(data, population="pop", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            dict(population="population"),
            "population: column 'population' is not in data",
            id="missing-column",
        ),
        pytest.param(
            dict(population="pop", standard=[1000] * 18),
            "standard: every group must have one row for each of 18",
            id="standard-length",
        ),
        pytest.param(
            dict(population="pop", confidence=0.5),
            "confidence level must be between 90 and 100",
            id="confidence-0.5",
        ),
        pytest.param(
            dict(population="pop", confidence=(0.95, 0.99)),
            "two confidence levels can only be produced",
            id="two-levels",
        ),
        pytest.param(
            dict(population="pop", independent_events=False),
            "event_frequency and ageband columns are required",
            id="nonindependent-without-frequency",
        ),
    ],
)
def test_bad_arguments_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(StatsError, match=message):
        dsr(_multiarea(), by="area", **kwargs)


def test_default_standard_needs_19_bands() -> None:
    with pytest.raises(StatsError, match="19 ESP2013 age bands"):
        dsr(load("testdata_DSR_ISR__testdata_1976"), population="pop")
