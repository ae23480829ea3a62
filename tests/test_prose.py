"""Every organisation that `orgs` lists, of every kind and both vintages, builds, and no page of
its edition breaks a rule of :mod:`tests.prose` (literal markdown, n/a beside a claim, a negative
"fewer", "-0.0", a plural after 1, a label of the other vintage...).

The editions are built as HTML only, in the batch's process pool: about 1,200 editions.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from hi_reports.batch import BatchRequest, build_batch
from hi_reports.data import load_reference
from hi_reports.geography import KINDS, organisations

from .prose import problems

pytestmark = [pytest.mark.slow, pytest.mark.prose]

CASES = [(vintage, kind) for vintage in ("2019", "2025") for kind in KINDS]


@pytest.fixture(scope="module")
def references(data_dir: Path) -> dict[str, object]:
    return {vintage: load_reference(data_dir, vintage) for vintage in ("2019", "2025")}


@pytest.mark.parametrize(("vintage", "kind"), CASES, ids=[f"{v}-{k}" for v, k in CASES])
def test_every_edition_builds_and_reads_true(vintage: str, kind: str, references, tmp_path: Path) -> None:
    reference = references[vintage]
    listed = organisations(reference, kind)
    if not listed:
        pytest.skip(f"vintage {vintage} has no organisations of kind {kind}")
    result = build_batch(
        BatchRequest(out=tmp_path, kind=kind, formats=("html",), engine="builtin", vintage=vintage,
                     jobs=os.cpu_count(), date=dt.date(2026, 12, 1)),
        reference=reference,
    )
    assert [o.reason for o in result.failed] == [] and len(result.built) == len(listed)
    found = [f"{o.code} {problem}" for o in result.built for problem in problems(tmp_path / o.code, vintage)]
    assert found == [], f"{len(found)} problems, the first: " + "\n".join(found[:20])
