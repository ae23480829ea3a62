"""Indicators: each chapter's figures for every organisation of a kind, and their charts."""

from hi_reports.indicators.chapters import imd_figures, overview_figures, rural_figures
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import ENGLAND, Profiles, compute_profiles

__all__ = [
    "ENGLAND",
    "Measure",
    "Profiles",
    "compute_profiles",
    "imd_figures",
    "overview_figures",
    "rural_figures",
]
