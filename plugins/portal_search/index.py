"""A language's lunr index, scored as lunr.py scores, written in parts a browser loads on demand.

lunr.js loads one whole serialized index and scores a hit by the document's field vector over
all its terms, so a big site would send megabytes before the first result. Here the index is
cut by term into shards: a shard holds, for each of its terms, the documents per field
with the lunr score (the field-vector element). ``meta.json`` keeps the global statistics — each
field vector's norm, and each document's section and year for the filters — so the browser
rebuilds a lunr.Index from just the shards a query needs and ranks exactly as the whole index
would. Result data (title, date, summary) lives in small chunks loaded for the hits shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from babel import Locale, dates

from portal_model import Item

from . import inputs
from .inputs import FIELDS, SHARD_BYTES, Built, fields_of
from .tokenize import coded, decoded, is_cjk

BODY = 2  # the field of FIELDS that drops the commonest terms
#: A term in more than this share of documents says little, so the body does not index it
#: (titles and headings still do); applied from MIN_DOCS_TO_DROP documents on.
MAX_DF = 0.5
MIN_DOCS_TO_DROP = 200
#: A key whose terms weigh more than this share of a shard has shards of its own: hashed
#: in with others, such heavy keys pile up unevenly, and a query loads the whole shard its
#: term is in (an eighth halved what the judged queries load in Chinese and Japanese).
OWN_SHARE = 1 / 8
#: Documents per result-data chunk.
CHUNK_DOCS = 8
#: Postings encoded as JSON at a time (a big language has a million).
CHUNK_POSTINGS = 100_000


def fnv1a(texts: list[str]) -> np.ndarray:
    """FNV-1a (32 bits) over code points of each text, all texts of a length at once;
    search.js computes the same."""
    hashes = np.zeros(len(texts), np.uint64)
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    for length in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == length)
        same = "".join(texts[row] for row in rows.tolist()).encode("utf-32-le")
        points = np.frombuffer(same, np.uint32).reshape(len(rows), length)
        value = np.full(len(rows), 0x811C9DC5, np.uint64)
        for column in range(length):
            value ^= points[:, column]
            value *= 0x01000193
            value &= 0xFFFFFFFF
        hashes[rows] = value
    return hashes


def build(items: list[Item], english: bool, locale: str,
          shard_bytes: int = SHARD_BYTES, version: str = "") -> Built:
    """Index ``items`` (document ref = position) and cut the index into its files, to be
    published under ``version`` (see ``inputs.version``)."""
    names = [name for name, _ in FIELDS]
    scored = Scores.of_texts([fields[name] for fields in map(fields_of, items) for name in names],
                             english)
    norms = {name: [round(magnitude, 4) for magnitude in scored.magnitudes[:, column].tolist()]
             for column, name in enumerate(names)}
    entries, sizes = scored.entries()
    shards, hashed, own = _shard(scored.terms, sizes, shard_bytes)
    del scored

    sections = inputs.sections(items)
    when = Locale.parse(locale)
    records = [[i.url, i.title, sections.index(i.section.name), i.date.date().isoformat(),
                dates.format_date(i.date.date(), format="long", locale=when), i.summary]
               for i in items]
    # A shard is its terms' entries joined; terms are letters, digits and CJK characters only
    # (see tokenize.RUN), so none needs escaping as a JSON key.
    files = {f"t/{n}.json": ("{" + ",".join(entries[shard].tolist()) + "}").encode()
             for n, shard in enumerate(shards)}
    del entries
    files |= {f"d/{n // CHUNK_DOCS}.json": _json(records[n:n + CHUNK_DOCS])
              for n in range(0, len(records), CHUNK_DOCS)}
    meta = {"fields": names, "english": english, "shards": hashed, "own": own,
            "chunk": CHUNK_DOCS, "count": len(items), "norms": norms, "sections": sections,
            "section": [r[2] for r in records], "year": [i.date.year for i in items]}
    files["meta.json"] = _json(meta)
    return Built(version, files, sections)


def _shard(terms: list[str], sizes: np.ndarray, shard_bytes: int
           ) -> tuple[list[np.ndarray], int, dict[str, list[int]]]:
    """Cut the terms (numbered, with the sizes of their postings as JSON) into shards of about
    ``shard_bytes``: each shard's term numbers, in the order of the terms; how many shards keys
    are hashed over; and the shards of the keys that have their own.

    A term goes by its key: a CJK term by its first character (so a one-character prefix
    query needs that character's shards only), others by themselves; a key goes by its hash
    into one of the first shards. A heavy key (``OWN_SHARE``, such as a frequent character's
    bigrams) has shards of its own instead, as few as hold it, after those: ``[first,
    count]``, and each of its terms goes among them by its own hash. search.js finds a term's
    shard the same way; ``meta.json`` holds a pair per such key, however many shards."""
    cjk = {char for char in {term[0] for term in terms} if is_cjk(char)}
    keys = [term[0] if term[0] in cjk else term for term in terms]
    numbers = {key: number for number, key in enumerate(dict.fromkeys(keys))}
    key_of = np.fromiter(map(numbers.__getitem__, keys), np.int64, len(keys))
    weights = np.bincount(key_of, weights=sizes, minlength=len(numbers))
    own = weights > shard_bytes * OWN_SHARE
    hashed = max(1, math.ceil(float(weights[~own].sum()) / shard_bytes))
    spans = np.zeros(len(numbers), np.int64)
    spans[own] = np.ceil(weights[own] / shard_bytes)
    firsts = hashed + np.cumsum(spans) - spans
    shard = fnv1a(list(numbers)).astype(np.int64)[key_of] % hashed
    alone = np.flatnonzero(own[key_of])
    of_key = key_of[alone]
    shard[alone] = firsts[of_key] + fnv1a([terms[n] for n in alone.tolist()]).astype(
        np.int64) % spans[of_key]
    count = hashed + int(spans.sum())
    # code point order, as Python sorts strings (NumPy's sort of them is three times faster)
    in_order = np.argsort(np.array(terms), kind="stable").astype(np.int64)
    targets = shard[in_order]
    by_shard = np.argsort(targets, kind="stable")
    bounds = np.searchsorted(targets[by_shard], np.arange(count + 1))
    shards = [in_order[by_shard[low:high]] for low, high in pairwise(bounds)]
    names = list(numbers)
    ranges = {names[n]: [int(firsts[n]), int(spans[n])] for n in np.flatnonzero(own).tolist()}
    return shards, hashed, ranges


#: lunr's BM25 parameters (lunr.py's Builder: ``_k1``, ``_b``) and the fields' boosts.
K1, B = 1.2, 0.75
BOOSTS = np.array([boost for _, boost in FIELDS], dtype=np.float64)


class Scores:
    """lunr.py's field vectors of a language, worked out a column at a time with NumPy.

    lunr.py's Builder scores one term of one field at a time in Python; at a big language's
    million postings that was most of a build. Here each posting (term, document field, count)
    is a row of NumPy columns and each step of lunr's BM25 runs over all rows at once, in
    lunr's order of operations and with its rounding, so every score and norm is the same float
    as the stock Builder's (a test compares them all)."""

    def __init__(self, terms: np.ndarray, vectors: np.ndarray,
                 names: Callable[[np.ndarray], list[str]], count: int) -> None:
        """Every term occurrence of ``count`` documents, in order: its term (a number standing
        for it; ``names`` gives the strings of such numbers) and its field vector (document ×
        fields + field)."""
        width = len(FIELDS)
        size = int(terms.max()) + 1 if len(terms) else 0
        # a posting per term and field vector (document × fields + field), with its count
        # and where it first occurs in the text
        pairs = vectors.astype(np.int64) << 32
        pairs |= terms
        pairs, first, frequency = np.unique(pairs, return_index=True, return_counts=True)
        vector, term = (pairs >> 32).astype(np.int32), (pairs & 0xFFFFFFFF).astype(np.int32)
        del pairs
        if count >= MIN_DOCS_TO_DROP:
            body = vector % width == BODY
            documents = np.bincount(term[body], minlength=size)
            kept = ~body | (documents[term] <= MAX_DF * count)
            vector, term, first, frequency = (column[kept] for column in
                                              (vector, term, first, frequency))
        # the kept terms numbered as lunr numbers them: in the order they first occur (each
        # posting's first occurrence is a distinct position; a term's is its postings' least)
        earliest = np.full(size, len(terms), np.int64)
        np.minimum.at(earliest, term, first)
        del first
        present = np.flatnonzero(earliest < len(terms))
        ordered = present[np.argsort(earliest[present])]
        renumbered = np.zeros(size, np.int32)
        renumbered[ordered] = np.arange(len(ordered), dtype=np.int32)
        #: the terms by number
        self.terms = names(ordered)
        #: per posting: its term's number, its field vector, and its score
        self.term, self.vector = renumbered[term], vector
        self.width, self.count = width, count
        self.score = self._scores(frequency.astype(np.float64))
        #: each field vector's magnitude, by document and field
        self.magnitudes = self._magnitudes()

    @classmethod
    def of_texts(cls, texts: list[str], english: bool) -> Scores:
        """The scores of documents' fields: ``texts``, document by document, each document's
        in the order of FIELDS."""
        vectors, found, words = coded(texts, english)
        codes, terms = np.unique(found, return_inverse=True)
        del found
        return cls(terms, vectors, lambda numbers: decoded(codes[numbers], words),
                   len(texts) // len(FIELDS))

    @classmethod
    def of_terms(cls, docs: list[Sequence[list[str]]]) -> Scores:
        """The scores of documents given as their terms, a list per field in FIELDS' order."""
        numbers: dict[str, int] = {}
        fields = [found for doc in docs for found in doc]
        terms = [numbers.setdefault(term, len(numbers)) for found in fields for term in found]
        vectors = [vector for vector, found in enumerate(fields) for _ in found]
        words = list(numbers)
        return cls(np.array(terms, np.int64), np.array(vectors, np.int64),
                   lambda chosen: [words[number] for number in chosen.tolist()], len(docs))

    def _scores(self, frequency: np.ndarray) -> np.ndarray:
        """lunr's BM25, each operation in lunr's order (so the same floats), in place: a big
        language has a million postings."""
        width, count = self.width, self.count
        if not count:
            return np.zeros(0)
        column = (self.vector % width).astype(np.int8)
        lengths = np.bincount(self.vector, weights=frequency, minlength=count * width)
        # each field's average length (every document has each field, maybe empty)
        average = np.array([int(total) / count
                            for total in lengths.reshape(count, width).sum(axis=0).tolist()])
        holders = np.bincount(self.term, minlength=len(self.terms))
        # Python's log, as lunr.py's (NumPy's may differ in the last bit), once per count
        counts, of_term = np.unique(holders, return_inverse=True)
        idf = np.array([_idf(fields, count) for fields in counts.tolist()])[of_term]
        # saturation: k1 × (1 − b + b × (field length / average field length)), plus tf
        saturation = lengths[self.vector]
        saturation /= average[column]
        saturation *= B
        saturation += 1 - B
        saturation *= K1
        saturation += frequency
        # idf × ((k1 + 1) × tf) / saturation, × the field's boost
        frequency *= K1 + 1
        score = idf[self.term]
        score *= frequency
        del frequency
        score /= saturation
        del saturation
        score *= BOOSTS[column]
        return thousandths(score)

    def _magnitudes(self) -> np.ndarray:
        """lunr's Vector.magnitude: the square root of the sum of squares, added in term order
        one element at a time (NumPy's sums add in another order, which may differ in the last
        bit): the vectors' elements are added position by position, all vectors at once."""
        width, count = self.width, self.count
        squares = self.score[np.lexsort((self.term, self.vector))]
        squares *= squares
        sizes = np.bincount(self.vector, minlength=count * width)
        starts = np.cumsum(sizes) - sizes
        longest_first = np.argsort(-sizes, kind="stable")
        descending = -sizes[longest_first]
        sums = np.zeros(count * width)
        for position in range(int(-descending[0]) if count else 0):
            held = longest_first[:np.searchsorted(descending, -position)]  # size > position
            sums[held] += squares[starts[held] + position]
        return np.sqrt(sums).reshape(count, width)

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """Each term's entry in its shard, by term number: ``"term":`` and its postings as
        JSON, a list per field of document, score, document, score, … by document; and the
        size of the postings. Each posting's text is strings from tables (what separates it
        from the previous posting worked out for all at once), joined for a run of terms at a
        time and cut into the terms'."""
        width = self.width
        order = np.lexsort((self.vector, self.vector % width, self.term))  # term, field, doc
        term, vector = self.term[order], self.vector[order]
        values, which = distinct_thousandths(self.score[order])
        del order
        field = (vector % width).astype(np.int8)
        first = np.ones(len(term), dtype=bool)
        first[1:] = term[1:] != term[:-1]
        last = np.append(first[1:], True)
        previous = np.append(np.int8(0), field[:-1])
        # before a posting: its term's opening (with the empty lists of the fields it is not
        # in), a comma, or the end of the previous field's list; after a term's last, the end
        before = _Table([f"[{'[],' * f}[" for f in range(width)] + [
            "," if f == g else f"],{'[],' * (f - g - 1)}[" for g in range(width)
            for f in range(width)])
        after = _Table(["", *(f"]{',[]' * (width - 1 - f)}]" for f in range(width))])
        columns = [(before, np.where(first, field, width + previous * width + field)),
                   (_Table([f"{number}," for number in range(self.count)]), vector // width),
                   (_Table(list(map(repr, values.tolist()))), which.astype(np.int32)),
                   (after, np.where(last, field + 1, 0).astype(np.int8))]
        del vector, which, field, previous
        size = np.zeros(len(term), np.int32)
        for table, codes in columns:
            size += table.lengths[codes]
        bounds = np.append(np.flatnonzero(first), len(first))  # each term's postings
        del term, first
        entries = np.empty(len(self.terms), dtype=object)
        low = 0
        while low < len(bounds) - 1:  # about CHUNK_POSTINGS postings at a time
            high = int(np.searchsorted(bounds, bounds[low] + CHUNK_POSTINGS, side="right")) - 1
            high = max(high, low + 1)
            rows = slice(int(bounds[low]), int(bounds[high]))
            # a column more: each term's key, before its first posting
            grid = np.full((rows.stop - rows.start, len(columns) + 1), "", dtype=object)
            grid[bounds[low:high] - rows.start, 0] = [f'"{word}":'
                                                      for word in self.terms[low:high]]
            for number, (table, codes) in enumerate(columns, 1):
                grid[:, number] = table.strings[codes[rows]]
            text = "".join(grid.ravel().tolist())
            ends = np.cumsum(size[rows], dtype=np.int64)[last[rows]]
            ends += np.cumsum([len(word) + 3 for word in self.terms[low:high]])
            entries[low:high] = [text[start:end] for start, end in pairwise([0, *ends.tolist()])]
            low = high
        return entries, np.add.reduceat(size, bounds[:-1]) if len(size) else size


class _Table:
    """Strings looked up by number, all at once (an object array), with their lengths."""

    def __init__(self, strings: list[str]) -> None:
        self.strings = np.array(strings, dtype=object)
        self.lengths = np.fromiter(map(len, strings), np.int32, len(strings))


def thousandths(values: np.ndarray) -> np.ndarray:
    """``round(value, 3)`` of each value, as Python (and lunr.py) rounds: rint(value × 1000) /
    1000, except where value × 1000 lies (nearly) halfway between two integers and the
    multiplication's rounding could tip it, which Python's round decides."""
    scaled = values * 1000
    rounded = np.rint(scaled)
    scaled -= rounded
    rounded /= 1000
    for row in np.flatnonzero(np.abs(np.abs(scaled) - 0.5) < 1e-6).tolist():
        rounded[row] = round(float(values[row]), 3)
    return rounded


def distinct_thousandths(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of values rounded to thousandths, without
    sorting: each is its number of thousandths, so a table over their span gives each
    distinct value its place (a million scores took a sort of 0.12 s; they hold a few
    thousand values)."""
    if not len(values):
        return np.unique(values, return_inverse=True)
    steps = np.rint(values * 1000).astype(np.int64)
    steps -= steps.min()
    span = int(steps.max()) + 1
    if span > 4 * len(values) + (1 << 20):  # spread too thin for a table
        return np.unique(values, return_inverse=True)
    present = np.zeros(span, dtype=bool)
    present[steps] = True
    place = np.cumsum(present) - 1
    which = place[steps]
    found = np.empty(int(place[-1]) + 1)
    found[which] = values
    if not np.array_equal(found[which], values):  # not all thousandths after all
        return np.unique(values, return_inverse=True)
    return found, which


def _idf(documents_with_term: int, document_count: int) -> float:
    """lunr.idf, given the number it counts in a posting."""
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()
