"""The phrases more than one shipped chapter prints (callouts, comparison columns, the Core20 and
rural sentences), and the edition's own words on its title page (title, subtitle, coverage).

Each takes the edition (:class:`hi_reports.api.Edition`) and returns markdown (:class:`Text`);
numbers go through the edition's formatters, so the annex records them. A chapter's own sentences
stay in the chapter: only what two chapters must say alike lives here.
"""

from __future__ import annotations

from hi_reports.api import ActivityContext, Edition, Text, md
from hi_reports.data import Reference
from hi_reports.geography import Organisation
from hi_reports.indicators.activity import ActivityGroup
from hi_reports.indicators.chapters import CATCHMENT_CORE, Category
from hi_reports.indicators.measure import Measure


def callout(kind: str, title: str, body: str) -> Text:
    """A Quarto callout box: ``kind`` is note, tip, important, warning or caution."""
    return Text(f"::: {{.callout-{kind}}}\n## {title}\n\n{body}\n:::")


def own_data(ed: Edition, body: str) -> Text:
    """The analyst edition's box on doing the same with one's own data; nothing for a board."""
    return (
        callout("tip", "Do this with your own data", body.strip())
        if ed.audience == "analyst"
        else Text("")
    )


def unsafe(ed: Edition) -> Text:
    """The banner of an edition printed from true, unrounded counts; nothing otherwise."""
    if not ed.unsafe_mark:
        return Text("")
    return callout(
        "important",
        ed.unsafe_mark,
        "This edition prints true activity counts, neither suppressed nor rounded, and "
        "figures computed from them. It is for internal use only: do not publish or share it.",
    )


def synthetic(activity: ActivityContext) -> Text:
    """The banner on everything made from synthetic demonstration data; nothing otherwise."""
    if not activity.synthetic:
        return Text("")
    return callout("warning", "Synthetic data", str(md(activity.label)))


def against(ed: Edition, row: Category) -> Text:
    """``, against 20.0% in England and 34.1% in X ICB``; nothing for England."""
    if ed.is_england:
        return Text("")
    text = f", against {ed.pct(row.england_share)} in England"
    if ed.parent:
        text += f" and {ed.pct(row.parent_share)} in {md(ed.parent.short_name)} ICB"
    return Text(text)


def versus(ed: Edition, measure: Measure, reference: Measure) -> Text:
    """``higher than England's 20.0%`` (as printed)."""
    return Text(f"{ed.compare(measure, reference)} England's {ed.pct(reference)}")


def cmp_head(ed: Edition, of: str = "") -> Text:
    """The headings of a table's comparison columns (parent ICB, England): `` X ICB | England |``.
    ``of`` names the group they hold when it is not all residents (``rural residents``)."""
    tail = f", {of}" if of else ""
    text = f" {md(ed.parent.short_name)} ICB{tail} |" if ed.parent else ""
    return Text(text + ("" if ed.is_england else f" England{tail} |"))


def cmp_align(ed: Edition) -> Text:
    """The alignment row of the comparison columns."""
    return Text(("--:|" if ed.parent else "") + ("" if ed.is_england else "--:|"))


def cmp_cells(ed: Edition, row: Category) -> Text:
    """A row's comparison cells: the parent ICB's share and England's."""
    text = f" {ed.pct(row.parent_share)} |" if ed.parent else ""
    return Text(text + ("" if ed.is_england else f" {ed.pct(row.england_share)} |"))


def parents_rest(ed: Edition) -> Text:
    """The rest of a list of parent ICBs, so that the shares add up:
    `` and 2.0% in 3 other ICBs``."""
    rest = ed.overview.parents_rest
    if not rest:
        return Text("")
    icbs = "ICB" if rest.count.value == 1 else "ICBs"
    return Text(f" and {ed.pct(rest.share)} in {ed.num(rest.count)} other {icbs}")


def core20_sentence(ed: Edition) -> Text:
    """How many residents live in the 20% most deprived neighbourhoods of England."""
    core20 = ed.imd.core20
    if core20.residents.value > 0:
        return Text(
            f"{ed.pct(core20.share)} of residents ({ed.num(core20.residents)} people) live in "
            "the 20% most deprived neighbourhoods in England."
        )
    return Text("No residents live in the 20% most deprived neighbourhoods in England (Core20).")


