"""Which fonts a language's PDFs use, whether they are installed, and a fingerprint of them.

Fonts are found by fontconfig, as Pango finds them when WeasyPrint renders; asking it first
turns a missing font into a clear error instead of a PDF full of empty boxes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from portal_model import Language

#: Where the fonts of the default setting come from.
DEFAULT_PACKAGE = "fonts-noto-cjk"


class FontMissing(Exception):
    """A language's PDF font is not installed; the message names what to install."""


@dataclass(frozen=True)
class PdfFont:
    """The font family a language's PDFs are set in, the fontconfig language it must cover,
    and the Debian package that provides it."""

    family: str
    covers: str
    package: str = DEFAULT_PACKAGE


def font_for(settings: Mapping[str, Any], lang: Language) -> PdfFont:
    fonts: Mapping[str, Any] = settings.get("PORTAL_PDF_FONTS", {})
    entry = fonts.get(lang.code)
    if entry is None:
        raise FontMissing(f"PORTAL_PDF_FONTS has no font for '{lang.code}' — add "
                          f"{{'family': …, 'covers': …, 'package': …}} for it in pelicanconf.py")
    return PdfFont(**entry)


def check(settings: Mapping[str, Any], languages: Iterable[Language]) -> None:
    """Raise FontMissing unless each language's family is installed and covers the language."""
    problems = []
    for lang in languages:
        font = font_for(settings, lang)
        if not _fc_list(f":family={font.family}:lang={font.covers}", "%{family}\n"):
            problems.append(
                f"no installed font covers {lang.name} ({lang.code}) PDFs: '{font.family}' "
                f"(language {font.covers}) is not found by fontconfig — install the Debian "
                f"package {font.package} (apt-get install {font.package}), or set another "
                "family in PORTAL_PDF_FONTS")
    if problems:
        raise FontMissing("\n  ".join(problems))


def fingerprint() -> str:
    """Every font file fontconfig knows, with size and modification time: a change of any
    installed font (an update, a new fallback) changes every PDF's cache key."""
    files = sorted(set(_fc_list("", "%{file}\n").splitlines()))
    digest = hashlib.sha256()
    for name in files:
        try:
            stat = os.stat(name)
        except OSError:
            continue
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _fc_list(pattern: str, fmt: str) -> str:
    binary = shutil.which("fc-list")
    if binary is None:
        raise FontMissing("fc-list is not installed — install the Debian package fontconfig")
    args = [binary, "--format", fmt] + ([pattern] if pattern else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()
