"""Slope and relative index of inequality (SII, RII) with Monte Carlo limits, as ``phe_sii``.

The SII is the slope of a weighted least-squares regression of the indicator on the relative
rank of each deprivation quantile (the cumulative-population midpoint), weighted by the quantile's
share of the population (Low & Low 2004). Confidence limits are simulated: each quantile's value is
redrawn from a normal distribution (on the log scale for rates, the logit scale for proportions)
with its standard error, the regression is refitted for every repetition, and the limits are order
statistics of the simulated slopes.

References
----------
Low A, Low A (2004). Measuring the gap: quantifying and comparing local health inequalities.
*Journal of Public Health* 26(4):388-395.

Public Health England (2018). *Technical guide: Confidence intervals for the slope index of
inequality* (Monte Carlo simulation; log/logit transforms).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from hi_reports.errors import HIReportsWarning, StatsError
from hi_reports.stats._confidence import level_label, level_suffix, parse_confidence, z_value
from hi_reports.stats.intervals import count_limits, wilson
from hi_reports.stats.standardised import as_by_list, check_columns

__all__ = ["sii", "sii_coefficients"]

_Z95 = z_value(0.95)
# Simulated values per block (float32): ~8 MB per thread, cache- and memory-friendly.
_BLOCK_ELEMENTS = 2_000_000


def _forward(y: np.ndarray, value_type: int) -> np.ndarray:
    out: np.ndarray = y
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type == 1:
            out = np.log(y)
        elif value_type == 2:
            out = logit(y)
    return out


def _inverse(y: np.ndarray, value_type: int) -> np.ndarray:
    out: np.ndarray = y
    if value_type == 1:
        out = np.exp(y)
    elif value_type == 2:
        out = expit(y)
    return out


def _inverse_inplace(y: np.ndarray, value_type: int) -> None:
    if value_type == 1:
        np.exp(y, out=y)
    elif value_type == 2:
        expit(y, out=y)


def sii_coefficients(population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights giving the WLS slope and intercept as linear functions of the quantile values.

    With ``a = pop/Σpop`` and relative rank ``b = Σ_{j<i} a_j + a_i/2`` (quantiles in order), the
    weighted least-squares fit of ``y`` on ``b`` with weights ``a`` (equivalently the
    no-intercept OLS ``y√a ~ √a + b√a``) has slope ``s = Σ c·y`` and intercept ``i = Σ d·y`` with
    ``c = a(b − b̄)/Σa(b − b̄)²``, ``d = a − b̄·c`` and ``b̄ = Σ a·b``.

    Parameters
    ----------
    population
        Array ``(..., quantiles)`` of quantile populations, in quantile order.

    Returns
    -------
    c, d
        Arrays of the same shape as ``population``.
    """
    pop = np.asarray(population, dtype=float)
    a = pop / pop.sum(axis=-1, keepdims=True)
    b = np.cumsum(a, axis=-1) - a / 2
    b_mean = (a * b).sum(axis=-1, keepdims=True)
    dev = b - b_mean
    c = a * dev / (a * dev**2).sum(axis=-1, keepdims=True)
    d = a - b_mean * c
    return c, d


def _numeric(data: pd.DataFrame, col: str, arg: str) -> np.ndarray:
    series = data[col]
    if not (
        pd.api.types.is_numeric_dtype(series) or series.isna().all()
    ) or pd.api.types.is_bool_dtype(series):
        raise StatsError(f"{arg}: some input fields in data.frame are non-numeric (column {col!r})")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _order_positions(repetitions: int, level: float) -> tuple[int, int]:
    """0-based positions of the lower and upper limit among sorted draws (R's round, half even)."""
    cv = level + (1 - level) / 2
    lo = int(np.round(repetitions * (1 - cv))) - 1
    hi = int(np.round(repetitions * cv)) - 1
    return min(max(lo, 0), repetitions - 1), min(max(hi, 0), repetitions - 1)


