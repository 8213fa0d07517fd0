"""A realistic, deterministic portal corpus for benchmarks and scale tests.

Text is sampled from each language's real word frequencies (the ``wordfreq`` lists), so
vocabularies, page sizes and compression behave like real content, not like random
characters. The same corpus can be written as a portal project (``write_portal``), and as
plain-Pelican and Hugo projects (``benchmarks.others``) to compare builds fairly.

Adding a content type is one ``Kind`` declaration in ``KINDS``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh", "en", "ja", "ko")
VOCABULARY = 6000  # most frequent words per language to sample from
TRANSLATED = 0.85  # share of default-language items that have a given translation
FIRST_DAY = dt.date(2014, 1, 1)
DAYS = 12 * 365


@dataclass(frozen=True)
class Lookup:
    """Keys declared in the data files that front matter may use, and the slugs of the items
    made so far by section (what references may name)."""

    categories: list[str]
    tags: list[str]
    bodies: list[str]
    topics: list[str]
    letter_categories: list[str]
    departments: list[str]
    made: dict[str, list[str]] = field(default_factory=dict)


#: What a type's front matter needs beyond title/date/summary/tags, given the item's date.
Extra = Callable[[random.Random, Lookup, dt.date], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """One section of the corpus: its folder, its share of the items, its front matter
    (``Extra``), and how long its bodies are (paragraphs)."""

    section: str
    share: float
    extra: Extra = lambda rng, lookup, date: {}
    paragraphs: tuple[int, int] = (3, 8)
    #: The section whose items this type's items name (made before them).
    names: str = ""


def _day(date: dt.date, days: int) -> str:
    return (date + dt.timedelta(days=days)).isoformat()


def _category(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    return {"category": rng.choice(lookup.categories)}


def _policy(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    return {"document_number": f"丰政发〔{date.year}〕{rng.randint(1, 99)}号",
            "issuer": rng.choice(lookup.bodies), "written": _day(date, -rng.randint(1, 20)),
            "index_number": f"11320982/{date.year}-{rng.randint(10000, 99999)}",
            "topic": rng.choice(lookup.topics),
            "validity": rng.choice(("valid",) * 9 + ("expired",))}


def _interpretation(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    return {"policy": rng.choice(lookup.made["policies"]), "issuer": rng.choice(lookup.bodies)}


def _procurement(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    from portal_model.schema import METHODS

    return {"project_number": f"DFCG-{date.year}-{rng.randint(100, 999)}",
            "buyer": rng.choice(lookup.bodies), "budget": rng.randrange(10_000, 5_000_000, 100),
            "currency": "CNY", "method": rng.choice(METHODS), "topic": rng.choice(lookup.topics)}


def _procurement_notice(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    from portal_model.schema import STAGES

    return {"project": rng.choice(lookup.made["procurement"]), "stage": rng.choice(STAGES),
            "deadline": _day(date, rng.randint(5, 30))}


def _consultation(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    return {"opens": date.isoformat(), "closes": _day(date, rng.randint(10, 30)),
            "email": "yjzj@dafeng.gov.cn", "topic": rng.choice(lookup.topics)}


def _letter(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    found: dict[str, Any] = {"letter_category": rng.choice(lookup.letter_categories),
                             "received": _day(date, -rng.randint(1, 15))}
    if rng.random() < 0.8:  # answered: the reply is written in each language by ``_item``
        found |= {"department": rng.choice(lookup.departments), "replied": date.isoformat()}
    return found


def _department(rng: random.Random, lookup: Lookup, date: dt.date) -> dict[str, Any]:
    return {"department": rng.choice(lookup.departments), "phone": "0515-83512345",
            "hours": "8:30–12:00, 13:30–17:30"}


#: Sections in an order where a reference names an item made before it.
KINDS: tuple[Kind, ...] = (
    Kind("news", 0.45, _category),
    Kind("notices", 0.2, _category, paragraphs=(2, 5)),
    Kind("pages", 0.05, paragraphs=(4, 10)),
    Kind("policies", 0.08, _policy, paragraphs=(6, 14)),
    Kind("interpretations", 0.04, _interpretation, names="policies"),
    Kind("procurement", 0.04, _procurement, paragraphs=(2, 5)),
    Kind("procurement-notices", 0.06, _procurement_notice, paragraphs=(2, 5),
         names="procurement"),
    Kind("consultations", 0.03, _consultation),
    Kind("letters", 0.04, _letter, paragraphs=(1, 3)),
    Kind("departments", 0.01, _department, paragraphs=(2, 4)),
)


@dataclass
class Doc:
    """One item in one language, in neutral form (each project type writes its own syntax)."""

    lang: str
    section: str
    slug: str
    title: str
    date: dt.date
    body: str
    summary: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    updated: dt.date | None = None
    change_note: str = ""
    #: The type's own front matter (see ``Kind.extra``).
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def relpath(self) -> str:
        return f"{self.section}/{self.slug}.md"


class Words:
    """Samples words of one language by their real frequency."""

    def __init__(self, lang: str) -> None:
        import wordfreq

        freqs = wordfreq.get_frequency_dict(lang)
        words = [w for w in wordfreq.top_n_list(lang, VOCABULARY * 2) if _usable(w)][:VOCABULARY]
        self.words = words
        self.cumulative = list(itertools.accumulate(freqs[w] for w in words))
        self.spaced = lang in ("en", "ko")
        self.lang = lang

    def sample(self, rng: random.Random, count: int) -> list[str]:
        total = self.cumulative[-1]
        return [self.words[bisect.bisect(self.cumulative, rng.random() * total)]
                for _ in range(count)]

    def sentence(self, rng: random.Random, low: int = 6, high: int = 22, end: str = "") -> str:
        words = self.sample(rng, rng.randint(low, high))
        if rng.random() < 0.4:  # a clause break
            words.insert(rng.randint(1, len(words) - 1), "," if self.spaced else "，")
        text = (" ".join(words).replace(" ,", ",") if self.spaced else "".join(words))
        if self.lang == "ja":
            text = text.replace("，", "、")
        if self.lang == "en":
            text = text[:1].upper() + text[1:]
        return text + (end if end is not None else "")

    def stop(self) -> str:
        return "." if self.spaced else "。"

    def heading(self, rng: random.Random) -> str:
        text = self.sentence(rng, 2, 6, end="")
        return text.replace(",", "").replace("，", "").replace("、", "")

    def paragraph(self, rng: random.Random) -> str:
        joiner = " " if self.spaced else ""
        return joiner.join(self.sentence(rng, end=self.stop()) for _ in range(rng.randint(2, 6)))


def _usable(word: str) -> bool:
    """Words that cannot break Markdown or YAML (no markup characters, no digits alone)."""
    return word.isalpha() and not any(c in word for c in "*_`#[]<>|\\")


@cache
def words(lang: str) -> Words:
    return Words(lang)


def body(rng: random.Random, lang: str, paragraphs: tuple[int, int]) -> str:
    """Markdown: paragraphs with the odd heading, list and emphasis, like an editor writes."""
    w = words(lang)
    parts = []
    for number in range(rng.randint(*paragraphs)):
        if number and rng.random() < 0.25:
            parts.append(f"## {w.heading(rng)}")
        if rng.random() < 0.12:
            parts.append("\n".join(f"- {w.sentence(rng, 3, 9, end='')}"
                                   for _ in range(rng.randint(2, 5))))
        text = w.paragraph(rng)
        if rng.random() < 0.2:
            emphasis = w.sample(rng, 1)[0]
            text += (" " if w.spaced else "") + f"**{emphasis}**" + w.stop()
        parts.append(text)
    return "\n\n".join(parts) + "\n"


def generate(per_lang: int, seed: int = 1, data: Path | None = None) -> Iterator[Doc]:
    """Every item of the corpus, ``per_lang`` per language split across ``KINDS``: the
    default language's items, translations of most of them (same relative paths), and
    items of each other language's own that fill it up to ``per_lang``."""
    lookup = _lookup(data or ROOT / "data")
    rng = random.Random(seed)
    counts = {lang: 0 for lang in LANGS}
    plan = [(kind, f"{kind.section[:2]}{number:05d}", LANGS) for kind in KINDS
            for number in range(_split(per_lang)[kind.section])]
    for kind, prefix, langs in plan:
        chosen = [lang for lang in langs if lang == langs[0] or rng.random() < TRANSLATED]
        for doc in _item(rng, lookup, kind, prefix, chosen):
            if doc.lang == langs[0]:
                lookup.made.setdefault(kind.section, []).append(doc.slug)
            counts[doc.lang] += 1
            yield doc
    kinds = [k for k in KINDS if not k.names or lookup.made.get(k.names)]
    for lang in LANGS[1:]:
        for number in range(per_lang - counts[lang]):
            kind = rng.choices(kinds, weights=[k.share for k in kinds])[0]
            yield from _item(rng, lookup, kind, f"{lang}{number:05d}", [lang])


