"""What a language's search index is built from: its documents and their fields, and the
digest that tells whether an index built before still holds (NumPy is imported only where an
index is built: a build that keeps every index, or postpones one, does without it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from portal_model import Item
from portal_model.store import code_version

#: Fields and their weights: a hit in the title counts most, then headings and summary.
FIELDS = (("title", 10), ("lead", 4), ("body", 1))
#: About this many bytes of JSON per term shard at most (a CJK character whose bigrams need
#: more has several).
SHARD_BYTES = 24_000
HEADING = re.compile(r"<h[2-4][^>]*>(.*?)</h[2-4]>", re.S)
TAG = re.compile(r"<[^>]+>")


@dataclass
class Built:
    """The files of one language's index, by path relative to the version folder."""

    version: str
    files: dict[str, bytes]
    sections: list[str]

    def write(self, folder: Path) -> None:
        for relpath, data in self.files.items():
            path = folder / self.version / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def documents(items: Iterable[Item]) -> list[Item]:
    """What a language's search finds: its published items, newest first, never drafts or
    scheduled ones."""
    found = [i for i in items if not i.unpublished]
    return sorted(found, key=lambda i: (i.date, i.relpath), reverse=True)


def fields_of(item: Item) -> dict[str, str]:
    headings = [TAG.sub("", h) for h in HEADING.findall(item.html)]
    lead = " ".join([item.meta.get("summary", ""), *headings])
    fields = {"title": item.title, "lead": lead, "body": item.text}
    original = item.translations.get(item.lang.derived_from) if item.lang.derived_from else None
    if original is not None:
        # A generated language (zh-Hant) is also indexed in the words of its source, so a
        # query typed in Simplified characters finds the Traditional page too. Titles,
        # headings and summaries carry what visitors search for; the body stays Traditional
        # only, which keeps the fifth index (and its build) close to the others' size.
        source = fields_of(original)
        fields = {name: f"{text} {source[name]}" if name != "body" else text
                  for name, text in fields.items()}
    return fields


def digest(items: list[Item], english: bool, locale: str,
           shard_bytes: int = SHARD_BYTES) -> str:
    """Hash of everything ``index.build`` reads, and of the code that builds and tokenizes
    (every module of this package, Python, and the pinned libraries: lunr's stemmer, NumPy,
    Babel's dates): equal digests make equal index files, so a digest can name them."""
    found = hashlib.sha256(repr((english, locale, shard_bytes,
                                 code_version(Path(__file__).parent))).encode())
    for item in items:
        fields = fields_of(item)
        found.update(repr((item.url, item.title, item.section.name, item.date.isoformat(),
                           item.summary, [fields[name] for name, _ in FIELDS])).encode())
    return found.hexdigest()


def version(digest: str) -> str:
    """The folder an index is published in: named by its inputs' digest, which fixes its
    files, so the search page can name it before the index is built (and browsers may
    cache its files for good)."""
    return digest[:10]


def sections(items: list[Item]) -> list[str]:
    """The sections an index's documents are in (the search page's filter)."""
    return sorted({i.section.name for i in items})
