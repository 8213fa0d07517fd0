"""portal_syndication: pushes new, updated and withdrawn items to partner news sites.

``invoke syndicate`` runs after a production build. It compares what the build published
(the content model, and the pages present in the output) with each partner's delivery ledger
and POSTs only the difference, signed with the partner's key. When a WebSub hub is configured
it also pings the hub for every feed whose entries changed. Nothing happens during a build.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal_feeds.entries import FORMATS, Entry, entry, feeds, site_url
from portal_model import Site
from portal_model.schema import SECTIONS

from . import delivery, payloads
from .ledger import Ledger, locked, read, write_atomic
from .partners import Partner, Retry, SyndicationError, load

__all__ = ["Summary", "SyndicationError", "register", "syndicate"]

Report = Callable[[str], None]


@dataclass(frozen=True)
class Action:
    """One request for one partner: a new item, a new version, or a withdrawal."""

    kind: str  # new | update | withdraw
    id: str
    version: str
    lang: str
    entry: Entry | None = None
    gone: payloads.Withdrawal | None = None

    @property
    def idempotency_key(self) -> str:
        return f"{self.id}:{self.version}"


@dataclass
class Tally:
    sent: int = 0
    updated: int = 0
    withdrawn: int = 0
    pending: int = 0
    rejected: int = 0

    def count(self, kind: str) -> None:
        name = {"new": "sent", "update": "updated", "withdraw": "withdrawn"}[kind]
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class Summary:
    """What a run did (or, with dry_run, would do) per partner, and what went wrong."""

    dry_run: bool
    partners: dict[str, Tally] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    hub_pinged: int = 0
    hub_pending: int = 0

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.partners.values())

    def table(self) -> str:
        columns = ("sent", "updated", "withdrawn", "pending", "rejected")
        width = max([len("partner"), *map(len, self.partners)])
        lines = ["partner".ljust(width) + "".join(f"  {c:>9}" for c in columns)]
        for name, tally in self.partners.items():
            lines.append(name.ljust(width)
                         + "".join(f"  {getattr(tally, c):>9}" for c in columns))
        if not self.partners:
            lines.append("(no enabled partners: set 'enabled: true' in the partners file)")
        if self.dry_run:
            lines.append("(dry run: nothing was sent; the counts are what would be sent)")
        if self.hub_pinged or self.hub_pending:
            lines.append(f"WebSub hub: {self.hub_pinged} feeds pinged, "
                         f"{self.hub_pending} left for the next run")
        return "\n".join(lines + self.problems)


def published(site: Site, output: Path) -> dict[str, Entry]:
    """Entry by id of every dated item the build published (its page is in the output)."""
    found = {}
    for lang in site.languages:
        for item in site.items[lang.code]:
            if item.section.kind != "article" or item.unpublished:
                continue
            if not (output / item.url.lstrip("/") / "index.html").is_file():
                continue
            one = entry(site, item, output)
            found[one.id] = one
    return found


def plan(partner: Partner, ledger: Ledger, built: Mapping[str, Entry], now: dt.datetime,
         retry_rejected: bool = False) -> tuple[list[Action], list[Action]]:
    """(to send, skipped because that very version was rejected before), oldest first."""
    actions: list[Action] = []
    for item_id, one in sorted(built.items(), key=lambda kv: (kv[1].published, kv[0])):
        item = one.item
        if not partner.wants(item.lang.code, item.section.name, item.category):
            continue
        had = ledger.get(item_id)
        live = bool(had.get("version")) and not had.get("withdrawn")
        if one.withdrawn:
            if live:
                gone = payloads.Withdrawal(item_id, one.url, item.lang.code, now)
                actions.append(Action("withdraw", item_id, f"withdrawn-{had['version']}",
                                      item.lang.code, gone=gone))
            continue
        # after a withdrawal, versions carry the count, so a republished item never reuses
        # an Idempotency-Key the partner has already seen
        times = had.get("withdrawals", 0)
        version = f"{one.version}.{times}" if times else one.version
        if not live or had["version"] != version:
            actions.append(Action("update" if live else "new", item_id, version,
                                  item.lang.code, entry=one))
    for item_id, had in sorted(ledger.items.items()):
        if item_id not in built and had.get("version") and not had.get("withdrawn"):
            gone = payloads.Withdrawal(item_id, had.get("url", ""), had.get("lang", ""), now)
            actions.append(Action("withdraw", item_id, f"withdrawn-{had['version']}",
                                  had.get("lang", ""), gone=gone))
    if retry_rejected:
        return actions, []
    skipped = [a for a in actions if ledger.get(a.id).get("rejected") == a.version]
    return [a for a in actions if a not in skipped], skipped


def _request(site: Site, partner: Partner, action: Action) -> tuple[bytes, str]:
    settings = site.settings
    code = action.lang if action.lang in {lang.code for lang in site.languages} else None
    lang = site.language(code) if code else site.default
    if action.entry is not None:
        publisher = _localized(settings.get("SPONSOR") or settings.get("CITY_NAME"), lang.code)
        body = payloads.body(partner.format, action.entry, action.version, publisher,
                             site_url(settings) + lang.root)
        return body, payloads.content_type(partner.format)
    assert action.gone is not None
    tag = lang.tag if code else action.lang
    return (payloads.withdrawal_body(partner.format, action.gone, action.version, tag),
            payloads.content_type(partner.format, withdrawn=True))


def _localized(value: Any, code: str) -> str:
    return str(value.get(code, "") if isinstance(value, dict) else value or "")


def syndicate(site: Site, output: Path, partners_file: Path, state: Path, *,
              dry_run: bool = False, retry_rejected: bool = False,
              report: Report = print) -> Summary:
    """Send every enabled partner what changed since its ledger, then ping the WebSub hub."""
    if not output.is_dir():
        raise SyndicationError(f"{output}: there is no built site — run 'invoke build --prod' "
                               "first")
    categories = list(site.data.get("categories", {}))
    partners = [p for p in load(partners_file, [lang.code for lang in site.languages],
                                [n for n, s in SECTIONS.items() if s.kind == "article"],
                                categories) if p.enabled]
    secrets = {p.name: p.secret() for p in partners}  # every key is checked before any send
    summary = Summary(dry_run)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    built = published(site, output)
    with locked(state):
        for partner in partners:
            ledger = Ledger(state, partner.name)
            actions, skipped = plan(partner, ledger, built, now, retry_rejected)
            tally = summary.partners.setdefault(partner.name, Tally())
            tally.rejected += len(skipped)
            for action in skipped:
                summary.problems.append(f"{partner.name}: {action.id} — still rejected "
                                        f"({ledger.get(action.id).get('detail', '')}); "
                                        "run with --retry-rejected once the cause is fixed")
            for action in actions:
                _send(site, partner, secrets[partner.name], ledger, action, tally, summary,
                      dry_run, now, report)
        _ping_hub(site, output, state, dry_run, summary, report)
    return summary


def _send(site: Site, partner: Partner, secret: bytes, ledger: Ledger, action: Action,
          tally: Tally, summary: Summary, dry_run: bool, now: dt.datetime,
          report: Report) -> None:
    body, content_type = _request(site, partner, action)
    label = f"{partner.name}: {action.kind} {action.id} ({action.version})"
    if dry_run:
        report(f"would send {label}, {len(body)} bytes {content_type}")
        tally.count(action.kind)
        return
    headers = {"Content-Type": content_type,
               "X-Hub-Signature-256": delivery.signature(secret, body),
               "Idempotency-Key": action.idempotency_key,
               "X-Portal-Event": action.kind}
    outcome = delivery.post(partner.url, body, headers, partner.timeout, partner.retry)
    stamp = now.isoformat()
    if outcome.status == "delivered":
        if action.kind == "withdraw":
            ledger.record(action.id, withdrawn=True, rejected=None, detail=None, at=stamp,
                          withdrawals=ledger.get(action.id).get("withdrawals", 0) + 1)
        else:
            assert action.entry is not None
            ledger.record(action.id, version=action.version, withdrawn=None, rejected=None,
                          detail=None, lang=action.lang, url=action.entry.url, at=stamp)
        tally.count(action.kind)
        report(f"sent {label}: HTTP {outcome.code}")
    elif outcome.status == "rejected":
        ledger.record(action.id, rejected=action.version, detail=outcome.detail, at=stamp)
        tally.rejected += 1
        summary.problems.append(f"{partner.name}: {action.id} rejected — {outcome.detail}")
        report(f"rejected {label}: {outcome.detail}")
    else:
        tally.pending += 1
        summary.problems.append(f"{partner.name}: {action.id} pending after "
                                f"{outcome.attempts} tries — {outcome.detail}")
        report(f"pending {label}: {outcome.detail}")


def _ping_hub(site: Site, output: Path, state: Path, dry_run: bool, summary: Summary,
              report: Report) -> None:
    """WebSub publish pings for every feed whose entries changed since the last ping."""
    hub = str(site.settings.get("PORTAL_WEBSUB_HUB") or "")
    if not hub:
        return
    path = state / "websub.json"
    known: dict[str, str] = read(path)
    policy = Retry(**site.settings.get("PORTAL_WEBSUB_RETRY", {}))
    base = site_url(site.settings)
    for lang in site.languages:
        for feed in feeds(site, lang.code, output):
            for fmt in FORMATS:
                url = base + lang.url(feed.path(fmt))
                if known.get(url) == feed.digest:
                    continue
                if dry_run:
                    report(f"would ping the hub for {url}")
                    summary.hub_pinged += 1
                    continue
                body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode()
                outcome = delivery.post(hub, body, {"Content-Type":
                                                    "application/x-www-form-urlencoded"},
                                        10.0, policy)
                if outcome.status == "delivered":
                    known[url] = feed.digest
                    write_atomic(path, known)
                    summary.hub_pinged += 1
                else:
                    summary.hub_pending += 1
                    summary.problems.append(f"WebSub hub: {url} not pinged — {outcome.detail}")


def register() -> None:
    """Syndication runs after a build (``invoke syndicate``); it adds nothing to a build."""
