"""Synthetic activity with a known deprivation gradient, for demonstrations and tests.

:func:`demo_activity` draws pre-aggregated counts by LSOA 2011 and ESP2013 age band from the real
mid-2020 population with a log-linear Poisson model::

    expected = population x base_rate/1000 x age_effect[band]
               x rate_ratio_deprivation ** ((5 - imd_quintile) / 4)
               x rate_ratio_rural ** (urban_rural == "Rural")

so the age-specific rates of national IMD quintile 1 (most deprived) are ``rate_ratio_deprivation``
times those of quintile 5, linear in log across quintiles, and rural rates are ``rate_ratio_rural``
times urban ones. Age-standardised rates recover each ratio exactly (in expectation) when the other
effect is 1; with both on, the marginal ratios mix them, since rural LSOAs are less often deprived.

The numbers are not real activity: anything printed from them must carry :data:`SYNTHETIC_LABEL`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hi_reports.data.activity import band_populations
from hi_reports.data.esp2013 import ESP2013, ESP2013_AGEBANDS
from hi_reports.data.reference import Reference
from hi_reports.errors import DataError

__all__ = ["AGE_EFFECT", "DEFAULT_SEED", "SYNTHETIC_LABEL", "demo_activity", "write_activity"]

#: The label the book prints on every figure and table made from demonstration data.
SYNTHETIC_LABEL = (
    "SYNTHETIC DEMONSTRATION DATA: counts simulated from mid-2020 populations with a known "
    "deprivation gradient; not real activity"
)

#: Default seed of :func:`demo_activity`.
DEFAULT_SEED = 20240401

#: Relative rate by ESP2013 band (0-4 .. 90+): J-shaped, like emergency admissions.
AGE_EFFECT: tuple[float, ...] = (
    1.6, 0.6, 0.6, 0.8, 0.9, 0.9, 0.9, 1.0, 1.0, 1.1,
    1.2, 1.4, 1.7, 2.0, 2.6, 3.4, 4.6, 6.0, 7.5,
)  # fmt: skip


def demo_activity(
    reference: Reference,
    seed: int = DEFAULT_SEED,
    rate_ratio_deprivation: float = 1.8,
    rate_ratio_rural: float = 1.2,
    base_rate_per_1000: float = 80.0,
    age_effect: Sequence[float] = AGE_EFFECT,
    calibrate: bool = False,
) -> pd.DataFrame:
    """Deterministic synthetic pre-aggregated activity with a known gradient.

    Parameters
    ----------
    reference
        The reference data (population by single year of age, IMD quintile, urban/rural).
    seed
        Seed of the Poisson draws; the same seed gives the same counts.
    rate_ratio_deprivation
        Rate ratio of national IMD quintile 1 (most deprived) to quintile 5, log-linear between.
    rate_ratio_rural
        Rate ratio of rural to urban LSOAs.
    base_rate_per_1000
        Events per 1,000 residents a year in an urban quintile-5 LSOA, for an age effect of 1.
    age_effect
        19 relative rates by ESP2013 band.
    calibrate
        Adjust the quintile and urban/rural factors (by iterative proportional fitting on the
        expected counts) so that England's *age-standardised* rate ratios equal the targets:
        quintile 1 over 5 is ``rate_ratio_deprivation`` (log-linear between) and rural over urban
        is ``rate_ratio_rural``. Without it the two effects confound each other in the published
        ratios, since rural neighbourhoods are less often deprived.

    Returns
    -------
    DataFrame
        ``lsoa_code, age_band, count`` (count >= 0; zero rows kept), 32,844 x 19 rows.

    Examples
    --------
    >>> demo_activity(reference).head(2)  # doctest: +SKIP
    """
    effect = np.asarray(age_effect, dtype=float)
    if effect.shape != (len(ESP2013_AGEBANDS),) or np.any(effect < 0):
        raise ValueError(f"age_effect: give {len(ESP2013_AGEBANDS)} non-negative relative rates")
    if rate_ratio_deprivation <= 0 or rate_ratio_rural <= 0 or base_rate_per_1000 < 0:
        raise ValueError("rate ratios must be positive and the base rate non-negative")
    pop = band_populations(reference)
    lsoas = reference.lsoas.loc[pop.index]
    quintile = lsoas["imd_quintile"].to_numpy(dtype=int) - 1
    rural = (lsoas["urban_rural"].to_numpy() == "Rural").astype(int)
    deprivation = rate_ratio_deprivation ** ((4 - np.arange(5)) / 4)  # quintile 1 .. 5
    place = np.array([1.0, rate_ratio_rural])  # urban, rural
    if calibrate:
        deprivation, place = _calibrate(
            pop.to_numpy(dtype=float), quintile, rural, effect, deprivation, place
        )
    area = base_rate_per_1000 / 1000 * deprivation[quintile] * place[rural]
    expected = pop.to_numpy(dtype=float) * area[:, None] * effect[None, :]
    counts = np.random.default_rng(seed).poisson(expected)
    return pd.DataFrame(
        {
            "lsoa_code": np.repeat(pop.index.to_numpy(), len(ESP2013_AGEBANDS)),
            "age_band": np.tile(np.array(ESP2013_AGEBANDS, dtype=object), len(pop)),
            "count": counts.ravel().astype("int64"),
        }
    )


def _calibrate(
    pop: np.ndarray,
    quintile: np.ndarray,
    rural: np.ndarray,
    effect: np.ndarray,
    deprivation: np.ndarray,
    place: np.ndarray,
    rounds: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Factors whose expected age-standardised ratios equal ``deprivation`` and ``place``'s."""
    weights = np.asarray(ESP2013, dtype=float) / np.sum(ESP2013)
    cells = np.zeros((5, 2, pop.shape[1]))  # residents by quintile, urban/rural, age band
    np.add.at(cells, (quintile, rural), pop)
    target_q, target_r = deprivation / deprivation[4], place[1] / place[0]
    f, g = deprivation.copy(), place.copy()

    def dsr(events: np.ndarray, people: np.ndarray) -> np.ndarray:
        rates = np.divide(events, people, out=np.zeros_like(events), where=people > 0)
        standardised: np.ndarray = (rates * weights).sum(axis=-1)
        return standardised

    for _ in range(rounds):
        events = cells * f[:, None, None] * g[None, :, None] * effect[None, None, :]
        by_q = dsr(events.sum(axis=1), cells.sum(axis=1))
        f = f * target_q / (by_q / by_q[4])
        events = cells * f[:, None, None] * g[None, :, None] * effect[None, None, :]
        by_r = dsr(events.sum(axis=0), cells.sum(axis=0))
        g = np.array([g[0], g[1] * target_r / (by_r[1] / by_r[0])])
    return f, g


def write_activity(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write activity rows to CSV or Parquet, chosen by the file name's ending, into an existing
    folder (a mistyped path is an error, not a new folder).

    Column names are kept, so :func:`hi_reports.data.activity.read_activity` reads the file back
    without a mapping.
    """
    target = Path(path)
    name = target.name.lower()
    if not name.endswith((".parquet", ".pq", ".csv", ".csv.gz")):
        raise DataError(
            f"{target}: write .csv or .parquet",
            hint="end the file name in .csv or .parquet",
            path=target,
        )
    if target.exists():
        raise DataError(
            f"{target} already exists: the synthetic activity is not written over a file",
            hint="choose a new file name, or delete the file first",
            path=target,
        )
    if not target.parent.is_dir():
        raise DataError(
            f"{target}: the folder {target.parent} does not exist",
            hint="make it first, or write the file elsewhere",
            path=target,
        )
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(target, index=False)
    else:
        frame.to_csv(target, index=False)
    return target
