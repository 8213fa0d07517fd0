"""Split a Markdown file into YAML front matter and body, keeping line numbers.

YAML is parsed with pyyaml's safe loader only: front matter is data, never code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

FENCE = "---"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, but dates stay text: the schema parses them and can name the line.

    libyaml's parser where PyYAML has it (its wheels do), twenty times the pure-Python one's
    speed: a cold build of a big portal parses thousands of front matters. The constructor
    is the safe one either way."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter with the line of each key, and the body that follows."""

    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


def split(text: str, path: Path) -> FrontMatter:
    """Parse ``---``-fenced YAML front matter; raise Problem-carrying ValueError when malformed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    all_lines = text.split("\n")
    if not all_lines or all_lines[0].rstrip() != FENCE:
        raise _problem(path, 1, "the file does not start with YAML front matter",
                       "put '---' on the first line, then 'title:' and 'date:', then '---'")
    try:
        end = next(i for i in range(1, len(all_lines)) if all_lines[i].rstrip() == FENCE)
    except StopIteration:
        raise _problem(path, 1, "the front matter is never closed",
                       "add a line with '---' after the last front-matter key") from None
    yaml_text = "\n".join(all_lines[1:end])
    try:
        node, data = _load(yaml_text)
    except yaml.YAMLError as exc:
        _raise_colon_slip(path, all_lines[1:end])
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise _problem(path, line, f"the front matter is not valid YAML ({reason})",
                       "check indentation and quote values containing ':' or '#'") from None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        _raise_colon_slip(path, all_lines[1:end])
        raise _problem(path, 2, "the front matter must be 'key: value' lines",
                       "write one 'key: value' per line between the '---' lines")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 2
    body = "\n".join(all_lines[end + 1:])
    return FrontMatter(data=data, lines=lines, body=body, body_line=end + 2)


#: A key followed by a full-width colon (what a Chinese input method types), or by a colon
#: and no space: YAML reads either as text, and names a later line.
_FULL_WIDTH = re.compile(r"^([A-Za-z_]+)\s*：")
_NO_SPACE = re.compile(r"^([A-Za-z_]+):(?=[^\s/])")


def _raise_colon_slip(path: Path, lines: list[str]) -> None:
    """Name the line of the commonest slip in front matter typed in Chinese, if there is one."""
    for number, line in enumerate(lines, 2):
        if found := _FULL_WIDTH.match(line):
            raise _problem(path, number, f"'{found.group(1)}' is followed by a full-width colon "
                           "'：'", f"write '{found.group(1)}: ' with an ASCII colon and a space")
        if found := _NO_SPACE.match(line):
            raise _problem(path, number, f"'{found.group(1)}:' has no space after the colon",
                           f"write '{found.group(1)}: ' followed by the value")


def _load(yaml_text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node (for the line of each key) and its data, from one parse."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


class FrontMatterError(ValueError):
    """A front matter that cannot be parsed at all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _problem(path: Path, line: int, message: str, fix: str) -> FrontMatterError:
    return FrontMatterError(Problem(path, line, message, fix))
