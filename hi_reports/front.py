"""A board paper's front matter: the ``front:`` mapping of a book's ``_quarto.yml`` or of a
``--config`` file (classification, version, author, contact, purpose, logo)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hi_reports.errors import TemplateError

#: The keys of the ``front:`` mapping (a board paper's front matter), in the order the cover
#: prints them.
FRONT_KEYS = ("classification", "version", "author", "contact", "purpose", "logo")

#: The image files a logo may be.
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


@dataclass(frozen=True)
class Front:
    """A board paper's front matter: the top-level ``front:`` mapping of ``_quarto.yml``.

    Every field is optional. ``classification`` (e.g. ``OFFICIAL``) is printed on the cover and on
    every page; ``version``, ``author``, ``contact`` and ``purpose`` (e.g. "For information: the
    board is asked to note the report") on the cover and in the document's metadata; ``logo`` is an
    image file relative to the project, printed on the cover.
    """

    classification: str | None = None
    version: str | None = None
    author: str | None = None
    contact: str | None = None
    purpose: str | None = None
    logo: str | None = None


def read_front(value: Any, where: str) -> Front:
    """Check a ``front:`` mapping and return it as a :class:`Front`.

    Parameters
    ----------
    value
        The parsed YAML value (``None`` for no front matter).
    where
        What to name in an error, e.g. ``"edition.yml: front"``.

    Raises
    ------
    TemplateError
        When ``front:`` is not a mapping, has a key not in :data:`FRONT_KEYS`, or a value that is
        not text (a number such as ``version: 1.2`` is taken as text).
    """
    if value is None:
        return Front()
    keys = ", ".join(FRONT_KEYS)
    if not isinstance(value, dict):
        raise TemplateError(
            f"{where} must be a mapping with the keys {keys}",
            hint="e.g. front: {classification: OFFICIAL}",
        )
    unknown = [str(k) for k in value if k not in FRONT_KEYS]
    if unknown:
        raise TemplateError(
            f"{where} has unknown key(s) {', '.join(unknown)}", hint=f"the keys are {keys}"
        )
    fields: dict[str, str | None] = {}
    for key in FRONT_KEYS:
        item = value.get(key)
        if isinstance(item, (dict, list, bool)):
            raise TemplateError(
                f"{where}.{key} must be text, not {type(item).__name__}",
                hint=f'e.g. {key}: "..." on one line',
            )
        if isinstance(item, float):  # YAML reads version: 1.10 as the number 1.1
            raise TemplateError(
                f"{where}.{key} {item!r} was read as a number, which may lose digits",
                hint=f'put it in quotes: {key}: "{item}"',
            )
        fields[key] = None if item is None or str(item).strip() == "" else str(item).strip()
    return Front(**fields)


def logo_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a logo (missing, not an image of :data:`LOGO_SUFFIXES`, or a file
    that does not decode as its kind), or None when it can: checked before anything is built."""
    if path.suffix.lower() not in LOGO_SUFFIXES:
        return f"must be an image file ({', '.join(LOGO_SUFFIXES)})"
    if not path.is_file():
        return "not found"
    if path.suffix.lower() == ".svg":
        import xml.etree.ElementTree as ET  # imported on use: only an SVG logo needs it

        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            return f"is not a readable SVG file ({error})"
        return (
            None
            if root.tag.rsplit("}", 1)[-1] == "svg"
            else "is not an SVG image (its root is not <svg>)"
        )
    from PIL import Image, UnidentifiedImageError  # imported on use: only a logo needs Pillow

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        return f"is not a readable {path.suffix.lower().lstrip('.').upper()} image ({error})"
    return None
