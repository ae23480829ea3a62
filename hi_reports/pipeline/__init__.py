"""The pipeline of one edition: the API the CLI, the batch and the literate chapters call.

- :class:`EditionRequest` says what to build and :func:`build_edition` builds it (context, then the
  literate chapters, then the book project, then the renderer) and moves it into place whole;
- :func:`edition` is the edition a chapter, a notebook or a script reads
  (``hi_reports.edition(org)``);
- :class:`ActivitySpec`, :func:`check_activity_specs`, :func:`prepare_activity` and
  :func:`activity_digest` read the organisation's own activity data once per kind;
- :func:`select`, :func:`shared_profiles`, :func:`data_inputs`, :func:`book_sources` and
  :func:`engine_name` are what a batch works out once for the editions of a kind;
- the types these take and give (:class:`Reference`, :class:`Organisation`, :class:`Profiles`,
  :class:`BookSources`, the output :data:`Format` and :data:`FORMATS`), :func:`load_reference`
  and :func:`file_sha256` are re-exported, so that the batch and the CLI need no stage below
  this one.
"""

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
from hi_reports.pipeline.build import BuiltEdition, build_edition
from hi_reports.pipeline.chapters import literate
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
    "activity_digest",
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
    "unsafe_specs",
]
