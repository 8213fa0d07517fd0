"""Declared front-matter schemas, one per section.

Adding a content type is a small, declared change: add a ``Section`` to ``SECTIONS``
with its extra fields. Every field is checked the same way for every language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: An image the text shows: a file beside the Markdown, named like a URL's last part.
IMAGE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.(?:jpg|jpeg|png|webp|gif)")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
STATUSES = ("published", "draft", "withdrawn")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https?://[^\s]+$")


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
    #: Every data file by name (topics, bodies, departments, letter_categories …).
    data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


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


def boolean(value: Any, _: Lookups) -> bool:
    if isinstance(value, bool):
        return value
    shown = repr(value) if isinstance(value, str) else _kind(value)
    raise Invalid(f"expected true or false, got {shown}", "write true or false, without quotes")


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


@dataclass(frozen=True)
class KeyIn:
    """A key declared in data/<name>.yml (topics, issuing bodies, departments …)."""

    name: str
    what: str

    def __call__(self, value: Any, lookups: Lookups) -> str:
        return _declared(value, lookups.data.get(self.name, {}), self.what,
                         f"data/{self.name}.yml")


def key_in(name: str, what: str) -> Check:
    return KeyIn(name, what)


@dataclass(frozen=True)
class OneOf:
    """One of a few fixed words (a procurement stage, a policy's validity)."""

    choices: tuple[str, ...]

    def __call__(self, value: Any, _: Lookups) -> str:
        if value in self.choices:
            return value
        raise Invalid(f"'{value}' is not allowed here", f"use one of: {', '.join(self.choices)}")


def one_of(*choices: str) -> Check:
    return OneOf(choices)


def text_list(value: Any, lookups: Lookups) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise Invalid(f"expected a list of words, got {_kind(value)}", "write words: [一, 二]")
    return [text(v, lookups) for v in value]


def amount(value: Any, _: Lookups) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    raise Invalid(f"'{value}' is not an amount", "write a plain number without units, "
                  "e.g. 1250000 (the currency goes in 'currency:')")


def currency(value: Any, _: Lookups) -> str:
    from babel.numbers import list_currencies

    if isinstance(value, str) and value in list_currencies():
        return value
    raise Invalid(f"'{value}' is not a currency code", "use an ISO 4217 code such as CNY")


def email(value: Any, _: Lookups) -> str:
    if isinstance(value, str) and EMAIL_RE.match(value.strip()):
        return value.strip()
    raise Invalid(f"'{value}' is not an e-mail address", "write it as name@example.gov.cn")


def url(value: Any, _: Lookups) -> str:
    if isinstance(value, str) and URL_RE.match(value.strip()):
        return value.strip()
    raise Invalid(f"'{value}' is not a web address", "write a full https:// address")


def attachments(value: Any, lookups: Lookups) -> list[dict[str, str]]:
    """Files beside the Markdown, each ``{file: name.pdf, title: …}``; existence is checked
    when the model is loaded, where the folder is known."""
    fix = "write attachments: [{file: plan.pdf, title: 规划全文}]"
    if not isinstance(value, list) or not value:
        raise Invalid(f"expected a list of attachments, got {_kind(value)}", fix)
    found = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"file", "title"}:
            raise Invalid("each attachment needs exactly 'file' and 'title'", fix)
        name = text(entry["file"], lookups)
        if "/" in name or "\\" in name or name.startswith(".") or name.endswith(".md"):
            raise Invalid(f"'{name}' is not a file name beside the item",
                          "put the file in the same folder and give its bare name")
        if Path(name).suffix.lower() not in ATTACHMENT_TYPES:
            raise Invalid(f"'{name}' is not an allowed attachment type",
                          f"use one of: {', '.join(ATTACHMENT_TYPES)}")
        found.append({"file": name, "title": text(entry["title"], lookups)})
    return found


#: Attachment suffixes and the type shown to readers.
ATTACHMENT_TYPES = {".pdf": "PDF", ".docx": "DOCX", ".xlsx": "XLSX", ".png": "PNG",
                    ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP"}


def _declared(value: Any, declared: Mapping[str, Any], what: str, where: str) -> str:
    if isinstance(value, str) and value in declared:
        return value
    if value is None:
        raise Invalid(f"no {what} given", f"write a key declared in {where}")
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


#: A rule across fields of one item: returns (key, what is wrong, how to fix) for each problem.
Rule = Callable[[Mapping[str, Any]], list[tuple[str, str, str]]]


@dataclass(frozen=True)
class Section:
    """A folder of content of one type: its URL kind and its front-matter fields."""

    name: str
    kind: str  # "article" (dated, listed, in feeds) or "page" (standing city pages)
    fields: Mapping[str, Field] = field(default_factory=dict)
    #: Cross-field rules of this type (e.g. a reply needs its date).
    rules: tuple[Rule, ...] = ()
    #: The detail template, when the type has its own (theme/templates/<template>.html).
    template: str | None = None
    #: How its list is ordered: "date" (newest first) or "title".
    order: str = "date"


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
    "source": Field(text),  # ContentSource <meta> tag; default: SPONSOR
    "translated_from": Field(text),
    "pdf": Field(boolean),  # also publish the item as a PDF (policies always are)
    "withdrawn_reason": Field(text),
}

