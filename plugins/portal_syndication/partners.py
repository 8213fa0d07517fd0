"""Partners declared in syndication.yml, checked before anything is sent."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

FORMATS = ("ninjs", "atom", "jsonfeed")
NAME_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class SyndicationError(Exception):
    """A problem with the partners file, a secret or the state; nothing was sent."""


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a request is tried again (connection errors, 429, 5xx)."""

    attempts: int = 5
    backoff: float = 1.0  # seconds before the second try; doubled each time, with jitter
    max_delay: float = 60.0  # a longer wait (or Retry-After) leaves the item for the next run


@dataclass(frozen=True)
class Partner:
    name: str
    url: str
    format: str
    secret_env: str
    languages: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    enabled: bool = True
    timeout: float = 10.0
    retry: Retry = Retry()

    def wants(self, lang: str, section: str, category: str | None) -> bool:
        """Empty lists mean 'all'; sections and categories must both match when both given."""
        return ((not self.languages or lang in self.languages)
                and (not self.sections or section in self.sections)
                and (not self.categories or category in self.categories))

    def secret(self) -> bytes:
        value = os.environ.get(self.secret_env, "")
        if not value:
            raise SyndicationError(
                f"partner '{self.name}': the environment variable {self.secret_env} is not set "
                "— set it to the partner's signing key (see docs/operating.md); nothing was sent")
        return value.encode()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load(path: Path, languages: list[str], sections: list[str],
         categories: list[str]) -> list[Partner]:
    """Every partner of the file, validated; raise SyndicationError listing all problems."""
    if not path.is_file():
        raise SyndicationError(f"{path}: the partners file is missing — create it or pass "
                               "--partners FILE")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SyndicationError(f"{path}: not valid YAML ({exc})") from None
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise SyndicationError(f"{path}: expected 'partners:' and optional 'retry:'")
    retry = _retry(data.get("retry") or {}, f"{path}: retry", problems)
    partners: list[Partner] = []
    for number, raw in enumerate(data.get("partners") or [], start=1):
        where = f"{path}: partner {number}"
        if not isinstance(raw, Mapping):
            problems.append(f"{where}: expected a mapping with name, url, format, secret_env")
            continue
        partner = _partner(raw, where, retry, languages, sections, categories, problems)
        if partner:
            partners.append(partner)
    names = [p.name for p in partners]
    problems += [f"{path}: the partner name '{n}' is used twice — names key the delivery "
                 "ledger, so each must be unique" for n in sorted({n for n in names
                                                                    if names.count(n) > 1})]
    if problems:
        raise SyndicationError("\n".join(problems))
    return partners


def _retry(raw: Mapping[str, Any], where: str, problems: list[str]) -> Retry:
    try:
        retry = Retry(**{k: raw[k] for k in raw})
    except TypeError:
        problems.append(f"{where}: allowed keys are attempts, backoff, max_delay")
        return Retry()
    if int(retry.attempts) < 1 or float(retry.backoff) < 0 or float(retry.max_delay) < 0:
        problems.append(f"{where}: attempts must be at least 1, delays not negative")
    return Retry(int(retry.attempts), float(retry.backoff), float(retry.max_delay))


def _partner(raw: Mapping[str, Any], where: str, retry: Retry, languages: list[str],
             sections: list[str], categories: list[str],
             problems: list[str]) -> Partner | None:
    allowed = {"name", "url", "format", "secret_env", "languages", "sections", "categories",
               "enabled", "timeout", "retry"}
    before = len(problems)
    for key in sorted(set(raw) - allowed):
        problems.append(f"{where}: unknown key '{key}' — allowed: {', '.join(sorted(allowed))}")
    name = str(raw.get("name", ""))
    if not NAME_RE.match(name):
        problems.append(f"{where}: 'name' must be lowercase letters, digits, '-' or '_'")
    where = f"{where} ({name})" if name else where
    url = str(raw.get("url", ""))
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http"
                                        and _is_loopback(parts.hostname or "")):
        problems.append(f"{where}: 'url' must be https:// (plain http only for 127.0.0.1, ::1 "
                        "or localhost)")
    if raw.get("format") not in FORMATS:
        problems.append(f"{where}: 'format' must be one of {', '.join(FORMATS)}")
    secret_env = str(raw.get("secret_env", ""))
    if not re.match(r"^[A-Z_][A-Z0-9_]*$", secret_env):
        problems.append(f"{where}: 'secret_env' must name an environment variable, "
                        "e.g. SYNDICATION_KEY_PARTNER (never the key itself)")
    lists = {}
    for key, known in (("languages", languages), ("sections", sections),
                       ("categories", categories)):
        value = raw.get(key) or []
        value = [value] if isinstance(value, str) else value
        unknown = [v for v in value if v not in known]
        if unknown:
            problems.append(f"{where}: unknown {key} {', '.join(map(str, unknown))} — "
                            f"use some of: {', '.join(known)}")
        lists[key] = tuple(str(v) for v in value)
    try:
        timeout = float(raw.get("timeout", 10))
    except (TypeError, ValueError):
        timeout = 0
    if timeout <= 0:
        problems.append(f"{where}: 'timeout' must be a number of seconds above 0")
    own_retry = _retry(raw["retry"], f"{where}: retry", problems) if raw.get("retry") else retry
    if len(problems) > before:
        return None
    return Partner(name=name, url=url, format=str(raw["format"]), secret_env=secret_env,
                   enabled=bool(raw.get("enabled", True)), timeout=timeout, retry=own_retry,
                   **lists)
