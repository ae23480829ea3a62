"""How a build runs the literate chapters of one edition: in-process, the edition current, its
executed chapters kept like Quarto's freeze."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from hi_reports import __version__, api
from hi_reports.api import ChapterContext
from hi_reports.book.annex import Annex
from hi_reports.data import Reference
from hi_reports.data.loaders import cache_dir, file_sha256
from hi_reports.geography import Organisation
from hi_reports.literate.cells import parse
from hi_reports.literate.freeze import Freezer, Frozen, freeze_key
from hi_reports.literate.weave import Weaver

#: Folders of a book project that hold no chapter's input: a virtual environment, packages.
_NOT_INPUTS = frozenset({"templates", "__pycache__", "node_modules", "site-packages"})


def book_inputs(root: Path, outputs: Path | None = None) -> list[tuple[str, str]]:
    """Every file of the book project ``root`` a chapter may read, as (path in the project,
    sha256): all but the chapters' own text (``.qmd``, keyed chapter by chapter), the templates,
    hidden and ``_``-prefixed entries (``_quarto.yml``, Quarto's ``_freeze``), virtual
    environments, and ``outputs`` (the editions folder, when a project builds into itself)."""
    skip = outputs.resolve() if outputs is not None else None
    found: list[tuple[str, str]] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith((".", "_"))
            and d not in _NOT_INPUTS
            and (here / d).resolve() != skip
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in sorted(files):
            if not name.startswith((".", "_")) and not name.endswith(".qmd"):
                path = here / name
                found.append((path.relative_to(root).as_posix(), file_sha256(path)))
    return found


def literate(
    org: Organisation,
    reference: Reference,
    context: ChapterContext,
    figures: Path,
    echo: bool = False,
    *,
    book: Path | None = None,
    outputs: Path | None = None,
    force: bool = False,
) -> Callable[[Path, Annex], str]:
    """How the book runs a literate chapter of this edition: its cells see ``org``, ``kind`` and
    ``vintage`` as parameters, and ``hi_reports.edition(org)`` is this edition, its numbers
    recorded in the annex the book gives.

    A chapter's result is kept (the freeze) under a key of its text, its parameters, the
    edition's context and data, and every file of the book project ``book`` it may read
    (:func:`book_inputs`; a CSV in ``data/`` as much as one beside the chapter): a changed file
    runs the chapters again. ``force`` runs them all again regardless.
    """

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
            book_inputs(book, outputs) if book is not None else [],
        ]
    )

    def weave(source: Path, annex: Annex) -> str:
        text = source.read_text(encoding="utf-8")
        document = parse(text, str(source))
        # A chapter is kept and reused (Quarto's freeze) unless the edition has activity data,
        # whose files the key does not hold.
        key = None if context.activity else freeze_key(source, text, parameters, digest)
        frozen = freezer.get(key) if key and not force else None
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
