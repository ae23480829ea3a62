"""The edition API: the one object a chapter's cells, a notebook or an analyst's script calls.

``hi_reports.edition(org, kind=None, vintage=None)`` returns an :class:`Edition`. Within an
``hi-reports build`` it is the edition already computed in memory (the build makes it current while
it executes the chapters), so a chapter reads no data. Anywhere else (plain Python, Jupyter, a
chapter run by ``quarto render -P org:QHL``) it loads the data folder and computes the edition.

An Edition offers the organisation (``ed.org``), its neighbourhoods (``ed.lsoas``) and England's
(``ed.england``), the figures the package computes for every organisation of a kind (``ed.imd``,
``ed.rural``, ``ed.overview``, ``ed.variation``, ``ed.activity``), and the formatters ``ed.pct``,
``ed.num``, ``ed.dec`` and ``ed.rank``, which turn a number into text and record it, with its key
and definition, in the edition's data annex.

Names may gain, never change: a chapter written against this API keeps working.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from hi_reports import formatting
from hi_reports.book.environment import Annex, escape_markdown
from hi_reports.data import DOMAINS, Reference
from hi_reports.errors import HIReportsError
from hi_reports.geography import Organisation, membership
from hi_reports.indicators.measure import Measure, Unit

#: The edition a build is executing chapters for, if any.
_CURRENT: contextvars.ContextVar[Edition | None] = contextvars.ContextVar("hi_reports_edition", default=None)

#: The columns of :attr:`Edition.lsoas`, in order (then one ``<domain>_decile`` per IoD domain).
LSOA_COLUMNS = ("lsoa_code", "lsoa_name", "residents", "imd_decile", "imd_quintile", "rural", "ruc_class")


class APIError(HIReportsError, ValueError):
    """A chapter called the edition API wrongly: a number with no key, an unknown organisation."""


@dataclass(eq=False)
class Edition:
    """One organisation's edition: its data, its figures and the formatters that print them.

    Attributes
    ----------
    org
        The organisation: ``ed.org.code``, ``ed.org.name``, ``ed.org.kind``.
    reference
        The reference data of the edition's vintage.
    context
        Every figure the package computed for the organisation (the chapter context).
    annex
        The numbers printed so far, with key, definition and source.
    """

    org: Organisation
    reference: Reference
    context: dict[str, Any]
    annex: Annex = field(default_factory=Annex)

    @property
    def kind(self) -> str:
        """The organisation's kind: ``icb``, ``sub-icb``, ``la``, ``trust`` or ``england``."""
        return self.org.kind

    @property
    def vintage(self) -> str:
        """The data vintage, ``"2019"`` or ``"2025"``."""
        return self.reference.vintage.name

    @property
    def imd(self) -> dict[str, Any]:
        """The deprivation figures (deciles, quintiles, Core20, domains, ages by quintile)."""
        return self.context["imd"]

    @property
    def rural(self) -> dict[str, Any]:
        """The rurality figures (classes, urban and rural, by quintile, by age)."""
        return self.context["rural"]

    @property
    def overview(self) -> dict[str, Any]:
        """Population, neighbourhoods, local authorities, parent ICBs, similar organisations."""
        return self.context["overview"]

    @property
    def variation(self) -> dict[str, Any] | None:
        """How the ICBs differ (the England edition only; None otherwise)."""
        return self.context["variation"]

    @property
    def activity(self) -> list[dict[str, Any]]:
        """The activity measures of the edition, each with its rates and indices."""
        return self.context["activity"]

    @cached_property
    def lsoas(self) -> pd.DataFrame:
        """One row per LSOA with residents counted in the organisation: ``lsoa_code``,
        ``lsoa_name``, ``residents`` (catchment weights applied for a trust), ``imd_decile``,
        ``imd_quintile``, ``rural`` (bool), ``ruc_class`` and one ``<domain>_decile`` per domain."""
        weights = membership(self.reference, self.org.kind)
        mine = weights.loc[(weights["org"] == self.org.key) & (weights["weight"] > 0), ["lsoa_code", "weight"]]
        return _lsoa_table(self.reference, mine.set_index("lsoa_code")["weight"])

    @cached_property
    def england(self) -> pd.DataFrame:
        """:attr:`lsoas` for England: every LSOA, weight 1."""
        return _lsoa_table(self.reference, pd.Series(1.0, index=self.reference.lsoas.index))

    def measure(self, value: Any, key: str | None, definition: str | None, unit: Unit,
                source: str | None = None) -> Measure:
        """``value`` as a :class:`Measure`: a Measure as it is, or a number with its key and
        definition (both needed: the annex says what every printed number is) and its source (by
        default, this edition). A key printed before with another value or definition is refused."""
        if isinstance(value, Measure):
            return value
        if key is None or definition is None:
            raise APIError(
                f"a number printed without a key and a definition ({value!r})",
                hint="pass key='chapter.name' and definition='what it is', e.g. "
                     "ed.pct(share, key='local.share', definition='Share of ...')",
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise APIError(f"{key}: {value!r} is not a number", hint="print numbers through ed.pct, ed.num, ed.dec or ed.rank") from None
        for (chapter, known), row in self.annex.rows.items():
            same = row["value"] == number or (row["value"] is None and number != number)
            if known == key and (not same or row["definition"] != definition):
                raise APIError(
                    f"the annex key {key!r} is already used in chapter {chapter!r} for another number "
                    f"({row['definition']})",
                    hint="give each number a key of its own, e.g. 'local.<what>'",
                )
        return Measure(key, number, unit, definition, source or f"{self.org.name} edition, {self.vintage} vintage")

    def _printed(self, measure: Measure, text: str) -> str:
        self.annex.record(measure, text)
        return text

    def pct(self, value: Any, key: str | None = None, definition: str | None = None, digits: int = 1,
            source: str | None = None) -> str:
        """A share (0.25) as a percentage (``"25.0%"``), recorded in the annex."""
        m = self.measure(value, key, definition, "share", source)
        return self._printed(m, formatting.percent(m.value, digits))

    def num(self, value: Any, key: str | None = None, definition: str | None = None,
            source: str | None = None) -> str:
        """A count as a whole number with thousands separators (``"1,358,012"``), recorded."""
        m = self.measure(value, key, definition, "count", source)
        return self._printed(m, formatting.count(m.value))

    def dec(self, value: Any, key: str | None = None, definition: str | None = None, digits: int = 1,
            source: str | None = None) -> str:
        """A rate, ratio or index to fixed decimals (``"12.3"``), recorded."""
        m = self.measure(value, key, definition, "number", source)
        return self._printed(m, formatting.decimal(m.value, digits))

    def rank(self, value: Any, key: str | None = None, definition: str | None = None,
             of: int | None = None, source: str | None = None) -> str:
        """A rank in words (``"3rd of 42"``, ``"joint 5th of 309"``), recorded."""
        m = self.measure(value, key, definition, "rank", source)
        if not isinstance(value, Measure) and of is not None:
            m = Measure(m.key, m.value, "rank", m.definition, m.source, of=of)
        return self._printed(m, formatting.rank(m.value, m.of, m.tied))


def _lsoa_table(reference: Reference, weight: pd.Series) -> pd.DataFrame:
    lsoas = reference.lsoas.loc[weight.index]
    table = pd.DataFrame({
        "lsoa_code": lsoas.index.to_numpy(),
        "lsoa_name": lsoas["lsoa_name"].to_numpy(),
        "residents": (lsoas["population"] * weight).to_numpy(dtype=float),
        "imd_decile": lsoas["imd_decile"].to_numpy(),
        "imd_quintile": lsoas["imd_quintile"].to_numpy(),
        "rural": (lsoas["urban_rural"] == "Rural").to_numpy(),
        "ruc_class": lsoas["ruc_code"].to_numpy(),
    })
    for domain, _, _ in DOMAINS:
        table[f"{domain}_decile"] = lsoas[f"{domain}_decile"].to_numpy()
    return table.sort_values("lsoa_code", ignore_index=True)


def inline_text(value: Any) -> str:
    """The markdown of an inline expression's value: text escaped (a name read from a file is
    data, not markup), markdown objects as they are, whole numbers as digits. A Measure or a
    fractional number is refused: it must go through ``ed.pct``, ``ed.num``, ``ed.dec`` or
    ``ed.rank``, so that the annex records it."""
    if isinstance(value, Measure):
        raise APIError(f"print {value.key} through ed.pct, ed.num, ed.dec or ed.rank",
                       hint="e.g. `{python} ed.pct(...)`: the annex records every number printed")
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float) or type(value).__module__ == "numpy":
        if type(value).__module__ == "numpy" and float(value) == int(value) and "int" in type(value).__name__:
            return str(int(value))
        raise APIError(f"a bare number {float(value)!r} in an inline expression",
                       hint="format it with ed.pct, ed.num or ed.dec and a key and definition, so "
                            "that the annex records it")
    if isinstance(value, int):
        return str(value)
    markdown = getattr(value, "_repr_markdown_", None)
    if callable(markdown):
        return str(markdown())
    return str(escape_markdown(str(value)))


