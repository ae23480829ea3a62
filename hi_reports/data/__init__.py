"""Reference data: the catalogue, loaders for the publishers' formats, and the joined LSOA table."""

from hi_reports.data.catalogue import CATALOGUE, DOMAINS, ETHNIC_GROUPS, Dataset, get_dataset
from hi_reports.data.ethnicity import Ethnicity, ethnic_groups
from hi_reports.data.loaders import cache_dir, data_dir, load, read_dataset
from hi_reports.data.reference import (
    Reference,
    Source,
    load_reference,
    status,
    trust_catchments,
)
from hi_reports.data.vintage import AGE_GROUPS, DEFAULT_VINTAGE, VINTAGES, Vintage, get_vintage

__all__ = [
    "AGE_GROUPS",
    "CATALOGUE",
    "DEFAULT_VINTAGE",
    "DOMAINS",
    "ETHNIC_GROUPS",
    "VINTAGES",
    "Dataset",
    "Ethnicity",
    "Reference",
    "Source",
    "Vintage",
    "cache_dir",
    "data_dir",
    "ethnic_groups",
    "get_dataset",
    "get_vintage",
    "load",
    "load_reference",
    "read_dataset",
    "status",
    "trust_catchments",
]
