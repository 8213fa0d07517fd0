"""Catalog completeness: every UI string translated in every language."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po


def untranslated(translations: Path, langs: Iterable[str]) -> list[str]:
    """'lang: msgid' for each message that is missing, empty or fuzzy in a catalog, and for
    each string of messages.pot that a catalog does not have at all."""
    with (translations / "messages.pot").open("rb") as pot_file:
        template = read_po(pot_file)
    wanted = {m.id for m in template if m.id}
    gaps = []
    for lang in langs:
        with (translations / lang / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
            catalog = read_po(po_file)
        have = {}
        for message in catalog:
            if message.id:
                have[message.id] = message
        for msgid in sorted(wanted, key=str):
            message = have.get(msgid)
            strings = message.string if message else None
            values = strings if isinstance(strings, tuple) else (strings,)
            if message is None or message.fuzzy or not all(values):
                shown = msgid[0] if isinstance(msgid, tuple) else msgid
                gaps.append(f"{lang}: {shown}")
    return gaps
