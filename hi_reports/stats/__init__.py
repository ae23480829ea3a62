"""Health-inequality statistics: vectorised numpy/pandas implementations of the methods of the R
package PHEindicatormethods 2.x (written from the published formulas).

- :func:`wilson`, :func:`byars`, :func:`exact_poisson`: confidence limits of proportions and counts
  (Wilson 1927; Byars 1965 via Breslow & Day 1987).
- :func:`proportion`, :func:`rate`: proportions and crude rates with limits (phe_proportion,
  phe_rate).
- :func:`dsr`: directly standardised rates with Dobson et al. (1991) limits (calculate_dsr).
- :func:`isr`: indirectly standardised rates and ratios (calculate_ISRate, calculate_ISRatio).
- :func:`sii`: slope and relative index of inequality with Monte Carlo limits (Low & Low 2004;
  phe_sii).
- :func:`deprivation_quantiles`: OHID assignment of areas to deprivation quantiles (phe_quantile).

Confidence levels are accepted as fractions (0.95) or percentages (95). Bad arguments raise
:class:`hi_reports.errors.StatsError` naming the argument.
"""

from hi_reports.stats._confidence import level_suffix, parse_confidence, z_value
from hi_reports.stats.inequality import sii, sii_coefficients
from hi_reports.stats.intervals import byars, count_limits, exact_poisson, wilson
from hi_reports.stats.quantiles import deprivation_quantiles
from hi_reports.stats.rates import proportion, rate
from hi_reports.stats.standardised import ESP2013, ESP2013_AGEBANDS, dsr, isr

__all__ = [
    "ESP2013",
    "ESP2013_AGEBANDS",
    "byars",
    "count_limits",
    "deprivation_quantiles",
    "dsr",
    "exact_poisson",
    "isr",
    "level_suffix",
    "parse_confidence",
    "proportion",
    "rate",
    "sii",
    "sii_coefficients",
    "wilson",
    "z_value",
]
