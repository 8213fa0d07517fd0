"""Shared fixtures: the demo portal built once per test run, and throwaway portals."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # benchmarks.corpus

from portal_build import build  # noqa: E402

BUILD_DATE = dt.date(2026, 11, 1)
SITE_URL = "http://127.0.0.1:8000"
LANGS = ("zh", "en", "ja", "ko")
PREFIX = {"zh": "", "en": "en/", "ja": "ja/", "ko": "ko/", "zh-hant": "zh-hant/"}
#: Every site built, the generated Traditional-Chinese one included.
SITES = (*LANGS, "zh-hant")
MENUS = """main:
  - path: ""
    label: {zh: 首页, en: Home, ja: ホーム, ko: 홈}
  - path: news/
    label: {zh: 新闻, en: News, ja: ニュース, ko: 뉴스}
"""


def own_copy(portal: Path, *names: str) -> None:
    """Give a generated portal (``write_portal``, which links the repository's theme and
    plugins) its own copy of ``names`` (``plugins``, ``theme``, ``tasks.py``) for a test to
    edit; lunr.js stays linked, where a portal with its own tasks.py looks for it."""
    for name in names:
        target, source = portal / name, ROOT / name
        if target.is_symlink():
            target.unlink()
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    if not (portal / "node_modules").exists():
        (portal / "node_modules").symlink_to(ROOT / "node_modules")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portal, built strictly (any warning fails) into a temporary folder."""
    output = tmp_path_factory.mktemp("demo") / "output"
    build(ROOT / "pelicanconf.py", output, build_date=BUILD_DATE, strict=True)
    return output


@pytest.fixture(scope="session")
def prod_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portal built with publishconf.py: fingerprinted, minified, precompressed."""
    output = tmp_path_factory.mktemp("prod") / "output"
    build(ROOT / "publishconf.py", output, build_date=BUILD_DATE, strict=True)
    return output


@pytest.fixture
def portal(tmp_path: Path) -> Callable[..., Path]:
    """A small portal project of its own: the real settings, theme and data, and the given
    content files ({'zh/news/x.md': text}). Returns the project folder."""

    def make(files: dict[str, str]) -> Path:
        project = tmp_path / "project"
        if not project.exists():
            project.mkdir()
            shutil.copy(ROOT / "pelicanconf.py", project)
            (project / "theme").symlink_to(ROOT / "theme")
            shutil.copytree(ROOT / "data", project / "data")
            (project / "data" / "menus.yml").write_text(MENUS, encoding="utf-8")
        for relpath, text in files.items():
            path = project / "content" / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return project

    return make


def article(title: str = "测试新闻", date: str = "2024-05-01", extra: str = "",
            body: str = "正文内容。") -> str:
    """Front matter and body of a news item, with optional extra front-matter lines."""
    return (f"---\ntitle: {title}\ndate: {date}\ncategory: government\n{extra}---\n\n{body}\n")


class Repo:
    """A portal project under git, committed with fixed dates by a fixed editor."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.git("init", "-q")

    def git(self, *args: str, when: str = "2024-01-01T00:00:00+08:00") -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org",
                        "-c", "commit.gpgsign=false", *args], cwd=self.project, env=env,
                       check=True, capture_output=True)

    def write(self, relpath: str, text: str) -> None:
        path = self.project / "content" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, when: str, message: str = "edit") -> None:
        self.git("add", "-A", ".", when=when)
        self.git("commit", "-q", "-m", message, when=when)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The demo served over HTTP on 127.0.0.1, as a visitor's browser gets it."""
    from checkers import serve_directory

    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    from checkers import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
