"""Geography: organisations and their populations as weights over LSOAs.

:data:`KINDS`, the kinds of organisation, lives in :mod:`hi_reports.choices` (which the command
line reads without loading pandas) and is re-exported here.
"""

from hi_reports.choices import KINDS
from hi_reports.geography.organisations import (
    ENGLAND_CODE,
    Organisation,
    check_kind,
    membership,
    organisations,
    resolve,
    short_name,
)

__all__ = [
    "ENGLAND_CODE",
    "KINDS",
    "Organisation",
    "check_kind",
    "membership",
    "organisations",
    "resolve",
    "short_name",
]
