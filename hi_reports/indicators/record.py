"""Typed figures that a chapter reads by attribute or by key.

A chapter's figures are frozen dataclasses deriving from :class:`Record`, so that the type checker
knows every name (``ed.imd.core20.share``) and a chapter written against the older nested dicts
(``ed.imd["core20"]["share"]``, ``ed.imd.get("parent_share")``, ``"parent_share" in ed.imd``)
keeps working. A field holding ``None`` is a figure the edition does not have (a parent ICB's share
in an ICB edition): as an attribute it reads as ``None``; as a mapping the record leaves it out
(``get`` gives the default, ``record[name]`` raises KeyError), as the dict did. A field whose dict
key was no Python name (``"65+"``), or the name of a mapping method (``"values"``), keeps that key
in the mapping view (:attr:`Record.KEYS`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar


class Record(Mapping[str, Any]):
    """Base of the chapters' figure dataclasses: a read-only mapping of the fields that are set.

    Subclasses are ``@dataclass(frozen=True)``. ``record["name"]`` is ``record.name``; iteration,
    ``len``, ``in``, ``keys()`` and ``items()`` see the fields whose value is not None. No field
    may be called ``get``, ``items``, ``keys`` or ``values`` (it would hide the mapping's method):
    reading such a record raises TypeError.
    """

    __slots__ = ()

    #: The fields the mapping view reads under another key, field name to key: a key that is no
    #: Python name (``{"aged_65_plus": "65+"}``) or a mapping method's name (``"values"``).
    KEYS: ClassVar[Mapping[str, str]] = {}

    def __getitem__(self, key: str) -> Any:
        name = _field_names(type(self), self.KEYS).get(key) if isinstance(key, str) else None
        value = None if name is None else getattr(self, name)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        names = _field_names(type(self), self.KEYS)
        return (key for key, name in names.items() if getattr(self, name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        name = _field_names(type(self), self.KEYS).get(key) if isinstance(key, str) else None
        return name is not None and getattr(self, name) is not None

    if not TYPE_CHECKING:  # at run time only: the type checker keeps refusing an unknown name

        def __getattr__(self, name: str) -> Any:
            """A name that is no field: an AttributeError naming the fields there are."""
            if name.startswith("__"):
                raise AttributeError(name)
            fields = ", ".join(_field_names(type(self), self.KEYS).values())
            raise AttributeError(f"no figure {name!r}: there are {fields or 'none'}")

    # A dataclass's own __eq__ and __hash__ win over Mapping's (the dataclass decorator writes
    # them into the subclass), so two records compare field by field.


_NAMES: dict[type, dict[str, str]] = {}
#: The mapping methods a field would hide.
_RESERVED = frozenset({"get", "items", "keys", "values"})


def _field_names(cls: type, keys: Mapping[str, str]) -> dict[str, str]:
    """The keys of the record class ``cls`` (its fields, but those ``keys`` gives keys of their
    own) and the field each reads, in the fields' order."""
    names = _NAMES.get(cls)
    if names is None:
        fields = [f.name for f in dataclasses.fields(cls)]
        clash = sorted(_RESERVED.intersection(fields))
        if clash:
            raise TypeError(
                f"{cls.__name__}: a figure may not be called {', '.join(clash)} (a mapping method)"
            )
        unknown = sorted(set(keys).difference(fields))
        names = {keys.get(name, name): name for name in fields}
        if unknown or len(names) < len(fields):
            raise TypeError(
                f"{cls.__name__}: KEYS must give fields of the record keys of their own "
                f"({', '.join(unknown) or 'two fields share a key'})"
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
