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

import gc
import hashlib
import json
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from babel import Locale, dates
from lunr.builder import Builder
from lunr.vector import Vector

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


def inputs_digest(items: list[Item], english: bool, locale: str,
                  shard_bytes: int = SHARD_BYTES) -> str:
    """Hash of everything ``build`` reads, and of the code that builds and tokenizes: equal
    digests make equal index files."""
    digest = hashlib.sha256(repr((english, locale, shard_bytes)).encode())
    for code in (Path(__file__), Path(__file__).with_name("tokenize.py")):
        digest.update(code.read_bytes())
    for item in items:
        fields = fields_of(item)
        digest.update(repr((item.url, item.title, item.section.name, item.date.isoformat(),
                            item.summary, [fields[name] for name, _ in FIELDS])).encode())
    return digest.hexdigest()


def build(items: list[Item], english: bool, locale: str,
          shard_bytes: int = SHARD_BYTES) -> Built:
    """Index ``items`` (document ref = position) and cut the index into its files."""
    # Each field as its terms' counts, first occurrence first (the order lunr numbers terms
    # in), with one string per distinct term: a big language has millions of occurrences.
    fields = [{name: Counter(map(sys.intern, terms(text, english)))
               for name, text in fields_of(item).items()} for item in items]
    if len(items) >= MIN_DOCS_TO_DROP:
        df = Counter(t for doc in fields for t in doc["body"])
        common = {t for t, n in df.items() if n > MAX_DF * len(items)}
        for doc in fields:
            if not common.isdisjoint(doc["body"]):
                doc["body"] = Counter({t: n for t, n in doc["body"].items() if t not in common})

    names = [name for name, _ in FIELDS]
    # A big language's index has a million postings: each is kept as four numbers in flat
    # arrays (not a list per term and field), and each field vector becomes postings as soon
    # as it is made.
    builder = _builder(fields)
    term_list = list(builder.numbers)  # in the order of their number in the vectors
    postings = _Postings()
    norms = {name: [0.0] * len(items) for name in names}
    gc.disable()  # millions of small objects, none of them in a cycle: nothing to collect
    try:
        for field_ref, vector in builder.vectors():
            name, ref = field_ref.split("/", 1)
            doc, column = int(ref), names.index(name)
            norms[name][doc] = round(vector.magnitude, 4)
            postings.add(vector.elements, doc, column)
    finally:
        gc.enable()
    del builder
    encoded = dict(zip(term_list, postings.encoded(len(term_list), len(names)), strict=True))
    del postings
    shards, spread = _shard(encoded, shard_bytes)

    sections = sorted({i.section.name for i in items})
    when = Locale.parse(locale)
    records = [[i.url, i.title, sections.index(i.section.name), i.date.date().isoformat(),
                dates.format_date(i.date.date(), format="long", locale=when), i.summary]
               for i in items]
    # A shard is its terms' encoded postings joined; terms are letters, digits and CJK
    # characters only (see tokenize.RUN), so none needs escaping as a JSON key.
    files = {f"t/{n}.json": b"{" + b",".join(b'"%s":%s' % (term.encode(), encoded[term])
                                             for term in shard) + b"}"
             for n, shard in enumerate(shards)}
    del encoded
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


def _shard(encoded: dict[str, bytes], shard_bytes: int
           ) -> tuple[list[list[str]], dict[str, list[int]]]:
    """Cut the terms (with their postings as JSON) into shards of about ``shard_bytes``; a CJK
    key (first character) whose bigrams outweigh a shard is spread, and listed with the shards
    its terms went to."""
    count = max(1, math.ceil(sum(len(data) for data in encoded.values()) / shard_bytes))
    keys = {term: shard_key(term) for term in encoded}
    by_key: Counter[str] = Counter()
    for term, data in encoded.items():
        by_key[keys[term]] += len(data)
    spread: dict[str, list[int]] = {key: [] for key, size in by_key.items()
                                    if size > shard_bytes and count > 1}
    shards: list[list[str]] = [[] for _ in range(count)]
    numbers: dict[str, int] = {}  # of keys, each hashed once
    for term in sorted(encoded):
        key = keys[term]
        # by its key, or by the term itself when its key's terms outweigh one shard (search.js
        # finds a term's shard the same way)
        if key in spread:
            number = fnv1a(term) % count
            spread[key].append(number)
        else:
            number = numbers.get(key, -1)
            if number < 0:
                number = numbers[key] = fnv1a(key) % count
        shards[number].append(term)
    # each spread key's shards, once each, in the order its terms first went there
    return shards, {key: list(dict.fromkeys(found)) for key, found in spread.items()}


