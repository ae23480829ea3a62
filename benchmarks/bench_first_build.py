"""The quick start's first build: an empty data folder, no mirror, every dataset from its publisher.

The publishers are stood in for on 127.0.0.1 by ``tests/publishers.py`` (this machine reaches no
publisher), so the figures are the time hi_reports spends on each dataset (paging a feature
service, reading a workbook, parsing, checking and caching) without the time the network takes.
Then the build itself, and a second build that reads the data folder and the cache.

    python benchmarks/bench_first_build.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

from hi_reports.cli.main import main
from hi_reports.data import CATALOGUE, get_dataset
from hi_reports.data.fetch import fetch
from hi_reports.data.loaders import find_file
from hi_reports.data.vintage import V2019

# The stand-in publishers live in the test suite, which is not installed: import it from the clone.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.publishers import ons_service, serve  # noqa: E402
from tests.test_publishers import ARCGIS, _publisher_workbooks, service_name  # noqa: E402


def run(data: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch, serve() as publishers:
        os.environ["HI_REPORTS_CACHE"] = str(Path(scratch) / "cache")
        os.environ.pop("HI_REPORTS_MIRROR", None)
        for name in ARCGIS:
            dataset = get_dataset(name)
            service = ons_service(
                name, find_file(dataset, data), 2 if dataset.collapse_repeats else 1
            )
            publishers.services[service_name(dataset.download_url)] = service
        for name, dataset in list(CATALOGUE.items()):
            if dataset.download_url:
                CATALOGUE[name] = dataclasses.replace(
                    dataset, download_url=publishers.local(dataset.download_url)
                )
        _publisher_workbooks(publishers, data)
        folder = Path(scratch) / "data"
        print(f"{'dataset':22} {'seconds':>8}  rows")
        total = 0.0
        for name in V2019.required:
            started = time.perf_counter()
            fetched = fetch(name, folder, progress=False)
            took = time.perf_counter() - started
            total += took
            print(f"{name:22} {took:8.1f}  {fetched.rows:,}")
        print(f"{'all, fetched':22} {total:8.1f}")
        for label in ("first build", "second build"):
            out = Path(scratch) / label.replace(" ", "_")
            started = time.perf_counter()
            assert (
                main(
                    [
                        "build",
                        "--org",
                        "QHL",
                        "--data-dir",
                        str(folder),
                        "--out",
                        str(out),
                        "--format",
                        "html,pdf",
                        "--engine",
                        "builtin",
                        "--quiet",
                    ]
                )
                == 0
            )
            print(f"{label + ' (HTML, PDF)':22} {time.perf_counter() - started:8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    run(parser.parse_args().data)
