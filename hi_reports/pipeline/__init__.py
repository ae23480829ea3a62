"""The pipeline of one edition: the API the CLI, the batch and the literate chapters call.

- :class:`EditionRequest` says what to build and :func:`build_edition` builds it (context, then the
  literate chapters, then the book project, then the renderer) and moves it into place whole, in
  two steps where they are wanted apart (:func:`stage_edition`, :meth:`StagedEdition.finish`);
  :func:`warm_up` readies a process (a batch worker) to build editions;
- :func:`edition` is the edition a chapter, a notebook or a script reads
  (``hi_reports.edition(org)``);
- :class:`ActivitySpec`, :func:`check_activity_specs`, :func:`prepare_activity` and
  :func:`activity_digest` read the organisation's own activity data once per kind;
- :func:`select`, :func:`shared_profiles`, :func:`data_inputs`, :func:`book_sources`,
  :func:`book_inputs` and :func:`engine_name` are what a batch works out once for the editions of
  a kind;
- the types these take and give (:class:`Reference`, :class:`Organisation`, :class:`Profiles`,
  :class:`BookSources`, the output :data:`Format` and :data:`FORMATS`), :func:`load_reference`
  and :func:`file_sha256` are re-exported, so that the batch and the CLI need no stage below
  this one.

Each name is loaded from its module on first use (PEP 562): ``from hi_reports.pipeline import
select`` imports :mod:`hi_reports.pipeline.kind` and the stages it needs, not the whole pipeline,
so that a batch with nothing to build never loads the stages that draw, weave and render.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hi_reports.api import ChapterContext
    from hi_reports.book.project import BookSources
    from hi_reports.data import DEFAULT_VINTAGE, Reference, load_reference
    from hi_reports.data.loaders import file_sha256
    from hi_reports.geography import Organisation, check_kind
    from hi_reports.indicators.profiles import Profiles
    from hi_reports.phrases import coverage
    from hi_reports.pipeline.activity import (
        MEASURE_MAX,
        ActivitySpec,
        PreparedActivity,
        activity_digest,
        check_activity_specs,
        measures,
        prepare_activity,
        unsafe_specs,
    )
    from hi_reports.pipeline.build import (
        BuiltEdition,
        StagedEdition,
        build_edition,
        stage_edition,
        warm_up,
    )
    from hi_reports.pipeline.chapters import book_inputs, literate
    from hi_reports.pipeline.compute import edition
    from hi_reports.pipeline.context import chapter_context, kind_profiles
    from hi_reports.pipeline.kind import (
        book_sources,
        data_inputs,
        engine_name,
        select,
        shared_profiles,
    )
    from hi_reports.pipeline.request import EditionRequest
    from hi_reports.render.base import FORMATS, Format

#: Each name of the API and the module it is loaded from on first use.
_HOMES: dict[str, str] = {
    "ChapterContext": "hi_reports.api",
    "BookSources": "hi_reports.book.project",
    "DEFAULT_VINTAGE": "hi_reports.data",
    "Reference": "hi_reports.data",
    "load_reference": "hi_reports.data",
    "file_sha256": "hi_reports.data.loaders",
    "Organisation": "hi_reports.geography",
    "check_kind": "hi_reports.geography",
    "Profiles": "hi_reports.indicators.profiles",
    "coverage": "hi_reports.phrases",
    "MEASURE_MAX": "hi_reports.pipeline.activity",
    "ActivitySpec": "hi_reports.pipeline.activity",
    "PreparedActivity": "hi_reports.pipeline.activity",
    "activity_digest": "hi_reports.pipeline.activity",
    "check_activity_specs": "hi_reports.pipeline.activity",
    "measures": "hi_reports.pipeline.activity",
    "prepare_activity": "hi_reports.pipeline.activity",
    "unsafe_specs": "hi_reports.pipeline.activity",
    "BuiltEdition": "hi_reports.pipeline.build",
    "build_edition": "hi_reports.pipeline.build",
    "StagedEdition": "hi_reports.pipeline.build",
    "stage_edition": "hi_reports.pipeline.build",
    "warm_up": "hi_reports.pipeline.build",
    "book_inputs": "hi_reports.pipeline.chapters",
    "literate": "hi_reports.pipeline.chapters",
    "edition": "hi_reports.pipeline.compute",
    "chapter_context": "hi_reports.pipeline.context",
    "kind_profiles": "hi_reports.pipeline.context",
    "book_sources": "hi_reports.pipeline.kind",
    "data_inputs": "hi_reports.pipeline.kind",
    "engine_name": "hi_reports.pipeline.kind",
    "select": "hi_reports.pipeline.kind",
    "shared_profiles": "hi_reports.pipeline.kind",
    "EditionRequest": "hi_reports.pipeline.request",
    "FORMATS": "hi_reports.render.base",
    "Format": "hi_reports.render.base",
}


def __getattr__(name: str) -> Any:
    """Load ``name`` from its module on first use (PEP 562), and keep it."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, those not loaded yet included."""
    return sorted({*globals(), *_HOMES})


__all__ = [
    "DEFAULT_VINTAGE",
    "FORMATS",
    "MEASURE_MAX",
    "ActivitySpec",
    "BookSources",
    "BuiltEdition",
    "ChapterContext",
    "EditionRequest",
    "Format",
    "Organisation",
    "PreparedActivity",
    "Profiles",
    "Reference",
    "StagedEdition",
    "activity_digest",
    "book_inputs",
    "book_sources",
    "build_edition",
    "chapter_context",
    "check_activity_specs",
    "check_kind",
    "coverage",
    "data_inputs",
    "edition",
    "engine_name",
    "file_sha256",
    "kind_profiles",
    "literate",
    "load_reference",
    "measures",
    "prepare_activity",
    "select",
    "shared_profiles",
    "stage_edition",
    "unsafe_specs",
    "warm_up",
]
