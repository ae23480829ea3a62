"""Indirectly standardised rates and ratios against testresults_ISR (README section 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hi_reports.errors import StatsError
from hi_reports.stats import isr

from .conftest import load, rows

RTOL = 1e-9
RESULTS = "testdata_DSR_ISR__testresults_ISR"


def _close(actual, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=RTOL,
        equal_nan=True,
    )


def _check(out: pd.DataFrame, expected: pd.DataFrame, two_levels: bool, ratio: bool) -> None:
    assert out["area"].tolist() == expected["area"].tolist()
    _close(out["observed"], expected["observed"])
    _close(out["expected"], expected["expected"])
    if not ratio:
        _close(out["ref_rate"], expected["ref_rate"])
    _close(out["value"], expected["value"])
    pairs = (
        [
            ("lower_95_0", "lower95_0cl"),
            ("upper_95_0", "upper95_0cl"),
            ("lower_99_8", "lower99_8cl"),
            ("upper_99_8", "upper99_8cl"),
        ]
        if two_levels
        else [("lower", "lower95_0cl"), ("upper", "upper95_0cl")]
    )
    for ours, theirs in pairs:
        _close(out[ours], expected[theirs])
    assert out["statistic"].tolist() == expected["statistic"].tolist()
    assert out["method"].tolist() == expected["method"].tolist()


def _vector_refs() -> dict:
    ref = load("testdata_DSR_ISR__refdata")
    return dict(ref_count=ref["refcount"], ref_population=ref["refpop"])


def _field_refs() -> dict:
    return dict(ref_count="refcount", ref_population="refpop")


CASES = [
    pytest.param("multiarea", _vector_refs, dict(), 1, 3, id="rate-per100000-rows1-3"),
    pytest.param("multiarea_isr", _field_refs, dict(), 1, 3, id="rate-refs-as-columns-rows1-3"),
    pytest.param("multiarea", _vector_refs, dict(multiplier=1000), 4, 6, id="rate-per1000-rows4-6"),
    pytest.param("multiarea", _vector_refs, dict(ratio=True), 7, 9, id="ratio-x1-rows7-9"),
    pytest.param(
        "multiarea_isr", _field_refs, dict(ratio=True), 7, 9, id="ratio-refs-as-columns-rows7-9"
    ),
    pytest.param(
        "multiarea",
        _vector_refs,
        dict(ratio=True, ref_value=100),
        10,
        12,
        id="ratio-x100-rows10-12",
    ),
]


@pytest.mark.parametrize(("sheet", "refs", "kwargs", "first", "last"), CASES)
def test_isr_matches_reference(sheet, refs, kwargs, first, last) -> None:
    data = load(f"testdata_DSR_ISR__testdata_{sheet}")
    out = isr(data, population="pop", by="area", confidence=(0.95, 0.998), **refs(), **kwargs)
    _check(out, rows(load(RESULTS), first, last), two_levels=True, ratio=kwargs.get("ratio", False))


def test_ref_count_with_missing_value_gives_same_result() -> None:
    refs = _vector_refs()
    refs["ref_count"] = refs["ref_count"].where(refs["ref_count"].index != 2)  # NA at position 3
    out = isr(
        load("testdata_DSR_ISR__testdata_multiarea"),
        population="pop",
        by="area",
        confidence=(0.95, 0.998),
        **refs,
    )
    _check(out, rows(load(RESULTS), 1, 3), two_levels=True, ratio=False)


@pytest.mark.parametrize(
    ("kwargs", "first", "last"),
    [
        pytest.param(dict(), 13, 14, id="rate-rows13-14"),
        pytest.param(dict(ratio=True, ref_value=100), 15, 16, id="ratio-rows15-16"),
    ],
)
def test_zero_population_is_allowed(kwargs, first, last) -> None:
    out = isr(
        load("testdata_DSR_ISR__testdata_err2"),
        population="pop",
        by="area",
        **_vector_refs(),
        **kwargs,
    )
    _check(
        out, rows(load(RESULTS), first, last), two_levels=False, ratio=kwargs.get("ratio", False)
    )


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        pytest.param(
            "err1", "numerators must all be greater than or equal to zero", id="err1-negative-count"
        ),
        pytest.param(
            "err3", "denominators must all be greater than or equal to zero", id="err3-negative-pop"
        ),
    ],
)
def test_error_sheets(sheet: str, message: str) -> None:
    with pytest.raises(StatsError, match=message):
        isr(load(f"testdata_DSR_ISR__testdata_{sheet}"), population="pop", **_vector_refs())


def test_reference_vector_length_must_match() -> None:
    refs = _vector_refs()
    refs["ref_count"] = refs["ref_count"][:18]
    with pytest.raises(
        StatsError, match="ref_count: every group must have one row per reference value"
    ):
        isr(load("testdata_DSR_ISR__testdata_multiarea"), population="pop", by="area", **refs)
