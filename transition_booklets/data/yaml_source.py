"""Safe YAML reading that remembers where every value came from.

A pupil file is read with PyYAML's safe composer into a node tree, then turned
into plain Python values by hand, so that:

* each value's line and column is kept, for error messages that point at it;
* YAML 1.1 surprises are avoided: ``no`` stays the word "no" (only ``true`` and
  ``false`` are booleans) and ``08:45`` stays a time, not the number 525;
* a file built to exhaust memory (a huge file, an alias bomb) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000
MAX_VALUES = 100_000

Location = tuple[str | int, ...]


class YamlProblem(Exception):
    """The file cannot be read as YAML; carries the line and column."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Positions:
    """Line and column (1-based) of each value, and of each mapping key, by path."""

    values: dict[Location, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Location, tuple[int, int]] = field(default_factory=dict)

    def of(self, location: Location, *, key: bool = False) -> tuple[int, int]:
        """The closest known position for ``location``: the value, else its key, else a parent."""
        path = tuple(location)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.2-like implicit types: no yes/no/on/off booleans, no sexagesimal numbers."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
# Recognised only to be refused with a message of its own (see _Builder.build).
_Resolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp", re.compile(r"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?$"), list("0123456789")
)


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
try:  # libyaml's parser, about ten times faster; the same node tree and marks
    from yaml._yaml import CParser as _CParser

    class _FastLoader(_CParser, yaml.constructor.SafeConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = _Loader  # type: ignore[misc,assignment]

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class _Builder:
    def __init__(self, loader: _Loader | _FastLoader) -> None:
        self.loader = loader
        self.positions = Positions()
        self.count = 0

    def build(self, node: yaml.Node, path: Location) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise YamlProblem(
                f"the file has more than {MAX_VALUES:,} values (perhaps '&' anchors and '*' aliases repeat "
                "each other); a pupil file needs far fewer, so remove the anchors and aliases",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        self.positions.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            raise YamlProblem(
                f"the tag '{node.tag}' is not allowed; remove it", node.start_mark.line + 1, node.start_mark.column + 1
            )
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem(
                        "a key must be a plain word", key_node.start_mark.line + 1, key_node.start_mark.column + 1
                    )
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlProblem(
                        "'<<' merge keys are not supported; write the values out",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                key = self.scalar(key_node)
                if not isinstance(key, (str, int)):
                    key = str(key)
                if isinstance(key, int):
                    key = str(key)
                if key in result:
                    raise YamlProblem(
                        f"'{key}' appears twice here; keep one of them",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                child = (*path, key)
                self.positions.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        if node.tag == "tag:yaml.org,2002:timestamp" and isinstance(node.value, str):
            # Keep impossible dates (2026-02-30) as text so validation can say what is wrong.
            match = _DATE.match(node.value)
            if match:
                import datetime as dt

                try:
                    return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    return node.value
        if node.tag in (
            "tag:yaml.org,2002:str",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:timestamp",
        ):
            return self.loader.construct_object(node, deep=True)
        raise YamlProblem(
            f"the tag '{node.tag}' is not allowed; remove it",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )


def read_yaml(path: Path) -> tuple[Any, Positions]:
    """Read one YAML file safely; raise YamlProblem with a line for anything wrong."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise YamlProblem(f"cannot read the file ({error.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise YamlProblem(
            f"the file is {size:,} bytes; files over {MAX_FILE_BYTES:,} bytes are refused. "
            "Check this is the right file: a pupil file is a few kilobytes"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise YamlProblem(
            f"the file is not UTF-8 text (byte {error.start}); save it again as UTF-8 in your editor"
        ) from None
    return parse_yaml(text)


def parse_yaml(text: str) -> tuple[Any, Positions]:
    loader: _Loader | _FastLoader | None = None
    try:
        loader = _FastLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None, Positions()
        builder = _Builder(loader)
        data = builder.build(node, ())
        return data, builder.positions
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise YamlProblem(
            f"the file contains an invisible control character (code {error.character:#04x}); "
            "delete it or retype the line",
            line,
            column,
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or "this is not valid YAML"
        opened = error.context_mark
        unclosed = _unclosed(text, error.context or "", opened.line + 1, opened.column + 1) if opened else None
        raise YamlProblem(*(unclosed or _in_words(text, problem, line, column))) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"YAML syntax: {error}") from None
    except RecursionError:
        raise YamlProblem(_TOO_DEEP) from None
    finally:
        if loader is not None:
            loader.dispose()


_TOO_DEEP = "the file is nested too deeply; a pupil file needs only a few levels"


def _unclosed(text: str, context: str, line: int, column: int) -> tuple[str, int, int] | None:
    """A quote or bracket opened and never closed, pointed at where it was opened (the reader
    only notices at the end of the file, or on a later line)."""
    here = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    opening = here[column - 1 : column]
    if context == "while scanning a quoted scalar" and opening in ("'", '"'):
        return (
            f"the text that starts here with {opening} has no closing {opening}; "
            f"put {opening} at the end of the text too",
            line,
            column,
        )
    closing = {"[": "]", "{": "}"}.get(opening)
    if context.startswith("while parsing a flow") and closing:
        return (
            f"the list that starts here with '{opening}' is not closed; put '{closing}' at its end, with ', ' "
            "between its items (or write the items on lines of their own, each after '- ')",
            line,
            column,
        )
    return None


def _in_words(text: str, problem: str, line: int, column: int) -> tuple[str, int, int]:
    """What went wrong, said as a person would look for it, and the line and column to look at.

    The YAML reader's own words are kept only where nothing better can be said: a tab used to
    indent is named as a tab, and a list item without its dash is pointed at (the reader only
    notices one line later, as a missing ':')."""
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = here[: len(here) - len(here.lstrip(" \t"))]
    if "\t" in indent:
        return (
            "this line is indented with a tab; indent with spaces instead (two for each level). "
            "Many editors can be set to type spaces when you press Tab",
            line,
            indent.index("\t") + 1,
        )
    left_over = _text_after_its_closing_quote(here)
    if left_over is not None:
        return left_over, line, len(indent) + 1
    if "could not find expected ':'" in problem:
        found = _item_without_dash(lines, line)
        if found is not None:
            number, item = found
            content = item.strip()
            said = (
                f"'{content}' needs a space after its dash: '- {content[1:]}'"
                if content.startswith("-")
                else f"'{content}' looks like an item of the list above it without its dash; "
                "add '- ' before it, as on the line above"
            )
            return said, number, len(item) - len(item.lstrip()) + 1
        found = _line_without_colon(lines, line)
        if found is not None:
            number, written = found
            key, _, rest = written.strip().partition(" ")
            said = (
                f"'{written.strip()}' has no ':' after its key; write it as '{key}: {rest}'"
                if rest
                else f"'{key}' has no ':' after it; write '{key}:' and its value, or remove the line"
            )
            return said, number, len(written) - len(written.lstrip()) + 1
    if "mapping values are not allowed" in problem and ": " in here.strip().lstrip("- "):
        content = here.strip()
        dash = "- " if content.startswith("- ") else ""
        key, _, value = content.removeprefix(dash).partition(": ")
        if ": " in value and not value.startswith(("'", '"')):
            quoted = value.replace('"', '\\"')
            return (
                f"the text after '{key}:' has ': ' in it, which YAML reads as another key; put the whole "
                f'text in quotes: {dash}{key}: "{quoted}"',
                line,
                column,
            )
    if "expected '-' indicator" in problem or "expected <block end>, but found '?'" in problem:
        return (
            "this line begins a new item of the list above without its dash: add '- ' at its start "
            "(or, if it belongs to the item above, indent it like that item's other lines)",
            line,
            column,
        )
    if "cannot start any token" in problem and here[column - 1 : column] not in ("", "\t"):
        value = here[column - 1 :].rstrip()
        quoted = value.replace('"', '\\"')
        return (
            f"a text cannot begin with '{value[0]}' in YAML; put the whole text in quotes: \"{quoted}\"",
            line,
            column,
        )
    if "maximum nesting depth" in problem:
        return _TOO_DEEP, line, column
    return f"YAML syntax: {problem}{_syntax_hint(problem)}", line, column


def _text_after_its_closing_quote(here: str) -> str | None:
    """What to say of a value that starts with a quote and goes on after that quote closes
    (``'I don't know'``, ``"Loud" rooms``), with the line written the way that works."""
    content = here.strip()
    dash = "- " if content.startswith("- ") else ""
    rest = content.removeprefix(dash)
    key, colon, value = rest.partition(": ")
    if rest[:1] in ("'", '"'):  # a quoted key, or a list item's quoted text
        closing = rest.find(rest[0], 1)
        key, colon, value = rest[: closing + 1], ": ", rest[closing + 3 :]
        if closing < 0 or not rest[closing + 1 :].startswith(": "):
            key, value = "", rest
    if not colon:
        key, value = "", rest
    if not (key or dash):
        return None
    quote = value[:1]
    if quote not in ("'", '"'):
        return None
    closing = value.find(quote, 1)
    after = value[closing + 1 :].strip() if closing > 0 else ""
    if not after or after.startswith("#"):
        return None
    text = value[1:-1] if value.endswith(quote) else value
    suggestion = '"' + text.replace('"', '\\"') + '"' if quote == "'" else "'" + text.replace("'", "''") + "'"
    where = f"after '{key}:'" if key else "of this list item"
    return (
        f"the text {where} starts with {quote}, so it ends at the next {quote} and the rest of the line is "
        f"left over; put the whole text in the other kind of quotes: {dash}{key + ': ' if key else ''}{suggestion}"
    )


def _line_without_colon(lines: list[str], line: int) -> tuple[int, str] | None:
    """The line (number, text) of a ``key value`` (or a lone ``key``) written without its ':', at or just before ``line``."""
    for number in range(min(line, len(lines)), 0, -1):
        text = lines[number - 1]
        content = text.strip()
        if not content or content.startswith("#"):
            continue
        if ":" not in content and not content.startswith("- "):
            return number, text
        if number < line:
            return None
    return None


def _item_without_dash(lines: list[str], line: int) -> tuple[int, str] | None:
    """The line (number, text) of a list item written without its ``- ``, at or before ``line``."""
    written = [
        (number, text)
        for number, text in enumerate(lines[:line], 1)
        if text.strip() and not text.lstrip().startswith("#")
    ]
    for at in range(len(written) - 1, 0, -1):
        number, text = written[at]
        content = text.strip()
        if content.startswith("- ") or ":" in content:
            continue
        previous = written[at - 1][1]
        if previous.lstrip().startswith("- ") and len(previous) - len(previous.lstrip()) == len(text) - len(
            text.lstrip()
        ):
            return number, text
        return None
    return None


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "; a value containing ': ' needs quotes around it, or a key is indented wrongly"
    if "found character '\\t'" in problem:
        return "; use spaces, not tabs, to indent"
    if "could not find expected ':'" in problem:
        return "; a line is missing ':' after its key, or is indented wrongly"
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return "; check the indentation of this line matches the lines around it"
    return "; check the indentation and quotes on this line and the one before"
