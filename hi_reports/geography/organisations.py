"""Organisations and their populations as weights over LSOAs.

An :class:`Organisation` is identified by its ONS code (``E54000055``) and, for NHS bodies, its ODS
code (``QHL``). Its population is a set of weights over English LSOA 2011 codes: 1 for each member
LSOA of an Integrated Care Board (ICB).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from hi_reports.data import Reference
from hi_reports.errors import GeographyError

Kind = Literal["icb"]

#: The kinds of organisation, with the plural used in sentences ("4th of 42 ICBs").
KINDS: dict[str, tuple[str, str]] = {
    "icb": ("Integrated Care Board", "ICBs"),
}


@dataclass(frozen=True)
class Organisation:
    """An NHS organisation an edition is made for.

    Attributes
    ----------
    kind
        ``"icb"``.
    ons_code
        The ONS code (``E54000055``).
    ods_code
        The ODS code (``QHL``), or None for bodies without one.
    name
        The official name.
    """

    kind: str
    ons_code: str
    ods_code: str | None
    name: str

    @property
    def code(self) -> str:
        """The code editions are filed under: the ODS code where there is one."""
        return self.ods_code or self.ons_code

    @property
    def short_name(self) -> str:
        """The name without "NHS" and the kind: "Birmingham and Solihull" for an ICB."""
        name = self.name.removeprefix("NHS ")
        for suffix in (" Integrated Care Board",):
            name = name.removesuffix(suffix)
        return name

    @property
    def kind_label(self) -> str:
        """The kind in words, e.g. ``"Integrated Care Board"``."""
        return KINDS[self.kind][0]

    @property
    def kind_plural(self) -> str:
        """The kind's plural short form, e.g. ``"ICBs"``."""
        return KINDS[self.kind][1]


def organisations(reference: Reference, kind: str = "icb") -> list[Organisation]:
    """Return every organisation of ``kind``, sorted by name."""
    _check_kind(kind)
    lsoas = reference.lsoas
    table = lsoas[["icb_code", "icb_ods", "icb_name"]].drop_duplicates().sort_values("icb_name")
    return [
        Organisation(kind="icb", ons_code=ons, ods_code=ods, name=name)
        for ons, ods, name in table.itertuples(index=False)
    ]


def membership(reference: Reference, kind: str = "icb") -> pd.DataFrame:
    """Return the population weights of every organisation of ``kind`` over LSOAs.

    Returns
    -------
    DataFrame
        Columns ``org`` (ONS code), ``lsoa11_code`` and ``weight`` (the share of the LSOA's
        residents counted in the organisation: 1 for a member LSOA of an ICB).
    """
    _check_kind(kind)
    lsoas = reference.lsoas
    return pd.DataFrame(
        {"org": lsoas["icb_code"].to_numpy(), "lsoa11_code": lsoas.index.to_numpy(), "weight": 1.0}
    )


def resolve(reference: Reference, code: str, kind: str | None = None) -> Organisation:
    """Find an organisation by ODS or ONS code, case-insensitive.

    Raises
    ------
    GeographyError
        When no organisation has that code; the message suggests the closest codes and names.
    """
    kinds = [kind] if kind else list(KINDS)
    candidates = [org for k in kinds for org in organisations(reference, k)]
    wanted = code.strip().upper()
    matches = [org for org in candidates if wanted in {org.ons_code.upper(), (org.ods_code or "").upper()}]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise GeographyError(
            f"--org {code!r} is a code of {len(matches)} organisations "
            f"({', '.join(f'{m.kind} {m.name}' for m in matches)})",
            hint="choose one with --kind",
        )
    labels = {org.ons_code.upper(): org for org in candidates}
    labels.update({(org.ods_code or "").upper(): org for org in candidates if org.ods_code})
    labels.update({org.name.upper(): org for org in candidates})
    close = difflib.get_close_matches(wanted, list(labels), n=3, cutoff=0.5)
    suggestions = [f"{labels[c].code} ({labels[c].name})" for c in dict.fromkeys(close)]
    what = f"{kind} " if kind else ""
    raise GeographyError(
        f"unknown {what}organisation code {code!r}"
        + (f"; did you mean {', '.join(suggestions)}?" if suggestions else ""),
        hint="`hi-reports orgs --kind icb` lists every code",
    )


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise GeographyError(
            f"unknown organisation kind {kind!r}; valid kinds: {', '.join(KINDS)}",
        )
