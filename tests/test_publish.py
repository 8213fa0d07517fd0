"""`invoke publish`: rclone copies the production build to a folder and to a real
S3-compatible server on loopback (`rclone serve s3`), read back with boto3."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from portal_assets import COMPRESSED_SUFFIXES, is_fingerprinted
from portal_publish.policy import CACHE_IMMUTABLE, CACHE_SHORT
from portal_publish.rclone import (
    PublishError,
    Target,
    load_targets,
    plan,
    publish,
    rclone_binary,
)

ACCESS_KEY = "portal-test-access-key"
SECRET_KEY = "portal-test-secret-key-0123456789"
BUCKET = "dafeng-portal"
ARTICLE = "en/news/deer-population-census-2023/index.html"


def plain_files(root: Path) -> set[str]:
    """What an object store should hold: every file but the .br/.gz siblings."""
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return {n for n in names
            if not (Path(n).suffix in COMPRESSED_SUFFIXES and n.rsplit(".", 1)[0] in names)}


@pytest.fixture
def site_copy(prod_site: Path, tmp_path: Path) -> Path:
    """A production build of our own, to change between publishes."""
    copy = tmp_path / "output"
    shutil.copytree(prod_site, copy)
    return copy


# --- configuration ---------------------------------------------------------------------------

def test_the_shipped_publish_yml_declares_its_targets_without_secrets() -> None:
    targets, default = load_targets(ROOT / "publish.yml")
    assert default in targets
    assert {t.type for t in targets.values()} == {"local", "sftp", "s3"}
    assert targets["oss"].env["secret_access_key"].isupper()


def test_a_secret_written_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "publish.yml"
    config.write_text("targets:\n  oss:\n    type: s3\n    path: b\n    options:\n"
                      "      secret_access_key: abc\n", encoding="utf-8")
    with pytest.raises(PublishError, match="environment variable"):
        load_targets(config)


def test_a_missing_environment_variable_is_named(site_copy: Path) -> None:
    target = Target("oss", "s3", "bucket", {"provider": "Other"},
                    {"secret_access_key": "PORTAL_TEST_UNSET_SECRET"})
    with pytest.raises(PublishError, match="PORTAL_TEST_UNSET_SECRET"):
        publish(site_copy, target, environ={})


def test_passes_send_fingerprinted_assets_first_and_html_last(prod_site: Path) -> None:
    passes, left_out = plan(prod_site, object_store=True)
    kinds = [kind for kind, _ in passes]
    assert kinds[-1] == "text/html; charset=utf-8"
    first = passes[0][1]
    assert first and all(is_fingerprinted("/" + name) for name in first)
    assert all(name.endswith(".html") for name in passes[-1][1])
    assert left_out and all(Path(n).suffix in COMPRESSED_SUFFIXES for n in left_out)
    sent = {name for _, names in passes for name in names}
    assert sent == plain_files(prod_site)
    folder_passes, nothing = plan(prod_site, object_store=False)
    assert len(folder_passes) == 3 and nothing == []


# --- a folder ----------------------------------------------------------------------------

def test_publishing_to_a_folder_copies_changes_only_and_deletes_last(site_copy: Path,
                                                                     tmp_path: Path) -> None:
    remote = tmp_path / "www"
    target = Target("folder", "local", str(remote))
    first = publish(site_copy, target)
    expected = {p.relative_to(site_copy) for p in site_copy.rglob("*") if p.is_file()}
    assert {p.relative_to(remote) for p in remote.rglob("*") if p.is_file()} == expected
    assert len(first.uploaded) == len(expected) and first.deleted == []

    assert publish(site_copy, target).uploaded == []

    (site_copy / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    for path in (site_copy / "en/news/deer-population-census-2023").iterdir():
        path.unlink()
    dry = publish(site_copy, target, dry_run=True)
    assert dry.uploaded == ["robots.txt"] and ARTICLE in dry.deleted
    assert (remote / ARTICLE).exists() and "Disallow" not in (remote / "robots.txt").read_text()

    done = publish(site_copy, target)
    assert done.uploaded == ["robots.txt"] and set(done.deleted) == set(dry.deleted)
    assert not (remote / ARTICLE).exists()
    assert (remote / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"


# --- S3-compatible object storage ----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`rclone serve s3` on 127.0.0.1 over an empty bucket, keys given in its environment."""
    data = tmp_path / "s3"
    (data / BUCKET).mkdir(parents=True)
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "RCLONE_AUTH_KEY": f'"{ACCESS_KEY},{SECRET_KEY}"'}
    server = subprocess.Popen([rclone_binary(), "serve", "s3", "--addr", f"127.0.0.1:{port}",
                               str(data)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    server.stderr.read() if server.poll() is not None else "no s3 server"
                time.sleep(0.05)
        monkeypatch.setenv("PORTAL_TEST_S3_KEY", ACCESS_KEY)
        monkeypatch.setenv("PORTAL_TEST_S3_SECRET", SECRET_KEY)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY, region_name="us-east-1")


def objects(client) -> dict[str, dict]:
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for entry in page.get("Contents", []):
            found[entry["Key"]] = entry
    return found


def test_publishing_to_s3_sets_types_and_cache_headers(site_copy: Path, s3_server: str) -> None:
    target = Target("s3", "s3", BUCKET, {"provider": "Rclone", "endpoint": s3_server},
                    {"access_key_id": "PORTAL_TEST_S3_KEY",
                     "secret_access_key": "PORTAL_TEST_S3_SECRET"})
    report = publish(site_copy, target)
    client = s3_client(s3_server)
    stored = objects(client)
    assert set(stored) == plain_files(site_copy)
    assert set(report.uploaded) == set(stored)

    def head(key: str) -> dict:
        return client.head_object(Bucket=BUCKET, Key=key)

    css = next(k for k in stored if k.startswith("theme/css/") and k.endswith(".css"))
    script = next(k for k in stored if k.startswith("theme/js/") and k.endswith(".js"))
    expected = {
        "index.html": ("text/html; charset=utf-8", CACHE_SHORT),
        ARTICLE: ("text/html; charset=utf-8", CACHE_SHORT),
        css: ("text/css; charset=utf-8", CACHE_IMMUTABLE),
        script: ("text/javascript; charset=utf-8", CACHE_IMMUTABLE),
        "sitemap.xml": ("application/xml; charset=utf-8", CACHE_SHORT),
        "robots.txt": ("text/plain; charset=utf-8", CACHE_SHORT),
    }
    for key, (kind, cache) in expected.items():
        meta = head(key)
        assert (meta["ContentType"], meta.get("CacheControl")) == (kind, cache), key
    body = client.get_object(Bucket=BUCKET, Key=ARTICLE)["Body"].read()
    assert body == (site_copy / ARTICLE).read_bytes()

    # Unchanged files are not sent again: nothing uploaded, objects untouched.
    again = publish(site_copy, target)
    assert again.uploaded == [] and again.deleted == []
    after = objects(client)
    assert {k: (v["ETag"], v["LastModified"]) for k, v in after.items()} == {
        k: (v["ETag"], v["LastModified"]) for k, v in stored.items()}

    # A page the build no longer has is deleted from the bucket, after the rest is up.
    for path in (site_copy / "en/news/deer-population-census-2023").iterdir():
        path.unlink()
    dry = publish(site_copy, target, dry_run=True)
    assert dry.deleted == [ARTICLE] and ARTICLE in objects(client)
    gone = publish(site_copy, target)
    assert gone.deleted == [ARTICLE] and gone.uploaded == []
    assert ARTICLE not in objects(client)
