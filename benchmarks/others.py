"""The same corpus as a plain-Pelican project (pelican-i18n-subsites) and as a Hugo project.

Both get what the portal builds: a page per item in four languages linked to its
translations, paginated section, category and tag lists, and a home page per language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .corpus import LANGS, Doc, _fresh, generate

NAMES = {"zh": "简体中文", "en": "English", "ja": "日本語", "ko": "한국어"}


def write_pelican(out: Path, per_lang: int, seed: int = 1) -> int:
    """Markdown with Pelican metadata under content/<lang>/<section>/, one subsite per
    language other than the default; translations are linked by slug."""
    count = _write_content(out, per_lang, seed, _pelican_markdown)
    articles = [f"{lang}/{s}" for lang in LANGS for s in ("news", "notices")]
    pages = [f"{lang}/pages" for lang in LANGS]
    subsites = {lang: {"SITENAME": f"Portal ({lang})"} for lang in LANGS[1:]}
    (out / "pelicanconf.py").write_text(f'''"""Plain Pelican with pelican-i18n-subsites: the comparison build."""
SITENAME = "Portal"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
ARTICLE_PATHS = {articles!r}
PAGE_PATHS = {pages!r}
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
PAGE_URL = "pages/{{slug}}/"
PAGE_SAVE_AS = "pages/{{slug}}/index.html"
DEFAULT_PAGINATION = 20
RELATIVE_URLS = False
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
PLUGINS = ["pelican.plugins.i18n_subsites"]
JINJA_ENVIRONMENT = {{"extensions": ["jinja2.ext.i18n"]}}
I18N_SUBSITES = {subsites!r}
''', encoding="utf-8")
    return count


def _write_content(out: Path, per_lang: int, seed: int, markdown: Callable[[Doc], str]) -> int:
    """A fresh project folder with the corpus as content/<lang>/<section>/ files in one
    generator's Markdown; the number of files."""
    _fresh(out)
    count = 0
    for doc in generate(per_lang, seed):
        path = out / "content" / doc.lang / doc.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown(doc), encoding="utf-8")
        count += 1
    return count


def _pelican_markdown(doc: Doc) -> str:
    lines = [f"Title: {doc.title}", f"Date: {doc.date.isoformat()}", f"Slug: {doc.slug}",
             f"Lang: {doc.lang}"]
    if doc.category:
        lines.append(f"Category: {doc.category}")
    if doc.tags:
        lines.append(f"Tags: {', '.join(doc.tags)}")
    if doc.summary:
        lines.append(f"Summary: {doc.summary}")
    if doc.updated:
        lines.append(f"Modified: {doc.updated.isoformat()}")
    return "\n".join(lines) + "\n\n" + doc.body


def write_hugo(out: Path, per_lang: int, seed: int = 1, searchable: bool = False) -> int:
    """A multilingual Hugo site: content/<lang>/ per language, translations by path;
    ``searchable``: item pages marked for Pagefind, which then indexes them and no list,
    as our search does."""
    count = _write_content(out, per_lang, seed, _hugo_markdown)
    config = ['baseURL = "http://127.0.0.1:8000/"', 'defaultContentLanguage = "zh"',
              "defaultContentLanguageInSubdir = false", "hasCJKLanguage = true",
              "paginate = 20", "[taxonomies]", '  category = "categories"', '  tag = "tags"',
              "[languages]"]
    for weight, lang in enumerate(LANGS, 1):
        config += [f"  [languages.{lang}]", f'    contentDir = "content/{lang}"',
                   f"    weight = {weight}", f'    languageName = "{NAMES[lang]}"']
    (out / "config.toml").write_text("\n".join(config) + "\n", encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = out / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if searchable:
            text = text.replace("<article>", "<article data-pagefind-body>")
        path.write_text(text, encoding="utf-8")
    return count


def _hugo_markdown(doc: Doc) -> str:
    meta = {"title": doc.title, "date": doc.date.isoformat(), "slug": doc.slug}
    if doc.category:
        meta["categories"] = [doc.category]
    if doc.tags:
        meta["tags"] = doc.tags
    if doc.summary:
        meta["summary"] = doc.summary
    if doc.updated:
        meta["lastmod"] = doc.updated.isoformat()
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n"
                             for k, v in meta.items()) + "---\n" + doc.body


LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ .Site.Language.Lang }}">
<head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title>
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Lang }}" href="{{ .Permalink }}">
{{ end }}</head>
<body>
<header><nav><ul>{{ range .AllTranslations }}<li><a href="{{ .RelPermalink }}">{{ .Language.LanguageName }}</a></li>{{ end }}</ul></nav>
<nav><ul><li><a href="{{ "" | relLangURL }}">Home</a></li><li><a href="{{ "news/" | relLangURL }}">News</a></li><li><a href="{{ "notices/" | relLangURL }}">Notices</a></li></ul></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><a href="{{ "categories/" | relLangURL }}">Categories</a> <a href="{{ "tags/" | relLangURL }}">Tags</a></footer>
</body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time>
{{ range .Params.categories }}<a href="{{ printf "categories/%s/" (urlize .) | relLangURL }}">{{ . }}</a>{{ end }}
{{ range .Params.tags }}<a href="{{ printf "tags/%s/" (urlize .) | relLangURL }}">{{ . }}</a>{{ end }}</p>
{{ .Content }}</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ol>{{ range (.Paginate .Pages).Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2006-01-02" }}</p><p>{{ .Summary }}</p></li>{{ end }}</ol>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>
{{ range slice "news" "notices" }}<section><h2>{{ . }}</h2><ol>
{{ range first 5 (where $.Site.RegularPages "Section" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}
</ol></section>{{ end }}{{ end }}
""",
}
