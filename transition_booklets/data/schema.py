"""JSON Schemas for school and pupil files, generated from the models.

Editors that understand ``# yaml-language-server: $schema=…`` (VS Code with the YAML
extension, and others) use them to autocomplete keys and flag mistakes as you type.
The committed copies in ``schema/`` are checked by a test, so they never go stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from transition_booklets.data.models import GroupsFile, Model, Pupil, School
from transition_booklets.support.files import write_atomic

SCHEMAS: dict[str, type[Model]] = {
    "school.schema.json": School,
    "pupil.schema.json": Pupil,
    "groups.schema.json": GroupsFile,
}


def schema_for(model: type[Model]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    name = "Groups" if model is GroupsFile else model.__name__
    schema["title"] = f"{name} file of a transition booklets data folder"
    return schema


def render_schema(model: type[Model]) -> str:
    return json.dumps(schema_for(model), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write the schemas into ``folder``; return the files that were missing or out of date."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        text = render_schema(model)
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except OSError:
            pass
        write_atomic(path, text)
        written.append(path)
    return written


DATA_FOLDER_SCHEMAS = "schema"  # a data folder's own copy, made by ``init`` and ``new``
_SCHEMA_LINE = re.compile(r"\$schema=(\S+)")


def refresh_data_schemas(data_dir: Path) -> list[Path]:
    """Bring a data folder's own copy of the schemas up to date (after the tool was upgraded)."""
    folder = data_dir / DATA_FOLDER_SCHEMAS
    if not any((folder / name).is_file() for name in SCHEMAS):
        return []
    return write_schemas(folder)


def pupil_schema_line(data_dir: Path) -> str:
    """What a new pupil file's ``$schema`` line should say, as a path from ``data_dir``.

    The pupil schema beside the one ``school.yaml`` names, when that exists (the example
    school in the repository uses the repository's ``schema/``); otherwise the data
    folder's own copy, written now.
    """
    try:
        with (data_dir / "school.yaml").open(encoding="utf-8") as handle:
            match = _SCHEMA_LINE.search(handle.readline())
    except OSError:
        match = None
    if match:
        named = (data_dir / match.group(1)).with_name("pupil.schema.json")
        if named.is_file():
            return Path(match.group(1)).with_name("pupil.schema.json").as_posix()
    write_schemas(data_dir / DATA_FOLDER_SCHEMAS)
    return f"{DATA_FOLDER_SCHEMAS}/pupil.schema.json"
