"""Property tests (hypothesis) for hi_reports.stats: ordering of limits, monotonicity in the
confidence level, DSR = crude rate for a standard age structure, SII symmetry."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hi_reports.errors import HIReportsWarning
from hi_reports.stats import ESP2013, byars, dsr, exact_poisson, proportion, rate, sii, wilson

# any unexpected hi_reports warning fails a test
pytestmark = pytest.mark.filterwarnings("error::hi_reports.errors.HIReportsWarning")

FAST = settings(max_examples=40, deadline=None)
SLOW = settings(max_examples=15, deadline=None)

counts = st.integers(min_value=0, max_value=100_000)
levels = st.floats(min_value=0.9, max_value=0.999)


@st.composite
def numerator_denominator(draw):
    n = draw(st.integers(min_value=1, max_value=1_000_000))
    x = draw(st.integers(min_value=0, max_value=n))
    return x, n


@FAST
@given(numerator_denominator(), levels)
def test_proportion_limits_bracket_value(xn, level) -> None:
    x, n = xn
    out = proportion([x], [n], confidence=level).iloc[0]
    assert 0 <= out["lower"] <= out["value"] + 1e-12
    assert out["value"] <= out["upper"] + 1e-12 and out["upper"] <= 1 + 1e-12


@FAST
@given(counts, st.floats(min_value=1, max_value=1e7), levels)
def test_rate_limits_bracket_value(x, n, level) -> None:
    out = rate([x], [n], confidence=level).iloc[0]
    lower = 0.0 if np.isnan(out["lower"]) else out["lower"]
    assert lower <= out["value"] * (1 + 1e-12) <= out["upper"] * (1 + 1e-9)


@FAST
@given(numerator_denominator(), levels, levels)
def test_wilson_limits_widen_with_confidence(xn, a, b) -> None:
    x, n = xn
    lo_c, hi_c = sorted((a, b))
    l1, u1 = wilson(x, n, lo_c)
    l2, u2 = wilson(x, n, hi_c)
    assert l2 <= l1 + 1e-12 and u2 >= u1 - 1e-12


@FAST
@given(counts, levels, levels)
def test_count_limits_widen_with_confidence(x, a, b) -> None:
    lo_c, hi_c = sorted((a, b))
    for func in (byars, exact_poisson):
        l1, u1 = func(x, lo_c)
        l2, u2 = func(x, hi_c)
        assert u2 >= u1 - 1e-9
        if not np.isnan(l2):
            assert l2 <= l1 + 1e-9
        assert (np.isnan(l1) or l1 <= x + 1e-9) and u1 >= x


@st.composite
def age_data(draw):
    counts_ = draw(st.lists(st.integers(0, 500), min_size=19, max_size=19))
    pops = draw(st.lists(st.integers(100, 100_000), min_size=19, max_size=19))
    return pd.DataFrame({"count": counts_, "population": pops})


@FAST
@given(age_data(), levels)
def test_dsr_limits_bracket_value_and_widen(data, level) -> None:
    narrow = dsr(data, confidence=0.95).iloc[0]
    wide = dsr(data, confidence=(0.95, 0.998)).iloc[0]
    if narrow["total_count"] < 10:
        assert np.isnan(narrow["value"]) and np.isnan(narrow["lower"])
        return
    assert narrow["lower"] <= narrow["value"] <= narrow["upper"]
    assert wide["lower_99_8"] <= narrow["lower"] and wide["upper_99_8"] >= narrow["upper"]


@FAST
@given(st.lists(st.integers(0, 500), min_size=19, max_size=19), st.floats(0.01, 50))
def test_dsr_equals_crude_rate_for_standard_age_structure(counts_, scale) -> None:
    pop = np.asarray(ESP2013) * scale
    data = pd.DataFrame({"count": counts_, "population": pop})
    out = dsr(data).iloc[0]
    if sum(counts_) < 10:
        return
    crude = rate([sum(counts_)], [pop.sum()]).iloc[0]
    assert out["value"] == pytest.approx(crude["value"], rel=1e-9)


@st.composite
def sii_data(draw, flat: bool = False):
    nq = draw(st.integers(5, 12))
    pops = draw(st.lists(st.integers(1000, 100_000), min_size=nq, max_size=nq))
    if flat:
        values = [draw(st.floats(1, 100))] * nq
    else:
        values = draw(st.lists(st.floats(1, 100), min_size=nq, max_size=nq))
    ses = draw(st.lists(st.floats(0.1, 5), min_size=nq, max_size=nq))
    return pd.DataFrame(
        {"quantile": np.arange(1, nq + 1), "population": pops, "value": values, "se": ses}
    )


def _many_quantiles_warning(data: pd.DataFrame):
    """More than 10 quantiles warn that small values can make the SII unstable."""
    return pytest.warns(HIReportsWarning, match="large number") if len(data) > 10 else nullcontext()


@SLOW
@given(sii_data(flat=True))
def test_sii_is_zero_for_flat_gradient(data) -> None:
    with _many_quantiles_warning(data):
        out = sii(data, se="se", rii=True, repetitions=1000, seed=0).iloc[0]
    assert out["sii"] == pytest.approx(0, abs=1e-9 * data["value"].iloc[0])
    assert out["rii"] == pytest.approx(1, abs=1e-9)
    assert out["sii_lower"] <= out["sii"] + 1e-4 <= out["sii_upper"] + 2e-4


@SLOW
@given(sii_data())
def test_sii_changes_sign_when_quantile_order_is_reversed(data) -> None:
    reversed_ = data.assign(quantile=len(data) + 1 - data["quantile"])
    with _many_quantiles_warning(data):
        a = sii(data, se="se", repetitions=1000, seed=0).iloc[0]
    with _many_quantiles_warning(data):
        b = sii(reversed_, se="se", repetitions=1000, seed=0).iloc[0]
    scale = data["value"].abs().max()
    assert b["sii"] == pytest.approx(-a["sii"], abs=1e-9 * scale)
    if abs(a["sii"]) > 1e-6 * scale:
        assert np.sign(b["sii"]) == -np.sign(a["sii"])
    # limits mirror too, up to simulation noise
    assert a["sii_lower"] <= a["sii"] + 1e-4 * scale and a["sii"] <= a["sii_upper"] + 1e-4 * scale
