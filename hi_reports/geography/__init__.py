"""Geography: organisations and their populations as weights over LSOAs."""

from hi_reports.geography.organisations import (
    ENGLAND_CODE,
    KINDS,
    Organisation,
    check_kind,
    membership,
    organisations,
    resolve,
)

__all__ = [
    "ENGLAND_CODE",
    "KINDS",
    "Organisation",
    "check_kind",
    "membership",
    "organisations",
    "resolve",
]