@contextlib.contextmanager
def current(edition_: Edition) -> Iterator[Edition]:
    """Make ``edition_`` the one :func:`edition` returns while a build executes its chapters."""
    token = _CURRENT.set(edition_)
    try:
        yield edition_
    finally:
        _CURRENT.reset(token)


def _matches(ed: Edition, org: str, kind: str | None, vintage: str | None) -> bool:
    codes = {c.upper() for c in (ed.org.code, ed.org.ons_code, ed.org.ods_code) if c}
    return (org.strip().upper() in codes and kind in (None, ed.org.kind)
            and (vintage is None or str(vintage) == ed.vintage))


def edition(org: str, kind: str | None = None, vintage: str | int | None = None,
            data_dir: str | os.PathLike[str] | None = None) -> Edition:
    """The edition of ``org`` (an ODS or ONS code, or ``england``).

    Within an ``hi-reports build`` this is the edition being built, already computed. Elsewhere the
    reference data of ``vintage`` (the default vintage when None) are loaded from ``data_dir`` (see
    :func:`hi_reports.data.data_dir`) and the edition is computed, its charts drawn into a
    temporary folder.

    Raises
    ------
    APIError
        Within a build, for an organisation other than the one being built.
    """
    ed = _CURRENT.get()
    if ed is not None:
        if not _matches(ed, str(org), kind, None if vintage is None else str(vintage)):
            raise APIError(
                f"this build is of {ed.org.code} ({ed.org.kind}, vintage {ed.vintage}), "
                f"not {org!r}",
                hint="read the organisation from the parameters cell, ed = hi_reports.edition(org), and "
                     "tag that cell '#| tags: [parameters]' so that the build sets org",
            )
        return ed
    from hi_reports.build import chapter_context, kind_profiles  # the build stage, imported on use
    from hi_reports.data import DEFAULT_VINTAGE, load_reference
    from hi_reports.geography import resolve

    reference = load_reference(data_dir, str(vintage) if vintage is not None else DEFAULT_VINTAGE)
    organisation = resolve(reference, str(org), kind)
    with tempfile.TemporaryDirectory(prefix="hi-reports-figures-") as figures:  # charts not kept
        context = chapter_context(organisation, reference, kind_profiles(reference, organisation.kind),
                                  dt.date.today(), Path(figures))
    return Edition(organisation, reference, context)


__all__ = ["APIError", "Edition", "LSOA_COLUMNS", "current", "edition", "inline_text"]
