"""Organisations and their populations as weights over LSOAs.

An :class:`Organisation` has a kind, the code its edition is filed under, its ONS and ODS codes
where it has them, a name and its parent ICBs. Its population is a set of weights over the English
LSOAs of the reference data's vintage (2011 or 2021 LSOAs):

========  =====================================================================================
kind      population
========  =====================================================================================
england   every English LSOA, weight 1
icb       the ICB's member LSOAs (ONS lookup: July 2022, or April 2024), weight 1
sub-icb   the Sub ICB Location's member LSOAs, weight 1
la        the lower-tier local authority's (2022) LSOAs, weight 1
trust     the acute trust's OHID catchment (2019): each MSOA's residents weighted by the trust's
          share of the MSOA's admitted patients, spread to the MSOA's LSOAs
========  =====================================================================================

Trusts are those the ODS file lists as open: a trust that has closed since 2019 (Pennine Acute
Hospitals, dissolved in 2021) has a catchment but no edition, and is no one's peer. A trust that is
the main provider of admitted care (the largest share of admitted patients) for no neighbourhood is
a *specialist* trust (a cancer, children's, heart, eye or orthopaedic hospital): specialist trusts
are compared with each other, and general acute trusts with each other.
"""

from __future__ import annotations

import difflib
import re
import weakref
from dataclasses import dataclass

import pandas as pd

from hi_reports.choices import KINDS
from hi_reports.data import Reference, trust_catchments
from hi_reports.errors import GeographyError

#: England's ONS code: its key in weights, profiles and activity results.
ENGLAND_CODE = "E92000001"


def short_name(name: str) -> str:
    """A name without "NHS " and " Integrated Care Board", for charts, tables and lists; ONS's
    "Kingston upon Hull, City of" is "Kingston upon Hull" (its comma split a list of names)."""
    name = name.removeprefix("NHS ")
    for suffix in (" Integrated Care Board", ", City of", ", County of"):
        name = name.removesuffix(suffix)
    return name


@dataclass(frozen=True)
class Organisation:
    """An organisation an edition is made for.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    code
        The code its edition is filed under: the ODS code where there is one (``QHL``, ``15E``,
        ``RXK``), else the ONS code (``E08000025``), ``england`` for England.
    ons_code, ods_code
        Its codes, where it has them.
    name
        The official name.
    parents
        ONS codes of its parent ICBs, largest share of its population first (empty for ICBs and
        England).
    specialist
        A specialist trust: the main provider of admitted care for no neighbourhood. Its peers
        are the other specialist trusts.
    """

    kind: str
    code: str
    ons_code: str | None
    ods_code: str | None
    name: str
    parents: tuple[str, ...] = ()
    specialist: bool = False

    @property
    def key(self) -> str:
        """Its key in weights and profiles: the ONS code, else the ODS code (trusts)."""
        return self.ons_code or self.code

    @property
    def short_name(self) -> str:
        """The name without "NHS" and the kind, for charts, tables and lists (see
        :func:`short_name`)."""
        return short_name(self.name)

    @property
    def kind_label(self) -> str:
        """The kind in words, e.g. ``"Integrated Care Board"``, ``"specialist NHS trust"``."""
        return "specialist NHS trust" if self.specialist else KINDS[self.kind][0]

    @property
    def kind_plural(self) -> str:
        """The plural of its peers' kind, e.g. ``"ICBs"``, ``"specialist trusts"``."""
        return "specialist trusts" if self.specialist else KINDS[self.kind][1]

    @property
    def children_only(self) -> bool:
        """A children's trust: an all-ages catchment says nothing of its patients' ages."""
        return self.kind == "trust" and "children" in self.name.lower()

    @property
    def codes(self) -> str:
        """Its codes in words: ``"ODS code QHL, ONS code E54000055"``."""
        parts = [
            f"ODS code {self.ods_code}" if self.ods_code else "",
            f"ONS code {self.ons_code}" if self.ons_code else "",
        ]
        return ", ".join(p for p in parts if p)


#: The form of an acute trust's ODS code (``RXK``): other kinds' codes never read the trust data.
_TRUST_CODE = re.compile(r"R[A-Z0-9]{2}")


def _tidy_trust_name(name: str) -> str:
    """ODS names were title-cased upstream ("And West Birmingham"); restore small words."""
    words = name.split()
    small = {"And", "Of", "The", "For", "On", "In", "At"}
    return " ".join(w.lower() if i and w in small else w for i, w in enumerate(words))


#: The kinds whose organisations are columns of the LSOA table: the stem of their columns
#: (``icb_code``, ``icb_name``, ``icb_ods``).
_COLUMNS = {"icb": "icb", "sub-icb": "sicbl", "la": "lad"}