def _item(rng: random.Random, lookup: Lookup, kind: Kind, prefix: str,
          langs: list[str]) -> Iterator[Doc]:
    """One item in the given languages (the first is its source)."""
    slug = prefix + "-" + "-".join("".join(c for c in w.lower() if c.isascii() and c.isalnum())
                                   or "x" for w in words("en").sample(rng, 2))
    date = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
    extra = kind.extra(rng, lookup, date)
    tags = rng.sample(lookup.tags, rng.choice((0, 1, 1, 2, 2, 3)))
    with_summary = rng.random() < 0.5
    updated = date + dt.timedelta(days=rng.randint(1, 90)) if rng.random() < 0.1 else None
    for lang in langs:
        w = words(lang)
        yield Doc(lang=lang, section=kind.section, slug=slug,
                  title=w.sentence(rng, 4, 12, end=""), date=date,
                  body=body(rng, lang, kind.paragraphs),
                  summary=w.sentence(rng, 10, 25, end=w.stop()) if with_summary else "",
                  category=extra.get("category", ""), tags=tags, updated=updated,
                  change_note=w.sentence(rng, 4, 10, end=w.stop()) if updated else "",
                  meta=_localized(rng, w, {k: v for k, v in extra.items() if k != "category"}))


def _localized(rng: random.Random, w: Words, meta: dict[str, Any]) -> dict[str, Any]:
    """A type's front matter in one language: a letter's reply is written in it."""
    if "replied" in meta:
        meta = {**meta, "reply": w.paragraph(rng)}
    return meta


