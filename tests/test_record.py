"""Typed figures read by attribute and by key (hi_reports.indicators.record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from hi_reports.indicators.record import Record, as_dict


@dataclass(frozen=True)
class Share(Record):
    share: float
    parent_share: float | None = None


@dataclass(frozen=True)
class Chapter(Record):
    core20: Share
    quintiles: tuple[Share, ...] = ()


def test_a_record_reads_as_attributes_and_as_the_dict_it_replaces() -> None:
    chapter = Chapter(Share(0.25), (Share(0.1, 0.2),))
    assert chapter.core20.share == chapter["core20"]["share"] == 0.25
    # a field holding None is a figure the edition lacks: absent from the mapping, as in the dict
    assert chapter.core20.parent_share is None
    assert "parent_share" not in chapter.core20 and "share" in chapter.core20
    assert chapter.core20.get("parent_share", "none") == "none"
    with pytest.raises(KeyError, match="parent_share"):
        chapter.core20["parent_share"]
    with pytest.raises(KeyError, match="nothing"):
        chapter["nothing"]
    assert list(chapter.quintiles[0]) == ["share", "parent_share"]
    assert dict(chapter.core20) == {"share": 0.25}
    assert as_dict(chapter) == {
        "core20": {"share": 0.25},
        "quintiles": ({"share": 0.1, "parent_share": 0.2},),
    }
    assert chapter == Chapter(Share(0.25), (Share(0.1, 0.2),)) and hash(chapter)


def test_a_field_may_not_hide_a_mapping_method() -> None:
    @dataclass(frozen=True)
    class Spread(Record):
        values: tuple[float, ...]

    with pytest.raises(TypeError, match="may not be called values"):
        Spread((1.0,))["values"]


@dataclass(frozen=True)
class Ages(Record):
    KEYS: ClassVar[dict[str, str]] = {"aged_65_plus": "65+", "by_organisation": "values"}
    aged_65_plus: float
    by_organisation: tuple[float, ...] = ()
    note: str | None = None


def test_a_field_keeps_a_key_that_is_no_python_name_or_a_mapping_method() -> None:
    ages = Ages(0.2, (1.0, 2.0))
    assert ages.aged_65_plus == ages["65+"] == 0.2 and ages["values"] == (1.0, 2.0)
    assert list(ages) == ["65+", "values"] and "65+" in ages and "aged_65_plus" not in ages
    assert ages.get("aged_65_plus") is None and ages.get("note", "none") == "none"
    assert as_dict(ages) == {"65+": 0.2, "values": (1.0, 2.0)}
    assert list(ages.values()) == [0.2, (1.0, 2.0)]  # the mapping method, never hidden
    with pytest.raises(KeyError):
        ages["aged_65_plus"]


def test_keys_must_name_fields_of_the_record() -> None:
    @dataclass(frozen=True)
    class Wrong(Record):
        KEYS: ClassVar[dict[str, str]] = {"missing": "x"}
        share: float

    @dataclass(frozen=True)
    class Shared(Record):
        KEYS: ClassVar[dict[str, str]] = {"share": "other"}
        share: float
        other: float

    with pytest.raises(TypeError, match="missing"):
        Wrong(1.0)["share"]
    with pytest.raises(TypeError, match="share a key"):
        Shared(1.0, 2.0)["other"]


def test_an_unknown_name_says_which_figures_there_are() -> None:
    with pytest.raises(AttributeError, match="no figure 'core_20': there are core20, quintiles"):
        _ = Chapter(Share(0.25)).core_20  # type: ignore[attr-defined]
    assert not hasattr(Share(0.25), "rank") and getattr(Share(0.25), "rank", None) is None
