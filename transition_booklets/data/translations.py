"""A school's own translations of what it wrote, for families who read another language.

``translations/<language>.yaml`` in the data folder holds, one per line, a text exactly as the
school wrote it in ``school.yaml`` or a pupil file, and the same text in that language:

    Email (Mum can translate it more easily): "E-mail (mamie łatwiej go przetłumaczyć)"

The family page of a pupil whose ``family_language`` is that language shows the translation
in the family's part; the school's part keeps the text as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from transition_booklets.data.problems import BuildError, display_path
from transition_booklets.data.yaml_source import YamlProblem, read_yaml

TRANSLATIONS = "translations"  # in the data folder


def school_translations(data_dir: Path, language: str) -> dict[str, str]:
    """The school's own translations into ``language`` (``translations/<language>.yaml``): each text as written
    in its files, and the same text in that language. Empty when there is no such file."""
    path = data_dir / TRANSLATIONS / f"{language}.yaml"
    if not path.is_file():
        return {}
    shown = display_path(path)
    try:
        data, positions = read_yaml(path)
    except YamlProblem as problem:
        raise BuildError(f"{shown}:{problem.line}:{problem.column} {problem.message}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BuildError(f"{shown}: write one line per text: the text as written, a colon, then the translation")
    table = {}
    for key, value in data.items():
        if not isinstance(value, str) or not str(key).strip():
            line, column = positions.of((key,), key=True)
            raise BuildError(
                f"{shown}:{line}:{column} {key}: give the translation as text after the colon (in quotes if it has a colon)"
            )
        table[str(key).strip()] = value
    return table


def translated(value: Any, table: Mapping[str, str]) -> Any:
    """A copy of ``value`` (a view) with every text found in ``table`` replaced by its translation."""
    if not table:
        return value
    if isinstance(value, str):
        return table.get(value.strip(), value)
    if isinstance(value, dict):
        return {key: translated(item, table) for key, item in value.items()}
    if isinstance(value, list):
        return [translated(item, table) for item in value]
    return value
