"""JSON Schemas for school and pupil files, generated from the models.

Editors that understand ``# yaml-language-server: $schema=…`` (VS Code with the YAML
extension, and others) use them to autocomplete keys and flag mistakes as you type.
The committed copies in ``schema/`` are checked by a test, so they never go stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transition_booklets.data.models import Pupil, School

SCHEMAS: dict[str, type[Pupil] | type[School]] = {"school.schema.json": School, "pupil.schema.json": Pupil}


def schema_for(model: type[Pupil] | type[School]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"{model.__name__} file of a transition booklets data folder"
    return schema


def render_schema(model: type[Pupil] | type[School]) -> str:
    return json.dumps(schema_for(model), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(render_schema(model), encoding="utf-8")
        written.append(path)
    return written