def plus_sentence(ed: Edition, *, strong: bool = False) -> Text:
    """Who lives in the Core20 neighbourhoods by ethnic group (the PLUS groups chapter), without
    a full stop; empty where the organisation has no Core20 neighbourhoods or too few residents of
    the Mixed, Asian, Black or Other groups for a stable share. ``strong``: the share in bold, as
    the key messages set their first number."""
    plus = ed.plus
    if not plus.has_core20 or not plus.minority.stable:
        return Text("")
    share = ed.pct(plus.core20_minority)
    return Text(
        f"{f'**{share}**' if strong else share} of the residents of Core20 neighbourhoods are of "
        "the Mixed, Asian, Black or Other ethnic groups (Census 2021), against "
        f"{ed.pct(plus.minority.share_of_residents)} of all residents"
    )


def rural_sentence(ed: Edition) -> Text:
    """How many residents live in rural neighbourhoods."""
    rural = ed.rural
    if rural.has_rural:
        return Text(
            f"{ed.pct(rural.rural.share)} of residents ({ed.num(rural.rural.residents)} people) "
            f"live in rural neighbourhoods{against(ed, rural.rural)}."
        )
    return Text(f"No residents live in neighbourhoods classed as rural{against(ed, rural.rural)}.")


#: What each domain of the English Indices of Deprivation measures, in MHCLG's words (the
#: statistical releases of 2019 and 2025), shortened for a reader who has not met the domains.
DOMAIN_MEANINGS = {
    "Income": "low income, in and out of work",
    "Employment": "working-age people kept out of work by unemployment, sickness, disability or "
    "caring",
    "Education, Skills and Training": "low attainment and skills, of children and of adults",
    "Health Deprivation and Disability": "premature death and poor physical or mental health",
    "Crime": "the risk of being a victim of crime",
    "Barriers to Housing and Services": "distance to local services, and the cost and "
    "overcrowding of housing",
    "Living Environment": "poor housing, air quality and road traffic accidents",
}


def domain_named(title: str) -> Text:
    """``the Living Environment domain (poor housing, air quality and road traffic
    accidents)``: a domain named with what it measures (:data:`DOMAIN_MEANINGS`)."""
    meaning = DOMAIN_MEANINGS.get(title)
    return Text(f"the {md(title)} domain" + (f" ({meaning})" if meaning else ""))


def catchment_spread(ed: Edition, noun: str = "neighbourhood") -> Text:
    """Where a trust's modelled catchment lives: most of it in the LSOAs that send the trust 10%
    or more of their admitted patients (its maps' outline), the rest as small parts of many
    others; "spread over 2,442 neighbourhoods" alone read as if each were whole."""
    overview = ed.overview
    core, share, other = overview.core_lsoas, overview.core_share, overview.other_lsoas
    if core is None or share is None or other is None:
        return Text(f"spread over {ed.quantity(overview.lsoas, noun)}")
    if not core.value:
        return Text(
            f"counted in part in {ed.quantity(other, noun)}, none of which sends the trust "
            f"{CATCHMENT_CORE:.0%} of its admitted patients"
        )
    return Text(
        f"{ed.pct(share)} of them in the {ed.quantity(core, noun)} that send the trust "
        f"{CATCHMENT_CORE:.0%} or more of their admitted patients, the rest counted in part in "
        f"{ed.quantity(other, noun)}"
    )


def no_rural_alike(ed: Edition) -> Text | None:
    """How many organisations of the kind share an organisation's want of rural residents (None
    when it has rural residents, or is the only one without): see
    :attr:`~hi_reports.indicators.chapters.RuralFigures.none_alike`."""
    alike = ed.rural.none_alike
    return None if alike is None else Text(ed.num(alike))