ARTICLE_FIELDS = {**COMMON, "category": Field(category, required=True)}

VALIDITY = ("valid", "amended", "repealed", "expired")
STAGES = ("tender", "clarification", "opening", "award", "contract", "termination")
METHODS = ("open-tender", "invited-tender", "competitive-negotiation", "competitive-consultation",
           "inquiry", "single-source")


def _pair(first: str, second: str, fix: str) -> Rule:
    """Two keys that only make sense together (a reply and its date)."""
    def rule(meta: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        if (first in meta) != (second in meta):
            have, lack = (first, second) if first in meta else (second, first)
            return [(have, f"'{have}' needs '{lack}'", fix)]
        return []
    return rule


def _not_before(later: str, earlier: str) -> Rule:
    def rule(meta: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        if later in meta and earlier in meta and meta[later] < meta[earlier]:
            return [(later, f"'{later}' is before '{earlier}'",
                     f"'{later}' must be on or after '{earlier}'")]
        return []
    return rule


def _replacement(meta: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    if "replaced_by" in meta and meta.get("validity", "valid") == "valid":
        return [("replaced_by", "a valid document cannot be replaced",
                 "set 'validity: amended', 'repealed' or 'expired', or remove 'replaced_by'")]
    return []


GOV_FIELDS = {**COMMON, "attachments": Field(attachments)}

POLICY_FIELDS = {
    **GOV_FIELDS,
    "document_number": Field(text, required=True),  # 文号, e.g. 丰政发〔2020〕12号
    "issuer": Field(key_in("bodies", "issuing body"), required=True),  # 发布机构
    "written": Field(when, required=True),  # 成文日期
    "index_number": Field(text, required=True),  # 索引号
    "topic": Field(key_in("topics", "topic"), required=True),
    "subjects": Field(text_list),  # 主题词
    "validity": Field(one_of(*VALIDITY)),
    "replaced_by": Field(slug),  # the policy that replaces or amends this one
}

SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section("news", "article", ARTICLE_FIELDS),
        Section("notices", "article", ARTICLE_FIELDS),
        Section("pages", "page", COMMON),
        Section("policies", "article", POLICY_FIELDS, template="policy",
                rules=(_not_before("date", "written"), _replacement)),
        Section("interpretations", "article", {
            **GOV_FIELDS,
            "policy": Field(slug, required=True),  # the policy it explains
            "issuer": Field(key_in("bodies", "issuing body")),
        }, template="interpretation"),
        Section("procurement", "article", {
            **GOV_FIELDS,
            "project_number": Field(text, required=True),
            "buyer": Field(key_in("bodies", "issuing body"), required=True),
            "budget": Field(amount, required=True),
            "currency": Field(currency),
            "method": Field(one_of(*METHODS), required=True),
            "topic": Field(key_in("topics", "topic")),
        }, template="procurement"),
        Section("procurement-notices", "article", {
            **GOV_FIELDS,
            "project": Field(slug, required=True),  # the procurement project it belongs to
            "stage": Field(one_of(*STAGES), required=True),
            "deadline": Field(when),
        }, template="procurement_notice", rules=(_not_before("deadline", "date"),)),
        Section("consultations", "article", {
            **GOV_FIELDS,
            "opens": Field(when, required=True),
            "closes": Field(when, required=True),
            "address": Field(text),
            "email": Field(email),
            "form_url": Field(url),  # overrides PORTAL_CONSULTATION_FORM_URL
            "feedback": Field(text),  # summary of the responses, once closed
            "topic": Field(key_in("topics", "topic")),
        }, template="consultation", rules=(_not_before("closes", "opens"),)),
        Section("letters", "article", {
            **COMMON,
            "letter_category": Field(key_in("letter_categories", "letter category"), required=True),
            "received": Field(when, required=True),
            "department": Field(key_in("departments", "department")),
            "replied": Field(when),
            "reply": Field(text),
        }, template="letter", rules=(_pair("reply", "replied", "give the reply and its date"),
                                     _pair("reply", "department",
                                           "name the replying department with its reply"),
                                     _not_before("replied", "received"),
                                     _not_before("date", "received"))),
        Section("departments", "article", {
            **COMMON,
            "department": Field(key_in("departments", "department"), required=True),
            "head": Field(text),
            "address": Field(text),
            "phone": Field(text),
            "hours": Field(text),
        }, template="department", order="title"),
    )
}
