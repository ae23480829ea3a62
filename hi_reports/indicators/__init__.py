"""Indicators: each chapter's figures for every organisation of a kind, and their charts."""

from hi_reports.indicators.chapters import (
    Subject,
    imd_figures,
    overview_figures,
    rural_figures,
    similar,
    variation_figures,
)
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import ENGLAND, Profiles, compute_profiles

__all__ = [
    "ENGLAND",
    "Measure",
    "Profiles",
    "Subject",
    "compute_profiles",
    "imd_figures",
    "overview_figures",
    "rural_figures",
    "similar",
    "variation_figures",
]
