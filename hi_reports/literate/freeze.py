"""Executed chapters kept and reused, as Quarto's ``freeze: auto`` keeps them.

A chapter's result (its markdown, its figures and the numbers it recorded) is stored under a key of
everything it was computed from: its source text, its parameters, and a digest of the rest (the
data, the package, the files of the book project a chapter may read: the caller's). When none of
these changed, the next build takes the result instead of running the cells again, so that a batch
after one chapter changed runs only that chapter for each organisation.

The store is a folder of JSON files (figures base64-encoded); each is written whole or not at all,
and a damaged or unwritable store costs only time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hi_reports.errors import HIReportsWarning


@dataclass(frozen=True)
class Frozen:
    """A chapter's result: its markdown, its figures (file name to PNG) and its annex rows."""

    markdown: str
    figures: dict[str, bytes] = field(default_factory=dict)
    numbers: list[dict[str, Any]] = field(default_factory=list)


def freeze_key(source: Path, text: str, parameters: Mapping[str, Any], context: str) -> str:
    """The key of a chapter's result: its file name, its text, its parameters and ``context``
    (the digest of everything else it may read: the data, the package, the project's files)."""
    digest = hashlib.sha256()
    for part in (source.name, text, json.dumps(dict(parameters), sort_keys=True, default=str)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    digest.update(context.encode("utf-8"))
    return digest.hexdigest()


class Freezer:
    """The store of executed chapters in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Frozen | None:
        """The result stored under ``key``, or None."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return Frozen(
                data["markdown"],
                {name: base64.b64decode(png) for name, png in data["figures"].items()},
                data["numbers"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, frozen: Frozen) -> None:
        """Store ``frozen`` under ``key`` (atomically; a failure only warns)."""
        data = {
            "markdown": frozen.markdown,
            "figures": {
                name: base64.b64encode(png).decode("ascii") for name, png in frozen.figures.items()
            },
            "numbers": frozen.numbers,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=self.folder, suffix=".tmp", delete=False, encoding="utf-8"
            ) as handle:
                json.dump(data, handle)
            os.replace(handle.name, self.folder / f"{key}.json")
        except OSError as error:
            warnings.warn(
                f"cannot keep an executed chapter in {self.folder} ({error})",
                HIReportsWarning,
                stacklevel=2,
            )


__all__ = ["Freezer", "Frozen", "freeze_key"]
