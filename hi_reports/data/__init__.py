"""Reference data: the catalogue, loaders for the publishers' formats, and the joined LSOA table."""

from hi_reports.data.catalogue import CATALOGUE, DOMAINS, Dataset, get_dataset
from hi_reports.data.loaders import cache_dir, data_dir, load, read_dataset
from hi_reports.data.reference import (
    trust_catchments,
    AGE_GROUPS,
    RUC11_CLASSES,
    Reference,
    Source,
    load_reference,
    status,
)

__all__ = [
    "AGE_GROUPS",
    "CATALOGUE",
    "DOMAINS",
    "RUC11_CLASSES",
    "Dataset",
    "Reference",
    "Source",
    "cache_dir",
    "data_dir",
    "get_dataset",
    "load",
    "load_reference",
    "read_dataset",
    "status",
    "trust_catchments",
]
