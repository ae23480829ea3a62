"""Organisations: the 42 ICBs, codes resolved either way, unknown codes with suggestions."""

from __future__ import annotations

import pandas as pd
import pytest

from hi_reports.errors import GeographyError
from hi_reports.geography import membership, organisations, resolve


def test_42_icbs_with_both_codes(reference, data_dir) -> None:
    icbs = organisations(reference, "icb")
    assert len(icbs) == 42
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    expected = set(
        zip(lookup["icb22_code"], lookup["icb22_code_h"], lookup["icb22_name"], strict=True)
    )
    assert {(o.ons_code, o.ods_code, o.name) for o in icbs} == expected


@pytest.mark.parametrize("code", ["QHL", "qhl", "E54000055", "e54000055", " QHL "])
def test_resolve_either_code_any_case(reference, code: str) -> None:
    org = resolve(reference, code)
    assert (org.ods_code, org.ons_code) == ("QHL", "E54000055")
    assert org.name == "NHS Birmingham and Solihull Integrated Care Board"
    assert org.short_name == "Birmingham and Solihull"


def test_unknown_code_suggests_closest(reference) -> None:
    with pytest.raises(
        GeographyError,
        match=r"unknown organisation code 'QHLL'.*did you mean .*QHL \(NHS Birmingham",
    ) as caught:
        resolve(reference, "QHLL")
    assert caught.value.option == "org" and "--" not in str(caught.value)


def test_unknown_kind_lists_valid_kinds(reference) -> None:
    with pytest.raises(
        GeographyError, match="valid kinds: england, icb, sub-icb, la, trust"
    ) as caught:
        organisations(reference, "hospital")
    assert caught.value.option == "kind"


def test_membership_covers_every_lsoa_once(reference) -> None:
    weights = membership(reference, "icb")
    assert len(weights) == len(reference.lsoas)
    assert weights["lsoa_code"].is_unique
    assert (weights["weight"] == 1.0).all()
    assert weights["org"].nunique() == 42
