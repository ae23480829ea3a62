"""Assignment of small areas to deprivation quantiles, as PHEindicatormethods ``phe_quantile``.

Reference
---------
Office for Health Improvement and Disparities (formerly PHE). *Technical guide: assigning
deprivation categories* (Fingertips): within each group, with ``N`` areas that have a value and
``rank`` the minimum rank of the value (of minus the value when inverted),
``quantile = floor((nq + 1) − ceiling(((N + 1) − rank)/(N/nq)))``, with 0 set to 1.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hi_reports.errors import HIReportsWarning, StatsError

__all__ = ["deprivation_quantiles"]


def deprivation_quantiles(
    values: ArrayLike,
    n: int = 10,
    invert: bool | ArrayLike = True,
    *,
    groups: pd.DataFrame | pd.Series | np.ndarray | Sequence[object] | None = None,
) -> pd.Series:
    """Assign values to ``n`` quantiles as the OHID technical guide (``phe_quantile``).

    Within each group, ``N`` is the number of non-missing values and ``rank`` the minimum rank
    (ties share the lowest rank) of ``-value`` when ``invert`` (so quantile 1 holds the highest
    values) or of ``value`` otherwise. Then
    ``quantile = floor((n + 1) − ceiling(((N + 1) − rank)/(N/n)))``, and a result of 0 becomes 1.
    Missing values get a missing quantile; groups with fewer than ``n`` values get missing
    quantiles and a warning.

    Parameters
    ----------
    values
        Indicator values (e.g. IMD scores), one per area.
    n
        Number of quantiles (e.g. 10 for deciles, 5 for quintiles).
    invert
        ``True`` (default) for quantile 1 = highest values (e.g. most deprived IMD score), or an
        array of booleans per value that is constant within each group (a polarity field).
    groups
        Optional group labels (an array, a sequence of arrays or a DataFrame of key columns);
        quantiles are assigned within each group.

    Returns
    -------
    pandas.Series
        Nullable integer (``Int64``) quantiles, indexed like ``values`` when it is a Series.

    Raises
    ------
    StatsError
        If ``n`` is not a positive integer, lengths differ, or ``invert`` varies within a group.

    Examples
    --------
    >>> deprivation_quantiles([10, 20, 30, 40, 50], n=5).tolist()
    [5, 4, 3, 2, 1]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise StatsError(f"n: the number of quantiles must be a positive integer (got {n!r})")
    index = values.index if isinstance(values, pd.Series) else None
    try:
        vals = pd.Series(np.asarray(values, dtype=float).ravel())
    except (TypeError, ValueError):
        raise StatsError("values: values must be numeric") from None
    size = len(vals)

    codes: np.ndarray
    if groups is None:
        codes = np.zeros(size, dtype=np.intp)
    else:
        key = groups.reset_index(drop=True) if isinstance(groups, pd.DataFrame) else _key(groups)
        if len(key) != size:
            raise StatsError(f"groups: must have the same length as values ({len(key)} != {size})")
        codes = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()

    inv = np.asarray(invert)
    if inv.ndim == 0:
        inv = np.full(size, bool(inv))
    else:
        if inv.shape != (size,):
            raise StatsError(f"invert: must be a boolean or have one value per value ({size})")
        if inv.dtype != bool:
            if not pd.Series(inv).isin([True, False]).all():
                raise StatsError("invert: invert field values must all be TRUE or FALSE")
            inv = inv.astype(bool)
        per_group = pd.Series(inv).groupby(codes).nunique()
        if (per_group > 1).any():
            raise StatsError(
                "invert: invert field values must take the same logical value for each data "
                "grouping set"
            )

    signed = vals.where(~pd.Series(inv), -vals)
    rank = signed.groupby(codes).rank(method="min").to_numpy()
    count = vals.notna().groupby(codes).transform("sum").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.floor((n + 1) - np.ceil(((count + 1) - rank) / (count / n)))
    q = np.where(q == 0, 1, q)
    too_few = count < n
    if too_few.any():
        q = np.where(too_few, np.nan, q)
        warnings.warn(
            "One or more groups had too few small areas with values to allow quantiles to be "
            "assigned",
            HIReportsWarning,
            stacklevel=2,
        )
    return pd.Series(pd.array(q, dtype="Int64"), index=index, name="quantile")  # NaN: <NA>


def _key(groups: pd.Series | np.ndarray | Sequence[object]) -> pd.DataFrame:
    """Group labels as key columns: one array of labels, or a sequence of such arrays."""
    if isinstance(groups, (pd.Series, np.ndarray)) or (
        len(groups) > 0 and np.asarray(groups[0], dtype=object).ndim == 0
    ):
        return pd.DataFrame({"g": np.asarray(groups, dtype=object)})
    return pd.DataFrame({f"g{i}": np.asarray(g, dtype=object) for i, g in enumerate(groups)})
