"""The Jinja2 environment that fills the chapter sources.

- ``StrictUndefined``: a chapter that names a value the context lacks fails, and the error names
  the chapter file and line.
- Data strings are escaped into markdown: a name read from a file cannot inject markup. Text that
  is meant as markdown (the output of a filter or macro) is ``Markup`` (autoescape is on, so macro
  output is Markup too), and the ``finalize`` hook escapes every other string for markdown rather
  than HTML.
- Numbers reach the page only through the filters ``pct``, ``num`` and ``rank``, which take a
  :class:`~hi_reports.indicators.Measure` and record it in the data annex with the chapter it was
  printed in. A bare float in ``{{ }}`` is an error: the annex would not know it.
- Jinja comments are ``{## ... ##}``, because ``{#`` opens Quarto attributes (``{#sec-imd}``).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from hi_reports import formatting
from hi_reports.errors import TemplateError
from hi_reports.indicators.measure import Measure

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~^$@])")


#: Text that is already markdown and must not be escaped again.
Markdown = Markup


def escape_markdown(text: str) -> Markdown:
    """Escape the characters markdown would read as markup: ``a*b <i>`` -> ``a\\*b \\<i\\>``."""
    return Markdown(_MARKDOWN_SPECIAL.sub(r"\\\1", str(text)))


@dataclass
class Annex:
    """The numbers printed by the chapters, in the order they were printed (one row per key and
    chapter)."""

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    chapter: str = ""

    def record(self, measure: Measure, printed: str) -> None:
        """Record that ``measure`` was printed as ``printed`` in the current chapter."""
        self.rows.setdefault(
            (self.chapter, measure.key),
            {
                "chapter": self.chapter,
                "key": measure.key,
                "value": None if measure.missing else measure.value,
                "printed": printed,
                "unit": measure.unit,
                "definition": measure.definition,
                "source": measure.source,
            },
        )


def _need_measure(value: Any, name: str) -> Measure:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()  # raises UndefinedError naming the missing value
    if not isinstance(value, Measure):
        raise TypeError(
            f"the {name!r} filter formats a Measure computed in Python, not {type(value).__name__}"
            f" {value!r}"
        )
    return value


def make_environment(search_path: list[Path], annex: Annex) -> jinja2.Environment:
    """Return the environment for the chapter sources in ``search_path``, recording into ``annex``."""

    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):
            return value
        if isinstance(value, Measure):
            raise TypeError(f"print {value.key} through a filter: pct, num, dec or rank")
        if isinstance(value, float):
            raise TypeError(f"a bare number {value!r} reached the page: compute it as a Measure")
        if isinstance(value, int):
            return Markup(str(value))
        return escape_markdown(value)

    def printed(value: Any, name: str, text_of: Callable[[Measure], str]) -> Markdown:
        """Format the Measure ``value`` for the filter ``name`` and record it in the annex."""
        measure = _need_measure(value, name)
        text = text_of(measure)
        annex.record(measure, text)
        return Markdown(text)

    def pct(value: Any, digits: int = 1) -> Markdown:
        return printed(value, "pct", lambda m: formatting.percent(m.value, digits))

    def num(value: Any) -> Markdown:
        return printed(value, "num", lambda m: formatting.count(m.value))

    def dec(value: Any, digits: int = 1) -> Markdown:
        """A rate, ratio or index: fixed decimals (``12.3``)."""
        return printed(value, "dec", lambda m: formatting.decimal(m.value, digits))

    def times(value: Any, than: str) -> Markdown:
        """A ratio in words: '1.8 times THAN', 'about the same as THAN', '10% lower than THAN'."""
        return printed(value, "times", lambda m: formatting.times(m.value, str(escape_markdown(than))))

    def rank(value: Any) -> Markdown:
        return printed(value, "rank", lambda m: formatting.rank(m.value, m.of, m.tied))

    def compare(value: Any, other: Any, higher: str = "higher than", lower: str = "lower than",
                same: str = "the same as") -> Markdown:
        """Words comparing two shares as printed (to 0.1 percentage points)."""
        a, b = _need_measure(value, "compare"), _need_measure(other, "compare")
        if a.missing or b.missing:
            return Markdown("not comparable with")
        diff = round(a.value * 1000) - round(b.value * 1000)
        return Markdown(higher if diff > 0 else lower if diff < 0 else same)

    def join_words(items: list[str]) -> Markdown:
        """``["A", "B", "C"]`` -> ``A, B and C`` (each item escaped)."""
        return Markdown(formatting.join_words([escape_markdown(item) for item in items]))

    def attr(value: Any) -> Markdown:
        """Text for a quoted markdown attribute value (alt text, paths): no double quotes."""
        return Markdown(str(value).replace("\\", "/").replace('"', "'"))

    def record_chart(chart: Any) -> Markdown:
        """Record the numbers a chart's title and alt text print; prints nothing."""
        for measure in getattr(chart, "measures", ()):
            annex.record(measure, formatting.by_unit(measure.unit, measure.value, measure.of, tied=measure.tied))
        return Markdown("")

    def noun(value: Any, singular: str, plural: str | None = None) -> Markdown:
        """The noun that follows a count as printed: ``neighbourhood`` after 1, else the plural."""
        one = formatting.count(_need_measure(value, "noun").value) == "1"
        return Markdown(escape_markdown(singular if one else plural or singular + "s"))

    def quantity(value: Any, singular: str, plural: str | None = None) -> Markdown:
        """A count and its noun: 'one neighbourhood', '773 neighbourhoods' (recorded in the annex)."""
        def text(m: Measure) -> str:
            one = formatting.count(m.value) == "1"
            return f"{'one' if one else formatting.count(m.value)} {singular if one else plural or singular + 's'}"

        return printed(value, "quantity", lambda m: str(escape_markdown(text(m))))

    def ordinal(value: int) -> Markdown:
        return Markdown(formatting.ordinal(int(value)))

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=jinja2.StrictUndefined,
        comment_start_string="{##",
        comment_end_string="##}",
        keep_trailing_newline=True,
        trim_blocks=True,
        autoescape=True,
        finalize=finalize,
    )
    env.filters.update(
        pct=pct, num=num, rank=rank, dec=dec, compare=compare, join_words=join_words, ordinal=ordinal, noun=noun, quantity=quantity, times=times,
        md=escape_markdown, attr=attr, record_chart=record_chart,
    )
    env.globals["Markdown"] = Markdown
    return env


def render_chapter(env: jinja2.Environment, name: str, context: dict[str, Any], path: Path) -> str:
    """Render the chapter template ``name``; any failure is a TemplateError naming file and line.

    Parameters
    ----------
    env
        From :func:`make_environment`.
    name
        The template name, e.g. ``"imd.qmd"``.
    context
        The chapter's values.
    path
        The chapter's source file, for messages.
    """
    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or str(path)
        raise TemplateError(
            f"{where}, line {error.lineno}: {error.message}",
            hint="fix the Jinja2 syntax of that line",
            path=where,
            line=error.lineno,
        ) from None
    except (jinja2.UndefinedError, TypeError, ValueError, KeyError, AttributeError) as error:
        where, line = _template_frame(error, path)
        raise TemplateError(
            f"{where}, line {line}: {error}",
            hint="the chapter refers to a value the edition does not compute; check its name "
            "against hi_reports.build.chapter_context",
            path=where,
            line=line,
        ) from None


def _template_frame(error: BaseException, path: Path) -> tuple[str, int | None]:
    """The innermost template file and line in the traceback of ``error``."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if frame.filename.endswith((".qmd", ".jinja", ".j2", ".md")):
            return frame.filename, frame.lineno
    return str(path), None
