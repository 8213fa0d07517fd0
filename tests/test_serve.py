"""`invoke serve` as editors run it: a real watcher, real rebuilds, a real HTTP server."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.corpus import write_portal
from benchmarks.preview import PreviewServer, free_port
from conftest import own_copy
from portal_build.serve import preview_server
from portal_build.trees import spare_path, swap


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    write_portal(tmp_path / "portal", 6, seed=11)
    running = PreviewServer(tmp_path / "portal" / "pelicanconf.py")
    try:
        yield running
    finally:
        running.stop()


def test_serve_puts_an_edited_page_live_first_and_its_search_index_after(
        server: PreviewServer, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    server.wait_for("Serving on", timeout=180)
    news = sorted((portal / "content" / "zh" / "news").glob("*.md"))[0]
    status, page = server.get(f"/news/{news.stem}/")
    assert status == 200 and "预览中新增的段落" not in page
    before = server.search_version()
    assert before and server.get(f"/search/{before}/meta.json")[0] == 200
    assert server.get("/en/no-such-page/")[0] == 404

    news.write_text(news.read_text(encoding="utf-8") + "\n预览中新增的段落。\n",
                    encoding="utf-8")
    server.wait_for("Pages live", timeout=180)
    status, page = server.get(f"/news/{news.stem}/")
    assert status == 200 and "预览中新增的段落" in page  # live before the index is built

    server.wait_for("Built", timeout=180)
    after = server.search_version()
    assert after not in ("", before), "the second build published the new index"
    assert server.get(f"/search/{after}/meta.json")[0] == 200
    assert server.get(f"/search/{before}/meta.json")[0] == 404


def test_a_failed_rebuild_shows_its_error_on_the_pages_until_it_is_fixed(
        server: PreviewServer, tmp_path: Path) -> None:
    """The browser keeps showing the previous site; the editor is told why."""
    server.wait_for("Serving on", timeout=180)
    news = sorted((tmp_path / "portal" / "content" / "zh" / "news").glob("*.md"))[0]
    page = f"/news/{news.stem}/"
    assert "The last build failed" not in server.get(page)[1]
    good = news.read_text(encoding="utf-8")
    news.write_text(good.replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    server.wait_for("Build failed", timeout=180)

    status, shown = server.get(page)
    assert status == 200 and "The last build failed" in shown and 'role="alert"' in shown
    assert f"{news.name}:2: unknown key &#x27;titel&#x27;" in shown  # escaped, with the line
    status, missing = server.get("/en/no-such-page/")
    assert status == 404 and "The last build failed" in missing
    assert "The last build failed" not in server.get("/theme/css/site.css")[1]  # pages only

    news.write_text(good, encoding="utf-8")
    server.wait_for("Built", timeout=180)
    assert "The last build failed" not in server.get(page)[1]


def test_an_open_page_reloads_itself_once_the_edit_is_live(server: PreviewServer, tmp_path: Path,
                                                          browser) -> None:
    """In Chromium, as an editor keeps the page open beside the editor: no refresh needed."""
    server.wait_for("Serving on", timeout=180)
    portal = tmp_path / "portal"
    news = sorted((portal / "content" / "zh" / "news").glob("*.md"))[0]
    page = browser.new_page()
    page.goto(f"{server.base}/news/{news.stem}/")
    page.wait_for_timeout(1500)  # it has asked once what the site's version is
    news.write_text(news.read_text(encoding="utf-8") + "\n自动刷新后的新段落。\n",
                    encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('自动刷新后的新段落')",
                           timeout=120_000)
    written = (portal / "output" / "news" / news.stem / "index.html").read_text("utf-8")
    assert "自动刷新后的新段落" in written and "__preview" not in written  # not in output/
    page.close()


def test_pages_asked_for_while_a_build_swaps_trees_are_served_whole(tmp_path: Path) -> None:
    """Between a swap's two renames output/ is not there: a page asked for then waits for
    the new tree instead of failing (the connection had dropped without an answer)."""
    output, tree = tmp_path / "output", tmp_path / "tree"
    for root, version in ((output, "one"), (tree, "two")):
        (root / "news" / "port").mkdir(parents=True)
        (root / "news" / "port" / "index.html").write_text(
            f"<html><body><p>{version}</p></body></html>", encoding="utf-8")
        (root / "site.css").write_text(f"/* {version} */", encoding="utf-8")
        (root / "404.html").write_text("<html><body>not here</body></html>", encoding="utf-8")
    server = preview_server(output, free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    swapping = threading.Event()

    def swap_back_and_forth() -> None:
        while not swapping.is_set():
            swap(tree, output)  # output/ → the spare, then tree → output/
            spare_path(output).rename(tree)

    answers: list[tuple[str, int, str]] = []
    swapper = threading.Thread(target=swap_back_and_forth, daemon=True)
    swapper.start()
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for path in ("/news/port/", "/site.css", "/news/gone/"):
                try:
                    with urllib.request.urlopen(base + path, timeout=10) as response:
                        answers.append((path, response.status, response.read().decode()))
                except urllib.error.HTTPError as error:
                    answers.append((path, error.code, error.read().decode()))
    finally:
        swapping.set()
        swapper.join()
        server.shutdown()
        server.server_close()

    assert len(answers) > 300  # every request was answered (none raised)
    for path, status, body in answers:
        if path == "/news/gone/":
            assert (status, "not here" in body) == (404, True), body
        else:
            assert status == 200 and ("one" in body or "two" in body), (path, status, body)


def test_serve_restarts_to_load_a_plugin_edited_while_it_runs(tmp_path: Path) -> None:
    """The serving process and the language runs it forks keep the code they imported: a
    rebuild after a plugin edit would render with the old code (and key the pages with the
    new code's fingerprint, so later builds kept them). serve starts again instead."""
    portal = tmp_path / "portal"
    write_portal(portal, 4, seed=12)
    own_copy(portal, "plugins", "tasks.py")  # a portal of its own code
    running = PreviewServer(portal / "pelicanconf.py", root=portal)
    try:
        running.wait_for("Serving on", timeout=180)
        assert "restarted-with-new-code" not in running.get("/")[1]
        served = portal / "plugins" / "portal_build" / "serve.py"  # shows on every page
        code = served.read_text(encoding="utf-8")
        assert 'RELOAD = (b"<script>' in code
        served.write_text(code.replace('RELOAD = (b"<script>',
                                       'RELOAD = (b"<!-- restarted-with-new-code --><script>'),
                          encoding="utf-8")
        assert "serve.py" in running.wait_for("restarting to load it", timeout=60)
        running.wait_for("Serving on", timeout=180)
        assert "restarted-with-new-code" in running.get("/")[1]

        # the settings too: a plugin taken out of PLUGINS would stay connected otherwise
        conf = portal / "pelicanconf.py"
        conf.write_text(conf.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        assert "pelicanconf.py" in running.wait_for("restarting to load it", timeout=60)
        running.wait_for("Serving on", timeout=180)
    finally:
        running.stop()
