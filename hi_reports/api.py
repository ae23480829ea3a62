"""The edition API: the one object a chapter's cells, a notebook or an analyst's script calls.

``hi_reports.edition(org, kind=None, vintage=None)`` returns an :class:`Edition`. Within an
``hi-reports build`` it is the edition already computed in memory (the build makes it current while
it executes the chapters), so a chapter reads no data. Anywhere else (plain Python, Jupyter, a
chapter run by ``quarto render -P org:QHL``) it loads the data folder and computes the edition.

An Edition offers the organisation (``ed.org``), its neighbourhoods (``ed.lsoas``) and England's
(``ed.england``), the figures the package computes for every organisation of a kind (``ed.imd``,
``ed.rural``, ``ed.overview``, ``ed.variation``, ``ed.activity``), and the formatters ``ed.pct``,
``ed.num``, ``ed.dec`` and ``ed.rank``, which turn a number into text and record it, with its key
and definition, in the edition's data annex. The figures are typed records
(:class:`~hi_reports.indicators.record.Record`), read by attribute (``ed.imd.core20.share``) or by
key (``ed.imd["core20"]["share"]``), as the dicts they once were.

Names may gain, never change: a chapter written against this API keeps working.
"""

from __future__ import annotations

import contextlib
import contextvars
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hi_reports import formatting
from hi_reports.book.annex import Annex
from hi_reports.data import DOMAINS, ETHNIC_GROUPS, Reference, Vintage, ethnic_groups
from hi_reports.errors import HIReportsError
from hi_reports.formatting import escape_markdown
from hi_reports.geography import Organisation, membership
from hi_reports.indicators.activity import ActivityFigures, QualityRow
from hi_reports.indicators.chapters import (
    ImdFigures,
    OverviewFigures,
    RuralFigures,
    VariationFigures,
    VintageFigures,
)
from hi_reports.indicators.disclosure import Disclosure
from hi_reports.indicators.measure import Measure, Unit
from hi_reports.indicators.plus import PlusFigures
from hi_reports.indicators.record import Record

if TYPE_CHECKING:  # the drawing modules import shapely: not needed to read the figures
    from hi_reports.draw.charts import ActivityCharts, Charts
    from hi_reports.draw.maps import Map, Maps

#: The edition a build is executing chapters for, if any.
_CURRENT: contextvars.ContextVar[Edition | None] = contextvars.ContextVar(
    "hi_reports_edition", default=None
)

#: The columns of :attr:`Edition.lsoas`, in order (then one ``<domain>_decile`` per IoD domain).
LSOA_COLUMNS = (
    "lsoa_code",
    "lsoa_name",
    "residents",
    "imd_decile",
    "imd_quintile",
    "rural",
    "ruc_class",
)


class APIError(HIReportsError, ValueError):
    """A chapter called the edition API wrongly: a number with no key, an unknown organisation."""


class Text(str):
    """Text that is markdown already: printed as it is by an inline expression, an ``asis`` cell or
    Jupyter (``_repr_markdown_``), never escaped again."""

    def _repr_markdown_(self) -> str:
        return str(self)


def attr(text: Any) -> str:
    """Text for a link target, a quoted attribute (``fig-alt="..."``) or a code span: no
    backslashes, no double quotes."""
    return str(text).replace("\\", "/").replace('"', "'")


def md(text: Any) -> Text:
    """``text`` escaped for markdown (a name read from a file is data, not markup)."""
    return Text(escape_markdown(str(text)))


@dataclass(frozen=True)
class SourceRow(Record):
    """One data file an edition stands on, as the chapters list it (``file`` is its name)."""

    title: str
    publisher: str
    vintage: str
    licence: str
    url: str
    file: str
    sha256: str


@dataclass(frozen=True)
class About(Record):
    """The edition itself: its ``date`` (ISO) and ``date_text`` (in words), the package
    ``version``, the ``sources`` it stands on and its ``coverage`` (organisations and data, in
    words)."""

    date: str
    date_text: str
    version: str
    sources: tuple[SourceRow, ...]
    coverage: str


@dataclass(frozen=True)
class Boundaries(Record):
    """The boundaries the maps are drawn on: ONS's ``attribution`` and their ``year``."""

    attribution: str
    year: int


