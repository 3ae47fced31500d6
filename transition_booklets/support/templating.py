"""Jinja for the project's templates: the pages, the staff report, the unlock page and the letters."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2


class DataEnvironment(jinja2.Environment):
    """Jinja for templates whose values are plain dicts (the view, the report's rows).

    ``pupil.name`` on a dict looks the key up first. Jinja tries an attribute first and a
    key second, which for a dict raises and catches an exception on every lookup; a pupil's
    pages make thousands of them and a 300-pupil staff page tens of thousands.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@functools.lru_cache(maxsize=8)
def template(folder: Path, name: str) -> jinja2.Template:
    """``name`` from ``folder``, compiled once: every value escaped, a missing value an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template(name)
