"""Automated checks of an edition's prose: what no sentence of any edition may print.

Each check reads the text of an HTML page, as a reader sees it, and returns the phrases that break a
rule. They hold for every organisation of every kind and both vintages (``tests/test_prose.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

#: (rule, pattern): a match anywhere in a page's text breaks the rule.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("literal markdown", re.compile(r"(^|\s)#{2,6}\s|\{#|\*\*|\{\{|\{%")),
    (
        "n/a beside a claim",
        re.compile(
            r"n/a[^.]{0,80}(significant|times|higher|lower)|"
            r"(significant|times as high)[^.]{0,40}n/a|n/a of residents"
        ),
    ),
    ("n/a to n/a", re.compile(r"n/a to n/a")),
    ("a negative 'fewer' or 'more'", re.compile(r"-[\d,.]+ (fewer|more)\b")),
    ("minus zero", re.compile(r"(?<![\w.])-0\.0+(?!\d*[1-9])\b")),
    (
        "a plural after 1",
        re.compile(
            r"\b(?<![.,\d])1 (neighbourhoods|LSOAs|ICBs|authorities|districts|trusts|"
            r"organisations|quintiles|classes)\b"
        ),
    ),
    ("a ratio below one as 'times'", re.compile(r"\b0\.\d+ times\b")),
    ("an acronym lower-cased", re.compile(r"\b[a-z]&[A-Z]")),
    ("the analyst's command in the book", re.compile(r"--activity FILE|--measure NAME")),
)

#: Labels of one vintage that must not appear in an edition of the other (outside the box that
#: compares the two vintages, which names both).
OTHER_VINTAGE = {
    "2019": ("National IMD 2025 decile", "RUC 2021,", "six Rural-Urban", "IoD2025"),
    "2025": ("National IMD 2019 decile", "RUC 2011,", "eight Rural-Urban", "IoD2019"),
}


def page_text(path: Path, tables: bool = True) -> str:
    """The text of an HTML page as a reader sees it, with the alt text of its figures (no
    navigation or code, and none of the box comparing the two vintages); without its tables
    (the lists of sources name both vintages) when ``tables`` is False."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(
        ["script", "style", "code", "pre", "nav"] + ([] if tables else ["table"])
    ):
        tag.decompose()
    for box in soup.find_all(class_=re.compile("callout")):
        if "IMD 2019 and IMD 2025" in box.get_text(" "):
            box.decompose()
    for image in soup.find_all("img"):
        image.replace_with(f" {image.get('alt', '')} ")
    return " ".join(soup.get_text(" ").split())


def problems(edition: Path, vintage: str) -> list[str]:
    """Every rule the edition's HTML pages break: ``"imd.html: rule: ...the phrase..."``."""
    found = []
    pages = sorted((edition / "html").glob("*.html"))
    if not pages:
        return [f"{edition.name}: no HTML pages"]
    for page in pages:
        text = page_text(page)
        for rule, pattern in RULES:
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 60) : match.end() + 40]
                found.append(f"{page.name}: {rule}: ...{around}...")
        prose = page_text(page, tables=False)
        for label in OTHER_VINTAGE[vintage]:
            if label in prose:
                found.append(f"{page.name}: a label of the other vintage: {label!r}")
    return found


def assert_true_prose(editions: Path, codes: list[str], vintage: str) -> None:
    """Fail naming the first 20 problems (:func:`problems`) of the editions ``editions/<code>``."""
    found = [
        f"{code} {problem}" for code in codes for problem in problems(editions / code, vintage)
    ]
    assert found == [], f"{len(found)} problems, the first: " + "\n".join(found[:20])
