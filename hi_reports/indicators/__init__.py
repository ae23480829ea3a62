"""Indicators: each chapter's figures for every organisation of a kind, as the numbers the book
prints (:class:`Measure`)."""

from hi_reports.indicators.chapters import (
    Subject,
    imd_figures,
    overview_figures,
    rural_figures,
    similar,
    variation_figures,
)
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import Profiles, compute_profiles

__all__ = [
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
