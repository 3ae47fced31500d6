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
        hint = _syntax_hint(problem)
        raise YamlProblem(f"YAML syntax: {problem}{hint}", line, column) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"YAML syntax: {error}") from None
    except RecursionError:
        raise YamlProblem("the file is nested too deeply; a pupil file needs only a few levels") from None
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "; a value containing ': ' needs quotes around it, or a key is indented wrongly"
    if "found character '\\t'" in problem:
        return "; use spaces, not tabs, to indent"
    if "could not find expected ':'" in problem:
        return "; a line is missing ':' after its key, or is indented wrongly"
    if "expected <block end>" in problem:
        return "; check the indentation of this line matches the lines around it"
    return "; check the indentation and quotes on this line and the one before"
