"""A language's search index, built with lunr.py and written in parts a browser loads on demand.

lunr.js loads one whole serialized index and scores a hit by the document's field vector over
all its terms, so a big site would send megabytes before the first result. Here the index lunr.py
builds is cut by term into shards: a shard holds, for each of its terms, the documents per field
with the lunr score (the field-vector element). ``meta.json`` keeps the global statistics — each
field vector's norm, and each document's section and year for the filters — so the browser
rebuilds a lunr.Index from just the shards a query needs and ranks exactly as the whole index
would. Result data (title, date, summary) lives in small chunks loaded for the hits shown.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, dates
from lunr.builder import Builder

from portal_model import Item

from .tokenize import is_cjk, terms

#: Fields and their weights: a hit in the title counts most, then headings and summary.
FIELDS = (("title", 10), ("lead", 4), ("body", 1))
#: A term in more than this share of documents says little, so the body does not index it
#: (titles and headings still do); applied from MIN_DOCS_TO_DROP documents on.
MAX_DF = 0.5
MIN_DOCS_TO_DROP = 200
#: About this many bytes of JSON per term shard (a CJK character whose bigrams need more is
#: spread over shards by bigram), and documents per result-data chunk.
SHARD_BYTES = 24_000
CHUNK_DOCS = 8
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


def fnv1a(text: str) -> int:
    """FNV-1a (32 bits) over code points; search.js computes the same."""
    value = 0x811C9DC5
    for char in text:
        value = ((value ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
    return value


def shard_key(term: str) -> str:
    """CJK terms go by their first character, so a one-character (prefix) query needs the
    shard of that character only; other terms go by themselves."""
    return term[0] if is_cjk(term) else term


def shard_of(term: str, shards: int, spread: Mapping[str, Any]) -> int:
    """The shard of a term: by its key, or by the term itself when its key's terms are too many
    for one shard (``spread``: such keys, with the shards their terms went to)."""
    key = shard_key(term)
    return fnv1a(term if key in spread else key) % shards


def documents(items: Iterable[Item]) -> list[Item]:
    """What a language's search finds: its published items, newest first, never drafts."""
    found = [i for i in items if not i.is_draft]
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


def build(items: list[Item], english: bool, locale: str,
          shard_bytes: int = SHARD_BYTES) -> Built:
    """Index ``items`` (document ref = position) and cut the index into its files."""
    fields = [{name: terms(text, english) for name, text in fields_of(item).items()}
              for item in items]
    if len(items) >= MIN_DOCS_TO_DROP:
        df = Counter(t for doc in fields for t in set(doc["body"]))
        common = {t for t, n in df.items() if n > MAX_DF * len(items)}
        for doc in fields:
            doc["body"] = [t for t in doc["body"] if t not in common]

    names = [name for name, _ in FIELDS]
    postings: dict[str, list[list[float]]] = {}
    norms = {name: [0.0] * len(items) for name in names}
    for field_ref, vector, term_of in _vectors(fields):
        name, ref = field_ref.split("/", 1)
        doc, column = int(ref), names.index(name)
        norms[name][doc] = round(vector.magnitude, 4)
        elements = vector.elements
        for k in range(0, len(elements), 2):
            term = term_of[elements[k]]
            lists = postings.setdefault(term, [[] for _ in names])
            lists[column] += [doc, elements[k + 1]]

    shards, spread = _shard(postings, shard_bytes)

    sections = sorted({i.section.name for i in items})
    when = Locale.parse(locale)
    records = [[i.url, i.title, sections.index(i.section.name), i.date.date().isoformat(),
                dates.format_date(i.date.date(), format="long", locale=when), i.summary]
               for i in items]
    files = {f"t/{n}.json": _json(shard) for n, shard in enumerate(shards)}
    files |= {f"d/{n // CHUNK_DOCS}.json": _json(records[n:n + CHUNK_DOCS])
              for n in range(0, len(records), CHUNK_DOCS)}
    meta = {"fields": names, "english": english, "shards": len(shards), "spread": spread,
            "chunk": CHUNK_DOCS, "count": len(items), "norms": norms, "sections": sections,
            "section": [r[2] for r in records], "year": [i.date.year for i in items]}
    files["meta.json"] = _json(meta)
    digest = hashlib.sha256()
    for relpath in sorted(files):
        digest.update(relpath.encode() + b"\0" + files[relpath])
    return Built(digest.hexdigest()[:10], files, sections)


def _shard(postings: dict[str, Any], shard_bytes: int
           ) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """Cut postings into shards of about ``shard_bytes``; a CJK key (first character) whose
    bigrams outweigh a shard is spread, and listed with the shards its terms went to."""
    weight = {term: len(_json(lists)) for term, lists in postings.items()}
    count = max(1, math.ceil(sum(weight.values()) / shard_bytes))
    by_key: Counter[str] = Counter()
    for term, size in weight.items():
        by_key[shard_key(term)] += size
    spread: dict[str, list[int]] = {key: [] for key, size in by_key.items()
                                    if size > shard_bytes and count > 1}
    shards: list[dict[str, Any]] = [{} for _ in range(count)]
    for term in sorted(postings):
        number = shard_of(term, count, spread)
        shards[number][term] = postings[term]
        key = shard_key(term)
        if key in spread and number not in spread[key]:
            spread[key].append(number)
    return shards, spread


def _vectors(fields: list[dict[str, list[str]]]) -> Iterable[tuple[str, Any, dict[int, str]]]:
    """lunr.py's field vectors ('field/ref', vector, term by index) of the documents' terms."""
    if not fields:  # a language with nothing published yet
        return []
    builder = Builder()
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    for ref, doc in enumerate(fields):
        builder.add({"id": ref, **doc})
    index = builder.build()
    term_of = {posting["_index"]: term for term, posting in index.inverted_index.items()}
    return [(ref, vector, term_of) for ref, vector in index.field_vectors.items()]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
