"""Writing a form's values into a pupil file, as a person would: the file stays theirs.

:func:`changed_text` sets only the values that changed, on the file's own ``ruamel.yaml``
round-trip tree, so comments, key order, quoting and the ``$schema`` line stay as they were; a
value emptied in the form takes its key out (and a group of keys left empty goes too). A form
saved with nothing changed writes nothing, so the file stays byte for byte as it was.

A file is opened with its :func:`digest`; saving checks the file still has it, so a change made
meanwhile in a text editor is never overwritten unseen (:class:`ChangedOnDisk`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from transition_booklets.intake.yaml_files import dump, parse, plain


class ChangedOnDisk(Exception):
    """The file changed since the form was opened."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _comparable(value: Any) -> Any:
    """A value as the form would show it: dates and times as text, numbers as numbers."""
    value = plain(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()[:5] if isinstance(value, dt.time) else value.isoformat()
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def _child(node: Any, part: str | int) -> Any:
    """``node[part]``, or None when there is no such key or item."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


def _get(tree: Any, path: tuple[str | int, ...]) -> Any:
    node: Any = tree
    for part in path:
        node = _child(node, part)
        if node is None:
            return None
    return node


def _set(tree: CommentedMap, path: tuple[str | int, ...], value: Any) -> None:
    node: Any = tree
    for part, following in itertools.pairwise(path):
        child = _child(node, part)
        if child is None:
            child = CommentedSeq() if isinstance(following, int) else CommentedMap()
            if isinstance(node, list) and isinstance(part, int):
                while len(node) < part:
                    node.append(CommentedMap())
                if len(node) == part:
                    node.append(child)
                else:
                    node[part] = child
            else:
                node[part] = child
        node = child
    last = path[-1]
    existing = _child(node, last)
    if isinstance(existing, CommentedSeq) and isinstance(value, list):
        existing[:] = value  # the list keeps how it was written (on one line, or one item a line)
        return
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        value = CommentedSeq(value)
    if isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def _remove(tree: CommentedMap, path: tuple[str | int, ...]) -> None:
    """Take the key out, and any group of keys it leaves empty."""
    for depth in range(len(path), 0, -1):
        parent = _get(tree, path[: depth - 1]) if depth > 1 else tree
        key = path[depth - 1]
        if isinstance(parent, dict) and key in parent:
            value = parent[key]
            if depth == len(path) or (isinstance(value, (dict, list)) and not value):
                del parent[key]
                continue
        break


def _written_like_a_person(value: Any) -> Any:
    """A new value as a person writes it: a group of plain values on one line (``{subject: maths,
    place: a-block}``), anything larger one key a line."""
    if isinstance(value, dict):
        node = CommentedMap((key, _written_like_a_person(item)) for key, item in value.items())
        if all(not isinstance(item, (dict, list)) for item in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        return CommentedSeq(_written_like_a_person(item) for item in value)
    return value


def _merge(parent: Any, key: str | int, new: Any) -> None:
    """``parent[key]`` made to say ``new`` with the fewest changes: in a group of keys written one a
    line, only the keys that differ change (their neighbours keep their comments), and a new key goes
    where ``new`` has it, between the keys it comes between."""
    existing = parent.get(key) if isinstance(parent, dict) else None
    if plain(existing) == new:
        return
    if not (isinstance(existing, CommentedMap) and isinstance(new, dict)):
        parent[key] = _written_like_a_person(new)
        return
    for old in [name for name in existing if name not in new]:
        del existing[old]
    order = list(new)
    for name, value in new.items():
        if name in existing:
            _merge(existing, name, value)
            continue
        following = [later for later in order[order.index(name) + 1 :] if later in existing]
        position = list(existing).index(following[0]) if following else len(existing)
        existing.insert(position, name, _written_like_a_person(value))


def changed_text(
    text: str,
    values: dict[tuple[str | int, ...], Any],
    removed: tuple[tuple[str | int, ...], ...] = (),
    structures: dict[tuple[str, ...], Any] | None = None,
    moved_up: tuple[str | int, ...] | None = None,
) -> str:
    """``text`` (a pupil file) with ``values`` written in, the list items at ``removed`` taken out and
    each of ``structures`` (a whole group of keys, such as a timetable, as plain values; None: taken
    out) merged in key by key, and the list item at ``moved_up`` put one place earlier; the same text
    when nothing changed."""
    tree = parse(text)
    keys_before = set(tree)  # the file's own keys (a new one goes where the file shows its example)
    changed = False
    for where, structure in (structures or {}).items():
        parent = _get(tree, where[:-1]) if len(where) > 1 else tree
        if structure is None:
            if isinstance(parent, dict) and where[-1] in parent:
                _remove(tree, where)
                changed = True
            continue
        if not isinstance(parent, dict):
            _set(tree, where[:-1], CommentedMap())
            parent = _get(tree, where[:-1])
        if plain(parent.get(where[-1])) != structure:
            _merge(parent, where[-1], structure)
            changed = True
    gone = {path for path in removed if isinstance(path[-1], int)}
    values = {path: value for path, value in values.items() if not any(path[: len(item)] == item for item in gone)}
    for path, value in values.items():
        current = _comparable(_get(tree, path))
        if current == _comparable(value) or (current in (None, "", []) and value is None):
            continue
        if (
            isinstance(current, list)
            and isinstance(value, list)
            and sorted(map(str, current)) == sorted(map(str, value))
        ):
            continue  # the same choices (ticked in the school's order): the file's order stays
        if isinstance(current, list) and isinstance(value, list) and set(map(str, value)) >= set(map(str, current)):
            value = [*current, *(item for item in value if item not in current)]  # kept in order, new ones after
        changed = True
        if value is None:
            _remove(tree, path)
        else:
            _set(tree, path, value)
    for path in sorted(gone, key=lambda item: item[-1], reverse=True):  # later items first: indexes stay right
        items = _get(tree, path[:-1])
        index = path[-1]
        if isinstance(items, list) and isinstance(index, int) and index < len(items):
            del items[index]
            changed = True
            if not items:
                _remove(tree, path[:-1])
    if moved_up and isinstance(moved_up[-1], int) and moved_up[-1] > 0:
        listed = _get(tree, moved_up[:-1])
        at = moved_up[-1]
        if isinstance(listed, list) and at < len(listed):
            listed.insert(at - 1, listed.pop(at))
            changed = True
    if not changed:
        return text
    added = [path[0] for path in values if len(path) == 1 and isinstance(path[0], str) and path[0] not in keys_before]
    return _blank_lines_kept(text, _in_place_of_their_examples(dump(tree), [key for key in added if key in tree]))


_TOP_LEVEL_KEY = re.compile(r"^([^\s#-][^:\n]*):")


def _blank_lines_kept(before: str, after: str) -> str:
    """``after`` with a blank line again before each top-level key that had one in ``before`` (a new
    item at the end of ``places:`` would otherwise take the blank line that parted it from ``staff:``)."""
    lines = before.splitlines()
    parted = {
        found.group(1)
        for previous, line in zip(["x", *lines], lines, strict=False)
        if not previous.strip() and (found := _TOP_LEVEL_KEY.match(line))
    }
    out: list[str] = []
    for line in after.splitlines(keepends=True):
        found = _TOP_LEVEL_KEY.match(line)
        if found and found.group(1) in parted and out and out[-1].strip():
            out.append("\n")
        out.append(line)
    return "".join(out)


_EXAMPLE_LINE = "^# ?{key}:[^\n#]*(?P<note>#[^\n]*)?$"


def _in_place_of_their_examples(text: str, keys: list[str]) -> str:
    """A new top-level key goes where the file shows it as an example (``# preferred_name: …``, as a
    starter file does), keeping that line's note, instead of at the end of the file."""
    for key in keys:
        written = re.search(f"^{re.escape(key)}: [^\n]*$", text, re.M)
        example = re.search(_EXAMPLE_LINE.format(key=re.escape(key)), text, re.M)
        if written is None or example is None or example.start() > written.start():
            continue
        line = written.group(0)
        note = example.group("note")
        if note:
            line = f"{line.ljust(len(example.group(0)) - len(note))}{note}" if len(line) < 40 else f"{line}  {note}"
        rest = text[: written.start()] + text[written.end() + 1 :]  # the line written at the end goes
        text = rest[: example.start()] + line + rest[example.end() :]
    return text


def save(
    path: Path,
    opened_digest: str,
    values: dict[tuple[str | int, ...], Any],
    removed: tuple[tuple[str | int, ...], ...] = (),
    structures: dict[tuple[str, ...], Any] | None = None,
    moved_up: tuple[str | int, ...] | None = None,
) -> tuple[str, bool]:
    """The file's new text and whether it differs; raises :class:`ChangedOnDisk` if it changed since it was opened."""
    text = path.read_text(encoding="utf-8")
    if digest(text) != opened_digest:
        raise ChangedOnDisk(str(path))
    new = changed_text(text, values, removed, structures, moved_up)
    return new, new != text
