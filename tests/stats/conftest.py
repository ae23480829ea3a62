"""Shared helpers for the hi_reports.stats tests: locate and read the PHEindicatormethods fixtures.

The fixtures live outside the project (GPL-3 test data, never copied here): by default in
``../shared/fixtures/phe`` relative to the project root, or wherever ``HI_REPORTS_PHE_FIXTURES``
points. Without them the tests that read them skip with one line (fail under ``CI=true``); a test
parametrized from a sheet at collection time uses :func:`available` so that collection never reads
a missing file.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd

from ..conftest import missing


def fixtures_dir() -> Path:
    override = os.environ.get("HI_REPORTS_PHE_FIXTURES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "phe"


def available(name: str) -> bool:
    """Whether the fixture sheet ``name`` is there (to parametrize from it at collection time)."""
    return (fixtures_dir() / "csv" / f"{name}.csv").is_file()


@cache
def _read(name: str) -> pd.DataFrame:
    path = fixtures_dir() / "csv" / f"{name}.csv"
    if not path.is_file():
        missing(
            f"PHE fixture {path} not found: set HI_REPORTS_PHE_FIXTURES to the folder of "
            "PHEindicatormethods' reference sheets (csv/ inside; see tests/stats/conftest.py)"
        )
    return pd.read_csv(path)


def load(name: str) -> pd.DataFrame:
    """A fresh copy of one fixture sheet, e.g. ``load("testdata_Rate__testdata_Rate")``."""
    return _read(name).copy()


def rows(df: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Rows ``first..last`` (1-based, inclusive, sheet order), as R's ``slice(df, first:last)``."""
    return df.iloc[first - 1 : last].reset_index(drop=True)