def _majority_parents(weights: pd.DataFrame, reference: Reference) -> dict[str, tuple[str, ...]]:
    """For each org, the ICBs holding its residents, largest share first, down to 10%."""
    lsoas = reference.lsoas
    frame = weights.join(lsoas[["icb_code", "population"]], on="lsoa_code")
    frame["people"] = frame["population"] * frame["weight"]
    by_icb = frame.groupby(["org", "icb_code"])["people"].sum()
    shares = by_icb / by_icb.groupby(level=0).transform("sum")
    parents: dict[str, tuple[str, ...]] = {}
    for org, group in shares.groupby(level=0):
        ordered = group.droplevel(0).sort_values(ascending=False)
        keep = ordered[ordered >= 0.10]
        parents[str(org)] = tuple(
            str(code) for code in (keep if len(keep) else ordered.head(1)).index
        )
    return parents


#: Organisations and weights per reference data and kind, computed once.
_CACHE: weakref.WeakKeyDictionary[Reference, dict[str, tuple[list[Organisation], pd.DataFrame]]] = (
    weakref.WeakKeyDictionary()
)


def _build(reference: Reference, kind: str) -> tuple[list[Organisation], pd.DataFrame]:
    """The organisations of ``kind`` and their weights, computed once per reference."""
    cached = _CACHE.setdefault(reference, {})
    if kind in cached:
        return cached[kind]
    lsoas = reference.lsoas
    codes = lsoas.index.to_numpy()
    if kind == "england":
        orgs = [Organisation("england", "england", ENGLAND_CODE, None, "England")]
        weights = pd.DataFrame({"org": ENGLAND_CODE, "lsoa_code": codes, "weight": 1.0})
    elif kind in ("icb", "sub-icb", "la"):
        column = _COLUMNS[kind]
        weights = pd.DataFrame(
            {"org": lsoas[f"{column}_code"].to_numpy(), "lsoa_code": codes, "weight": 1.0}
        )
        parents = {} if kind == "icb" else _majority_parents(weights, reference)
        ods = f"{column}_ods" if kind != "la" else None
        table = lsoas[
            [f"{column}_code", f"{column}_name"] + ([ods] if ods else [])
        ].drop_duplicates()
        orgs = []
        for row in table.itertuples(index=False):
            ons, name = row[0], row[1]
            ods_code = row[2] if ods else None
            orgs.append(
                Organisation(kind, ods_code or ons, ons, ods_code, name, parents.get(ons, ()))
            )
    elif kind == "trust":
        weights = trust_catchments(reference)
        names = reference.load_extra("trust_names").set_index("trust_code")
        unnamed = sorted(set(weights["org"]) - set(names.index))
        if unnamed:
            raise GeographyError(
                f"{len(unnamed)} trusts have a catchment but no row in the trust names file, "
                f"e.g. {', '.join(unnamed[:3])}",
                hint="use an ODS trust file (etr.csv) that covers every trust of the catchment "
                "file",
            )
        # the trusts that hold the largest share of some LSOA: the acute ones (a set, made once)
        main = set(weights.loc[weights.groupby("lsoa_code")["weight"].idxmax(), "org"])
        weights = weights[~weights["org"].map(names["closed"])].reset_index(drop=True)
        parents = _majority_parents(weights, reference)
        orgs = [
            Organisation(
                "trust",
                code,
                None,
                code,
                _tidy_trust_name(str(names.at[code, "trust_name"])),
                parents[code],
                specialist=code not in main,
            )
            for code in sorted(weights["org"].unique())
        ]
    else:
        raise _unknown_kind(kind)
    orgs.sort(key=lambda o: o.name)
    cached[kind] = (orgs, weights)
    return orgs, weights


def organisations(reference: Reference, kind: str = "icb") -> list[Organisation]:
    """Return every organisation of ``kind``, sorted by name."""
    return list(_build(reference, kind)[0])


def membership(reference: Reference, kind: str = "icb") -> pd.DataFrame:
    """Return the population weights of every organisation of ``kind`` over LSOAs.

    Returns
    -------
    DataFrame
        Columns ``org`` (:attr:`Organisation.key`), ``lsoa_code`` and ``weight``: the share of
        the LSOA's residents counted in the organisation (1 for a member LSOA; a catchment share
        for a trust).
    """
    return _build(reference, kind)[1]


