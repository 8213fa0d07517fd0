"""portal_audit: the compliance report of `invoke audit`, per language.

What a government-website inspection looks at, computed from the model as of the build date:
columns (sections) not updated within their limit, empty columns, letters left unanswered too
long, repealed or amended documents without a link to the current one, interpretations
whose policy is not published in the same language, and years of letter statistics whose
official holiday schedule is not known yet (counted Monday to Friday until it is).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal_gov import calendar
from portal_gov.letters import HOLIDAYS_FILE, from_items, letter_stats
from portal_model import Site
from portal_model.schema import SECTIONS

DEFAULT_STALE_DAYS = {"news": 14, "notices": 183, "policies": 183}
DEFAULT_UNANSWERED_DAYS = 91


@dataclass(frozen=True)
class Finding:
    lang: str
    kind: str  # stale | empty | unanswered | no-replacement | no-policy | calendar
    where: str  # a section or a content path
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.detail}"


def audit(site: Site) -> list[Finding]:
    """Every finding in every language, in language order."""
    today = site.build_date
    stale_days = site.settings.get("PORTAL_AUDIT_STALE_DAYS", DEFAULT_STALE_DAYS)
    unanswered_days = site.settings.get("PORTAL_AUDIT_UNANSWERED_DAYS", DEFAULT_UNANSWERED_DAYS)
    findings = []
    for lang in site.languages:
        code = lang.code
        for name in SECTIONS:
            items = site.published(code, name)
            if not items:
                findings.append(Finding(code, "empty", f"{name}/", "nothing is published here"))
                continue
            limit = stale_days.get(name)
            latest = max((i.updated or i.date).date() for i in items)
            if limit is not None and (today - latest).days > limit:
                findings.append(Finding(code, "stale", f"{name}/",
                                        f"last updated {latest.isoformat()}, "
                                        f"{(today - latest).days} days ago (limit {limit})"))
        findings += _unknown_years(site, code)
        for item in site.items[code]:
            meta, where = item.meta, f"{code}/{item.relpath}"
            if item.section.name == "letters" and "replied" not in meta:
                age = (today - meta["received"].date()).days
                if age > unanswered_days:
                    findings.append(Finding(code, "unanswered", where,
                                            f"received {meta['received'].date().isoformat()}, "
                                            f"unanswered for {age} days "
                                            f"(limit {unanswered_days})"))
            if meta.get("validity") in ("repealed", "amended") and "replaced_by" not in meta:
                findings.append(Finding(code, "no-replacement", where,
                                        f"{meta['validity']} but 'replaced_by' names no current "
                                        "document"))
            if item.section.name == "interpretations":
                policy = item.related.get("policy")
                if policy is None or policy.lang.code != code:
                    findings.append(Finding(code, "no-policy", where,
                                            f"its policy '{meta['policy']}' is not published in "
                                            f"{code}"))
    return findings


def _unknown_years(site: Site, code: str) -> list[Finding]:
    """Years the letter statistics count whose official schedule is not known."""
    letters = from_items([i for i in site.items[code] if i.section.name == "letters"])
    return [Finding(code, "calendar", f"data/{HOLIDAYS_FILE}",
                    f"the official holiday schedule of {year} is not known, so the letter "
                    f"statistics count its working days Monday to Friday: add {year} from "
                    "the State Council's announcement, or update chinese-calendar")
            for year in letter_stats(letters, site.build_date, calendar=calendar(site)).estimated]


def report(site: Site, findings: list[Finding]) -> str:
    """Plain text, one block per language."""
    lines = [f"Compliance audit as of {site.build_date.isoformat()}"]
    for lang in site.languages:
        mine = [f for f in findings if f.lang == lang.code]
        plural = "" if len(mine) == 1 else "s"
        lines.append(f"{lang.code} ({lang.name}): {len(mine)} finding{plural}")
        lines += [f"  {f}" for f in mine]
    return "\n".join(lines)



def register() -> None:
    """The audit runs on demand (`invoke audit`); it adds nothing to a build."""
