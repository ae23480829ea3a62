"""Typed figures that a chapter reads by attribute or by key.

A chapter's figures are frozen dataclasses deriving from :class:`Record`, so that the type checker
knows every name (``ed.imd.core20.share``) and a chapter written against the older nested dicts
(``ed.imd["core20"]["share"]``, ``ed.imd.get("parent_share")``, ``"parent_share" in ed.imd``)
keeps working. A field holding ``None`` is a figure the edition does not have (a parent ICB's share
in an ICB edition): as an attribute it reads as ``None``; as a mapping the record leaves it out
(``get`` gives the default, ``record[name]`` raises KeyError), as the dict did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any


class Record(Mapping[str, Any]):
    """Base of the chapters' figure dataclasses: a read-only mapping of the fields that are set.

    Subclasses are ``@dataclass(frozen=True)``. ``record["name"]`` is ``record.name``; iteration,
    ``len``, ``in``, ``keys()`` and ``items()`` see the fields whose value is not None. No field
    may be called ``get``, ``items``, ``keys`` or ``values`` (it would hide the mapping's method):
    reading such a record raises TypeError.
    """

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key) if key in _field_names(type(self)) else None
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name in _field_names(type(self)) if getattr(self, name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return key in _field_names(type(self)) and getattr(self, str(key)) is not None

    # A dataclass's own __eq__ and __hash__ win over Mapping's (the dataclass decorator writes
    # them into the subclass), so two records compare field by field.


_NAMES: dict[type, dict[str, None]] = {}
#: The mapping methods a field would hide.
_RESERVED = frozenset({"get", "items", "keys", "values"})


def _field_names(cls: type) -> dict[str, None]:
    """The fields of the dataclass ``cls`` in their order (a dict, for ordered membership)."""
    names = _NAMES.get(cls)
    if names is None:
        names = dict.fromkeys(f.name for f in dataclasses.fields(cls))
        clash = sorted(_RESERVED.intersection(names))
        if clash:
            raise TypeError(
                f"{cls.__name__}: a figure may not be called {', '.join(clash)} (a mapping method)"
            )
        _NAMES[cls] = names
    return names


def as_dict(value: Any) -> Any:
    """``value`` with every record (at any depth, in lists and tuples too) turned into a plain
    dict of its set fields: for JSON, YAML and code that wants plain data."""
    if isinstance(value, Record):
        return {name: as_dict(value[name]) for name in value}
    if isinstance(value, dict):
        return {key: as_dict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(as_dict(item) for item in value)
    return value
