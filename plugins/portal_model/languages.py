"""The portal's languages: one declared list, read from the LANGUAGES setting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Language:
    """A configured language: folder code, BCP 47 tag, Babel locale, own-script name, URL prefix."""

    code: str
    tag: str
    locale: str
    name: str
    prefix: str
    cjk: bool
    #: Short switcher label (简, 繁, EN); the name when not given.
    short: str = ""
    #: A language generated from another one's content (zh-Hant from zh), with its conversion.
    derived_from: str = ""
    conversion: str = ""

    @property
    def label(self) -> str:
        return self.short or self.name

    @property
    def root(self) -> str:
        """Root-relative URL of this language's home: '/' or '/en/'."""
        return f"/{self.prefix}/" if self.prefix else "/"

    def url(self, path: str) -> str:
        """Root-relative URL of a language-independent path such as 'news/port/'."""
        return self.root + path.lstrip("/")


def languages_from(settings: Mapping[str, Any]) -> list[Language]:
    """Build the language list from settings; the first entry is the default language."""
    return [Language(**entry) for entry in settings["LANGUAGES"]]


def by_code(languages: Iterable[Language]) -> dict[str, Language]:
    return {lang.code: lang for lang in languages}