def domain_sentence(ed: Edition) -> Text:
    """The domain on which the organisation is furthest above England (each domain against
    England's share on the same domain: the domains rank neighbourhoods separately, so they are not
    compared with one another)."""
    f = ed.imd.furthest_domain
    if not f:
        return Text("")
    if not f.above:
        return Text(
            "On no domain is the share of residents in England's most deprived fifth higher "
            "here than in England."
        )
    name = md(ed.org.short_name)
    if len(f.domains) == 1:
        d = f.domains[0]
        return Text(
            f"Against England, {name} stands furthest above on {domain_named(f.titles[0])}: "
            f"{ed.pct(d.share)} of residents live in its most deprived national fifth, against "
            f"{ed.pct(d.england_share)} in England."
        )
    return Text(
        f"Against England, {name} stands furthest above, by the same ratio, on the "
        f"{ed.words(f.titles)} domains."
    )


def quality(ed: Edition, measure: Measure) -> Text:
    """A data-quality count, or ``*`` where it is suppressed (1 to 7)."""
    return Text("\\*" if measure.missing else ed.num(measure))


def events(ed: Edition, row: ActivityGroup) -> Text:
    """Events, or ``*`` where 1 to 7 events are suppressed."""
    return Text("\\*" if row.suppressed else ed.num(row.events))


def rate_pair(ed: Edition, rate: Measure, lower: Measure, upper: Measure) -> Text:
    """A rate and its 95% limits as two table cells; a dash where no rate is shown (too few events
    or none published), never ``n/a to n/a``."""
    if rate.missing:
        return Text("– | –")
    limits = "–" if lower.missing or upper.missing else span(ed.dec(lower), ed.dec(upper))
    return Text(f"{ed.dec(rate)} | {limits}")


def rate_cells(ed: Edition, row: ActivityGroup) -> Text:
    """The crude and the age-standardised rate of a row, each with its limits, as table cells."""
    return Text(
        f"{rate_pair(ed, row.crude, row.crude_lower, row.crude_upper)} | "
        f"{rate_pair(ed, row.dsr, row.dsr_lower, row.dsr_upper)}"
    )


__all__ = [
    "DOMAIN_MEANINGS",
    "against",
    "callout",
    "catchment_spread",
    "cmp_align",
    "cmp_cells",
    "cmp_head",
    "core20_sentence",
    "domain_named",
    "domain_sentence",
    "events",
    "no_rural_alike",
    "own_data",
    "own_heading",
    "parents_rest",
    "quality",
    "rate_cells",
    "rate_pair",
    "rural_sentence",
    "synthetic",
    "unsafe",
    "versus",
]


#: The marker of a share against England's, in the headline (spine) table: a symbol and a word, so
#: that it never rests on colour alone (the class colours it in the HTML and the PDF).
MARKERS = {
    "higher": "[▲ higher]{.hi-cmp-higher}",
    "similar": "[● similar]{.hi-cmp-similar}",
    "lower": "[▼ lower]{.hi-cmp-lower}",
}


def span(low: str, high: str) -> Text:
    """A range in a table cell, ``51.4%–51.5%``, that never breaks across lines (the class keeps it
    whole in the HTML and the PDF; no invisible character, so it copies and searches as printed)."""
    return Text(f"[{low}–{high}]{{.hi-nowrap}}")


#: A column headed by the organisation's name when the name is longer than this: the headline
#: table's seven columns on A4 cut a longer one mid-word ("Birming-ham Hospi-tals NHS Trust").
LONG_HEADING = 24
_OWN = {"trust": "This trust", "icb": "This ICB", "sub-icb": "This sub-ICB", "la": "This council"}


def own_heading(ed: Edition) -> Text:
    """The heading of the organisation's own column: its short name, or "This trust" (and the
    like) where the name is long (:data:`LONG_HEADING`); the page names it already."""
    name = ed.org.short_name
    if len(name) <= LONG_HEADING or ed.org.kind not in _OWN:
        return Text(md(name))
    return Text(_OWN[ed.org.kind])


def spine_head(ed: Edition) -> Text:
    """The header and alignment rows of the headline (spine) table."""
    if ed.is_england:  # England is the comparator: no limits or markers
        return Text("| Indicator | England |\n|:--|--:|")
    parent = f" {md(ed.parent.short_name)} ICB |" if ed.parent else ""
    similar = f" Similar {ed.org.kind_plural} |" if ed.overview.similar else ""
    cells = (
        f"| Indicator | {own_heading(ed)} | 95% limits | England | Against England |"
        f"{parent}{similar}"
    )
    align = (
        "|:--|--:|--:|--:|:--|"
        + ("--:|" if ed.parent else "")
        + ("--:|" if ed.overview.similar else "")
    )
    return Text(f"{cells}\n{align}")


