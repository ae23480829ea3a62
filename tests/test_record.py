"""Typed figures read by attribute and by key (hi_reports.indicators.record)."""

from __future__ import annotations

from dataclasses import dataclass

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
