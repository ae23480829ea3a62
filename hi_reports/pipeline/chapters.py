"""How a build runs the literate chapters of one edition: in-process, the edition current, its
executed chapters kept like Quarto's freeze."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from hi_reports import __version__, api
from hi_reports.api import ChapterContext
from hi_reports.book.annex import Annex
from hi_reports.data import Reference
from hi_reports.data.loaders import cache_dir
from hi_reports.geography import Organisation
from hi_reports.literate.cells import parse
from hi_reports.literate.freeze import Freezer, Frozen, freeze_key
from hi_reports.literate.weave import Weaver


def literate(
    org: Organisation,
    reference: Reference,
    context: ChapterContext,
    figures: Path,
    echo: bool = False,
) -> Callable[[Path, Annex], str]:
    """How the book runs a literate chapter of this edition: its cells see ``org``, ``kind`` and
    ``vintage`` as parameters, and ``hi_reports.edition(org)`` is this edition, its numbers
    recorded in the annex the book gives."""

    weaver = Weaver(
        figures, inline=api.inline_text, echo=echo
    )  # one for the book: labels are the book's
    freezer = Freezer(cache_dir() / "freeze")
    parameters = {"org": org.code, "kind": org.kind, "vintage": reference.vintage.name}
    # Everything a chapter may print is in the context (figures, the date, the sources), so its
    # digest keys the freeze: a new day, a fix to a figure or another data folder re-executes.
    digest = json.dumps(
        [
            __version__,
            echo,
            sorted((n, s.sha256) for n, s in reference.sources.items()),
            hashlib.sha256(repr(context).encode("utf-8")).hexdigest(),
        ]
    )

    def weave(source: Path, annex: Annex) -> str:
        text = source.read_text(encoding="utf-8")
        document = parse(text, str(source))
        # A chapter is kept and reused (Quarto's freeze) unless the edition has activity data,
        # whose files the key does not hold.
        key = None if context.activity else freeze_key(source, text, parameters, digest)
        frozen = freezer.get(key) if key else None
        if frozen is not None:
            weaver.check_labels(document)
            figures.mkdir(parents=True, exist_ok=True)
            for name, png in frozen.figures.items():
                (figures / name).write_bytes(png)
            for row in frozen.numbers:
                annex.rows[(annex.chapter, row["key"])] = {**row, "chapter": annex.chapter}
            return frozen.markdown
        before = set(annex.rows)
        with api.current(api.Edition(org, reference, context, annex=annex)):
            markdown = weaver.weave(document, parameters)
        if key:
            numbers = [row for k, row in annex.rows.items() if k not in before]
            freezer.put(key, Frozen(markdown, dict(weaver.written), numbers))
        return markdown

    return weave
