"""Content errors that name the file, the line and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located for the editor."""

    path: Path
    line: int
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{_display(self.path)}:{self.line}" if self.line else _display(self.path)
        return f"{where}: {self.message} — {self.fix}"


class ContentError(Exception):
    """Raised when content is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line))
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the content:"
        super().__init__("\n".join([heading, *(f"  {p}" for p in self.problems)]))


def line_of(source: Path, *texts: str) -> int:
    """The first line of ``source`` that holds the first of ``texts`` found in it (a link's or
    an image's target as Markdown writes it, then anywhere); 0 when none is. Read only when
    there is a problem to tell."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    for text in texts:
        found = next((number for number, line in enumerate(lines, 1) if text in line), 0)
        if found:
            return found
    return 0


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