@dataclass(frozen=True)
class ActivityContext(Record):
    """What the chapters print of one activity measure of the organisation.

    Attributes
    ----------
    name, lower, slug
        The measure's name (``"Emergency admissions"``), in a sentence, and as a file stem.
    synthetic, label
        Synthetic demonstration data, and the label every output of it carries (else empty).
    unsafe, disclosure
        True counts (internal use only), and the disclosure rule of every figure.
    period
        The period kept (``"2023-24"``; empty for the whole file).
    figures, england
        The organisation's figures and England's.
    quality
        The file's data-quality table (empty for synthetic data).
    outside
        The events of residents outside the organisation.
    charts
        The measure's charts.
    map
        The map of crude rates by neighbourhood; None where not drawn.
    """

    name: str
    lower: str
    slug: str
    synthetic: bool
    label: str
    unsafe: bool
    disclosure: Disclosure
    period: str
    figures: ActivityFigures
    england: ActivityFigures
    quality: tuple[QualityRow, ...]
    outside: Measure
    charts: ActivityCharts
    map: Map | None = None


@dataclass(frozen=True)
class ChapterContext:
    """Every figure the package computed for one organisation's edition: what the chapters read
    through an :class:`Edition` (``ed.imd``, ``ed.charts`` ...), as typed records."""

    org: Organisation
    #: The ICB holding most of the organisation's residents; None for ICBs and England.
    parent: Organisation | None
    imd: ImdFigures
    rural: RuralFigures
    overview: OverviewFigures
    #: How the ICBs differ (the England edition only).
    variation: VariationFigures | None
    activity: tuple[ActivityContext, ...]
    charts: Charts
    maps: Maps
    #: The Core20 share in both vintages, where the data folder holds both.
    vintages: VintageFigures | None
    #: The edition itself: date, date_text, version, sources, coverage.
    about: About
    #: The boundaries the maps are drawn on: attribution and year.
    boundaries: Boundaries
    #: Census 2021 residents of each broad ethnic group by national IMD quintile (PLUS groups).
    plus: PlusFigures
    audience: str = "board"
    #: The marking of an edition printed from true, unrounded counts; empty otherwise.
    unsafe_mark: str = ""


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
    context: ChapterContext
    annex: Annex = field(default_factory=Annex)
    #: Where the charts were drawn, outside a build (None within one: they are in the project).
    drawn: Path | None = None
    #: Keeps the folder of ``drawn`` while the Edition lives.
    _scratch: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        """``<Edition QHL: NHS Birmingham and Solihull ICB (icb), vintage 2019>``: a notebook
        that shows ``ed`` (or one of its methods) prints a line, not the reference data."""
        return f"<Edition {self.org.code}: {self.org.name} ({self.kind}), vintage {self.vintage}>"

    @property
    def kind(self) -> str:
        """The organisation's kind: ``icb``, ``sub-icb``, ``la``, ``trust`` or ``england``."""
        return self.org.kind

    @property
    def vintage(self) -> str:
        """The data vintage, ``"2019"`` or ``"2025"``."""
        return self.reference.vintage.name

    @property
    def imd(self) -> ImdFigures:
        """The deprivation figures (deciles, quintiles, Core20, domains, ages by quintile)."""
        return self.context.imd

    @property
    def rural(self) -> RuralFigures:
        """The rurality figures (classes, urban and rural, by quintile, by age)."""
        return self.context.rural

    @property
    def plus(self) -> PlusFigures:
        """The PLUS groups' figures: each broad ethnic group of Census 2021, its residents, the
        share living in each national IMD quintile and in Core20, and the ratio of that share to
        all residents' (with England's and the parent ICB's)."""
        return self.context.plus

    @property
    def overview(self) -> OverviewFigures:
        """Population, neighbourhoods, local authorities, parent ICBs, similar organisations."""
        return self.context.overview

    @property
    def variation(self) -> VariationFigures | None:
        """How the ICBs differ (the England edition only; None otherwise)."""
        return self.context.variation

    @property
    def activity(self) -> list[ActivityContext]:
        """The activity measures of the edition, each with its rates and indices."""
        return list(self.context.activity)

    @property
    def is_england(self) -> bool:
        """True for the public (England) edition."""
        return self.org.kind == "england"

    @property
    def parent(self) -> Organisation | None:
        """The ICB the tables set beside the organisation (the one holding most of its residents);
        None for ICBs and England."""
        return self.context.parent

    @property
    def data_vintage(self) -> Vintage:
        """What the vintage's data are, in words: ``.imd`` ("IMD 2019"), ``.population_text``,
        ``.lsoa_year``, ``.iod`` and the other fields of :class:`hi_reports.data.Vintage`."""
        return self.reference.vintage

    @property
    def vintages(self) -> VintageFigures | None:
        """The Core20 share in both vintages, where the data folder holds both; else None."""
        return self.context.vintages

    @property
    def charts(self) -> Charts:
        """The charts the package draws for every edition, by name (``imd_deciles`` ...), None
        where the edition has no such chart; print one with :meth:`figure`."""
        return self.context.charts

    @property
    def maps(self) -> Maps:
        """The maps of the edition, by name (``deciles``, ``core20``, ``catchment`` ...), None
        where the organisation has no such map; print one with :meth:`figure`."""
        return self.context.maps

    @property
    def about(self) -> About:
        """The edition itself: ``date``, ``date_text``, ``version``, ``sources`` (title,
        publisher, vintage, licence, url, file, sha256 of each data file), ``coverage``."""
        return self.context.about

    @property
    def boundaries(self) -> Boundaries:
        """The boundaries the maps are drawn on: ``attribution`` and ``year``."""
        return self.context.boundaries

    @property
    def audience(self) -> str:
        """``board`` (the default) or ``analyst`` (code shown, with boxes on doing it yourself)."""
        return self.context.audience

    @property
    def unsafe_mark(self) -> str:
        """The marking of an edition printed from true, unrounded counts; empty otherwise."""
        return self.context.unsafe_mark

    @cached_property
    def lsoas(self) -> pd.DataFrame:
        """One row per LSOA with residents counted in the organisation: ``lsoa_code``,
        ``lsoa_name``, ``residents`` (catchment weights applied for a trust), ``imd_decile``,
        ``imd_quintile``, ``rural`` (bool), ``ruc_class`` and one ``<domain>_decile`` per domain."""
        return _lsoa_table(self.reference, self._weight)

    @cached_property
    def _weight(self) -> pd.Series:
        """The organisation's weight of each LSOA with residents counted in it, by LSOA code."""
        weights = membership(self.reference, self.org.kind)
        mine = weights.loc[
            (weights["org"] == self.org.key) & (weights["weight"] > 0), ["lsoa_code", "weight"]
        ]
        return mine.set_index("lsoa_code")["weight"].sort_index()

    @cached_property
    def england(self) -> pd.DataFrame:
        """:attr:`lsoas` for England: every LSOA, weight 1."""
        return _lsoa_table(self.reference, pd.Series(1.0, index=self.reference.lsoas.index))

    @cached_property
    def ethnicity(self) -> pd.DataFrame:
        """Census 2021 residents by broad ethnic group, one row per LSOA of :attr:`lsoas` (in
        its order): ``lsoa_code``, ``imd_quintile``, ``total`` and the five groups ``white``,
        ``mixed``, ``asian``, ``black`` and ``other``, with a trust's catchment weights applied.
        On 2011 LSOAs (vintage 2019) the census is carried over by ONS's LSOA 2011 to 2021 lookup
        (:func:`hi_reports.data.ethnicity.to_lsoa11`)."""
        weight = self._weight
        census = ethnic_groups(self.reference).residents.reindex(weight.index)
        table = pd.DataFrame(
            {
                "lsoa_code": weight.index.to_numpy(),
                "imd_quintile": self.reference.lsoas["imd_quintile"]
                .reindex(weight.index)
                .to_numpy(),
            }
        )
        for column in ("total", *(key for key, _ in ETHNIC_GROUPS)):
            table[column] = census[column].to_numpy(dtype=float) * weight.to_numpy(dtype=float)
        return table

    def measure(
        self,
        value: Any,
        key: str | None,
        definition: str | None,
        unit: Unit,
        source: str | None = None,
    ) -> Measure:
        """``value`` as a :class:`Measure`: a Measure as it is, or a number with its key and
        definition (both needed: the annex says what every printed number is) and its source (by
        default, this edition). A key printed before with another value or definition is refused."""
        if isinstance(value, Measure):
            return value
        if key is None or definition is None:
            raise APIError(
                f"a number printed without a key and a definition ({_plain(value)})",
                hint="pass key='chapter.name' and definition='what it is', e.g. "
                "ed.pct(share, key='local.share', definition='Share of ...')",
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise APIError(
                f"{key}: {_plain(value)} is not a number",
                hint="print numbers through ed.pct, ed.num, ed.dec or ed.rank",
            ) from None
        for (chapter, known), row in self.annex.rows.items():
            same = row["value"] == number or (row["value"] is None and number != number)
            if known == key and (not same or row["definition"] != definition):
                where = f"in chapter {chapter!r}" if chapter else "by this edition"
                raise APIError(
                    f"the annex key {key!r} is already used {where} for another number "
                    f"({row['definition']})",
                    hint="give each number a key of its own, e.g. 'local.<what>'",
                )
        return Measure(
            key,
            number,
            unit,
            definition,
            source or f"{self.org.name} edition, {self.vintage} vintage",
        )

    def _printed(self, measure: Measure, text: str) -> str:
        self.annex.record(measure, text)
        return text

    def pct(
        self,
        value: Any,
        key: str | None = None,
        definition: str | None = None,
        digits: int = 1,
        source: str | None = None,
    ) -> str:
        """A share (0.25) as a percentage (``"25.0%"``), recorded in the annex."""
        m = self.measure(value, key, definition, "share", source)
        return self._printed(m, formatting.percent(m.value, digits))

    def num(
        self,
        value: Any,
        key: str | None = None,
        definition: str | None = None,
        source: str | None = None,
    ) -> str:
        """A count as a whole number with thousands separators (``"1,358,012"``), recorded."""
        m = self.measure(value, key, definition, "count", source)
        return self._printed(m, formatting.count(m.value))

    def dec(
        self,
        value: Any,
        key: str | None = None,
        definition: str | None = None,
        digits: int = 1,
        source: str | None = None,
    ) -> str:
        """A rate, ratio or index to fixed decimals (``"12.3"``), recorded."""
        m = self.measure(value, key, definition, "number", source)
        return self._printed(m, formatting.decimal(m.value, digits))

    def rank(
        self,
        value: Any,
        key: str | None = None,
        definition: str | None = None,
        of: int | None = None,
        source: str | None = None,
    ) -> str:
        """A rank in words (``"3rd of 42"``, ``"joint 5th of 309"``), recorded."""
        m = self.measure(value, key, definition, "rank", source)
        if not isinstance(value, Measure) and of is not None:
            m = Measure(m.key, m.value, "rank", m.definition, m.source, of=of)
        return self._printed(m, formatting.rank(m.value, m.of, m.tied))

    def times(
        self,
        value: Any,
        than: str,
        key: str | None = None,
        definition: str | None = None,
        source: str | None = None,
    ) -> str:
        """A ratio in words (``"1.8 times THAN"``, ``"about the same as THAN"``, ``"10% lower than
        THAN"``; never ``"0.9 times"``), recorded."""
        m = self.measure(value, key, definition, "number", source)
        return self._printed(m, formatting.times(m.value, str(escape_markdown(than))))

    def quantity(
        self,
        value: Any,
        singular: str,
        plural: str | None = None,
        key: str | None = None,
        definition: str | None = None,
        source: str | None = None,
    ) -> str:
        """A count and its noun (``"one neighbourhood"``, ``"773 neighbourhoods"``), recorded."""
        m = self.measure(value, key, definition, "count", source)
        printed = formatting.count(m.value)
        text = f"{'one' if printed == '1' else printed} {self.noun(m, singular, plural)}"
        return self._printed(m, str(escape_markdown(text)))

    @staticmethod
    def noun(value: Any, singular: str, plural: str | None = None) -> str:
        """The noun that follows a count as printed: ``singular`` after 1, else the plural."""
        number = value.value if isinstance(value, Measure) else float(value)
        return singular if formatting.count(number) == "1" else plural or singular + "s"

    @staticmethod
    def compare(
        value: Measure,
        other: Measure,
        higher: str = "higher than",
        lower: str = "lower than",
        same: str = "the same as",
    ) -> str:
        """Words comparing two shares as printed (to 0.1 percentage points); prints no number."""
        if value.missing or other.missing:
            return "not comparable with"
        diff = round(value.value * 1000) - round(other.value * 1000)
        return higher if diff > 0 else lower if diff < 0 else same

    @staticmethod
    def words(items: Any) -> Text:
        """``["A", "B", "C"]`` as ``"A, B and C"``, each item escaped for markdown unless it is
        markdown already (:class:`Text`)."""
        return Text(
            formatting.join_words(
                [
                    str(item) if isinstance(item, Text) else str(escape_markdown(str(item)))
                    for item in items
                ]
            )
        )

    def figure(self, item: Any) -> Text:
        """The markdown of a chart or map the package drew (see :attr:`charts`, :attr:`maps`):
        its caption, file, cross-reference label (``fig-<name>``) and alt text; the numbers they
        print are recorded. Nothing for None (an edition without that map)."""
        if not item:
            return Text("")
        for measure in getattr(item, "measures", ()):
            self.annex.record(
                measure,
                formatting.by_unit(measure.unit, measure.value, measure.of, tied=measure.tied),
            )
        caption = getattr(item, "caption", None) or item.title

        label = item.name.replace("_", "-")
        return Text(
            f"![{escape_markdown(caption)}]({attr(self._figure_path(item))})"
            f'{{#fig-{label} fig-alt="{attr(item.alt)}"}}'
        )

    def _figure_path(self, item: Any) -> str:
        """Within a build, the chart's path in the project. Outside one (a chapter rendered by
        Quarto, a notebook), the chart is copied into ``figures/`` of the current folder (where
        Quarto runs a chapter's cells), named by organisation so that editions never overwrite
        each other's figures."""
        if self.drawn is None:
            return str(item.path)
        name = f"{self.org.code}-{self.vintage}-{Path(item.path).name}"
        Path("figures").mkdir(exist_ok=True)
        shutil.copyfile(self.drawn / Path(item.path).name, Path("figures") / name)
        return f"figures/{name}"


def _plain(value: Any) -> str:
    """A value as a message shows it: a numpy number as a Python one (0.5, not np.float64(0.5))."""
    return (
        repr(value.item())
        if type(value).__module__ == "numpy" and hasattr(value, "item")
        else repr(value)
    )


def _lsoa_table(reference: Reference, weight: pd.Series) -> pd.DataFrame:
    lsoas = reference.lsoas.loc[weight.index]
    table = pd.DataFrame(
        {
            "lsoa_code": lsoas.index.to_numpy(),
            "lsoa_name": lsoas["lsoa_name"].to_numpy(),
            "residents": (lsoas["population"] * weight).to_numpy(dtype=float),
            "imd_decile": lsoas["imd_decile"].to_numpy(),
            "imd_quintile": lsoas["imd_quintile"].to_numpy(),
            "rural": (lsoas["urban_rural"] == "Rural").to_numpy(),
            "ruc_class": lsoas["ruc_code"].to_numpy(),
        }
    )
    for domain, _, _ in DOMAINS:
        table[f"{domain}_decile"] = lsoas[f"{domain}_decile"].to_numpy()
    return table.sort_values("lsoa_code", ignore_index=True)


def inline_text(value: Any) -> str:
    """The markdown of an inline expression's value: text escaped (a name read from a file is
    data, not markup), markdown objects as they are, whole numbers as digits. A Measure or a
    fractional number is refused: it must go through ``ed.pct``, ``ed.num``, ``ed.dec`` or
    ``ed.rank``, so that the annex records it."""
    if isinstance(value, Measure):
        raise APIError(
            f"print {value.key} through ed.pct, ed.num, ed.dec or ed.rank",
            hint="e.g. `{python} ed.pct(...)`: the annex records every number printed",
        )
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float) or type(value).__module__ == "numpy":
        if (
            type(value).__module__ == "numpy"
            and float(value) == int(value)
            and "int" in type(value).__name__
        ):
            return str(int(value))
        raise APIError(
            f"a bare number {float(value)!r} in an inline expression",
            hint="format it with ed.pct, ed.num or ed.dec and a key and definition, so "
            "that the annex records it",
        )
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
    return (
        org.strip().upper() in codes
        and kind in (None, ed.org.kind)
        and (vintage is None or str(vintage) == ed.vintage)
    )


def building(org: str, kind: str | None = None, vintage: str | int | None = None) -> Edition | None:
    """The edition a build is executing chapters for, when there is one; None elsewhere.

    Raises
    ------
    APIError
        Within a build, for an organisation other than the one being built.
    """
    ed = _CURRENT.get()
    if ed is not None and not _matches(
        ed, str(org), kind, None if vintage is None else str(vintage)
    ):
        raise APIError(
            f"this build is of {ed.org.code} ({ed.org.kind}, vintage {ed.vintage}), not {org!r}",
            hint="read the organisation from the parameters cell, ed = hi_reports.edition(org), "
            "and tag that cell '#| tags: [parameters]' so that the build sets org",
        )
    return ed


__all__ = [
    "LSOA_COLUMNS",
    "APIError",
    "About",
    "ActivityContext",
    "Boundaries",
    "ChapterContext",
    "Edition",
    "SourceRow",
    "Text",
    "attr",
    "building",
    "current",
    "inline_text",
    "md",
]