def spine_row(ed: Edition, label: str, row: Category) -> Text:
    """One indicator of the spine table: the share, its 95% limits, England's, the marker, the
    parent ICB's and the range of the similar organisations'."""
    if ed.is_england:
        return Text(f"| {label} | {ed.pct(row.share)} |")
    # The share is printed to the decimals of its limits, two (one would often make the limits
    # meet the share): rounded alike, a share always lies within its printed limits, where 2.8%
    # beside 2.73%-2.79% would not seem to.
    limits = span(ed.pct(row.lower, digits=2), ed.pct(row.upper, digits=2))
    parent = f" {ed.pct(row.parent_share)} |" if ed.parent else ""
    similar = (
        f" {span(ed.pct(row.similar_low), ed.pct(row.similar_high))} |"
        if ed.overview.similar
        else ""
    )
    return Text(
        f"| {label} | {ed.pct(row.share, digits=2)} | {limits} | {ed.pct(row.england_share)} | "
        f"{MARKERS.get(row.vs_england or '', '')} |{parent}{similar}"
    )


def spine_note(ed: Edition) -> Text:
    """What the spine table's limits, markers and similar organisations are."""
    if ed.is_england:
        return Text("")
    catchment = (
        " For a trust the residents are a modelled catchment, whose uncertainty the limits "
        "leave out."
        if ed.org.kind == "trust"
        else ""
    )
    similar = (
        f" Similar {ed.org.kind_plural}: {ed.words(ed.overview.similar)}, the three whose "
        "residents are spread most alike over the ten IMD deciles; their column gives the lowest "
        "and highest of their three shares."
        if ed.overview.similar
        else ""
    )
    return Text(
        "▲ higher: the 95% limits lie above England's share; ● similar: they include it; ▼ lower: "
        "they lie below it (Wilson score limits, as Fingertips computes them). The markers "
        "compare with England; they do not rate performance: a higher share shows where need "
        "is. Shares of whole populations have narrow limits, so read the size of the gap too."
        f"{catchment}{similar}"
    )


# The edition's own words, on its title page and in its metadata.

BOOK_TITLE = "Health Inequalities Book"


def book_title(mark: str = "") -> str:
    """The book's title, behind the marking of an edition of true counts (``mark``) if any."""
    return f"{mark}: {BOOK_TITLE}" if mark else BOOK_TITLE


def subtitle(org: Organisation, audience: str = "board", synthetic: bool = False) -> str:
    """The edition's subtitle: "NHS X ICB: local edition" (public for England), for analysts,
    with synthetic activity data."""
    return (
        f"{org.name}: {'public' if org.kind == 'england' else 'local'} edition"
        + (" for analysts" if audience == "analyst" else "")
        + (" with synthetic activity data" if synthetic else "")
    )


def coverage(org: Organisation, reference: Reference) -> str:
    """Which organisations and data the edition stands on, for the title page: e.g. "ICBs as of
    July 2022; Index of Multiple Deprivation (IMD) 2019; residents mid-2020" (the brief's reader
    meets "IMD" here first)."""
    v = reference.vintage
    kinds = {
        "england": f"ICBs as of {v.organisations_when}",
        "icb": f"ICBs as of {v.organisations_when}",
        "sub-icb": f"Sub ICB Locations as of {v.organisations_when}",
        "la": "local authority districts of 2022",
    }
    if org.kind == "trust":
        when = reference.source("trust_names").vintage
        basis = f"{org.kind_plural} open in the ODS trust file ({when}); OHID catchments of 2019"
    else:
        basis = kinds[org.kind]
    imd = v.imd.replace("IMD", "Index of Multiple Deprivation (IMD)", 1)
    return f"{basis[0].upper()}{basis[1:]}; {imd}; residents {v.population_when}"
