"""Batch editions: every organisation of a kind, in parallel, incremental.

:func:`build_batch` loads the reference data once, computes the profiles of every organisation of
the kind once (vectorised), and builds the editions whose inputs changed in a process pool whose
workers receive the data once each. Every edition records a ``manifest.json``
(:mod:`hi_reports.batch.manifest`); an unchanged edition is skipped. One organisation's failure is
reported with its code and reason and does not stop the others. ``editions/index.html`` links
every edition with its headline numbers.

Examples
--------
>>> from hi_reports.batch import BatchRequest, build_batch
>>> result = build_batch(BatchRequest(out=Path("editions"), kind="icb"))  # doctest: +SKIP
>>> result.ok, len(result.built), len(result.unchanged)  # doctest: +SKIP
(True, 42, 0)
"""

from hi_reports.batch.build import BatchRequest, BatchResult, Outcome, build_batch, clean_staging
from hi_reports.batch.index import headline_numbers, write_index

__all__ = [
    "BatchRequest",
    "BatchResult",
    "Outcome",
    "build_batch",
    "clean_staging",
    "headline_numbers",
    "write_index",
]