def _simulate(
    y_t: np.ndarray,
    se: np.ndarray,
    c: np.ndarray,
    d: np.ndarray,
    *,
    value_type: int,
    transform: bool,
    multiplier: float,
    repetitions: int,
    positions: list[int],
    want_rii: bool,
    seed: int | np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Order statistics of simulated slopes (and RII) per group, vectorised over groups and reps.

    Groups are processed in memory-bounded blocks (each block holds all repetitions of one or more
    groups as one ``(groups, repetitions, quantiles)`` float32 array); blocks run on up to
    ``os.cpu_count()`` threads (numpy releases the GIL) and each block has its own child generator
    spawned from ``seed``, so results are reproducible whatever the scheduling.

    Returns arrays ``(groups, len(positions))``: the slope draws ``s*`` (unmultiplied) and, when
    ``want_rii`` and not ``transform``, the RII draws.
    """
    n_groups, n_q = y_t.shape
    step = max(1, _BLOCK_ELEMENTS // (repetitions * n_q))
    blocks = [(g0, min(g0 + step, n_groups)) for g0 in range(0, n_groups, step)]
    rngs = np.random.default_rng(seed).spawn(len(blocks))
    s_out = np.empty((n_groups, len(positions)))
    r_out = np.empty((n_groups, len(positions))) if want_rii and not transform else None
    y32, se32 = y_t.astype(np.float32), se.astype(np.float32)
    c32, d32 = c.astype(np.float32), d.astype(np.float32)

    def run(block_ids: list[int]) -> None:
        buffer = np.empty(min(step, n_groups) * repetitions * n_q, dtype=np.float32)
        for k in block_ids:
            g0, g1 = blocks[k]
            draws = buffer[: (g1 - g0) * repetitions * n_q].reshape(g1 - g0, repetitions, n_q)
            rngs[k].standard_normal(dtype=np.float32, out=draws)
            draws *= se32[g0:g1, None, :]
            draws += y32[g0:g1, None, :]
            if not transform:
                _inverse_inplace(draws, value_type)
            slopes = np.einsum("grq,gq->gr", draws, c32[g0:g1]).astype(float)
            s_out[g0:g1] = np.partition(slopes, positions, axis=-1)[:, positions]
            if r_out is not None:
                icepts = np.einsum("grq,gq->gr", draws, d32[g0:g1]).astype(float)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = (icepts + slopes) / icepts
                    if multiplier < 0:
                        ratio = 1 / ratio
                r_out[g0:g1] = np.partition(ratio, positions, axis=-1)[:, positions]

    workers = max(1, min(len(blocks), os.cpu_count() or 1))
    shares = [list(range(w, len(blocks), workers)) for w in range(workers)]
    if workers == 1:
        run(shares[0])
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, shares))
    return s_out, r_out


def sii(
    data: pd.DataFrame,
    quantile: str = "quantile",
    population: str = "population",
    value: str = "value",
    lower: str = "lower",
    upper: str = "upper",
    value_type: int = 0,
    by: str | Sequence[str] | None = None,
    multiplier: float = 1,
    repetitions: int = 100_000,
    confidence: float | Sequence[float] = 0.95,
    rii: bool = False,
    transform: bool = False,
    seed: int | np.random.Generator | None = None,
    *,
    se: str | None = None,
    count: str | None = None,
) -> pd.DataFrame:
    """Slope index of inequality (and relative index) with Monte Carlo limits, as ``phe_sii``.

    Within each group the quantiles are sorted; ``a = pop/Σpop`` and the relative rank is
    ``b = Σ_{j<i} a_j + a_i/2``. A weighted least-squares fit ``y = i + s·b`` (weights ``a``) gives
    ``sii = multiplier·s``, ``rii = (i + s)/i`` and ``intercept = i`` (Low & Low 2004). With
    ``transform=True``, ``y`` is ``log(value)`` (rates) or ``logit(value)`` (proportions), ``f``
    the inverse transform, ``sii = (f(i+s) − f(i))·multiplier``, ``rii = f(i+s)/f(i)`` and
    ``intercept = f(i)·|multiplier|``. A negative multiplier inverts the RII.

    Limits: values are drawn ``repetitions`` times from ``N(T(value), se)`` on the log (type 1),
    logit (type 2) or natural (type 0) scale ``T``, back-transformed unless ``transform``, and
    refitted; limits are the sorted draws at 1-based positions ``round(R(1−cv))`` and
    ``round(R·cv)``, ``cv = c + (1−c)/2``. With ``transform`` the simulated slope limits ``sL``,
    ``sU`` become ``f(x̄ + sL/2) − f(x̄ − sL/2)`` (times ``multiplier``) with ``x̄ = i + s/2``, and
    likewise for the RII. The work is vectorised over groups and repetitions (a closed-form WLS
    as matrix products on arrays of shape ``(groups, repetitions, quantiles)``).

    Parameters
    ----------
    data
        One row per quantile (per group).
    quantile, population, value
        Columns of quantile number (any sortable numbers; 5 to 100 per group), population and
        indicator value (proportions on the 0-1 scale for ``value_type=2``).
    lower, upper
        Columns of the 95% limits of ``value`` on the natural scale; used to derive standard
        errors ``(T(upper) − T(lower))/(2·1.959964)`` when ``se`` and ``count`` are not given.
    value_type
        0 = other (e.g. life expectancy), 1 = rate (log scale), 2 = proportion (logit scale).
    by
        Grouping column(s); one output row per group (sorted by the group keys).
    multiplier
        Scale for the SII (e.g. 100 for percentages, -100 to reverse the direction).
    repetitions
        Number of simulations, at least 1,000.
    confidence
        One level or a pair of levels (``0.95``/``95``; e.g. ``(0.95, 0.998)``).
    rii
        Also return the relative index of inequality and its limits.
    transform
        Fit on the log/logit scale (``value_type`` 1 or 2 only).
    seed
        Seed (or Generator) for :func:`numpy.random.default_rng`.
    se
        Column of standard errors on the transformed scale, used instead of ``lower``/``upper``.
    count
        Column of event counts: ``value = count/population`` with 95% Wilson (type 2) or
        exact/Byars (type 1) limits, used instead of ``value``, ``lower`` and ``upper``.

    Returns
    -------
    pandas.DataFrame
        ``[by columns], sii, [rii], sii_lower, sii_upper, [rii_lower, rii_upper], intercept``.
        With two levels each limit column gets the level as suffix (``sii_lower_95_0``,
        ``sii_upper_99_8``: the PHEindicatormethods ``95_0cl`` scheme with an underscore), first
        the SII limits of both levels, then the RII limits. ``attrs`` holds the confidence label,
        repetitions and method.

    Raises
    ------
    StatsError
        Bad arguments (messages as phe_sii, prefixed with the argument name).

    Warns
    -----
    HIReportsWarning
        When incomplete groups are removed, or with more than 10 quantiles.

    Examples
    --------
    >>> df = pd.DataFrame({"quantile": range(1, 6), "population": [100] * 5,
    ...                    "value": [1.0, 2, 3, 4, 5], "lower": [0.5, 1.5, 2.5, 3.5, 4.5],
    ...                    "upper": [1.5, 2.5, 3.5, 4.5, 5.5]})
    >>> round(float(sii(df, repetitions=1000, seed=1)["sii"].iloc[0]), 6)
    5.0
    """
    # ---- arguments -------------------------------------------------------------------------
    if value_type not in (0, 1, 2) or isinstance(value_type, bool):
        raise StatsError(f"value_type: value_type should be 0, 1 or 2 (got {value_type!r})")
    if transform and value_type == 0:
        raise StatsError("transform: transform can only be TRUE when value_type is 1 or 2")
    try:
        reps = int(repetitions)
    except (TypeError, ValueError):
        raise StatsError(f"repetitions: must be a whole number (got {repetitions!r})") from None
    if reps != repetitions or reps < 1000:
        raise StatsError(
            f"repetitions: number of repetitions must be 1000 or greater (got {repetitions!r})"
        )
    mult = float(multiplier)
    if not np.isfinite(mult) or mult == 0:
        raise StatsError(f"multiplier: must be a finite non-zero number (got {multiplier!r})")
    levels = parse_confidence(confidence)
    by_cols = as_by_list(by)
    if count is not None:
        if value_type == 0:
            raise StatsError("count: count can only be used with value_type 1 or 2")
        check_columns(data, quantile=quantile, population=population, count=count, by=by_cols)
    elif se is not None:
        check_columns(
            data, quantile=quantile, population=population, value=value, se=se, by=by_cols
        )
    else:
        check_columns(
            data,
            quantile=quantile,
            population=population,
            value=value,
            lower=lower,
            upper=upper,
            by=by_cols,
        )

    q = _numeric(data, quantile, "quantile")
    pop = _numeric(data, population, "population")
    if np.any(~(pop > 0)):
        raise StatsError("population: some groups have a zero, negative or missing population")

    if count is not None:
        x = _numeric(data, count, "count")
        if np.any(x <= 0):
            raise StatsError("count: some groups have a zero or negative count x")
        if value_type == 2:
            if np.any(x > pop):
                raise StatsError("count: counts must not exceed populations for proportions")
            val = x / pop
            lo, hi = (np.asarray(v) for v in wilson(x, pop, 0.95))
        else:
            val = x / pop
            lo, hi, _ = count_limits(x, 0.95)
            lo, hi = lo / pop, hi / pop
    else:
        val = _numeric(data, value, "value")
        if se is None:
            lo, hi = _numeric(data, lower, "lower"), _numeric(data, upper, "upper")

    if value_type == 2 and np.any((val < 0) | (val > 1)):
        raise StatsError("value: value proportions are not all between 0 and 1")
    if value_type == 1 and np.any(val <= 0):
        raise StatsError("value: values must be greater than zero for rates (value_type 1)")

    if se is not None:
        se_arr = _numeric(data, se, "se")
        if np.any(~(se_arr >= 0)):
            raise StatsError("se: negative or missing standard errors in input dataset")
    else:
        if np.any(np.isnan(lo) | np.isnan(hi)):
            raise StatsError("lower: missing lower or upper confidence limits in input dataset")
        if value_type == 2 and np.any((lo < 0) | (lo > 1) | (hi < 0) | (hi > 1)):
            raise StatsError("lower: confidence limit proportions are not all between 0 and 1")
        se_arr = (_forward(hi, value_type) - _forward(lo, value_type)) / (2 * _Z95)
        if np.any(~(se_arr >= 0)):
            raise StatsError("lower: lower confidence limits must not exceed upper limits")

    # ---- groups and completeness -------------------------------------------------------------
    frame = pd.DataFrame({"_q": q, "_pop": pop, "_val": val, "_se": se_arr})
    if by_cols:
        keys = data[by_cols].reset_index(drop=True)
        frame["_g"] = keys.groupby(by_cols, sort=True, dropna=False).ngroup().to_numpy()
    else:
        frame["_g"] = 0
    if frame.duplicated(subset=["_g", "_q"]).any():
        raise StatsError("quantile: each group must have at most one row per quantile")
    # a group with any missing quantile or value, or fewer quantiles than the others, is removed
    valid = frame[["_q", "_val"]].notna().all(axis=1).groupby(frame["_g"]).transform("all")
    sizes = frame[valid].groupby("_g").size()
    n_q = int(sizes.max()) if len(sizes) else 0
    if not 5 <= n_q <= 100:
        raise StatsError(f"quantile: Number of quantiles must be between 5 and 100 (got {n_q})")
    complete = valid & frame["_g"].map(sizes).eq(n_q)
    if not complete.all():
        warnings.warn(
            "WARNING: some records have been removed due to incomplete or invalid data",
            HIReportsWarning,
            stacklevel=2,
        )
    if n_q > 10:
        warnings.warn(
            "WARNING: Small values can make SII unstable when using a large number of quantiles",
            HIReportsWarning,
            stacklevel=2,
        )
    frame = frame[complete.to_numpy()].sort_values(["_g", "_q"], kind="stable")
    group_ids = frame["_g"].to_numpy()[::n_q]
    n_groups = len(group_ids)
    shape = (n_groups, n_q)
    pop_a = frame["_pop"].to_numpy().reshape(shape)
    val_a = frame["_val"].to_numpy().reshape(shape)
    se_a = frame["_se"].to_numpy().reshape(shape)

    # ---- point estimates ----------------------------------------------------------------------
    c, d = sii_coefficients(pop_a)
    y_t = _forward(val_a, value_type)
    y_fit = y_t if transform else val_a
    slope = (c * y_fit).sum(axis=1)
    icept = (d * y_fit).sum(axis=1)
    if transform:
        f_top, f_bottom = _inverse(icept + slope, value_type), _inverse(icept, value_type)
        sii_point = (f_top - f_bottom) * mult
        rii_point = f_top / f_bottom
        intercept_out = f_bottom * abs(mult)
    else:
        sii_point = slope * mult
        with np.errstate(divide="ignore", invalid="ignore"):
            rii_point = (icept + slope) / icept
        intercept_out = icept
    if mult < 0:
        rii_point = 1 / rii_point

    # ---- simulation -----------------------------------------------------------------------------
    pos_pairs = [_order_positions(reps, lv) for lv in levels]
    positions = sorted({p for pair in pos_pairs for p in pair})
    col_of = {p: k for k, p in enumerate(positions)}
    s_ord, r_ord = _simulate(
        y_t,
        se_a,
        c,
        d,
        value_type=value_type,
        transform=transform,
        multiplier=mult,
        repetitions=reps,
        positions=positions,
        want_rii=rii,
        seed=seed,
    )

    # ---- output --------------------------------------------------------------------------------
    if by_cols:
        keys = data[by_cols].reset_index(drop=True)
        first = keys.groupby(by_cols, sort=True, dropna=False).ngroup()
        lookup = keys.loc[~first.duplicated()].assign(_g=first[~first.duplicated()].to_numpy())
        out = lookup.set_index("_g").loc[group_ids, by_cols].reset_index(drop=True)
    else:
        out = pd.DataFrame(index=range(n_groups))
    out["sii"] = sii_point
    if rii:
        out["rii"] = rii_point
    sii_cols: dict[str, np.ndarray] = {}
    rii_cols: dict[str, np.ndarray] = {}
    for level, (p_lo, p_hi) in zip(levels, pos_pairs, strict=True):
        sfx = "" if len(levels) == 1 else "_" + level_suffix(level)
        s_lo, s_hi = s_ord[:, col_of[p_lo]], s_ord[:, col_of[p_hi]]
        if transform:
            mid = icept + slope / 2
            limits = []
            for s_lim in (s_lo, s_hi):
                top = _inverse(mid + s_lim / 2, value_type)
                bottom = _inverse(mid - s_lim / 2, value_type)
                limits.append(((top - bottom) * mult, top / bottom))
            (sl, rl), (su, ru) = limits
            if mult < 0:
                sl, su = su, sl
                rl, ru = 1 / ru, 1 / rl
        else:
            sl, su = (s_lo * mult, s_hi * mult) if mult > 0 else (s_hi * mult, s_lo * mult)
            if r_ord is not None:  # drawn when rii (and not transform)
                rl, ru = r_ord[:, col_of[p_lo]], r_ord[:, col_of[p_hi]]
        sii_cols["sii_lower" + sfx], sii_cols["sii_upper" + sfx] = sl, su
        if rii:
            rii_cols["rii_lower" + sfx], rii_cols["rii_upper" + sfx] = rl, ru
    for name, col in {**sii_cols, **rii_cols}.items():
        out[name] = col
    out["intercept"] = intercept_out
    out.attrs.update(
        confidence=level_label(levels),
        repetitions=reps,
        method="SII (Low & Low 2004), Monte Carlo confidence limits",
        transform=bool(transform),
        value_type=int(value_type),
    )
    return out
