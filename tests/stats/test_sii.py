"""Slope and relative index of inequality against testdata_SII (README section 7).

Rows are selected by ``RecordNo`` (the csv keeps 425 of the workbook's 505 rows). Expected values
sit in the first row of each area. Point estimates (sii, rii, intercept) must match to 1e-9
relative; the simulated limits within 5% relative per value (100,000 repetitions, fixed seed).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from hi_reports.errors import HIReportsWarning, StatsError
from hi_reports.stats import level_suffix, sii

from .conftest import load

SHEET = "testdata_SII__testdata_SII"
BY = ["Area", "Grouping1", "Grouping2"]
POINT_RTOL = 1e-9
CL_RTOL = 0.05
REPS = 100_000
SEED = 5
# The 99% limits of area1 (RecordNo 21/226) are themselves simulated: the sheet's 1.924 lies 2.3%
# above the exact normal-theory value 1.882, and at 100,000 repetitions our 0.5% order statistic
# has a 1.8% standard deviation, so a per-value 5% check would fail for ~6% of seeds. These
# scenarios use 400,000 repetitions (0.9% SD) so the check does not depend on a lucky seed.
REPS_99 = 400_000


def _records(*ranges: tuple[int, int]) -> pd.DataFrame:
    df = load(SHEET)
    keep = np.zeros(len(df), dtype=bool)
    for first, last in ranges:
        keep |= df["RecordNo"].between(first, last).to_numpy()
    out = df[keep].reset_index(drop=True)
    assert len(out) == sum(last - first + 1 for first, last in ranges), "rows missing from csv"
    return out


def _run(data: pd.DataFrame, source: str, **kwargs) -> pd.DataFrame:
    columns = dict(quantile="Quantile", population="Population", value="Value")
    if source == "se":
        columns["se"] = "StandardError"
    elif source == "cls":
        columns.update(lower="LowerCL", upper="UpperCL")
    elif source == "count":
        columns["count"] = "Count"
    kwargs.setdefault("repetitions", REPS)
    kwargs.setdefault("seed", SEED)
    return sii(data, **{**columns, **kwargs})


def _expected_map(levels: list[float]) -> dict[str, str]:
    """Sheet column -> output column for the given confidence levels."""
    mapping = {"sii": "sii", "rii": "rii", "Intercept": "intercept"}
    for k, level in enumerate(levels, start=1):
        sfx = "" if len(levels) == 1 else "_" + level_suffix(level)
        for stat in ("sii", "rii"):
            mapping[f"{stat}_lowercl_{k}"] = f"{stat}_lower{sfx}"
            mapping[f"{stat}_uppercl_{k}"] = f"{stat}_upper{sfx}"
    return mapping


def _compare(out: pd.DataFrame, expected_records: list[int], levels: list[float]) -> int:
    sheet = load(SHEET).set_index("RecordNo").loc[expected_records].reset_index()
    if "Area" in out.columns:
        assert out[BY].to_numpy().tolist() == sheet[BY].to_numpy().tolist()
    assert len(out) == len(sheet)
    checked = 0
    for theirs, ours in _expected_map(levels).items():
        expected = sheet[theirs].to_numpy(dtype=float)
        if ours not in out.columns or np.isnan(expected).all():
            continue
        assert not np.isnan(expected).any(), f"{theirs}: partly missing in the sheet"
        rtol = POINT_RTOL if ours in ("sii", "rii", "intercept") else CL_RTOL
        np.testing.assert_allclose(
            out[ours].to_numpy(dtype=float),
            expected,
            rtol=rtol,
            err_msg=f"{ours} vs sheet {theirs}",
        )
        checked += 1
    return checked


# id, input RecordNo ranges, expected RecordNos, source of SEs, levels, keyword arguments
SCENARIOS = [
    ("le-defaults-se", [(1, 20)], [1, 11], "se", [0.95], dict(rii=True)),
    ("le-defaults-cls", [(1, 20)], [1, 11], "cls", [0.95], dict(rii=True)),
    ("le-intercept-cls", [(1, 20)], [246, 256], "cls", [0.95], dict(rii=True)),
    ("le-ungrouped-area1", [(1, 10)], [1], "cls", [0.95], dict(rii=True, by=None)),
    (
        "le-conf-0.99-cls",
        [(21, 40)],
        [21, 31],
        "cls",
        [0.99],
        dict(rii=True, confidence=0.99, repetitions=REPS_99),
    ),
    (
        "le-conf-99-se",
        [(21, 40)],
        [21, 31],
        "se",
        [0.99],
        dict(rii=True, confidence=99, repetitions=REPS_99),
    ),
    (
        "le-two-levels-95-99",
        [(226, 245)],
        [226, 236],
        "se",
        [0.95, 0.99],
        dict(rii=True, confidence=(95, 99), repetitions=REPS_99),
    ),
    ("le-100000-reps", [(41, 60)], [41, 51], "se", [0.95], dict(rii=True, repetitions=100_000)),
    ("le-quintiles", [(61, 70)], [61, 66], "se", [0.95], dict(rii=True)),
    ("rate-se", [(71, 90)], [71, 81], "se", [0.95], dict(rii=True, value_type=1)),
    ("rate-cls", [(71, 90)], [71, 81], "cls", [0.95], dict(rii=True, value_type=1)),
    ("rate-intercept", [(71, 90)], [266, 276], "cls", [0.95], dict(rii=True, value_type=1)),
    (
        "rate-log-transform",
        [(306, 325)],
        [306, 316],
        "cls",
        [0.95],
        dict(rii=True, value_type=1, transform=True),
    ),
    (
        "rate-log-transform-98",
        [(406, 425)],
        [406, 416],
        "cls",
        [0.98],
        dict(rii=True, value_type=1, transform=True, confidence=98),
    ),
    (
        "rate-log-transform-95-98",
        [(366, 385)],
        [366, 376],
        "cls",
        [0.95, 0.98],
        dict(rii=True, value_type=1, transform=True, confidence=(0.95, 0.98)),
    ),
    (
        "rate-log-transform-no-rii",
        [(426, 445)],
        [426, 436],
        "cls",
        [0.95],
        dict(rii=False, value_type=1, transform=True),
    ),
    ("prop-se", [(91, 110)], [91, 101], "se", [0.95], dict(rii=True, value_type=2)),
    ("prop-cls", [(91, 110)], [91, 101], "cls", [0.95], dict(rii=True, value_type=2)),
    ("prop-count", [(91, 110)], [91, 101], "count", [0.95], dict(rii=True, value_type=2)),
    (
        "prop-as-rate-intercept",
        [(91, 110)],
        [286, 296],
        "cls",
        [0.95],
        dict(rii=True, value_type=1),
    ),
    (
        "prop-multiplier-minus100",
        [(131, 150)],
        [131, 141],
        "cls",
        [0.95],
        dict(rii=True, value_type=2, multiplier=-100),
    ),
    (
        "prop-multiplier-minus100-no-rii",
        [(131, 150)],
        [131, 141],
        "cls",
        [0.95],
        dict(rii=False, value_type=2, multiplier=-100),
    ),
    (
        "prop-logit-transform",
        [(326, 345)],
        [326, 336],
        "cls",
        [0.95],
        dict(rii=True, value_type=2, transform=True),
    ),
    (
        "prop-logit-transform-95-98",
        [(486, 505)],
        [486, 496],
        "cls",
        [0.95, 0.98],
        dict(rii=True, value_type=2, transform=True, confidence=(95, 98)),
    ),
    (
        "prop-logit-transform-no-rii",
        [(446, 465)],
        [446, 456],
        "cls",
        [0.95],
        dict(rii=False, value_type=2, transform=True),
    ),
]


@pytest.mark.parametrize(
    ("ranges", "expected", "source", "levels", "kwargs"),
    [pytest.param(*s[1:], id=s[0]) for s in SCENARIOS],
)
def test_sii_matches_reference(ranges, expected, source, levels, kwargs) -> None:
    kwargs = dict(kwargs)
    kwargs.setdefault("by", BY)
    data = _records(*ranges)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # complete data: no warning expected
        out = _run(data, source, **kwargs)
    assert _compare(out, expected, levels) >= 1


@pytest.mark.parametrize("confidence", [0.95, 0.99, 0.998])
def test_simulated_limits_match_normal_theory(confidence: float) -> None:
    """For value_type 0 the slope is linear in the values, so s* ~ N(s, Σc²se²) exactly."""
    from scipy.stats import norm

    from hi_reports.stats import sii_coefficients

    data = _records((1, 20))
    out = _run(data, "se", by=BY, confidence=confidence, repetitions=200_000)
    z = norm.ppf(confidence + (1 - confidence) / 2)
    for row, (area, group) in enumerate(data.groupby("Area")):
        group = group.sort_values("Quantile")
        c, _ = sii_coefficients(group["Population"].to_numpy())
        slope = float((c * group["Value"]).sum())
        sd = float(np.sqrt((c**2 * group["StandardError"] ** 2).sum()))
        assert out["Area"][row] == area
        # 0.08 sd is > 3.5 standard deviations of the simulated order statistic even at 99.8%
        assert out["sii_lower"][row] == pytest.approx(slope - z * sd, abs=0.08 * sd)
        assert out["sii_upper"][row] == pytest.approx(slope + z * sd, abs=0.08 * sd)


def test_output_columns_one_and_two_levels() -> None:
    data = _records((1, 20))
    one = _run(data, "se", by=BY, repetitions=1000)
    assert list(one.columns) == [*BY, "sii", "sii_lower", "sii_upper", "intercept"]
    with_rii = _run(data, "se", by=BY, repetitions=1000, rii=True)
    assert list(with_rii.columns) == [
        *BY,
        "sii",
        "rii",
        "sii_lower",
        "sii_upper",
        "rii_lower",
        "rii_upper",
        "intercept",
    ]
    two = _run(data, "se", by=BY, repetitions=1000, rii=True, confidence=(0.95, 0.998))
    assert list(two.columns) == [
        *BY,
        "sii",
        "rii",
        "sii_lower_95_0",
        "sii_upper_95_0",
        "sii_lower_99_8",
        "sii_upper_99_8",
        "rii_lower_95_0",
        "rii_upper_95_0",
        "rii_lower_99_8",
        "rii_upper_99_8",
        "intercept",
    ]
    assert two.attrs["confidence"] == "95%, 99.8%"


def test_same_seed_same_result_and_row_order_irrelevant() -> None:
    data = _records((1, 20))
    first = _run(data, "se", by=BY, rii=True, repetitions=2000, seed=11)
    again = _run(
        data.sample(frac=1, random_state=1), "se", by=BY, rii=True, repetitions=2000, seed=11
    )
    pd.testing.assert_frame_equal(first, again)


ERRORS = [
    pytest.param(
        [(151, 160)],
        "cls",
        {},
        "population: some groups have a zero, negative or missing population",
        id="negative-population",
    ),
    pytest.param(
        [(151, 160)],
        "cls",
        dict(population="Grouping1"),
        "some input fields in data.frame are non-numeric",
        id="non-numeric-population",
    ),
    pytest.param(
        [(161, 165)],
        "se",
        {},
        "negative or missing standard errors in input dataset",
        id="negative-se",
    ),
    pytest.param(
        [(166, 170)],
        "count",
        dict(value_type=2),
        "some groups have a zero or negative count x",
        id="zero-count",
    ),
    pytest.param(
        [(171, 175)],
        "cls",
        dict(value_type=2),
        "confidence limit proportions are not all between 0 and 1",
        id="cl-above-1",
    ),
    pytest.param(
        [(176, 180)],
        "cls",
        dict(value_type=2),
        "confidence limit proportions are not all between 0 and 1",
        id="cl-8",
    ),
    pytest.param(
        [(191, 200)],
        "se",
        {},
        "negative or missing standard errors in input dataset",
        id="missing-se",
    ),
    pytest.param(
        [(191, 200)],
        "cls",
        {},
        "missing lower or upper confidence limits in input dataset",
        id="missing-cls",
    ),
    pytest.param(
        [(1, 20)],
        "cls",
        dict(value_type=2),
        "value proportions are not all between 0 and 1",
        id="value-not-proportion",
    ),
    pytest.param(
        [(1, 3)], "cls", {}, "Number of quantiles must be between 5 and 100", id="three-quantiles"
    ),
    pytest.param(
        [(1, 20)],
        "cls",
        dict(repetitions=999),
        "repetitions: number of repetitions must be 1000 or greater",
        id="reps-999",
    ),
    pytest.param(
        [(1, 20)],
        "cls",
        dict(confidence=0.5),
        "confidence level must be between 90 and 100",
        id="confidence-0.5",
    ),
    pytest.param(
        [(1, 20)],
        "cls",
        dict(confidence=(0.9, 0.95, 0.99)),
        "a maximum of two confidence levels",
        id="three-levels",
    ),
    pytest.param(
        [(1, 20)], "cls", dict(value_type=3), "value_type should be 0, 1 or 2", id="value-type-3"
    ),
    pytest.param(
        [(1, 20)],
        "cls",
        dict(transform=True),
        "transform can only be TRUE when value_type is 1 or 2",
        id="transform-type-0",
    ),
    pytest.param([(1, 20)], "cls", dict(multiplier=0), "multiplier", id="multiplier-0"),
    pytest.param(
        [(1, 20)],
        "cls",
        dict(by=["Area", "Nope"]),
        "by: column 'Nope' is not in data",
        id="unknown-by-column",
    ),
]


@pytest.mark.parametrize(("ranges", "source", "kwargs", "message"), ERRORS)
def test_bad_arguments_raise(ranges, source, kwargs, message) -> None:
    kwargs = dict(kwargs)
    kwargs.setdefault("by", BY)
    kwargs.setdefault("repetitions", 1000)
    data = _records(*ranges)
    with pytest.raises(StatsError, match=message):
        _run(data, source, **kwargs)


def test_incomplete_group_is_removed_with_warning() -> None:
    data = _records((1, 15), (17, 20))  # area2 lacks quantile 6
    with pytest.warns(
        HIReportsWarning, match="some records have been removed due to incomplete or invalid data"
    ):
        out = _run(data, "cls", by=BY)
    assert out["Area"].tolist() == ["area1"]
    assert _compare(out, [1], [0.95]) >= 1


def test_many_quantiles_warns() -> None:
    data = _records((211, 225))
    with pytest.warns(
        HIReportsWarning,
        match="Small values can make SII unstable when using a large number of quantiles",
    ):
        _run(data, "cls", by=BY, repetitions=1000)
