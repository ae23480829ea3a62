"""The data folder's registry: which file was fetched or added as each dataset, and its sha256.

``hi-reports-registry.txt`` in the data folder has one line per dataset, tab-separated: the
catalogue name, the file's sha256, the file relative to the folder and where it came from (a URL
or the path of a file added by hand); lines starting with ``#`` are comments.
:mod:`hi_reports.data.fetch` writes it; ``verify`` and ``data status`` check each file against it.
"""

from __future__ import annotations

import os
from pathlib import Path

from hi_reports.data.loaders import data_dir

__all__ = ["REGISTRY", "read_registry", "record"]

#: The registry's file name, in the data folder.
REGISTRY = "hi-reports-registry.txt"


def read_registry(root: str | os.PathLike[str] | None = None) -> dict[str, tuple[str, str, str]]:
    """The data folder's registry: dataset name -> (sha256, file relative to the folder, source).

    An absent registry is empty; malformed lines are skipped.
    """
    path = data_dir(root) / REGISTRY
    entries: dict[str, tuple[str, str, str]] = {}
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("#") or len(fields) != 4:
            continue
        entries[fields[0]] = (fields[1], fields[2], fields[3])
    return entries


def record(folder: Path, name: str, sha256: str, file: Path, source: str) -> None:
    """Record ``file`` (inside ``folder``) as dataset ``name`` with its ``sha256`` and ``source``,
    replacing the dataset's previous line; the registry is replaced atomically."""
    entries = read_registry(folder)
    entries[name] = (sha256, file.relative_to(folder).as_posix(), source)
    lines = [
        "# hi-reports registry: dataset, sha256, file, source (hi-reports data verify reads it)"
    ]
    lines += ["\t".join((key, *entry)) for key, entry in sorted(entries.items())]
    temp = folder / f".{REGISTRY}.tmp"
    temp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temp, folder / REGISTRY)