class TermBuilder(Builder):
    """lunr.py's Builder, fed the terms the portal's tokenizer made, already counted.

    The stock ``add`` wraps every term in a lunr Token (deep-copying its metadata) and keeps
    an inverted index entry per term and document; ``build`` inserts each score into a sorted
    vector one at a time, then builds a token set that this index never ships. At ten thousand
    documents those are most of a build's time and memory. Here each field's counts become two
    arrays (term numbers, counts) as the field is added, a term keeps only its number and how
    many fields hold it (all lunr's idf reads of the inverted index), and each field vector is
    sorted once. The scores are lunr.py's BM25, the same expressions in the same order, so they
    equal the stock Builder's to the bit (a test compares them)."""

    def __init__(self) -> None:
        super().__init__()
        #: term → its number in the vectors (numbered in the order terms first occur)
        self.numbers: dict[str, int] = {}
        #: how many document fields hold each term, by number
        self.holders = array("l")

    def add_terms(self, ref: int, doc: Mapping[str, Counter[str]]) -> None:
        doc_ref = str(ref)
        self._documents[doc_ref] = {}
        self.document_count += 1
        numbers, holders = self.numbers, self.holders
        for name in self._fields:
            counts = doc[name]
            found = array("l")
            for term in counts:  # first occurrence first: lunr numbers terms in that order
                number = numbers.get(term)
                if number is None:
                    number = numbers[term] = self.term_index
                    self.term_index += 1
                    holders.append(1)
                else:
                    holders[number] += 1
                found.append(number)
            field_ref = f"{name}/{doc_ref}"
            self.field_term_frequencies[field_ref] = (found, array("l", counts.values()))
            self.field_lengths[field_ref] = sum(counts.values())

    def vectors(self) -> Iterator[tuple[str, Vector]]:
        """Each field's vector by 'field/ref', as ``build()`` would make them, one at a time;
        each field's counts are let go once it is scored."""
        if not self.document_count:  # a language with nothing published yet
            return
        self._calculate_average_field_lengths()
        k1, b, count = self._k1, self._b, self.document_count
        k1_plus_1 = k1 + 1
        # each term's idf (lunr.idf's sum over the posting's fields, from the count kept
        # instead of the posting), by number, worked out once
        idfs = array("d", (_idf(fields, count) for fields in self.holders))
        for field_ref, (numbers, tfs) in self.field_term_frequencies.items():
            self.field_term_frequencies[field_ref] = None
            if not numbers:  # an empty field (whose average length may be 0 too)
                yield field_ref, Vector()
                continue
            name = field_ref.split("/", 1)[0]
            # lunr's expression, its operations in lunr's order (so the same floats)
            saturation = k1 * (1 - b + b * (self.field_lengths[field_ref]
                                             / self.average_field_length[name]))
            boost = self._fields[name].boost
            elements = []
            for number, tf in zip(numbers, tfs, strict=True):
                score = idfs[number] * (k1_plus_1 * tf) / (saturation + tf)
                score *= boost
                elements.append((number, round(score, 3)))
            elements.sort()
            yield field_ref, Vector([value for pair in elements for value in pair])


def _idf(documents_with_term: int, document_count: int) -> float:
    """lunr.idf, given the number it counts in a posting."""
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))


class _Postings:
    """Every (term, field, document, score) of an index in four flat arrays, in the order the
    field vectors came: a posting costs 21 bytes here instead of a Python list entry and a
    float object (plus a list per term and field)."""

    def __init__(self) -> None:
        self.terms, self.docs = array("l"), array("l")
        self.fields, self.scores = array("b"), array("d")

    def add(self, elements: list[Any], doc: int, field: int) -> None:
        """A field vector's elements: term number, score, term number, score, …"""
        self.terms.extend(elements[0::2])
        self.scores.extend(elements[1::2])
        self.docs.extend(repeat(doc, len(elements) // 2))
        self.fields.extend(repeat(field, len(elements) // 2))

    def encoded(self, term_count: int, field_count: int) -> Iterator[bytes]:
        """Each term's postings as JSON, by term number: a list per field of document, score,
        document, score, … in the order they were added (so by document)."""
        starts = array("l", bytes(8 * (term_count + 1)))  # counting sort by term, stable
        for term in self.terms:
            starts[term + 1] += 1
        for term in range(term_count):
            starts[term + 1] += starts[term]
        order, free = array("l", bytes(8 * len(self.terms))), array("l", starts)
        for position, term in enumerate(self.terms):
            order[free[term]] = position
            free[term] += 1
        del free
        docs, fields, scores = self.docs, self.fields, self.scores
        for term in range(term_count):
            lists: list[list[float]] = [[] for _ in range(field_count)]
            for position in order[starts[term]:starts[term + 1]]:
                lists[fields[position]] += (docs[position], scores[position])
            yield _json(lists)


def _builder(fields: list[dict[str, Counter[str]]]) -> TermBuilder:
    """A TermBuilder with the documents' counted terms added (``fields`` is emptied on the
    way, to keep the peak low)."""
    builder = TermBuilder()
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    gc.disable()  # as in build()
    try:
        for ref, doc in enumerate(fields):
            builder.add_terms(ref, doc)
            fields[ref] = {}  # counted into the builder's arrays: let the counts go
    finally:
        gc.enable()
    fields.clear()
    return builder


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()
