"""Geography: organisations and their populations as weights over LSOAs."""

from hi_reports.geography.organisations import (
    KINDS,
    Organisation,
    membership,
    organisations,
    resolve,
)

__all__ = ["KINDS", "Organisation", "membership", "organisations", "resolve"]
