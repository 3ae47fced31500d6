"""YAML files changed the way a person would: only the lines of the keys that change.

An import owns a few top-level facts of a file (a pupil's name, year, start date, group; a
group's timetable). It changes only the lines of those keys: every other line of the file,
comments, blank lines, quoting and indentation included, stays byte for byte as the person
wrote it. Values are read and written with ``ruamel.yaml`` (YAML 1.2: ``no`` stays the word
"no"); a new key goes on the line after the key it belongs with, not at the end of the file. A
file is written again only when something in it changed, so importing the same list twice
leaves every file as it was.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def parse(text: str) -> CommentedMap:
    data = _yaml().load(text)
    return data if isinstance(data, CommentedMap) else CommentedMap()


def load(path: Path) -> CommentedMap:
    return parse(path.read_text(encoding="utf-8"))


def dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def flow_list(items: list[Any]) -> CommentedSeq:
    """A list written on one line, ``[7b, nurture]``, as a person would write a short list."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def plain(value: Any) -> Any:
    """A YAML value as plain dicts and lists (to compare what a file holds with what would be written)."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _block(lines: list[str], key: str) -> tuple[int, int] | None:
    """The lines (start, end) of top-level ``key`` and its value, or None when it is not there."""
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for start, line in enumerate(lines):
        if pattern.match(line):
            end = start + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t", "- ")) or lines[end] == "-"):
                end += 1
            return start, end
    return None


def set_top_level(text: str, key: str, value: Any, *, after: tuple[str, ...] = ()) -> tuple[str, bool]:
    """``text`` with top-level ``key`` set to ``value``, and whether it changed.

    Only that key's lines change (a trailing comment on a one-line key is kept). A new key
    goes after the first of ``after`` that the file has, else at the end.
    """
    current = parse(text)
    if key in current and plain(current[key]) == plain(value):
        return text, False
    lines = text.splitlines(keepends=True)
    new = dump({key: value})
    found = _block(lines, key)
    if found is not None:
        start, end = found
        comment = re.search(r"\s+#[^'\"]*$", lines[start].rstrip("\n")) if end == start + 1 else None
        if comment and not re.search(r"['\"]", lines[start].split("#", 1)[0].split(":", 1)[1]):
            new = new.rstrip("\n") + comment.group(0) + "\n"
        lines[start:end] = [new]
        return "".join(lines), True
    for neighbour in after:
        block = _block(lines, neighbour)
        if block is not None:
            lines[block[1] : block[1]] = [new]
            return "".join(lines), True
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + new, True
