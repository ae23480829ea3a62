"""Every organisation that `orgs` lists, of every kind and both vintages, builds, and no page of
its edition breaks a rule of :mod:`tests.prose` (literal markdown, n/a beside a claim, a negative
"fewer", "-0.0", a plural after 1, a label of the other vintage...).

The editions are built as HTML only, in the batch's process pool: every ICB and England, and of
the other kinds every 25th organisation and the edge cases (``HI_REPORTS_PROSE_STRIDE=1`` builds
all of them, about 1,200 editions). The 42 ICBs of the default vintage are the README's
``--kind icb --all`` command, checked in tests/test_front_door.py.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from hi_reports.batch import BatchRequest, build_batch
from hi_reports.data import load_reference
from hi_reports.geography import KINDS, organisations

from .prose import assert_true_prose

pytestmark = [pytest.mark.slow, pytest.mark.prose]

#: The organisations that showed false sentences, always built: City of London and the Isles of
#: Scilly (tiny), Birmingham (all urban), Chichester (a parent ICB with 94.5%), the specialist
#: trusts RET and RBV, and Barts (a catchment over 23 ICBs).
EDGES = {"E09000001", "E06000053", "E08000025", "E07000225", "RET", "RBV", "R1H", "QHL"}
#: Every organisation of the kinds with many (sub-ICBs, local authorities, trusts) is built when
#: this is 1; by default every 25th and the edge cases, to keep CI under 20 minutes. The whole set
#: (about 1,200 editions, 20 minutes on 2 cores) is run by hand: HI_REPORTS_PROSE_STRIDE=1 pytest
#: tests/test_prose.py.
STRIDE = int(os.environ.get("HI_REPORTS_PROSE_STRIDE", "25"))
#: Every kind on both vintages, but for the ICBs of the default vintage: the README's
#: ``hi-reports build --kind icb --all`` builds those 42 editions and checks them with the same
#: rules (tests/test_front_door.py), so they are built here only in the by-hand run of them all.
CASES = [
    (vintage, kind)
    for vintage in ("2019", "2025")
    for kind in KINDS
    if STRIDE == 1 or (vintage, kind) != ("2019", "icb")
]


@pytest.fixture(scope="module")
def references(data_dir: Path) -> dict[str, object]:
    return {vintage: load_reference(data_dir, vintage) for vintage in ("2019", "2025")}


@pytest.mark.parametrize(("vintage", "kind"), CASES, ids=[f"{v}-{k}" for v, k in CASES])
def test_every_edition_builds_and_reads_true(
    vintage: str, kind: str, references, tmp_path: Path
) -> None:
    reference = references[vintage]
    listed = organisations(reference, kind)
    if not listed:
        pytest.skip(f"vintage {vintage} has no organisations of kind {kind}")
    chosen = (
        listed
        if kind in ("england", "icb")
        else [org for i, org in enumerate(listed) if i % STRIDE == 0 or org.code in EDGES]
    )
    result = build_batch(
        BatchRequest(
            out=tmp_path,
            kind=kind,
            codes=[org.code for org in chosen],
            formats=("html",),
            engine="builtin",
            vintage=vintage,
            jobs=os.cpu_count(),
            date=dt.date(2026, 12, 1),
        ),
        reference=reference,
    )
    assert [o.reason for o in result.failed] == [] and len(result.built) == len(chosen)
    assert_true_prose(tmp_path, [o.code for o in result.built], vintage)
