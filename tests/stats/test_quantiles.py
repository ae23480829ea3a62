"""Deprivation quantiles against testdata_Quantiles (README section 6)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from hi_reports.errors import HIReportsWarning, StatsError
from hi_reports.stats import deprivation_quantiles

from .conftest import load

POLARITY = {
    "RAG - Low is good": True,
    "RAG - High is good": False,
    "TRUE": True,
    "FALSE": False,
    True: True,
    False: False,
}
TOO_FEW = "One or more groups had too few small areas with values to allow quantiles to be assigned"


def _quantiles_data() -> pd.DataFrame:
    """As data-raw/LoadTestdata.R: drop unused columns and map Polarity to invert flags."""
    df = load("testdata_Quantiles__testdata_Quantiles").drop(
        columns=["Rank", "RevValue", "Sex", "RowsInGrp"]
    )
    df["Polarity"] = df["Polarity"].map(POLARITY).astype(bool)
    return df


def _good() -> pd.DataFrame:
    df = _quantiles_data()
    return df[df["Test"].str.startswith("Good")].reset_index(drop=True)


def _df1() -> pd.DataFrame:
    df = _good()
    return df[df["GroupSet"] == "IndSexReg"].reset_index(drop=True)


def _assert_expected(result: pd.Series, expected: pd.Series) -> None:
    assert result.isna().tolist() == expected.isna().tolist()
    assert result.dropna().astype(int).tolist() == expected.dropna().astype(int).tolist()


def test_df1_grouped_by_indicator_and_region_field_invert() -> None:
    df = _df1()
    assert len(df) == 339
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HIReportsWarning)  # some regions have < 10 areas
        q = deprivation_quantiles(
            df["Value"], n=10, invert=df["Polarity"], groups=df[["IndSexRef", "ParentCode"]]
        )
    _assert_expected(q, df["QuantileInGrp"])


def test_df2_one_indicator_not_inverted_warns() -> None:
    df = _df1()
    df = df[df["IndSexRef"] == "90366Female"].reset_index(drop=True)
    with pytest.warns(HIReportsWarning, match=TOO_FEW):
        q = deprivation_quantiles(
            df["Value"], n=10, invert=False, groups=df[["IndSexRef", "ParentCode"]]
        )
    _assert_expected(q, df["QuantileInGrp"])


def test_df3_septiles_by_indicator() -> None:
    df = _good()
    df = df[df["GroupSet"] == "IndSex"].reset_index(drop=True)
    q = deprivation_quantiles(df["Value"], n=7, invert=df["Polarity"], groups=df["IndSexRef"])
    _assert_expected(q, df["QuantileInGrp"])


@pytest.mark.parametrize("grouped", [False, True], ids=["ungrouped", "grouped-by-GroupSet"])
def test_df4_quartiles_all_rows(grouped: bool) -> None:
    df = _good()
    df = df[df["GroupSet"].isna()].reset_index(drop=True)
    assert len(df) == 491
    q = deprivation_quantiles(df["Value"], n=4, groups=df["GroupSet"] if grouped else None)
    _assert_expected(q, df["QuantileInGrp"])


def test_df6_warning_when_region_values_missing() -> None:
    df = _df1()
    df = df[(df["IndSexRef"] == "90366Female") & ~df["AreaCode"].isin(["E06000053", "E09000001"])]
    df = df.reset_index(drop=True)
    df.loc[df["ParentCode"] == "E12000006", "Value"] = np.nan
    with pytest.warns(HIReportsWarning, match=TOO_FEW):
        q = deprivation_quantiles(
            df["Value"], n=10, invert=False, groups=df[["IndSexRef", "ParentCode"]]
        )
    assert q[df["ParentCode"] == "E12000006"].isna().all()


def test_bad_polarity_raises() -> None:
    df = _quantiles_data()
    df = df[df["Test"] == "BadPolarity"].reset_index(drop=True)
    assert len(df) == 35
    with pytest.raises(
        StatsError,
        match="invert field values must take the same logical value for each data grouping set",
    ):
        deprivation_quantiles(df["Value"], n=10, invert=df["Polarity"], groups=df["IndSexRef"])


def test_index_and_missing_values_kept() -> None:
    values = pd.Series([5.0, np.nan, 1.0, 3.0, 2.0, 4.0], index=list("abcdef"))
    q = deprivation_quantiles(values, n=5)
    assert q.index.tolist() == list("abcdef")
    assert q.isna().tolist() == [False, True, False, False, False, False]
    assert q.dropna().tolist() == [1, 5, 3, 4, 2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            dict(values=[1, 2, 3], n=0),
            "n: the number of quantiles must be a positive integer",
            id="n-zero",
        ),
        pytest.param(
            dict(values=[1, 2, 3], n=2.5),
            "n: the number of quantiles must be a positive integer",
            id="n-float",
        ),
        pytest.param(
            dict(values=[1, 2, 3], groups=["a", "b"]),
            "groups: must have the same length",
            id="groups-length",
        ),
        pytest.param(
            dict(values=[1, 2, 3], invert=[True, False]),
            "invert: must be a boolean or have one value per value",
            id="invert-length",
        ),
    ],
)
def test_bad_arguments_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(StatsError, match=message):
        deprivation_quantiles(**kwargs)
