"""Pushing to partners, against a real partner: a receiver process on a loopback port that
checks every signature and writes down every request it gets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import BUILD_DATE, ROOT, article
from portal_build import build

SECRET = "s3cret-test-key"
KEY_ENV = "SYNDICATION_KEY_TEST"
NINJS = ROOT / "tests" / "data" / "ninjs"
ATOM = "{http://www.w3.org/2005/Atom}"

#: A small portal in four languages: news and notices, several categories.
CONTENT = {
    "zh/news/harbour.md": article("港口新闻", "2024-05-01"),
    "en/news/harbour.md": article("Harbour news", "2024-05-01"),
    "ja/news/harbour.md": article("港のニュース", "2024-05-01"),
    "ko/news/harbour.md": article("항구 뉴스", "2024-05-01"),
    "zh/news/flowers.md": article("花海开放", "2024-05-03").replace("government", "tourism"),
    "en/news/flowers.md": article("Flower sea opens", "2024-05-03").replace("government",
                                                                            "tourism"),
    "zh/notices/water.md": article("停水通知", "2024-05-02"),
    "en/notices/water.md": article("Water outage", "2024-05-02"),
    "ko/notices/water.md": article("단수 안내", "2024-05-02"),
    "zh/news/plan.md": article("草稿", "2024-05-04", extra="status: draft\n"),
    "zh/pages/about.md": "---\ntitle: 关于\ndate: 2024-01-01\n---\n\n简介。\n",
}


def ninjs_validator() -> Draft202012Validator:
    """IPTC ninjs 2.2, offline: the remote GeoJSON schema it refers to is a local stand-in."""
    schema = json.loads((NINJS / "ninjs-schema_2.2.json").read_text(encoding="utf-8"))
    geojson = Resource.from_contents({"$schema": "https://json-schema.org/draft/2020-12/schema",
                                      "type": "object", "required": ["type"]},
                                     default_specification=DRAFT202012)
    registry = Registry().with_resource("https://geojson.org/schema/GeoJSON.json", geojson)
    return Draft202012Validator(schema, registry=registry)


@dataclass
class Receiver:
    url: str
    log: Path
    process: subprocess.Popen[str]

    def records(self, path: str | None = None) -> list[dict]:
        if not self.log.exists():
            return []
        found = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [r for r in found if path is None or r["path"] == path]

    def keys(self, path: str | None = None) -> list[str]:
        return [r["key"] for r in self.records(path)]


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(script: list[str] | None = None, secret: str = SECRET,
              delay: float = 0.0) -> Receiver:
        log = tmp_path / f"received-{len(started)}.jsonl"
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "partner_receiver.py"), str(log), secret,
             "--script", json.dumps(script or []), "--delay", str(delay)],
            stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        port = int(process.stdout.readline())
        started.append(Receiver(f"http://127.0.0.1:{port}", log, process))
        return started[-1]

    yield start
    for one in started:
        one.process.kill()
        one.process.wait()


def partners_file(project: Path, partners: list[dict], **retry: float) -> Path:
    path = project / "syndication.yml"
    policy = {"attempts": 4, "backoff": 0.05, "max_delay": 5, **retry}
    path.write_text(json.dumps({"retry": policy, "partners": partners}), encoding="utf-8")
    return path


def partner(receiver: Receiver, name: str = "wire", fmt: str = "ninjs", **extra: object) -> dict:
    return {"name": name, "url": f"{receiver.url}/{name}", "format": fmt,
            "secret_env": KEY_ENV, "timeout": 5, **extra}


def syndicate(project: Path, *args: str, env: dict[str, str] | None = None,
              start: bool = False) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    command = [sys.executable, "-m", "invoke", "-r", str(ROOT), "syndicate",
               "--config", str(project / "pelicanconf.py"), "--output", str(project / "output"),
               "--partners", str(project / "syndication.yml"),
               "--state", str(project / ".syndication"), *args]
    environment = {**os.environ, KEY_ENV: SECRET, **(env or {})}
    if start:
        return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)


def rebuild(project: Path) -> None:
    build(project / "pelicanconf.py", project / "output", build_date=BUILD_DATE)


@pytest.fixture
def project(portal: Callable[..., Path]) -> Path:
    made = portal(CONTENT)
    rebuild(made)
    return made


def tag(lang: str, key: str) -> str:
    return f"tag:dafeng.gov.cn,2026:{lang}/{key}"


def test_first_run_sends_each_partner_its_scope_then_nothing(project, receiver) -> None:
    wire = receiver()
    partners_file(project, [
        partner(wire, "wire", "ninjs", languages=["zh", "en"], sections=["news"]),
        partner(wire, "sister", "atom", languages=["en"], categories=["tourism"]),
        partner(wire, "korea", "jsonfeed", languages=["ko"]),
        partner(wire, "off", "ninjs", enabled=False),
    ])
    first = syndicate(project)
    assert first.returncode == 0, first.stdout + first.stderr
    assert all(r["signed"] for r in wire.records())
    for path in ("/wire", "/sister", "/korea"):
        assert len(wire.keys(path)) == len(set(wire.keys(path))), "each item once"
    assert {k.rsplit(":", 1)[0] for k in wire.keys("/wire")} == {
        tag("zh", "news/harbour"), tag("en", "news/harbour"), tag("zh", "news/flowers"),
        tag("en", "news/flowers")}
    assert {k.rsplit(":", 1)[0] for k in wire.keys("/sister")} == {tag("en", "news/flowers")}
    assert {k.rsplit(":", 1)[0] for k in wire.keys("/korea")} == {
        tag("ko", "news/harbour"), tag("ko", "notices/water")}
    assert not wire.records("/off")

    validator = ninjs_validator()
    for record in wire.records("/wire"):
        assert record["content_type"].startswith("application/json")
        item = json.loads(record["body"])
        assert not list(validator.iter_errors(item)), item
        assert item["pubstatus"] == "usable" and item["bodies"][0]["value"]
        assert record["key"] == f"{item['uri']}:{item['version']}"
    (atom,) = wire.records("/sister")
    assert atom["content_type"].startswith("application/atom+xml")
    entry = ET.fromstring(atom["body"].encode())
    assert entry.tag == f"{ATOM}entry"
    assert entry.find(f"{ATOM}id").text == tag("en", "news/flowers")
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for record in wire.records("/korea"):
        item = json.loads(record["body"])
        assert item["id"] and item["content_html"] and item["language"] == "ko"
    assert "wire" in first.stdout and "sent" in first.stdout

    count = len(wire.records())
    second = syndicate(project)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(wire.records()) == count, "a second run sends nothing"


def test_a_major_change_is_one_update_and_a_removal_one_withdrawal(project, portal,
                                                                  receiver) -> None:
    wire = receiver()
    partners_file(project, [partner(wire, languages=["zh"])])
    assert syndicate(project).returncode == 0
    sent = len(wire.records())
    assert sent == 3

    portal({"zh/news/harbour.md": article(
        "港口新闻（更正）", "2024-05-01", body="更正后的正文。",
        extra="updated: 2024-05-06\nchange_note: 更正了吞吐量数字\n")})
    rebuild(project)
    result = syndicate(project)
    assert result.returncode == 0, result.stdout
    (update,) = wire.records()[sent:]
    assert update["event"] == "update"
    item = json.loads(update["body"])
    assert item["uri"] == tag("zh", "news/harbour") and "更正" in item["headlines"][0]["value"]
    assert item["versioncreated"].startswith("2024-05-06")
    assert not list(ninjs_validator().iter_errors(item))

    (project / "content" / "zh" / "notices" / "water.md").unlink()
    rebuild(project)
    result = syndicate(project)
    assert result.returncode == 0, result.stdout
    (withdrawal,) = wire.records()[sent + 1:]
    item = json.loads(withdrawal["body"])
    assert withdrawal["event"] == "withdraw" and item["pubstatus"] == "canceled"
    assert item["uri"] == tag("zh", "notices/water")
    assert not list(ninjs_validator().iter_errors(item))
    assert "withdrawn" in result.stdout

    assert syndicate(project).returncode == 0
    assert len(wire.records()) == sent + 2, "nothing more to send"


def test_withdrawals_in_atom_and_json_are_tombstones(project, receiver) -> None:
    wire = receiver()
    partners_file(project, [partner(wire, "atom", "atom", languages=["en"], sections=["notices"]),
                            partner(wire, "json", "jsonfeed", languages=["en"],
                                    sections=["notices"])])
    assert syndicate(project).returncode == 0
    (project / "content" / "en" / "notices" / "water.md").unlink()
    rebuild(project)
    assert syndicate(project).returncode == 0
    atom = wire.records("/atom")[-1]
    gone = ET.fromstring(atom["body"].encode())
    assert gone.tag == "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
    assert gone.get("ref") == tag("en", "notices/water") and gone.get("when")
    item = json.loads(wire.records("/json")[-1]["body"])
    assert item["id"] == tag("en", "notices/water") and item["_portal"]["withdrawn"] is True


def test_a_server_error_is_retried_and_delivered_once(project, receiver) -> None:
    wire = receiver(script=["500", "503"])
    partners_file(project, [partner(wire, languages=["en"], sections=["notices"])])
    result = syndicate(project)
    assert result.returncode == 0, result.stdout
    records = wire.records()
    assert [r["answer"] for r in records] == ["500", "503", "200"]
    assert len({r["key"] for r in records}) == 1
    assert syndicate(project).returncode == 0
    assert len(wire.records()) == 3


def test_too_many_requests_waits_for_retry_after(project, receiver) -> None:
    wire = receiver(script=["429:1"])
    partners_file(project, [partner(wire, languages=["en"], sections=["notices"])],
                  backoff=0.01)
    assert syndicate(project).returncode == 0
    first, second = wire.records()
    assert (first["answer"], second["answer"]) == ("429:1", "200")
    assert first["key"] == second["key"]
    # backoff alone would retry after at most 0.01 s: the wait is Retry-After's second
    assert second["time"] - first["time"] >= 0.9


def test_a_timeout_is_retried_with_the_same_key(project, receiver) -> None:
    """The first answer comes too late: the partner got the item, we never heard back.
    We send it again with the same Idempotency-Key, so the partner counts it once."""
    wire = receiver(script=["late:3"])
    partners_file(project, [{**partner(wire, languages=["en"], sections=["notices"]),
                             "timeout": 0.5}])
    result = syndicate(project)
    assert result.returncode == 0, result.stdout
    keys = wire.keys()
    assert len(keys) == 2 and len(set(keys)) == 1
    assert syndicate(project).returncode == 0
    assert len(wire.keys()) == 2


def test_what_still_fails_stays_pending_for_the_next_run(project, receiver) -> None:
    wire = receiver(script=["500"] * 4)
    partners_file(project, [partner(wire, languages=["en"], sections=["notices"])])
    result = syndicate(project)
    assert result.returncode == 0
    assert "pending" in result.stdout and "HTTP 500" in result.stdout
    assert syndicate(project).returncode == 0
    answers = [r["answer"] for r in wire.records()]
    assert answers == ["500"] * 4 + ["200"]


def test_a_killed_run_is_finished_by_the_next(project, portal, receiver) -> None:
    portal({f"zh/news/extra-{n}.md": article(f"新闻{n}", f"2024-06-{n + 1:02d}")
            for n in range(10)})
    rebuild(project)
    wire = receiver(delay=0.2)
    partners_file(project, [partner(wire, languages=["zh"])])
    running = syndicate(project, start=True)
    deadline = time.monotonic() + 60
    while len(wire.records()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait()
    killed_at = len(wire.records())
    assert 4 <= killed_at < 13, "killed mid-run"

    result = syndicate(project)
    assert result.returncode == 0, result.stdout
    keys = wire.keys()
    assert len(set(keys)) == 13, "every item arrives"
    assert len(keys) - len(set(keys)) <= 1, "only the request in flight may come twice"
    ledger = json.loads((project / ".syndication" / "wire.json").read_text(encoding="utf-8"))
    assert len(ledger["items"]) == 13
    assert syndicate(project).returncode == 0
    assert len(wire.keys()) == len(keys)


def test_a_wrong_key_is_rejected_and_reported(project, receiver) -> None:
    wire = receiver(secret="the-partners-real-key")
    partners_file(project, [partner(wire, languages=["en"], sections=["notices"])])
    result = syndicate(project)
    assert result.returncode != 0
    assert "rejected" in result.stdout + result.stderr and "HTTP 401" in result.stdout
    assert [r["answer"] for r in wire.records()] == ["401"], "a 4xx is not retried"
    assert SECRET not in result.stdout + result.stderr, "the key is never shown"

    again = syndicate(project)
    assert again.returncode != 0 and "still rejected" in again.stdout
    assert len(wire.records()) == 1

    fixed = syndicate(project, "--retry-rejected", env={KEY_ENV: "the-partners-real-key"})
    assert fixed.returncode == 0, fixed.stdout
    assert [r["answer"] for r in wire.records()] == ["401", "200"]


def test_a_missing_key_stops_before_anything_is_sent(project, receiver) -> None:
    wire = receiver()
    partners_file(project, [partner(wire, "first", languages=["en"]),
                            {**partner(wire, "second"), "secret_env": "SYNDICATION_KEY_NONE"}])
    env = {k: v for k, v in os.environ.items() if k != "SYNDICATION_KEY_NONE"}
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "syndicate",
         "--config", str(project / "pelicanconf.py"), "--output", str(project / "output"),
         "--partners", str(project / "syndication.yml"),
         "--state", str(project / ".syndication")],
        env={**env, KEY_ENV: SECRET}, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SYNDICATION_KEY_NONE is not set" in result.stderr
    assert wire.records() == []


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(project, receiver) -> None:
    wire = receiver()
    partners_file(project, [partner(wire, languages=["en"])])
    result = syndicate(project, "--dry-run")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("would send wire: new") == 3
    assert wire.records() == []
    assert syndicate(project).returncode == 0
    assert len(wire.records()) == 3


def test_partners_file_errors_are_clear(project, receiver) -> None:
    partners_file(project, [{"name": "plain", "url": "http://news.example.org/in",
                             "format": "rss", "secret_env": "lower-case", "languages": ["fr"]}])
    result = syndicate(project)
    assert result.returncode != 0
    for expected in ("must be https://", "'format' must be one of", "'secret_env' must name",
                     "unknown languages fr"):
        assert expected in result.stderr


def test_the_websub_hub_is_pinged_for_changed_feeds(project, portal, receiver) -> None:
    hub = receiver()
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nPORTAL_WEBSUB_HUB = "{hub.url}/hub"\n'
                   'PORTAL_WEBSUB_RETRY = {"attempts": 2, "backoff": 0.01}\n')
    rebuild(project)
    partners_file(project, [])
    assert syndicate(project).returncode == 0
    pinged = [r["body"] for r in hub.records("/hub")]
    assert "hub.mode=publish&hub.url=http%3A%2F%2F127.0.0.1%3A8000%2Fen%2Ffeeds%2Fall.atom.xml" \
        in pinged
    assert len(pinged) == len(set(pinged))

    portal({"ko/news/harbour.md": article("항구 뉴스 (수정)", "2024-05-01")})
    rebuild(project)
    assert syndicate(project).returncode == 0
    again = [r["body"] for r in hub.records("/hub")][len(pinged):]
    assert again and all("%2Fko%2Ffeeds%2F" in body for body in again)
    assert any("ko%2Ffeeds%2Fnews.rss.xml" in body for body in again)


def test_status_withdrawn_is_a_withdrawal_and_republishing_a_new_key(project, receiver,
                                                                     monkeypatch) -> None:
    """``status: withdrawn`` (set by the content's own front matter where supported) withdraws
    an item; publishing it again is new to the partner, under a key it has not seen."""
    from portal_build import load_model
    from portal_syndication import syndicate as push

    wire = receiver()
    partners = partners_file(project, [partner(wire, languages=["en"])])
    monkeypatch.setenv(KEY_ENV, SECRET)
    state, lines = project / ".syndication", []

    def run(status: str | None) -> None:
        site = load_model(project / "pelicanconf.py")
        (water,) = [i for i in site.items["en"] if i.section.name == "notices"]
        if status:
            water.meta["status"] = status
        summary = push(site, project / "output", partners, state, report=lines.append)
        assert summary.rejected == 0 and not summary.problems

    run(None)
    assert len(wire.records()) == 3
    run("withdrawn")
    (withdrawal,) = wire.records()[3:]
    assert withdrawal["event"] == "withdraw"
    assert json.loads(withdrawal["body"])["pubstatus"] == "canceled"
    run("withdrawn")
    assert len(wire.records()) == 4, "withdrawn once"
    run(None)
    (again,) = wire.records()[4:]
    assert again["event"] == "new" and again["key"] not in wire.keys()[:4]
    run(None)
    assert len(wire.records()) == 5


def test_the_ninjs_schema_resolves_geojson_offline() -> None:
    """The schema's one remote reference (GeoJSON, for places) is served by the local
    stand-in, so validation never reaches for the network."""
    validator = ninjs_validator()
    place = {"uri": "tag:dafeng.gov.cn,2026:zh/news/x",
             "places": [{"name": "大丰", "geojson": {"type": "Point",
                                                     "coordinates": [120.47, 33.2]}}]}
    assert list(validator.iter_errors(place)) == []
    broken = {**place, "places": [{"name": "大丰", "geojson": {"coordinates": []}}]}
    assert [e.message for e in validator.iter_errors(broken)] != []
    assert list(validator.iter_errors({"uri": "x", "unknown": 1})) != []
