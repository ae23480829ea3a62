"""Edition manifests: what an edition was built from, so that an unchanged edition is not rebuilt.

Each edition folder holds a ``manifest.json``::

    {
      "schema": 1,
      "organisation": {"code": "QHL", "name": "NHS Birmingham and Solihull ...", "kind": "icb"},
      "inputs": {
        "package_version": "0.1.0",
        "options": {"formats": ["html", "pdf"], "engine": "builtin", "kind": "icb", "date": null},
        "data": {"imd2019": "<sha256>", ...},
        "book": {"_quarto.yml": "<sha256>", "chapters/imd.qmd": "<sha256>", ...},
        "activity": null
      },
      "inputs_digest": "<sha256 of the canonical JSON of inputs>",
      "outputs": {"html": "html/index.html", "pdf": "QHL.pdf", "annex": "annex.csv"},
      "built_at": "2026-11-25T10:00:00+00:00",
      "seconds": 2.1
    }

An edition is *current* when its manifest's ``inputs_digest`` equals the digest of the inputs a new
build would use and every output it lists exists. The inputs are shared by all editions of a batch
(data, book sources, package version, options) except ``activity``: a per-edition digest of
everything the edition prints or stores of the activity data (the files' sha256, columns and
period, their summaries of rows used and excluded, the organisation's figures and map; see
:func:`hi_reports.pipeline.activity_digest`), so that an edition is rebuilt whenever any of it
changes.

Examples
--------
>>> inputs = Inputs(package_version="0.1.0", options={"formats": ["html"]}, data={}, book={})
>>> len(inputs.digest())
64
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hi_reports.errors import HIReportsError
from hi_reports.pipeline import file_sha256

__all__ = [
    "INDEX_TEMPLATE",
    "MANIFEST_NAME",
    "SCHEMA",
    "Inputs",
    "Manifest",
    "book_digest",
    "file_sha256",
    "is_current",
    "read_manifest",
    "write_manifest",
]

#: The manifest's file name inside an edition folder.
MANIFEST_NAME = "manifest.json"
#: Version of the manifest layout; a manifest of another schema is never current.
SCHEMA = 1
#: The editions index template: a template of the batch, not of the editions, so not hashed.
INDEX_TEMPLATE = "editions-index.html.jinja"


def book_digest(
    root: Path, templates_exclude: tuple[str, ...] = (INDEX_TEMPLATE,)
) -> dict[str, str]:
    """Hash the book sources that shape every edition.

    Parameters
    ----------
    root
        The book sources folder (:attr:`hi_reports.book.project.BookSources.root`).
    templates_exclude
        Paths under ``templates/`` that do not shape an edition (the batch's index page).

    Returns
    -------
    dict
        ``{relative path: sha256}`` for ``_quarto.yml`` and every file under ``chapters/`` and
        ``templates/``, sorted by path. A missing part is simply absent (the build reports it).
    """
    root = Path(root)
    hashes: dict[str, str] = {}
    config = root / "_quarto.yml"
    if config.is_file():
        hashes["_quarto.yml"] = file_sha256(config)
    for sub in ("chapters", "templates"):
        folder = root / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            if sub == "templates" and path.relative_to(folder).as_posix() in templates_exclude:
                continue
            hashes[relative] = file_sha256(path)
    return dict(sorted(hashes.items()))


class ManifestError(HIReportsError):
    """A ``manifest.json`` of another schema, or missing a field: its edition is rebuilt."""


@dataclass(frozen=True)
class Inputs:
    """Everything an edition's content depends on.

    Attributes
    ----------
    package_version
        ``hi_reports.__version__``.
    options
        Build options that change the outputs: ``formats``, ``engine`` (resolved name), ``kind``,
        and ``date`` when one was asked for (an edition dated "today" is not rebuilt every day).
    data
        ``{dataset: sha256}`` of the reference data (:func:`hi_reports.pipeline.data_inputs`).
    book
        ``{path: sha256}`` of the book sources (:func:`book_digest`).
    activity
        A digest of what the edition prints or stores of the activity data, or None when the
        edition has none.
    """

    package_version: str
    options: dict[str, Any]
    data: dict[str, str]
    book: dict[str, str]
    activity: str | None = None

    def digest(self) -> str:
        """The sha256 of the inputs' canonical JSON (sorted keys, no whitespace)."""
        text = json.dumps(
            dataclasses.asdict(self), sort_keys=True, separators=(",", ":"), default=str
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def with_activity(self, activity: str | None) -> Inputs:
        """A copy with this edition's activity digest."""
        return dataclasses.replace(self, activity=activity)


@dataclass(frozen=True)
class Manifest:
    """What one edition was built from and what it holds.

    Attributes
    ----------
    code, name, kind
        The organisation.
    inputs
        The inputs of the build.
    outputs
        ``{format or "annex": path relative to the edition folder}``.
    built_at
        When the edition was built (ISO 8601, UTC).
    seconds
        How long the build took.
    """

    code: str
    name: str
    kind: str
    inputs: Inputs
    outputs: dict[str, str] = field(default_factory=dict)
    built_at: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The manifest as plain JSON data."""
        return {
            "schema": SCHEMA,
            "organisation": {"code": self.code, "name": self.name, "kind": self.kind},
            "inputs": dataclasses.asdict(self.inputs),
            "inputs_digest": self.inputs.digest(),
            "outputs": dict(self.outputs),
            "built_at": self.built_at
            or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """Read a manifest from JSON data.

        Raises
        ------
        ManifestError
            When the data are of another schema or lack a field.
        """
        if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
            schema = data.get("schema") if isinstance(data, Mapping) else None
            raise ManifestError(f"manifest schema {schema!r}, expected {SCHEMA}")
        try:
            org = data["organisation"]
            return cls(
                code=org["code"],
                name=org["name"],
                kind=org["kind"],
                inputs=Inputs(**data["inputs"]),
                outputs=dict(data.get("outputs", {})),
                built_at=data.get("built_at", ""),
                seconds=float(data.get("seconds", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as error:  # a field missing or of another type
            raise ManifestError(f"manifest field missing or malformed: {error}") from None


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write ``folder/manifest.json`` atomically (temporary file, then rename); return its path."""
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    handle, temporary = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(manifest.to_json(), stream, indent=2, sort_keys=False)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_manifest(folder: Path) -> Manifest | None:
    """Read ``folder/manifest.json``; None when it is missing, unreadable or of another schema."""
    path = Path(folder) / MANIFEST_NAME
    try:
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, ManifestError):
        return None


def is_current(folder: Path, inputs: Inputs) -> bool:
    """Whether the edition in ``folder`` was built from ``inputs`` and all its outputs exist.

    Parameters
    ----------
    folder
        The edition folder (``editions/<CODE>``).
    inputs
        The inputs a new build would use.
    """
    manifest = read_manifest(folder)
    if manifest is None or manifest.inputs.digest() != inputs.digest() or not manifest.outputs:
        return False
    return all((Path(folder) / relative).exists() for relative in manifest.outputs.values())
