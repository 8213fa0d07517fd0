"""A new content file with the front matter its section asks for (``invoke new``): every
required key, with the keys a data file declares listed beside it, so an editor fills in
values instead of looking up the schema. Left blank, a value stops the build by name.

A new translation starts as a draft copy of its original, stamped with the version it is
translated from: the translator writes over the text and removes the draft line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem
from .frontmatter import split
from .languages import Language
from .model import digest
from .schema import SECTIONS, SLUG_RE, KeyIn, OneOf, Section, amount, category, slug, when

#: Keys every new file starts with, filled in or not.
FIRST = ("title", "date")
SHOWN_KEYS = 8  # data keys listed beside a key; the file names the rest


def data_keys(folder: Path) -> dict[str, list[str]]:
    """The keys each data file declares (categories, bodies, topics …), in its order."""
    found = {}
    for path in sorted(folder.glob("*.yml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[path.stem] = [str(key) for key in loaded] if isinstance(loaded, dict) else []
    return found


def new_file(content: Path, languages: list[Language], relpath: str, data: Mapping[str, Any],
             today: dt.date, title: str = "") -> Path:
    """Write ``content/<relpath>.md`` (``zh/notices/holiday-2027``); raise ContentError
    when the path cannot be a new item."""
    relpath = relpath.removeprefix("content/").removesuffix(".md").strip("/")
    path = content / f"{relpath}.md"
    parts = relpath.split("/")
    written = [lang.code for lang in languages if not lang.derived_from]
    problem = None
    if len(parts) != 3 or parts[0] not in written or parts[1] not in SECTIONS:
        problem = ("write it as <language>/<section>/<file name>",
                   f"languages: {', '.join(written)}; sections: {', '.join(SECTIONS)}")
    elif not SLUG_RE.match(parts[2]):
        problem = (f"the file name '{parts[2]}' cannot be a URL",
                   "use lowercase ASCII words joined by hyphens, e.g. 'port-opening'")
    elif path.exists():
        problem = ("the file exists already", "choose another file name, or edit that one")
    if problem is not None:
        raise ContentError([Problem(path, 0, *problem)])
    original = content / languages[0].code / parts[1] / f"{parts[2]}.md"
    text = translation(original) if original.is_file() and parts[0] != languages[0].code \
        else front_matter(SECTIONS[parts[1]], data, today, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def translation(original: Path) -> str:
    """A translation to write over: the original as a draft, stamped with its version."""
    text = original.read_text(encoding="utf-8")
    front = split(text, original)
    head, _, _ = text.removeprefix("\ufeff").partition("\n---")
    kept = [line for line in head.split("\n")[1:]
            if not line.startswith(("status:", "translated_from:"))]
    return "\n".join(["---", *kept, f"translated_from: {digest(front)}",
                      "status: draft                # remove this line once it is translated",
                      "---", front.body.lstrip("\n")])


def front_matter(section: Section, data: Mapping[str, Any], today: dt.date, title: str = "") -> str:
    """The new file's text: its required keys, then a body to replace."""
    lines = ["---", _line("title", _quoted(title), "" if title else "required"),
             _line("date", today.isoformat(), "the day it is published; a later one schedules it")]
    for name, spec in section.fields.items():
        if spec.required and name not in FIRST:
            lines.append(_line(name, *_placeholder(name, spec.check, data, today)))
    lines += ["# summary: one or two sentences (optional; else the start of the text)",
              "---", "", "<!-- The text, in Markdown. Headings start with ##. -->", ""]
    return "\n".join(lines)


def _placeholder(name: str, check: Any, data: Mapping[str, Any], today: dt.date
                 ) -> tuple[str, str]:
    """A value to start from and what to write, for one required key."""
    if check is when:
        return today.isoformat(), ""
    if check is category or isinstance(check, KeyIn):
        source = "categories" if check is category else check.name
        keys = list(data.get(source, {}))
        shown = ", ".join(keys[:SHOWN_KEYS]) + (", …" if len(keys) > SHOWN_KEYS else "")
        return "", f"required: a key of data/{source}.yml ({shown})"
    if isinstance(check, OneOf):
        return "", f"required: one of {', '.join(check.choices)}"
    if check is slug:
        return "", "required: the file name (without .md) of the item it refers to"
    if check is amount:
        return "", "required: a plain number, e.g. 1250000"
    return '""', "required"


def _line(key: str, value: str, hint: str = "") -> str:
    text = f"{key}: {value}".rstrip()
    return f"{text:<28} # {hint}" if hint else text


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
