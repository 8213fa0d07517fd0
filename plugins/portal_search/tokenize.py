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


def stem(term: str, english: bool) -> str | None:
    """English words lose stop words and inflections (lunr's filter and stemmer); anything else,
    and any CJK term, is kept as it is."""
    if not english or is_cjk(term):
        return term
    return _english(term)


@functools.cache
def _english(word: str) -> str | None:
    """A word's stem, worked out once per word: lunr's Porter stemmer is pure Python, and a
    site's vocabulary is small next to its running text."""
    token = stop_word_filter(Token(word))
    return None if token is None else str(stemmer(token))


def terms(text: str, english: bool, query: bool = False) -> list[str]:
    """The terms of a text as the index stores them (or, with ``query``, as a query asks)."""
    split = query_tokens(text) if query else tokens(text)
    if not english:  # every token is a term as it is
        return split
    return [term for term in map(_english_term, split) if term]


@functools.cache
def _english_term(token: str) -> str | None:
    """``stem(token, english=True)``, worked out once per token."""
    return stem(token, english=True)
