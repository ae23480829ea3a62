"""The values an edition's settings may take, known before any data are read: the kinds of
organisation, the vintages of the reference data and the output formats.

The command line offers them as choices, so this module imports nothing but the standard library:
``hi-reports --help`` and ``hi-reports build --help`` load neither pandas nor the renderers. The
stages that use them re-export them (:data:`hi_reports.geography.KINDS`,
:data:`hi_reports.render.base.FORMATS`); the vintages themselves are described in
:mod:`hi_reports.data.vintage`, whose ``VINTAGES`` has one entry per name of :data:`VINTAGE_NAMES`
(tests/test_startup.py checks that the two agree).
"""

from __future__ import annotations

from typing import Literal, get_args

#: Each kind of organisation: its name and the plural of its name.
KINDS: dict[str, tuple[str, str]] = {
    "england": ("country", "countries"),
    "icb": ("Integrated Care Board", "ICBs"),
    "sub-icb": ("Sub ICB Location", "sub-ICB locations"),
    "la": ("local authority district", "local authorities"),
    "trust": ("acute NHS trust", "acute trusts"),
}

#: The vintages of the reference data, oldest first (see :mod:`hi_reports.data.vintage`).
VINTAGE_NAMES: tuple[str, ...] = ("2019", "2025")

#: The vintage editions use unless told otherwise (the later one lacks trust catchments and the
#: single-year population that activity rates need).
DEFAULT_VINTAGE = "2019"

#: An output format of an edition.
Format = Literal["html", "pdf", "docx", "html-single", "brief"]

#: Every output format, in the order the command line lists them.
FORMATS: tuple[str, ...] = get_args(Format)

__all__ = ["DEFAULT_VINTAGE", "FORMATS", "KINDS", "VINTAGE_NAMES", "Format"]
