"""The Jinja environment the pages and the staff report are rendered with."""

from __future__ import annotations

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
