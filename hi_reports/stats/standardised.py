"""Directly standardised rates (Dobson limits), as PHEindicatormethods ``calculate_dsr``.

References
----------
Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted sums of
Poisson parameters. *Statistics in Medicine* 10:457-462.

Eurostat (2013). *Revision of the European Standard Population: report of Eurostat's task force*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hi_reports.data.esp2013 import ESP2013, ESP2013_AGEBANDS
from hi_reports.errors import StatsError
from hi_reports.stats._confidence import level_label, level_suffix, parse_confidence, z_value
from hi_reports.stats.intervals import _byars_lower, _byars_upper, count_limits

__all__ = ["ESP2013", "ESP2013_AGEBANDS", "dsr", "isr"]


def as_by_list(by: str | Sequence[str] | None) -> list[str]:
    """Normalise a ``by`` argument to a list of column names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def check_columns(data: pd.DataFrame, **columns: str | Sequence[str] | None) -> None:
    """Raise :class:`StatsError` naming the argument when a column is missing from ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise StatsError(f"data: must be a pandas DataFrame (got {type(data).__name__})")
    for arg, cols in columns.items():
        for col in as_by_list(cols):
            if col not in data.columns:
                raise StatsError(
                    f"{arg}: column {col!r} is not in data",
                    hint="columns are: " + ", ".join(map(str, data.columns)),
                )


def numeric_column(data: pd.DataFrame, col: str, arg: str) -> np.ndarray:
    """A column as a float array, or :class:`StatsError` naming the argument."""
    series = data[col]
    if not (pd.api.types.is_numeric_dtype(series) or series.isna().all()):
        raise StatsError(f"{arg}: column {col!r} must be numeric")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _group_codes(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group codes per row (sorted group order) and the table of group keys."""
    if not by:
        return np.zeros(len(data), dtype=np.intp), pd.DataFrame(index=range(1))
    grouped = data.groupby(by, sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[by]
    return codes, keys


def _per_row(
    data: pd.DataFrame, values: str | ArrayLike, arg: str, codes: np.ndarray, n_groups: int
) -> np.ndarray:
    """A column of ``data`` (by name) or a sequence attached to each group's rows in order."""
    if isinstance(values, str):
        check_columns(data, **{arg: values})
        return numeric_column(data, values, arg)
    ref = np.asarray(values, dtype=float).ravel()
    sizes = np.bincount(codes, minlength=n_groups)
    if np.any(sizes != len(ref)):
        raise StatsError(
            f"{arg}: every group must have one row per reference value ({len(ref)}); "
            f"group sizes: {sorted(set(sizes.tolist()))}"
        )
    return ref[pd.Series(codes).groupby(codes).cumcount().to_numpy()]


def dsr(
    data: pd.DataFrame,
    count: str = "count",
    population: str = "population",
    standard: str | ArrayLike | None = None,
    by: str | Sequence[str] | None = None,
    multiplier: float = 100_000,
    confidence: float | Sequence[float] = 0.95,
    *,
    independent_events: bool = True,
    event_frequency: str | None = None,
    ageband: str | None = None,
) -> pd.DataFrame:
    """Directly standardised rates with Dobson confidence limits, as ``calculate_dsr``.

    Per group, with ``x`` events (missing counts are 0), population ``n`` and standard population
    ``w`` in each age band: ``value = Σ(x·w/n)/Σw·multiplier``, ``var = Σ(x·(w/n)²)/(Σw)²`` and,
    with ``T = Σx``, ``limit = value + √(var/T)·(Byars(T) − T)·multiplier`` (Dobson et al. 1991,
    with Byars' limits of ``T``). Groups with fewer than 10 events get missing value and limits.

    For non-independent events (``independent_events=False``) each row holds the number of
    persons (``count``) with ``event_frequency`` events in an ``ageband``; events are
    ``Σ k·persons`` and the variance is ``Σ_k k²·Σ(persons_k·(w/n)²)/(Σw)²``.

    Parameters
    ----------
    data
        One row per age band (per group), or per age band and event frequency.
    count, population
        Columns of event counts (or persons) and populations.
    standard
        ``None`` for the 2013 European Standard Population (:data:`ESP2013`; each group must then
        have its 19 bands in ESP order), the name of a column of standard populations, or a
        sequence of standard populations attached to each group's rows in order.
    by
        Grouping column(s); one output row per group (sorted by the group keys).
    multiplier
        Rate per ``multiplier`` population.
    confidence
        A level (``0.95`` or ``95``) or the pair ``(0.95, 0.998)``.
    independent_events
        If false, adjust the limits for persons with several events.
    event_frequency, ageband
        Columns of event frequency and age band, required when ``independent_events`` is false.

    Returns
    -------
    pandas.DataFrame
        ``[by columns], total_count, total_pop, value, lower, upper, confidence, statistic,
        method``; with two levels ``lower_95_0, upper_95_0, lower_99_8, upper_99_8``.
        ``statistic`` is ``"dsr per <multiplier>"`` or ``"dsr NA for total count < 10"``.

    Raises
    ------
    StatsError
        For negative counts, non-positive or missing populations, negative standard populations,
        a wrong number of bands for the standard, or inconsistent populations within an age band.

    Examples
    --------
    >>> df = pd.DataFrame({"count": [10] * 19, "population": [1000] * 19})
    >>> float(dsr(df)["value"].iloc[0])
    1000.0
    """
    by_cols = as_by_list(by)
    check_columns(data, count=count, population=population, by=by_cols)
    levels = parse_confidence(confidence, restrict_pair=True)
    m = float(multiplier)
    persons: tuple[str, str] | None = None  # event frequency and age band columns
    if not independent_events:
        if event_frequency is None or ageband is None:
            raise StatsError(
                "event_frequency: event_frequency and ageband columns are required when "
                "independent_events is False"
            )
        check_columns(data, event_frequency=event_frequency, ageband=ageband)
        persons = (event_frequency, ageband)

    x = numeric_column(data, count, "count")
    n = numeric_column(data, population, "population")
    codes, keys = _group_codes(data, by_cols)
    n_groups = len(keys)

    if isinstance(standard, str):
        check_columns(data, standard=standard)
        w = numeric_column(data, standard, "standard")
    else:
        std = np.asarray(ESP2013 if standard is None else standard, dtype=float).ravel()
        if not independent_events:
            raise StatsError(
                "standard: give the name of a column of standard populations when "
                "independent_events is False"
            )
        sizes = np.bincount(codes, minlength=n_groups)
        if np.any(sizes != len(std)):
            name = "the 19 ESP2013 age bands" if standard is None else f"{len(std)} standard bands"
            raise StatsError(
                f"standard: every group must have one row for each of {name} "
                f"(group sizes: {sorted(set(sizes.tolist()))})"
            )
        position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        w = std[position]

    if np.any(x < 0):
        raise StatsError("count: numerators must all be greater than or equal to zero")
    if np.any(~(n > 0)):
        raise StatsError("population: denominators must all be greater than zero")
    if np.any(w < 0) or np.any(np.isnan(w)):
        raise StatsError("standard: stdpop must all be greater than or equal to zero")
    x = np.nan_to_num(x, nan=0.0)

    if persons is None:
        k = np.ones_like(x)
        band_rows = np.ones(len(x), dtype=bool)
    else:
        frequency, ageband = persons
        k = numeric_column(data, frequency, "event_frequency")
        if np.any(~(k > 0)):
            raise StatsError("event_frequency: event frequencies must be positive numbers")
        frame = data[[*by_cols, ageband]].copy()
        frame["_n"], frame["_w"] = n, w
        uniq = frame.groupby([*by_cols, ageband], dropna=False)[["_n", "_w"]].nunique()
        if (uniq > 1).to_numpy().any():
            raise StatsError(
                "ageband: There are rows with the same grouping variables and ageband but with "
                "different populations or standard populations"
            )
        band_rows = ~frame.duplicated(subset=[*by_cols, ageband]).to_numpy()

    ratio = w / n
    total = np.bincount(codes, weights=k * x, minlength=n_groups)
    s1 = np.bincount(codes, weights=k * x * ratio, minlength=n_groups)
    s2 = np.bincount(codes, weights=k**2 * x * ratio**2, minlength=n_groups)
    pop = np.bincount(codes, weights=np.where(band_rows, n, 0.0), minlength=n_groups)
    wsum = np.bincount(codes, weights=np.where(band_rows, w, 0.0), minlength=n_groups)

    small = total < 10
    with np.errstate(divide="ignore", invalid="ignore"):
        value = s1 / wsum * m
        spread = np.sqrt(s2 / wsum**2 / total) * m
    value = np.where(small, np.nan, value)

    out = keys.reset_index(drop=True).copy()
    out["total_count"] = total
    out["total_pop"] = pop
    out["value"] = value
    for level in levels:
        z = z_value(level)
        suffix = "" if len(levels) == 1 else "_" + level_suffix(level)
        out["lower" + suffix] = value + spread * (_byars_lower(total, z) - total)
        out["upper" + suffix] = value + spread * (_byars_upper(total, z) - total)
    out["confidence"] = level_label(levels)
    out["statistic"] = np.where(small, "dsr NA for total count < 10", f"dsr per {m:g}")
    out["method"] = (
        "Dobson"
        if independent_events
        else "Dobson, with confidence adjusted for non-independent events"
    )
    return out


def isr(
    data: pd.DataFrame,
    count: str = "count",
    population: str = "population",
    ref_count: str | ArrayLike = "ref_count",
    ref_population: str | ArrayLike = "ref_population",
    by: str | Sequence[str] | None = None,
    multiplier: float = 100_000,
    confidence: float | Sequence[float] = 0.95,
    *,
    ratio: bool = False,
    ref_value: float = 1,
) -> pd.DataFrame:
    """Indirectly standardised rates or ratios, as ``calculate_ISRate`` / ``calculate_ISRatio``.

    Per group, ``observed O = Σx`` and ``expected E = Σ(x_ref/n_ref)·n`` (missing terms are 0).
    The rate is ``O/E·ref_rate`` with ``ref_rate = Σx_ref/Σn_ref·multiplier``; the ratio is
    ``O/E·ref_value``. Limits are ``limit(O)/E`` times the same factor, with exact Poisson limits
    when ``O < 10`` (method "Exact") and Byars' otherwise (Byars 1965 via Breslow & Day 1987).

    Parameters
    ----------
    data
        One row per age band (per group).
    count, population
        Columns of observed events and populations (populations may be 0).
    ref_count, ref_population
        Columns of reference events and populations per band, or sequences attached to each
        group's rows in order.
    by
        Grouping column(s); one output row per group (sorted by the group keys).
    multiplier
        Rate per ``multiplier`` population (rates only).
    confidence
        A level or the pair ``(0.95, 0.998)``.
    ratio
        Return the standardised ratio instead of the rate.
    ref_value
        Value of the reference ratio (1 or 100).

    Returns
    -------
    pandas.DataFrame
        ``[by columns], observed, expected, [ref_rate], value, lower, upper, confidence,
        statistic, method`` (two levels: ``lower_95_0`` ... ``upper_99_8``).
    """
    by_cols = as_by_list(by)
    check_columns(data, count=count, population=population, by=by_cols)
    levels = parse_confidence(confidence, restrict_pair=True)
    codes, keys = _group_codes(data, by_cols)
    n_groups = len(keys)
    x = numeric_column(data, count, "count")
    n = numeric_column(data, population, "population")
    x_ref = _per_row(data, ref_count, "ref_count", codes, n_groups)
    n_ref = _per_row(data, ref_population, "ref_population", codes, n_groups)
    if np.any(x < 0):
        raise StatsError("count: numerators must all be greater than or equal to zero")
    if np.any(n < 0):
        raise StatsError("population: denominators must all be greater than or equal to zero")
    if np.any(x_ref < 0) or np.any(n_ref <= 0):
        raise StatsError("ref_count: reference counts must be >= 0 and reference populations > 0")
    with np.errstate(invalid="ignore"):
        expected_terms = np.nan_to_num(x_ref / n_ref * n, nan=0.0)
    observed = np.bincount(codes, weights=np.nan_to_num(x, nan=0.0), minlength=n_groups)
    expected = np.bincount(codes, weights=expected_terms, minlength=n_groups)
    if ratio:
        factor = np.full(n_groups, float(ref_value))
        statistic = f"indirectly standardised ratio x {float(ref_value):g}"
    else:
        ref_x = np.bincount(codes, weights=np.nan_to_num(x_ref, nan=0.0), minlength=n_groups)
        ref_n = np.bincount(codes, weights=np.nan_to_num(n_ref, nan=0.0), minlength=n_groups)
        if not isinstance(ref_count, str):  # a reference vector: its own totals, once
            ref_x = np.full(n_groups, np.nansum(np.asarray(ref_count, dtype=float)))
        if not isinstance(ref_population, str):
            ref_n = np.full(n_groups, np.nansum(np.asarray(ref_population, dtype=float)))
        factor = ref_x / ref_n * float(multiplier)
        statistic = f"indirectly standardised rate per {float(multiplier):g}"

    out = keys.reset_index(drop=True).copy()
    out["observed"] = observed
    out["expected"] = expected
    if not ratio:
        out["ref_rate"] = factor
    out["value"] = observed / expected * factor
    method = None
    for level in levels:
        lower, upper, method = count_limits(observed, level)
        suffix = "" if len(levels) == 1 else "_" + level_suffix(level)
        out["lower" + suffix] = lower / expected * factor
        out["upper" + suffix] = upper / expected * factor
    out["confidence"] = level_label(levels)
    out["statistic"] = statistic
    out["method"] = method
    return out
