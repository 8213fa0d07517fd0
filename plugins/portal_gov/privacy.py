"""Personal data must never reach a published letter: the build stops when a letter's text
looks like it holds a resident ID number, a mobile or landline number, or an e-mail address."""

from __future__ import annotations

import re
from pathlib import Path

from portal_model import Problem

_D = r"(?<![0-9A-Za-z])"  # not inside a longer number or word
_E = r"(?![0-9A-Za-z])"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("a resident ID number", re.compile(
        _D + r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + _E)),
    ("a mobile phone number", re.compile(
        _D + r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}" + _E)),
    ("a landline phone number", re.compile(
        _D + r"(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{2,3}[ -]?\d{4}" + _E)),
    ("an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
]
SKIPPED = ("translated_from:",)  # machine-written lines, never personal


def personal_data(path: Path) -> list[Problem]:
    """Every line of a letter file that looks like it holds personal data."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.lstrip().startswith(SKIPPED):
            continue
        for what, pattern in PATTERNS:
            if pattern.search(line):
                problems.append(Problem(path, number, f"this letter looks like it contains {what}",
                                        "remove personal data from letters before publishing: "
                                        "summarise without names, numbers or addresses"))
                break
    return problems
