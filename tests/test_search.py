"""Search: the shared tokenizer, the index parts each language writes, and the search page as a
visitor uses it in Debian's Chromium (queries, ?q=, filters, keyboard, axe)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from checkers import axe_violations, serve_directory
from conftest import LANGS, PREFIX, ROOT, article
from portal_build import build, load_model
from portal_search import index, inputs, tokenize
from portal_search.tokenize import coded, decoded, terms

CASES = json.loads((ROOT / "tests" / "search_tokenizer_cases.json").read_text("utf-8"))["cases"]
QUERIES = json.loads((ROOT / "tests" / "search_queries.json").read_text("utf-8"))
DRAFT = ROOT / "content" / "zh" / "news" / "coastal-greenway-phase-two.md"


def search_files(output: Path, lang: str) -> list[Path]:
    return sorted(p for p in (output / PREFIX[lang] / "search").rglob("*.json"))


def shard_terms(folder: Path) -> dict[int, list[str]]:
    """The terms of every term shard of an index folder, by shard number."""
    return {int(path.stem): sorted(json.loads(path.read_text("utf-8")))
            for path in (folder / "t").glob("*.json")}


def test_python_tokenizer_gives_the_shared_cases() -> None:
    for case in CASES:
        assert terms(case["text"], case["english"]) == case["index"], case["text"]
        assert terms(case["text"], case["english"], query=True) == case["query"], case["text"]


def assert_coded_as_terms(texts: list[str], english: bool) -> None:
    text, code, words = coded(texts, english)
    found: list[list[str]] = [[] for _ in texts]
    for number, term in zip(text.tolist(), decoded(code, words), strict=True):
        found[number].append(term)
    assert found == [terms(text, english) for text in texts]


@pytest.mark.parametrize("english", [False, True])
def test_texts_coded_at_once_give_the_terms_of_each(english: bool, monkeypatch) -> None:
    """The index codes a language's texts at once, in batches; each text's terms must be the
    tokenizer's: the shared cases, characters beyond the basic plane (a CJK Extension B
    character is a word character here, as for the regular expression), lone surrogates,
    empty texts."""
    monkeypatch.setattr(tokenize, "BATCH_CHARS", 40)
    texts = [case["text"] for case in CASES] + [
        "", "港口𠀀港 abc😀def 𠀀x 𝐀𝐁c", "政策\n解读", "", "Ⅻ条 ＡＢＣ１２３ ｶﾞｲﾄﾞ", "口",
        "港\ud800口 a\udfffb"]  # lone surrogates (a YAML escape can make one) separate terms
    assert_coded_as_terms(texts, english)


@pytest.mark.parametrize("lang", [*LANGS, "zh-hant"])
def test_every_text_of_the_demo_is_coded_as_its_terms(lang: str) -> None:
    site = load_model(ROOT / "pelicanconf.py")
    items = inputs.documents(site.items[lang])
    assert_coded_as_terms([fields[name] for fields in map(inputs.fields_of, items)
                           for name, _ in inputs.FIELDS], not site.language(lang).cjk)


def assert_scored_as_lunr_py_does(fields: list[dict[str, list[str]]],
                                  given: list[dict[str, list[str]]] | None = None) -> None:
    """Every field vector (term numbers and scores) and its magnitude, as lunr.py's stock
    Builder makes them from ``fields``, to the bit (the index given the terms ``given``, by
    default the same)."""
    from lunr.builder import Builder

    stock = Builder()
    stock.ref("id")
    for name, boost in inputs.FIELDS:
        stock.field(name, boost=boost)
    for ref, doc in enumerate(fields):
        stock.add({"id": ref, **doc})
    expected = stock.build()
    names = [name for name, _ in inputs.FIELDS]
    scores = index.Scores.of_terms([[doc[name] for name in names] for doc in given or fields])
    elements: dict[str, list[tuple[int, float]]] = {
        f"{name}/{ref}": [] for ref in range(len(fields)) for name in names}
    for term, vector, score in zip(scores.term.tolist(), scores.vector.tolist(),
                                   scores.score.tolist(), strict=True):
        elements[f"{names[vector % len(names)]}/{vector // len(names)}"].append((term, score))

    assert scores.terms == list(expected.inverted_index)
    assert {ref: [value for pair in sorted(pairs) for value in pair]
            for ref, pairs in elements.items()} == {
        ref: v.elements for ref, v in expected.field_vectors.items()}
    assert {f"{name}/{ref}": magnitude for ref, row in enumerate(scores.magnitudes.tolist())
            for name, magnitude in zip(names, row, strict=True)} == {
        ref: v.magnitude for ref, v in expected.field_vectors.items()}


@pytest.mark.parametrize("lang", [*LANGS, "zh-hant"])
def test_the_index_scores_as_lunr_py_builds(lang: str) -> None:
    """The index's scores are lunr.py's, worked out with NumPy: every field vector must equal
    the one the stock Builder makes from the same documents."""
    site = load_model(ROOT / "pelicanconf.py")
    docs = inputs.documents(site.items[lang])
    assert len(docs) > 10
    assert_scored_as_lunr_py_does([{name: terms(text, not site.language(lang).cjk)
                                    for name, text in inputs.fields_of(item).items()}
                                   for item in docs])


def test_the_index_takes_empty_fields() -> None:
    assert_scored_as_lunr_py_does([{"title": ["港口"], "lead": [], "body": []},
                                   {"title": ["港口", "口"], "lead": [], "body": ["口"]}])
    assert index.build([], english=False, locale="zh_Hans_CN").files["meta.json"]


def test_scores_are_rounded_as_python_rounds() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    halfway = (rng.integers(0, 20_000, 5000) + 0.5) / 1000  # 2.675 is 2.67499999…
    values = np.concatenate([rng.random(5000) * 20, halfway, np.nextafter(halfway, 0),
                             np.nextafter(halfway, 99), [0.0, 0.0005, 1.0005, 2.675]])
    assert index.thousandths(values).tolist() == [round(v, 3) for v in values.tolist()]


@pytest.mark.parametrize("spread", [20, -5, 1e6])  # scores, negatives, too thin for a table
def test_distinct_thousandths_are_what_sorting_finds(spread: float) -> None:
    import numpy as np

    rng = np.random.default_rng(11)
    values = index.thousandths(rng.random(20_000) * spread)
    values[:50] = values[50:100]  # the same value many times
    found, which = index.distinct_thousandths(values)
    expected, places = np.unique(values, return_inverse=True)
    assert found.tolist() == expected.tolist() and which.tolist() == places.tolist()
    assert [len(part) for part in index.distinct_thousandths(np.zeros(0))] == [0, 0]
    unrounded = np.array([0.1, 0.1004, 0.1, 2.5])  # two values a thousandth apart would merge
    assert index.distinct_thousandths(unrounded)[0].tolist() == [0.1, 0.1004, 2.5]


def test_terms_in_most_bodies_are_dropped_from_bodies_only(monkeypatch) -> None:
    """A term in more than half the bodies leaves the bodies (not titles or headings), and the
    terms are numbered as if it had never been there: as lunr.py would number them."""
    monkeypatch.setattr(index, "MIN_DOCS_TO_DROP", 3)
    docs = [{"title": ["港口", f"t{n}"], "lead": ["政策"] if n == 2 else [],
             "body": ["政策", f"b{n}", "口"] if n < 3 else [f"b{n}"]} for n in range(4)]
    scores = index.Scores.of_terms([[doc[name] for name, _ in inputs.FIELDS] for doc in docs])
    assert "口" not in scores.terms and scores.terms.index("政策") > scores.terms.index("t2")
    assert_scored_as_lunr_py_does([{**doc, "body": [t for t in doc["body"]
                                                    if t not in ("政策", "口")]}
                                   for doc in docs], given=docs)


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_writes_its_search_page_and_index_parts(site: Path, lang: str) -> None:
    page = (site / PREFIX[lang] / "search" / "index.html").read_text("utf-8")
    assert 'id="search-results"' in page and 'type="application/json"' in page
    assert "<script>" not in page and " style=" not in page  # no inline script or style
    config = json.loads(page.split('id="search-config">')[1].split("</script>")[0])
    assert config["base"].startswith(f"/{PREFIX[lang]}search/")
    meta = json.loads((site / config["base"].lstrip("/") / "meta.json").read_text("utf-8"))
    assert meta["english"] is (lang == "en") and meta["count"] == len(meta["year"])
    home = (site / PREFIX[lang] / "index.html").read_text("utf-8")
    assert f'action="/{PREFIX[lang]}search/"' in home and 'name="q"' in home


def test_lunr_js_is_copied_once_into_the_theme(site: Path) -> None:
    copied = site / "theme" / "js" / "lunr.min.js"
    assert copied.read_bytes() == (ROOT / "node_modules" / "lunr" / "lunr.min.js").read_bytes()
    assert b"2.3.9" in copied.read_bytes()[:200]
    assert not list(site.glob("*/theme"))


def test_drafts_are_never_indexed(site: Path) -> None:
    assert "status: draft" in DRAFT.read_text("utf-8")
    for lang in LANGS:
        for path in search_files(site, lang):
            text = path.read_text("utf-8")
            assert "coastal-greenway-phase-two" not in text and "绿道二期" not in text, path


def test_drafts_stay_out_of_the_index_even_in_a_preview_build(portal, tmp_path: Path) -> None:
    project = portal({
        "zh/news/published.md": article(title="港口新闻", body="大丰港吞吐量创新高。"),
        "zh/news/secret.md": article(title="保密草稿", extra="status: draft\n",
                                     body="尚未公开的机密内容。"),
    })
    output = tmp_path / "preview"
    build(project / "pelicanconf.py", output, drafts=True, strict=False)
    assert (output / "news" / "secret" / "index.html").exists()  # previewed as a page
    indexed = "".join(p.read_text("utf-8") for p in search_files(output, "zh"))
    assert "港口新闻" in indexed
    assert "保密" not in indexed and "机密" not in indexed and "secret" not in indexed


# --- in the browser ----------------------------------------------------------------------------


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def search(page, base_url: str, lang: str, query: str, extra: str = "") -> None:
    page.goto(f"{base_url}{PREFIX[lang]}search/?q={quote(query)}{extra}")
    page.evaluate("PortalSearch.ready")


def result_paths(page, lang: str) -> list[str]:
    page.evaluate("PortalSearch.ready")  # results render once their data has loaded
    hrefs = page.locator("#search-results > li h2 a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return [h.removeprefix(f"/{PREFIX[lang]}") for h in hrefs]


@pytest.mark.slow
def test_javascript_tokenizer_gives_the_shared_cases(page, base_url) -> None:
    page.goto(base_url + "search/")
    got = page.evaluate("""cases => cases.map(c => [PortalSearch.terms(c.text, c.english, false),
                                                 PortalSearch.terms(c.text, c.english, true)])""",
                        CASES)
    assert got == [[c["index"], c["query"]] for c in CASES]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_judged_queries_find_the_expected_page_in_the_top_three(page, base_url, lang) -> None:
    misses = []
    for case in QUERIES[lang]:
        search(page, base_url, lang, case["q"])
        found = result_paths(page, lang)
        if case["expect"][0] not in found[:3]:
            misses.append(f"{case['q']}: {found[:3]}")
    assert misses == []


@pytest.mark.slow
def test_the_browser_looks_for_every_term_in_the_shard_that_holds_it(page, base_url, site) -> None:
    page.goto(base_url + "search/")
    for lang in LANGS:
        folder = next((site / PREFIX[lang] / "search").glob("*/meta.json")).parent
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        held = shard_terms(folder)
        lost = page.evaluate("""([meta, held]) => {
          const lost = [];
          for (const [n, terms] of Object.entries(held)) for (const term of terms) {
            const prefix = {term: term.charAt(0), prefix: true};
            if (!PortalSearch.shardsOf({term}, meta).includes(+n)) lost.push(term);
            if (/^[\u3400-\u9fff\u3041-\u30ff\uac00-\ud7a3]/.test(term)
                && !PortalSearch.shardsOf(prefix, meta).includes(+n)) lost.push(term + '*');
          }
          return lost;
        }""", [meta, held])
        assert lost == [], lang


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_ranking_from_index_parts_equals_the_whole_index(page, base_url, lang) -> None:
    """Scores from the shards a query loads equal those from all shards merged at once."""
    page.goto(f"{base_url}{PREFIX[lang]}search/")
    differing = page.evaluate("""async queries => {
      const base = JSON.parse(document.getElementById('search-config').textContent).base;
      const whole = new PortalSearch.Engine(base), meta = await whole.meta();
      const count = Object.values(meta.own).reduce((sum, own) => sum + own[1], meta.shards);
      const all = [...Array(count).keys()];
      for (const n of all) await whole.get('t/' + n + '.json');
      whole.loaded = Object.fromEntries(all.map(n => [n, true]));
      const out = [];
      for (const q of queries) {
        const part = await new PortalSearch.Engine(base).search(q);
        const full = await whole.search(q);
        const a = JSON.stringify(part.hits.map(h => [h.ref, h.score.toFixed(6)]));
        const b = JSON.stringify(full.hits.map(h => [h.ref, h.score.toFixed(6)]));
        if (a !== b) out.push(q + ': ' + a + ' != ' + b);
      }
      return out;
    }""", [c["q"] for c in QUERIES[lang]])
    assert differing == []


@pytest.mark.slow
def test_the_page_runs_the_query_from_the_address_and_highlights_matches(page, base_url) -> None:
    search(page, base_url, "zh", "丰政发〔2020〕12号")
    assert page.locator("#search-query").input_value() == "丰政发〔2020〕12号"
    first = page.locator("#search-results > li").first
    assert first.locator("h2 a").get_attribute("href") == "/news/run-at-most-once-milestone/"
    assert first.locator("time").get_attribute("datetime") == "2020-09-10"
    assert "2020年9月10日" in first.inner_text()
    assert "丰政" in " ".join(first.locator("mark").all_text_contents())
    assert "丰政发〔2020〕12号" in page.locator("#search-status").inner_text()
    assert page.locator("#search-status").get_attribute("role") == "status"
    english = page.get_by_role("navigation", name="选择语言").get_by_role("link", name="English")
    assert english.get_attribute("href") == "/en/search/?q=" + quote("丰政发〔2020〕12号")


@pytest.mark.slow
def test_filters_narrow_results_by_section_and_year(page, base_url) -> None:
    search(page, base_url, "en", "deer")
    everything = result_paths(page, "en")
    assert {p.split("/")[0] for p in everything} >= {"news", "notices", "pages"}
    page.get_by_label("Section").select_option("notices")
    assert result_paths(page, "en") == [p for p in everything if p.startswith("notices/")]
    assert "section=notices" in page.url
    page.get_by_label("Section").select_option("")
    page.get_by_label("Year").select_option("2024")
    dated = result_paths(page, "en")
    assert dated and "news/deer-population-census-2023/" in dated and len(dated) < len(everything)
    assert page.locator("#search-results time").evaluate_all(
        "ts => ts.every(t => t.getAttribute('datetime').startsWith('2024'))")
    search(page, base_url, "en", "deer", "&section=pages")  # a linked filter is applied
    linked = result_paths(page, "en")
    assert "pages/tourism/" in linked and all(p.startswith("pages/") for p in linked)


@pytest.mark.slow
def test_no_results_offers_suggestions(page, base_url) -> None:
    search(page, base_url, "ko", "xyzzy 쿼크")
    assert page.locator("#search-results > li").count() == 0
    assert page.locator("#search-empty").is_visible()
    assert "검색 결과가 없습니다" in page.locator("#search-status").inner_text()


@pytest.mark.slow
def test_search_works_with_the_keyboard_alone(page, base_url) -> None:
    page.goto(base_url + "ja/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "header-search-query":
            break
    assert page.evaluate("document.activeElement.id") == "header-search-query"
    page.keyboard.type("シフゾウ")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ja/search/?q=*")
    page.evaluate("PortalSearch.ready")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href == "/ja/news/deer-population-census-2023/"
    page.keyboard.press("Enter")
    page.wait_for_url("**/ja/news/deer-population-census-2023/")


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_violation_on_the_search_page_with_results(page, base_url, lang) -> None:
    search(page, base_url, lang, QUERIES[lang][1]["q"])
    assert page.locator("#search-results > li").count() > 0
    assert page.locator("#search-filters").is_visible()
    assert axe_violations(page) == []


@pytest.mark.slow
def test_a_heavy_character_has_shards_of_its_own_and_is_still_found(portal, tmp_path,
                                                                     page) -> None:
    """Tiny shards give a frequent first character (大) shards of its own, holding its bigrams
    only: exact and one-character queries find them there."""
    texts = ["大丰港吞吐量创新高，大型船舶靠泊。", "大丰麋鹿保护区迎来大批游客。",
             "大力推进政务服务，大丰一网通办。", "大丰区举行大型防汛演练。"]
    project = portal({f"zh/news/n{i}.md": article(title=f"新闻{i}", body=text)
                      for i, text in enumerate(texts)})
    conf = project / "pelicanconf.py"
    conf.write_text(conf.read_text("utf-8") + "\nPORTAL_SEARCH_SHARD_BYTES = 60\n", "utf-8")
    output = tmp_path / "out"
    build(conf, output, strict=False)
    folder = next((output / "search").glob("*/meta.json")).parent
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    first, count = meta["own"]["大"]  # shards of its own, after the hashed ones
    held = shard_terms(folder)
    assert count > 1 and first >= meta["shards"]
    assert len(held) == meta["shards"] + sum(n for _, n in meta["own"].values())
    assert all(term.startswith("大") for n in range(first, first + count) for term in held[n])
    with serve_directory(output) as url:
        page.goto(url + "search/")
        lost = page.evaluate("""([meta, held]) => Object.entries(held).flatMap(([n, terms]) =>
            terms.filter(term => !PortalSearch.shardsOf({term}, meta).includes(+n)
              || !PortalSearch.shardsOf({term: term.charAt(0), prefix: true}, meta)
                   .includes(+n)))""", [meta, held])
        assert lost == []
        found = page.evaluate("""async () => {
          const base = JSON.parse(document.getElementById('search-config').textContent).base;
          const hits = async q => (await new PortalSearch.Engine(base).search(q)).hits.length;
          return [await hits('大丰'), await hits('大'), await hits('大型')];
        }""")
        assert found == [4, 4, 2]


@pytest.mark.slow
def test_words_that_name_what_every_object_has_are_searched_as_words(portal, tmp_path,
                                                                     page) -> None:
    """Terms are keys of JavaScript objects: "constructor" is a word to find and mark, not the
    constructor every object inherits."""
    project = portal({"en/news/bridge.md": article(
        title="Bridge reopens", body="The constructor handed the bridge over in May.")})
    output = tmp_path / "out"
    build(project / "pelicanconf.py", output, strict=False)
    with serve_directory(output) as url:
        page.goto(url + "en/search/?q=constructor")
        page.wait_for_selector("#search-results > li")
        assert page.locator("#search-results > li").count() == 1
        assert page.locator("#search-results mark").first.inner_text().lower() == "constructor"
        page.goto(url + "en/search/?q=bridge")
        page.wait_for_selector("#search-results > li")
        marked = page.locator("#search-results mark").all_inner_texts()
        assert marked and all(text.lower() == "bridge" for text in marked)


@pytest.mark.slow
def test_the_traditional_site_finds_pages_for_simplified_and_traditional_queries(
        page, base_url) -> None:
    from portal_opencc import Converter

    to_traditional = Converter("s2t", []).text
    misses = []
    for case in QUERIES["zh"]:
        for query in {case["q"], to_traditional(case["q"])}:
            search(page, base_url, "zh-hant", query)
            if case["expect"][0] not in result_paths(page, "zh-hant")[:3]:
                misses.append(query)
    assert misses == []
    assert to_traditional("农村危房") != "农村危房"  # the two scripts really differ here


@pytest.mark.slow
def test_axe_finds_no_violation_on_the_traditional_search_page(page, base_url) -> None:
    from portal_opencc import Converter

    search(page, base_url, "zh-hant", Converter("s2t", []).text("湿地"))
    assert page.locator("#search-results > li").count() > 0
    assert axe_violations(page) == []
