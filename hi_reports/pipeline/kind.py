"""What the editions of one kind share, worked out once for a batch: which organisations, their
profiles (with the geography's caches filled, so that forked workers share them), the digest of
every data file an edition reads, the book sources and the rendering engine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hi_reports.book.project import BookSources
from hi_reports.data import Reference, get_dataset
from hi_reports.data.loaders import data_dir, file_sha256, require_file
from hi_reports.data.reference import edition_datasets, other_vintage, other_vintage_files
from hi_reports.errors import GeographyError
from hi_reports.geography import (
    Organisation,
    check_kind,
    membership,
    organisations,
    resolve,
)
from hi_reports.render import get_engine

if TYPE_CHECKING:
    from hi_reports.indicators.profiles import Profiles


def select(
    reference: Reference, kind: str, codes: Sequence[str] | None
) -> tuple[list[Organisation], list[tuple[str, GeographyError]]]:
    """The organisations of ``kind`` (those of ``codes`` when given, once each, in the order
    given) and, for each code that names none, the code and why."""
    check_kind(kind)
    if codes is None:
        return list(organisations(reference, kind)), []
    chosen: dict[str, Organisation] = {}
    unknown = []
    for code in codes:
        try:
            org = resolve(reference, code, kind)
        except GeographyError as error:
            unknown.append((code, error))
            continue
        chosen.setdefault(org.code, org)
    return list(chosen.values()), unknown


def shared_profiles(reference: Reference, kind: str) -> Profiles:
    """The profiles of every organisation of ``kind`` (:func:`kind_profiles`), with the
    geography's per-reference caches filled: the organisations, their weights and the LSOA shapes
    and paths of the maps (of the other vintage too, which the vintage note reads)."""
    # imported on use: indicators, drawing and shapes are for a batch with editions to build,
    # and the batch plans (select, data_inputs, ...) before it knows whether it has any
    from hi_reports.draw.paths import lsoa_paths
    from hi_reports.geography.boundaries import lsoa_shapes
    from hi_reports.pipeline.context import kind_profiles

    profiles = kind_profiles(reference, kind)
    organisations(reference, "icb")
    organisations(reference, kind)
    membership(reference, kind)
    lsoa_paths(lsoa_shapes(reference))
    other = other_vintage(reference)
    if other is not None and kind not in ("england", "trust"):
        organisations(other, kind)
        membership(other, kind)
    return profiles


def data_inputs(reference: Reference, kind: str, *, activity_files: bool = False) -> dict[str, str]:
    """The sha256 of every data file an edition of ``kind`` reads, by catalogue name: the
    datasets of :func:`~hi_reports.data.reference.edition_datasets` (the reference's, those of
    the kind, the LSOA 2011 to 2021 lookup with ``activity_files``, the LSOA boundaries of the
    maps) and the other vintage's files (the note comparing the two reads them). Files the
    reference was not loaded from are hashed, not read, so that a batch with nothing to build
    stays fast.

    Raises
    ------
    DataError
        When a file the editions need is missing from the data folder.
    """
    folder = data_dir(reference.folder)
    hashes = {
        name: reference.sources[name].sha256
        if name in reference.sources
        else file_sha256(require_file(get_dataset(name), folder))
        for name in edition_datasets(reference, kind, activity_files=activity_files, maps=True)
    }
    hashes.update(
        {name: file_sha256(path) for name, path in (other_vintage_files(reference) or {}).items()}
    )
    return dict(sorted(hashes.items()))


def book_sources(book: Path | None) -> BookSources:
    """The book sources in ``book`` (the shipped ones when None), checked."""
    sources = BookSources(book) if book else BookSources()
    sources.check()
    return sources


def engine_name(engine: str | None) -> str:
    """The name of the engine ``engine`` resolves to (``None``: Quarto when installed)."""
    return get_engine(engine).name
