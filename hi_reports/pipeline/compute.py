"""An edition outside a build: what ``hi_reports.edition(org)`` returns in plain Python, Jupyter
or a chapter run by ``quarto render -P org:QHL``."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from hi_reports.api import Edition, building
from hi_reports.data import DEFAULT_VINTAGE, load_reference
from hi_reports.geography import resolve
from hi_reports.pipeline.context import chapter_context, kind_profiles


def edition(
    org: str,
    kind: str | None = None,
    vintage: str | int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Edition:
    """The edition of ``org`` (an ODS or ONS code, or ``england``).

    Within an ``hi-reports build`` this is the edition being built, already computed. Elsewhere the
    reference data of ``vintage`` (the default vintage when None) are loaded from ``data_dir`` (see
    :func:`hi_reports.data.data_dir`) and the edition is computed, its charts drawn into a
    temporary folder that lives as long as the Edition (``ed.figure`` copies a chart into
    ``figures/`` of the current folder, as Quarto expects a chapter's figures beside it).

    Raises
    ------
    APIError
        Within a build, for an organisation other than the one being built.
    """
    current = building(org, kind, vintage)
    if current is not None:
        return current
    reference = load_reference(data_dir, str(vintage) if vintage is not None else DEFAULT_VINTAGE)
    organisation = resolve(reference, str(org), kind)
    scratch = tempfile.TemporaryDirectory(prefix="hi-reports-figures-")  # removed with the Edition
    context = chapter_context(
        organisation,
        reference,
        kind_profiles(reference, organisation.kind),
        date=dt.date.today(),
        figures_dir=Path(scratch.name),
    )
    return Edition(organisation, reference, context, drawn=Path(scratch.name), _scratch=scratch)
