"""Declared front-matter schemas, one per section.

Adding a content type is a small, declared change: add a ``Section`` to ``SECTIONS``
with its extra fields. Every field is checked the same way for every language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
STATUSES = ("published", "draft")


class Invalid(ValueError):
    """A value that does not fit its field; the message says what to write instead."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class Lookups:
    """Keys declared in data files, which content may refer to."""

    categories: Mapping[str, Any]
    tags: Mapping[str, Any]


Check = Callable[[Any, Lookups], Any]


def text(value: Any, _: Lookups) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"expected text, got {_kind(value)}", "write the value as text, quoted if needed")


def when(value: Any, _: Lookups) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        # YYYY-MM-DD, the common case: fromisoformat is many times faster than strptime
        if len(value) == 10 and value[4] == value[7] == "-":
            try:
                return dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
            except ValueError:
                pass
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(value.strip(), fmt)
            except ValueError:
                continue
    raise Invalid(f"'{value}' is not a date", "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM")


def status(value: Any, _: Lookups) -> str:
    if value in STATUSES:
        return value
    raise Invalid(f"unknown status '{value}'", f"use one of: {', '.join(STATUSES)}")


def slug(value: Any, _: Lookups) -> str:
    if isinstance(value, str) and SLUG_RE.match(value):
        return value
    raise Invalid(f"'{value}' is not a valid slug",
                  "use lowercase ASCII letters, digits and hyphens, e.g. 'port-opening'")


def category(value: Any, lookups: Lookups) -> str:
    return _declared(value, lookups.categories, "category", "data/categories.yml")


def tag_list(value: Any, lookups: Lookups) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"expected a list of tags, got {_kind(value)}",
                      "write tags: [key-one, key-two]")
    return [_declared(v, lookups.tags, "tag", "data/tags.yml") for v in value]


def _declared(value: Any, declared: Mapping[str, Any], what: str, where: str) -> str:
    if isinstance(value, str) and value in declared:
        return value
    close = [k for k in declared if isinstance(value, str) and (value in k or k in value)]
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise Invalid(f"unknown {what} '{value}'{hint}",
                  f"use a key declared in {where} or declare it there with a label per language")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__)


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


@dataclass(frozen=True)
class Section:
    """A folder of content of one type: its URL kind and its front-matter fields."""

    name: str
    kind: str  # "article" (dated, listed, in feeds) or "page" (standing city pages)
    fields: Mapping[str, Field] = field(default_factory=dict)


COMMON: dict[str, Field] = {
    "title": Field(text, required=True),
    "date": Field(when, required=True),
    "summary": Field(text),
    "updated": Field(when),
    "tags": Field(tag_list),
    "slug": Field(slug),
    "translation_key": Field(text),
    "status": Field(status),
    "change_note": Field(text),
    "translated_from": Field(text),
}

ARTICLE_FIELDS = {**COMMON, "category": Field(category, required=True)}

SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section("news", "article", ARTICLE_FIELDS),
        Section("notices", "article", ARTICLE_FIELDS),
        Section("pages", "page", COMMON),
    )
}
