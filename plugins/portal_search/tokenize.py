"""The one tokenization of search, for every language; ``theme/static/js/search.js`` is its
twin in the browser and ``tests/search_tokenizer_cases.json`` holds the cases both must agree on.

Chinese, Japanese and Korean runs become overlapping character bigrams plus the run's last
character, so a query of any length finds every occurrence: two or more characters by their
bigrams, one character as itself or as the first of a bigram (a trailing wildcard). Korean
particles need no dictionary: 정책을 gives 정책 and 책을, so 정책 is found. Kana are kept whole
(NFKC composes ホ + ゚ into ポ, and nothing strips voicing marks). Other letters and digits form
words; English words keep lunr's stop words and Porter stemmer. Every language runs the same
code, so an English term or 〔2020〕12号 inside Chinese is found wherever it appears.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata

import numpy as np
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token

#: Han (with 々 and 〇), kana (with the prolonged sound mark), Hangul syllables and jamo.
CJK = ("\u3005\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
       "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3")
RUN = re.compile(f"([{CJK}]+)|([^\\W_{CJK}]+)")
CJK_START = re.compile(f"^[{CJK}]")


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII, half-width kana to full), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> list[str]:
    """Index tokens of a text: CJK bigrams plus each run's last character, and words."""
    return _split(text, trailing=True)


def query_tokens(text: str) -> list[str]:
    """Query tokens: like ``tokens`` but without the trailing characters of longer runs, which
    the bigrams already require. A one-character run stays one token (searched as a prefix)."""
    return _split(text, trailing=False)


def _split(text: str, trailing: bool) -> list[str]:
    found: list[str] = []
    for cjk, word in RUN.findall(normalize(text)):
        if word:
            found.append(word)
        elif len(cjk) == 1:
            found.append(cjk)
        else:  # each character joined to the next (by a C loop: runs are long)
            found += map(operator.add, cjk, cjk[1:])
            if trailing:
                found.append(cjk[-1])
    return found


def is_cjk(term: str) -> bool:
    return bool(CJK_START.match(term))


def terms(text: str, english: bool, query: bool = False) -> list[str]:
    """The terms of a text as the index stores them (or, with ``query``, as a query asks)."""
    split = query_tokens(text) if query else tokens(text)
    if not english:  # every token is a term as it is
        return split
    return [term for term in map(_english_term, split) if term]


@functools.cache
def _english_term(token: str) -> str | None:
    """A token's term in English (search.js's ``stem``): a CJK token as it is, a word without
    stop words and inflections (lunr's filter and Porter stemmer). Worked out once per token:
    the stemmer is pure Python, and a site's vocabulary is small next to its running text."""
    if is_cjk(token):
        return token
    word = stop_word_filter(Token(token))
    return None if word is None else str(stemmer(word))


BIGRAM, WORD = 1 << 21, 1 << 42
#: About this many characters are coded at a time (a big language has millions).
BATCH_CHARS = 1 << 20


def coded(texts: list[str], english: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``terms(text, english)`` of every text at once, coded: for each term occurrence, in
    order, the number of its text and its term's code; and the words that codes from WORD
    on stand for (``decoded`` turns codes back into terms). A language's search index reads a
    million terms, and a Python step per term and a lookup of each in a big dictionary were
    most of its cost: here the texts are read as arrays of code points, CJK bigrams and
    characters are numbers made of their code points, and only words become strings. A test
    checks that each text's terms equal ``terms``."""
    numbers: dict[str, int] = {}  # words, numbered as first met
    found: list[tuple[np.ndarray, np.ndarray]] = []
    start = 0
    while start < len(texts):  # a batch: texts up to about BATCH_CHARS characters, or one
        stop, size = start + 1, len(texts[start])
        while stop < len(texts) and size < BATCH_CHARS:
            size += len(texts[stop]) + 1
            stop += 1
        text, code = _coded(texts[start:stop], english, numbers)
        found.append((text + start, code))
        start = stop
    if not found:
        return np.zeros(0, np.int32), np.zeros(0, np.int64), []
    return (np.concatenate([text for text, _ in found]),
            np.concatenate([code for _, code in found]), list(numbers))


def decoded(codes: np.ndarray, words: list[str]) -> list[str]:
    """The terms of codes: a CJK character is its code point, a bigram two code points
    (21 bits each), a word its number in ``words`` plus WORD."""
    return [chr(code) if code < BIGRAM else
            chr(code >> 21) + chr(code & 0x1FFFFF) if code < WORD else
            words[code - WORD] for code in codes.tolist()]


def _coded(texts: list[str], english: bool, numbers: dict[str, int]
           ) -> tuple[np.ndarray, np.ndarray]:
    normalized = [normalize(text) for text in texts]
    starts = np.cumsum([0] + [len(text) + 1 for text in normalized])[:-1]
    joined = "\n".join(normalized)  # a newline separates, as any character neither kind does
    del normalized
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.int32)
    kind = _kinds(points)
    cjk, word = kind == CJK_KIND, kind == WORD_KIND
    del kind
    cjk_next = np.append(cjk[1:], False)
    slot = np.full(len(points), -1, np.int64)  # the code of the term that starts at a point
    bigrams = np.flatnonzero(cjk & cjk_next)
    slot[bigrams] = points[bigrams].astype(np.int64) << 21 | points[bigrams + 1]
    del bigrams
    last = np.flatnonzero(cjk & ~cjk_next)  # a run's last character, or a run of one
    slot[last] = points[last]
    del last, cjk, cjk_next, points
    first = np.flatnonzero(word & ~np.append(False, word[:-1]))
    ends = np.flatnonzero(word & ~np.append(word[1:], False)) + 1
    del word
    words = [joined[start:end] for start, end in zip(first.tolist(), ends.tolist(), strict=True)]
    if english:
        words = list(map(_english_term, words))
    slot[first] = np.fromiter((WORD + numbers.setdefault(term, len(numbers)) if term else -1
                               for term in words), np.int64, len(words))
    at = np.flatnonzero(slot >= 0)
    return (np.searchsorted(starts, at, side="right") - 1).astype(np.int32), slot[at]


CJK_KIND, WORD_KIND = 2, 1
CJK_CHAR = re.compile(f"[{CJK}]")
WORD_CHAR = re.compile(f"[^\\W_{CJK}]")


def _kinds(points: np.ndarray) -> np.ndarray:
    """Each code point's kind as RUN reads it: CJK, a word character, or neither."""
    kinds = _plane_kinds()[points & 0xFFFF]
    beyond = np.flatnonzero(points > 0xFFFF)  # rare: each distinct one looked at once
    distinct, which = np.unique(points[beyond], return_inverse=True)
    kinds[beyond] = np.array([_kind(chr(point)) for point in distinct.tolist()], np.uint8)[which]
    return kinds


@functools.cache
def _plane_kinds() -> np.ndarray:
    """The kinds of the basic multilingual plane, worked out once."""
    every = "".join(map(chr, range(0x10000)))
    kinds = np.zeros(0x10000, np.uint8)
    kinds[[match.start() for match in WORD_CHAR.finditer(every)]] = WORD_KIND
    kinds[[match.start() for match in CJK_CHAR.finditer(every)]] = CJK_KIND
    return kinds


def _kind(char: str) -> int:
    return CJK_KIND if CJK_CHAR.match(char) else WORD_KIND if WORD_CHAR.match(char) else 0
