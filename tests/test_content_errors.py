"""Bad input stops the build with path:line, what is wrong and how to fix it, and leaves the
previous output untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, article
from portal_build import build
from portal_model import ContentError

GOOD = {"zh/news/harbour.md": article(), "en/news/harbour.md": article("Harbour news")}


def build_fails(project: Path) -> str:
    with pytest.raises(ContentError) as failure:
        build(project / "pelicanconf.py", project / "output")
    return str(failure.value)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"zh/news/bad.md": article(extra="titel: 错字\n")},
         ["content/zh/news/bad.md:5: unknown key 'titel'", "allowed keys"]),
        ({"zh/news/bad.md": article(extra="tags: {a: 1}\n")},
         ["content/zh/news/bad.md:5: 'tags': expected a list of tags", "tags: [key-one"]),
        ({"zh/news/bad.md": article(date="2024-13-45")},
         ["content/zh/news/bad.md:3: 'date': '2024-13-45' is not a date", "YYYY-MM-DD"]),
        ({"zh/news/bad.md": "---\ndate: 2024-01-01\ncategory: government\n---\nbody\n"},
         ["content/zh/news/bad.md:2: the required key 'title' is missing", "add 'title:'"]),
        ({"zh/news/bad.md": article(extra="category: nonsense\n")},
         ["content/zh/news/bad.md", "unknown category 'nonsense'", "data/categories.yml"]),
        ({"fr/news/bad.md": article()},
         ["content/fr: 'fr' is not a configured language folder", "LANGUAGES"]),
        ({"zh/news/a.md": article(extra="slug: harbour\n")},
         ["content/zh/news/a.md", "claims the URL '/news/harbour/'", "rename one of them"]),
        ({"en/news/a.md": article(extra="translation_key: news/harbour\n")},
         ["claims the translation key 'news/harbour'", "content/en/news/"]),
        ({"zh/news/Bad Name.md": article()},
         ["content/zh/news/Bad Name.md", "cannot be a URL", "rename the file"]),
        ({"zh/news/bad.md": "---\ntitle: [unclosed\n---\n"},
         ["content/zh/news/bad.md:", "not valid YAML"]),
        ({"zh/news/bad.md": "no front matter\n"},
         ["content/zh/news/bad.md:1: the file does not start with YAML front matter"]),
        ({"zh/elsewhere/bad.md": article()},
         ["content/zh/elsewhere/bad.md", "not inside a known section folder"]),
        ({"zh/news/bad.md": "---\ntitle：停水通知\ndate: 2024-01-01\ncategory: government\n---\n"},
         ["content/zh/news/bad.md:2: 'title' is followed by a full-width colon '：'",
          "write 'title: ' with an ASCII colon and a space"]),
        ({"zh/news/bad.md": "---\ntitle: 停水\ndate:2024-01-01\ncategory: government\n---\n"},
         ["content/zh/news/bad.md:3: 'date:' has no space after the colon"]),
    ],
    ids=["unknown-key", "wrong-type", "bad-date", "missing-required", "undeclared-category",
         "unconfigured-language", "duplicate-url", "duplicate-key", "non-ascii-name",
         "broken-yaml", "no-front-matter", "unknown-section", "full-width-colon", "no-space"],
)
def test_bad_input_is_located_and_explained(portal, monkeypatch, files, expected) -> None:
    project = portal(GOOD)
    monkeypatch.chdir(project)
    build(project / "pelicanconf.py", project / "output")
    before = sorted(p.relative_to(project / "output") for p in (project / "output").rglob("*"))
    home = (project / "output" / "index.html").read_bytes()

    portal(files)
    message = build_fails(project)

    for part in expected:
        assert part in message
    after = sorted(p.relative_to(project / "output") for p in (project / "output").rglob("*"))
    assert after == before, "a failed build must leave the previous output as it was"
    assert (project / "output" / "index.html").read_bytes() == home
    left = [p.name for p in project.glob(".output.*") if not p.name.startswith(".output.spare")]
    assert not left, "no staging folder or half-made tree may be left behind"


def test_every_problem_is_reported_at_once(portal, monkeypatch) -> None:
    project = portal({"zh/news/one.md": article(extra="titel: x\n"),
                      "zh/news/two.md": article(date="yesterday")})
    monkeypatch.chdir(project)
    message = build_fails(project)
    assert "2 problems" in message
    assert "one.md:5" in message and "two.md:3" in message


def test_pasted_script_is_removed_and_fails_a_strict_build(portal, monkeypatch) -> None:
    body = 'Hello <script>alert(1)</script> <a href="javascript:alert(2)" onclick="x()">x</a>'
    project = portal({"zh/news/paste.md": article(body=body)})
    monkeypatch.chdir(project)
    with pytest.raises(Exception, match="removed unsafe markup"):
        build(project / "pelicanconf.py", project / "output")
    build(project / "pelicanconf.py", project / "output", strict=False)
    html = (project / "output" / "news" / "paste" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "javascript:" not in html and "onclick" not in html


@pytest.mark.parametrize(("body", "line", "message"), [
    ("第一段。\n\n# 大标题\n\n正文。", 9, "removed a top-level heading from the body"),
    ("第一段。\n\n大标题\n======\n\n正文。", 9, "removed a top-level heading from the body"),
    ("第一段。\n\n<video src=\"x.mp4\">视频说明</video>", 9, "removed '<video>' from the body"),
    ("第一段。\n\n<center>居中</center>", 9, "removed '<center>' from the body"),
])
def test_markup_pages_do_not_show_is_named_with_its_line(portal, monkeypatch, body, line,
                                                        message) -> None:
    """A heading written with one '#' (the page's title is the only one) or pasted markup the
    sanitizer drops would leave bare text without a word: the editor is told where."""
    project = portal({"zh/news/paste.md": article(body=body)})
    monkeypatch.chdir(project)
    with pytest.raises(Exception, match=f"content/zh/news/paste.md:{line}: {message}"):
        build(project / "pelicanconf.py", project / "output")
    assert not (project / "output").exists()
    build(project / "pelicanconf.py", project / "output", strict=False)  # a preview shows it
    html = (project / "output" / "news" / "paste" / "index.html").read_text(encoding="utf-8")
    assert "第一段" in html and "<video" not in html and "<center" not in html


def test_invoke_build_exits_non_zero_with_the_location(portal) -> None:
    project = portal({"zh/news/bad.md": article(extra="titel: x\n")})
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "build",
         "--config", str(project / "pelicanconf.py"), "--output", str(project / "output")],
        capture_output=True, text=True, cwd=project, check=False)
    assert result.returncode != 0
    assert "content/zh/news/bad.md:5: unknown key 'titel'" in result.stderr + result.stdout
    assert not (project / "output").exists()


def test_a_draft_appears_nowhere(portal, monkeypatch) -> None:
    project = portal({"zh/news/public.md": article("公开新闻"),
                      "zh/news/secret.md": article("草稿新闻绝密", extra="status: draft\n")})
    monkeypatch.chdir(project)
    build(project / "pelicanconf.py", project / "output")
    for path in (project / "output").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "草稿新闻绝密" not in text and "/news/secret/" not in text, path

    build(project / "pelicanconf.py", project / "preview", drafts=True)
    preview = (project / "preview" / "news" / "secret" / "index.html").read_text(encoding="utf-8")
    assert "草稿新闻绝密" in preview and "notice--draft" in preview and "noindex" in preview
