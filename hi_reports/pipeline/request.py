"""What to build: one edition's request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hi_reports.data import DEFAULT_VINTAGE
from hi_reports.front import Front
from hi_reports.pipeline.activity import ActivitySpec
from hi_reports.render import Format


@dataclass(frozen=True)
class EditionRequest:
    """What to build.

    Attributes
    ----------
    org
        An ODS or ONS code, any case (``QHL``, ``e54000055``).
    out
        The editions folder; the edition goes to ``out/<ODS code>/``.
    kind
        Restrict the code to one kind of organisation (``icb``).
    formats
        Any of ``html``, ``pdf``, ``docx``, ``html-single``, ``brief``.
    engine
        ``builtin``, ``quarto``, or None to choose (Quarto when it is installed).
    book
        The book sources (``_quarto.yml``, ``chapters/``, ``templates/``); the shipped ones by
        default.
    date
        The edition's date; today by default.
    activity
        The organisation's own activity measures.
    vintage
        The reference data's vintage: ``2019`` (IMD 2019, LSOA 2011) or ``2025`` (IMD 2025,
        LSOA 2021).
    unsafe_counts
        Print the true activity counts, unsuppressed and unrounded, and every figure from them: for
        internal use only; every page and file is marked "UNSAFE COUNTS: NOT FOR PUBLICATION".
    audience
        ``board`` (the default: no code) or ``analyst``: the chapters' code cells are shown, and
        each chapter has a box on doing the same with one's own data. Same cells, same numbers.
    front
        The board paper's front matter (:class:`hi_reports.front.Front`: classification,
        version, author, contact, purpose, logo as an absolute path), over the book's own ``front:``
        key by key; None for the book's own.
    force
        Run every chapter again, not taking a kept result from the freeze (see
        :func:`hi_reports.pipeline.literate`).
    """

    org: str
    out: Path
    kind: str | None = None
    formats: tuple[Format, ...] = ("html", "pdf")
    engine: str | None = None
    book: Path | None = None
    date: dt.date | None = None
    activity: tuple[ActivitySpec, ...] = ()
    vintage: str = DEFAULT_VINTAGE
    unsafe_counts: bool = False
    audience: str = "board"
    front: Front | None = None
    force: bool = False
