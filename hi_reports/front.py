"""A board paper's front matter: the ``front:`` mapping of a book's ``_quarto.yml`` or of a
``--config`` file (classification, version, author, contact, purpose, logo)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hi_reports.errors import TemplateError

#: The keys of the ``front:`` mapping (a board paper's front matter), in the order the cover prints them.
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
        raise TemplateError(f"{where} must be a mapping with the keys {keys}", hint="e.g. front: {classification: OFFICIAL}")
    unknown = [str(k) for k in value if k not in FRONT_KEYS]
    if unknown:
        raise TemplateError(f"{where} has unknown key(s) {', '.join(unknown)}", hint=f"the keys are {keys}")
    fields: dict[str, str | None] = {}
    for key in FRONT_KEYS:
        item = value.get(key)
        if isinstance(item, (dict, list, bool)):
            raise TemplateError(f"{where}.{key} must be text, not {type(item).__name__}",
                              hint=f'e.g. {key}: "..." on one line')
        fields[key] = None if item is None or str(item).strip() == "" else str(item).strip()
    return Front(**fields)
