"""Problems found in a school's data, worded for a transition lead, not a developer.

Every problem names the file, the line and column, the field and what to do:
``pupils/amy.yaml:12:5 timetable.monday.p2.place: no place 'sciense-lab' in school.yaml (did you mean 'science-lab'?)``

One type carries a problem across every stage: :class:`Problem` while reading and checking,
:class:`BuildError` when a later stage (a picture, the recording, Typst) cannot use something.
A stage that knows which key named the thing raises ``BuildError.at(Where(file, field), message)``;
the build then gives it the line and column of that key (:meth:`BuildError.located`), so it
reads like a ``check`` problem.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from transition_booklets.data.suggest import did_you_mean
from transition_booklets.data.yaml_source import Location, Positions


class Severity(StrEnum):
    error = "error"
    warning = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = Severity.error

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        label = " warning:" if self.severity is Severity.warning else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}{label}{field} {self.message}"


@dataclass(frozen=True)
class Where:
    """The YAML file and key that named something a stage uses: ``Where("pupils/amy.yaml", "photo.file")``."""

    file: str
    field: str

    def __str__(self) -> str:
        return f"{self.file} {self.field}".strip()


class BuildError(Exception):
    """A problem that stops one pupil (or the whole run) with a message for the user."""

    def __init__(self, problems: list[Problem] | str, *, where: Where | None = None, detail: str = "") -> None:
        self.problems = problems if isinstance(problems, list) else []
        self.where = where
        self.detail = detail
        text = problems if isinstance(problems, str) else "\n".join(str(problem) for problem in problems)
        super().__init__(text)

    @classmethod
    def at(cls, where: Where | str, message: str) -> BuildError:
        """``message`` about what the key ``where`` names (a plain string ``where`` is only put in front)."""
        if isinstance(where, Where):
            return cls(f"{where}: {message}", where=where, detail=message)
        return cls(f"{where}: {message}" if where else message)

    def located(self, positions: Callable[[str], Positions | None]) -> BuildError:
        """This error with the line and column of its key, from ``positions(file)`` (None: not known)."""
        if self.where is None or self.problems:
            return self
        found = positions(self.where.file)
        if found is None:
            return self
        line, column = found.of(location_of(self.where.field))
        return BuildError([Problem(self.where.file, line, column, self.where.field, self.detail)])


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def location_of(field: str) -> Location:
    """``timetable.monday[2].place`` → ``('timetable', 'monday', 2, 'place')`` (the inverse of :func:`dotted`)."""
    return tuple(int(index) if index else name for name, index in _PART.findall(field))


def dotted(location: Location) -> str:
    """``('timetable', 'monday', 2, 'place')`` → ``timetable.monday[2].place``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of keys"
    if value is None:
        return "nothing"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        result: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                result.extend(_unwrap(arg))
        return result
    return [annotation]


def model_at(root: type[BaseModel], location: Location) -> type[BaseModel] | None:
    """The model class that validates the mapping found at ``location``."""
    current: list[Any] = [root]
    for part in location:
        following: list[Any] = []
        for candidate in current:
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, info in candidate.model_fields.items():
                    if part in (name, info.alias):
                        following.extend(_unwrap(info.annotation))
            elif origin is list and isinstance(part, int):
                following.extend(_unwrap(typing.get_args(candidate)[0]))
            elif origin is dict:
                following.extend(_unwrap(typing.get_args(candidate)[1]))
        current = following
    for candidate in current:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _friendly(error: Any, root: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    location = error["loc"]
    if kind == "extra_forbidden":
        key = location[-1]
        model = model_at(root, location[:-1])
        known = _field_names(model) if model else []
        hint = did_you_mean(str(key), known)
        listing = f"; the keys allowed here are: {', '.join(known)}" if known and not hint else ""
        if " " in str(key) and value is None:
            return (
                f"unknown key '{key}'; if this is part of the text before it, put that whole text in quotes "
                "(a comma inside { } starts a new key)"
            )
        return f"unknown key '{key}'{hint}{listing}"
    if kind == "missing":
        return "this is required but missing; add it"
    if kind.startswith("date_") or kind == "date_type":
        if isinstance(value, str) and value.count("-") == 2:
            return f"'{value}' is not a real date; write dates as YYYY-MM-DD, e.g. 2026-09-03"
        return f"'{value}' is not a date; write dates as YYYY-MM-DD, e.g. 2026-09-03"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        options = [option.strip(" '") for option in expected.replace(" or ", ", ").split(",") if option.strip()]
        hint = did_you_mean(str(value), options)
        return f"'{value}' is not one of the choices{hint}; choose one of: {', '.join(options)}"
    if kind in ("string_type", "str_type"):
        return f"expected text here but found {_type_name(value)}; put the text in quotes"
    if kind == "list_type":
        return f"expected a list here but found {_type_name(value)}; start each item on its own line with '- '"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a group of keys here but found {_type_name(value)}; see the example pupil files"
    if kind in ("bool_type", "bool_parsing"):
        return f"'{value}' should be true or false"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"'{value}' should be a whole number"
    if kind in ("float_type", "float_parsing"):
        return f"'{value}' should be a number"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = error.get("ctx", {})
        low = ctx.get("ge", ctx.get("gt"))
        high = ctx.get("le", ctx.get("lt"))
        if low is not None and high is None:
            return f"{value} is too small; it must be at least {low}"
        if high is not None and low is None:
            return f"{value} is too big; it must be at most {high}"
        return f"{value} is out of range"
    if kind == "string_too_short":
        return "this is empty; write something or remove the line"
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not in the expected form"
    message: str = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message


def problems_from_validation(
    error: ValidationError, root: type[BaseModel], file: str, positions: Positions
) -> list[Problem]:
    """Turn pydantic's errors into problems with lines, one per error."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for item in error.errors(include_url=False):
        location = tuple(part for part in item["loc"] if part != "[key]")
        is_key = "[key]" in item["loc"] or item["type"] == "extra_forbidden"
        # Pydantic names the alias for aliased fields (``from``), which is what the file says.
        line, column = positions.of(location, key=is_key)
        if item["type"] == "missing":
            line, column = positions.of(location[:-1])
        context = item.get("ctx") or {}
        written = context.get("written", context.get("key"))
        if item["type"] == "bad_day" and isinstance(written, str) and (*location, written) in positions.keys:
            # A day the timetable does not know: the line of that day's key, not of 'timetable:'.
            line, column = positions.keys[(*location, written)]
        message = _friendly(item, root)
        field = dotted(location)
        if (field, message) in seen:
            continue
        seen.add((field, message))
        problems.append(Problem(file, line, column, field, message))
    return sorted(problems, key=lambda problem: (problem.line, problem.column))


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user typed it: relative to the working folder when possible."""
    try:
        return str(path.relative_to(base or Path.cwd()))
    except ValueError:
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)