def _split(per_lang: int) -> dict[str, int]:
    """Items per section: every section gets at least one when there are as many items as
    sections, else the first sections one each."""
    if per_lang < len(KINDS):
        return {k.section: int(n < per_lang) for n, k in enumerate(KINDS)}
    total = sum(k.share for k in KINDS)
    counts = {k.section: max(1, round(per_lang * k.share / total)) for k in KINDS}
    counts[KINDS[0].section] += per_lang - sum(counts.values())
    return counts


def _lookup(data: Path) -> Lookup:
    def keys(name: str) -> list[str]:
        return list(yaml.safe_load((data / f"{name}.yml").read_text(encoding="utf-8")) or {})

    return Lookup(categories=keys("categories"), tags=keys("tags"), bodies=keys("bodies"),
                  topics=keys("topics"), letter_categories=keys("letter_categories"),
                  departments=keys("departments"))


# --- The portal project -------------------------------------------------------------------

MENUS = """main:
  - path: ""
    label: {zh: 首页, en: Home, ja: ホーム, ko: 홈}
  - path: news/
    label: {zh: 新闻动态, en: News, ja: ニュース, ko: 뉴스}
  - path: notices/
    label: {zh: 通知公告, en: Notices, ja: お知らせ, ko: 공지사항}
  - path: pages/
    label: {zh: 走进大丰, en: About Dafeng, ja: 大豊について, ko: 다펑 소개}
footer:
  - path: categories/
    label: {zh: 栏目分类, en: Categories, ja: カテゴリー, ko: 분류}
  - path: tags/
    label: {zh: 主题标签, en: Topics, ja: タグ, ko: 태그}
"""


def write_portal(out: Path, per_lang: int, seed: int = 1) -> int:
    """A buildable portal project in ``out``: settings, data, content; theme and plugins
    linked from this repository. Returns the number of content files."""
    from portal_model.model import _parse  # the model's own digest, so stamps are exact

    _fresh(out)
    shutil.copy(ROOT / "pelicanconf.py", out / "pelicanconf.py")
    for name in ("theme", "plugins"):
        (out / name).symlink_to(ROOT / name)
    (out / "data").mkdir()
    for name in DATA:
        shutil.copy(ROOT / "data" / f"{name}.yml", out / "data" / f"{name}.yml")
    with (out / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write("\n# Benchmarks leave PDFs out: their cost is per document (invoke bench-pdf).\n"
                   "PORTAL_PDF_SECTIONS = []\n")
    (out / "data" / "menus.yml").write_text(MENUS, encoding="utf-8")
    count = 0
    digests: dict[str, str] = {}
    rng = random.Random(seed + 1)
    for doc in generate(per_lang, seed):
        text = portal_markdown(doc, digests.get(doc.relpath) if rng.random() < 0.9 else None)
        path = out / "content" / doc.lang / doc.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if doc.lang == LANGS[0]:
            digests[doc.relpath] = _parse(text.encode(), path).digest
        count += 1
    return count


def portal_markdown(doc: Doc, translated_from: str | None = None) -> str:
    meta: dict[str, Any] = {"title": doc.title, "date": doc.date.isoformat()}
    if doc.updated:
        meta["updated"] = doc.updated.isoformat()
        meta["change_note"] = doc.change_note
    if doc.summary:
        meta["summary"] = doc.summary
    if doc.category:
        meta["category"] = doc.category
    if doc.tags:
        meta["tags"] = doc.tags
    meta.update(doc.meta)
    if translated_from and doc.lang != LANGS[0]:
        meta["translated_from"] = translated_from
    lines = [f"{key}: {_yaml(value)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + doc.body


def _yaml(value: Any) -> str:
    """JSON scalars and flow lists are valid YAML; dates stay bare."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value
    return json.dumps(value, ensure_ascii=False)


MARKER = ".generated-corpus"
#: The data files a generated portal takes from this repository.
DATA = ("categories", "tags", "bodies", "topics", "letter_categories", "departments")


def _fresh(out: Path) -> None:
    """An empty project folder; only a folder this module generated is ever replaced."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise FileExistsError(f"{out} exists and is not a generated corpus: not replacing it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by benchmarks/corpus.py; replaced on the next run\n",
                              encoding="utf-8")
