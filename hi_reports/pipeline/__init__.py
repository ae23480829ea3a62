"""The pipeline of one edition: the API the CLI, the batch and the literate chapters call.

- :class:`EditionRequest` says what to build and :func:`build_edition` builds it (context, then the
  literate chapters, then the book project, then the renderer) and moves it into place whole;
- :func:`edition` is the edition a chapter, a notebook or a script reads
  (``hi_reports.edition(org)``);
- :class:`ActivitySpec`, :func:`check_activity_specs`, :func:`prepare_activity` and
  :func:`activity_digest` read the organisation's own activity data once per kind;
- :func:`kind_profiles`, :func:`chapter_context` and :func:`data_inputs` are what a batch shares
  between the editions of a kind.
"""

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
from hi_reports.pipeline.context import chapter_context, coverage, kind_profiles
from hi_reports.pipeline.request import EditionRequest

__all__ = [
    "MEASURE_MAX",
    "ActivitySpec",
    "BuiltEdition",
    "EditionRequest",
    "PreparedActivity",
    "activity_digest",
    "build_edition",
    "chapter_context",
    "check_activity_specs",
    "coverage",
    "edition",
    "kind_profiles",
    "literate",
    "measures",
    "prepare_activity",
    "unsafe_specs",
]