def resolve(reference: Reference, code: str, kind: str | None = None) -> Organisation:
    """Find an organisation by any of its codes, case-insensitive (``england`` for England).

    Parameters
    ----------
    reference
        The reference data.
    code
        An ODS code (``QHL``, ``15E``, ``RXK``) or ONS code (``E54000055``, ``E08000025``).
    kind
        Look only among organisations of this kind; needed when a code belongs to two kinds.

    Raises
    ------
    GeographyError
        When no organisation has that code (the message suggests the closest codes and names),
        or when the code is ambiguous and ``kind`` is not given.
    """
    if kind is not None:
        check_kind(kind)
    wanted = code.strip().upper()
    kinds = [kind] if kind else list(KINDS)
    if kind is None and not _TRUST_CODE.fullmatch(wanted):
        kinds = [k for k in kinds if k != "trust"]  # trust data are read only for trust codes
    # the kinds whose LSOA columns hold the code first: the others' organisations (a sub-ICB's or
    # an authority's majority parents take 0.3 s to work out) only for the messages below
    likely = [k for k in kinds if _may_hold(reference, k, wanted)]
    matches = [org for k in likely for org in organisations(reference, k) if _has_code(org, wanted)]
    if len(matches) == 1:
        return matches[0]
    candidates = [org for k in kinds for org in organisations(reference, k)]
    matches = [org for org in candidates if _has_code(org, wanted)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise GeographyError(
            f"{code!r} is a code of {len(matches)} organisations: "
            + "; ".join(f"{m.name} (kind {m.kind})" for m in matches),
            hint="give the kind of organisation too: "
            + " or ".join(dict.fromkeys(m.kind for m in matches)),
            option="org",
        )
    if "trust" in kinds and _TRUST_CODE.fullmatch(wanted):
        names = reference.load_extra("trust_names").set_index("trust_code")
        if wanted in names.index and names.at[wanted, "closed"]:
            raise GeographyError(
                f"trust {wanted} ({_tidy_trust_name(str(names.at[wanted, 'trust_name']))}) has "
                "closed (the ODS trust file gives it a close date), so it has no edition",
                hint="its services passed to other trusts: choose one of the open trusts (kind "
                "trust), which `hi-reports orgs` lists",
                option="org",
            )
    if kind is not None:  # the code of another kind: say which
        others = [k for k in KINDS if k != kind and (k != "trust" or _TRUST_CODE.fullmatch(wanted))]
        elsewhere = [
            org for k in others for org in organisations(reference, k) if _has_code(org, wanted)
        ]
        if elsewhere:
            raise GeographyError(
                f"{code!r} is not {'an' if kind in ('icb', 'la') else 'a'} {kind} code: it is "
                + "; ".join(f"{o.name} (kind {o.kind})" for o in elsewhere),
                hint=f"choose kind {elsewhere[0].kind}, or leave the kind out",
                option="kind",
            )
    labels: dict[str, Organisation] = {}
    for org in candidates:
        for label in (org.code, org.ons_code, org.ods_code, org.name):
            if label:
                labels.setdefault(label.upper(), org)
    close = difflib.get_close_matches(wanted, list(labels), n=3, cutoff=0.6)
    close += [
        label for label in labels if len(wanted) > 3 and wanted in label and label not in close
    ][:3]
    suggestions = list(dict.fromkeys(f"{labels[c].code} ({labels[c].name})" for c in close))[:4]
    what = f"{kind} " if kind else ""
    raise GeographyError(
        f"unknown {what}organisation code {code!r}"
        + (f"; did you mean {', '.join(suggestions)}?" if suggestions else ""),
        hint=f"`hi-reports orgs` lists every code of kind {kind}"
        if kind
        else f"`hi-reports orgs` lists the codes of each kind ({', '.join(KINDS)})",
        option="org",
    )


def _may_hold(reference: Reference, kind: str, wanted: str) -> bool:
    """Whether an organisation of ``kind`` may have the code ``wanted`` (upper case), seen from the
    LSOA table's code columns without building the organisations (trusts: always)."""
    if kind == "england":
        return wanted in ("ENGLAND", ENGLAND_CODE)
    column = _COLUMNS.get(kind)
    if column is None:
        return True
    lsoas = reference.lsoas
    names = [f"{column}_code", f"{column}_ods"]
    return any(
        bool(lsoas[name].astype(str).str.upper().eq(wanted).any())
        for name in names
        if name in lsoas.columns
    )


def _has_code(org: Organisation, wanted: str) -> bool:
    """Whether ``wanted`` (upper case) is one of ``org``'s codes."""
    return wanted in {org.code.upper(), (org.ons_code or "").upper(), (org.ods_code or "").upper()}


def check_kind(kind: str) -> None:
    """Refuse an unknown kind of organisation (the message lists the valid ones).

    Raises
    ------
    GeographyError
        When ``kind`` is not a key of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise _unknown_kind(kind)


def _unknown_kind(kind: str) -> GeographyError:
    return GeographyError(
        f"unknown organisation kind {kind!r}; valid kinds: {', '.join(KINDS)}", option="kind"
    )
