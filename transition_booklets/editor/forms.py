"""A pupil file as a form, made from the same JSON Schema the editors' checks use, so it never drifts.

:func:`pupil_form` walks ``schema/pupil.schema.json`` (written from the data model) and gives a
tree of :class:`Section` and :class:`Field`: a text box, a date or time, a number, a box with one
line per item for a list of texts, a choice of the school's places or staff (shown by name,
stored as ids) where a key names one. :func:`values_from_form` turns what a browser sends back
into the values to write. Each input is named by its key path (``first_visit.date``,
``reviews.0.what``), the same path ``check`` names in its messages, so a problem is shown beside
its field.

The pupil's ``timetable`` is a grid (:mod:`~transition_booklets.editor.timetable`). Not yet a
form (edited in the file, and shown as such): a phase's own timetable and its changes
(``phases[].timetable``, ``phases[].timetable_changes``), and lists of groups of keys other than
the ones in :data:`ITEM_LISTS`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from transition_booklets.data.models import School
from transition_booklets.editor.timetable import Grid, grid_of
from transition_booklets.support import resources

# Keys whose value is a place id, or staff id (a choice of the school's, shown by name).
PLACE_KEYS = frozenset({"meet_at", "where", "place"})
STAFF_KEYS = frozenset({"met_by", "staff", "mentor", "teacher"})
PERIOD_KEYS = frozenset({"period"})
PLACE_LISTS = frozenset({"places"})
STAFF_LISTS = frozenset({"who_i_will_meet"})
GROUP_LISTS = frozenset({"groups"})
CHOICE_LISTS = ("places", "staffs", "groups", "enums")  # the kinds of field that are a list of ticked choices
# Lists of groups of keys the form shows item by item, with "add", "remove" and "move up".
ITEM_LISTS = frozenset({"reviews", "key_places", "people", "break_times", "phases", "periods", "contacts"})
# Groups of keys under ids (``places: {library: {...}}``): each shown by its name, with "add" by name.
KEYED = frozenset({"places", "staff", "subjects"})
NOT_IN_FORM = frozenset({"timetable", "timetable_changes"})
UPLOADED = frozenset({"photo"})  # given by upload, in a form of its own (editor.server)
# Optional sections a transition lead fills first, open from the start; the rest start collapsed.
OPEN_SECTIONS = frozenset({"first_visit", "keyworker"})
# Where each factor of the guidance (staff/readiness.py) is filled in: the readiness list links there
# (a section of the pupil's form, or the school page, where photos of staff and places are uploaded).
FACTOR_LINKS = {
    "visit": "#s-first_visit", "keyworker": "#s-keyworker", "phases": "#s-phases", "timetable": "#s-timetable",
    "places": "#s-key_places", "photos": "/school#places", "worries": "#s-worries", "support": "#s-buddy",
    "small_group": "#s-small_group", "break_times": "#s-break_times", "mentoring": "#s-mentoring",
    "reviews": "#s-reviews", "family": "#s-family_liaison", "agreed": "#s-agreed", "views": "#s-views",
    "interests": "#s-about_me",
}  # fmt: skip
# What a section is for, in one line, and the factor of the guidance it serves (shown while it is folded).
PURPOSES = {
    "previous_setting": "Where the pupil comes from: it decides which parts of the plan are needed.",
    "first_visit": "A visit before the first day, with someone they trust (guidance: the first visit).",
    "keyworker": "One adult the pupil can go to about anything (guidance: a keyworker).",
    "buddy": "A pupil, peer mentor or adult who looks out for them (guidance: peer support).",
    "key_places": "The places that matter most, shown on the map (guidance: knowing the building).",
    "worries": "Who to talk to and where to go when worried; the help card (guidance: a worries plan).",
    "break_times": "What happens at break and lunch (guidance: structured unstructured times).",
    "small_group": "A small, safe base and group (guidance: small-group provision).",
    "phases": "A start in steps, e.g. mornings only for a week (guidance: a phased timetable).",
    "timetable": "The pupil's week once every phase is over (guidance: a timetable they can follow).",
    "groups": "Tutor groups or sets from groups.yaml: their timetables are the pupil's too.",
    "places": "The rooms and spaces pupils are shown, with directions and a pin on the map.",
    "staff": "The adults pupils will meet, as pupils address them.",
    "subjects": "The lessons of the timetable, each with a colour and an icon.",
    "periods": "The school day, in order: registration, lessons, break and lunch.",
    "contacts": "Who families can call or write to, and when.",
    "colours": "The guides' colours (checked for contrast when the site is built).",
    "map": "A picture of the school grounds; pins for places are placed on the school page.",
    "mentoring": "Regular time with a mentor (guidance: mentoring).",
    "about_me": "A one-page profile in the pupil's own words (guidance: the pupil's voice).",
    "views": "What the pupil, the family and the last setting said (guidance: views gathered).",
    "family_liaison": "How the school keeps in touch with the family (guidance: working with families).",
    "reviews": "Dates to check how it is going, with the family (guidance: reviews).",
    "agreed": "The plan, rewards and sanctions, and who agreed them (guidance: an agreed plan).",
}  # fmt: skip


@dataclass
class Field:
    path: tuple[str | int, ...]
    label: str
    # text, date, time, number, decimal, lines, yesno; a choice of the school's: place, staff, period;
    # of a list: choice; ticked choices: places, staffs, groups, enums
    kind: str
    help: str = ""
    required: bool = False
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (id, name) for choices
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)

    @property
    def shown(self) -> str:
        """The value as the input shows it."""
        if self.value is None:
            return ""
        if self.kind == "lines":
            return "\n".join(str(item) for item in self.value)
        if self.kind == "yesno":
            return "yes" if self.value else "no"
        if isinstance(self.value, dt.time):
            return self.value.strftime("%H:%M")
        return str(self.value)


@dataclass
class Section:
    path: tuple[str | int, ...]
    title: str
    help: str = ""
    fields: list[Field | Section] = field(default_factory=list)
    optional: bool = True
    present: bool = False
    item_list: bool = False  # a list of groups of keys: its parts are the items
    in_file_only: bool = False  # not a form yet: edited in the file
    grid: Grid | None = None  # a timetable: a grid of days and periods
    keyed: bool = False  # groups of keys under ids (places, staff, subjects): its parts are the items

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)

    @property
    def open(self) -> bool:
        return self.present or not self.optional or (len(self.path) == 1 and self.path[0] in OPEN_SECTIONS)


@functools.cache
def _schema(name: str) -> dict[str, Any]:
    return dict(json.loads((resources.SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node without ``$ref`` and ``anyOf: [X, null]``; and whether null is allowed."""
    nullable = False
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        nullable = len(options) < len(node["anyOf"])
        if len(options) == 1:
            node = {**options[0], **{k: v for k, v in node.items() if k not in ("anyOf", "default")}}
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = {**schema["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node, nullable


def _label(key: str, node: dict[str, Any]) -> str:
    title = str(node.get("title") or key.replace("_", " "))
    return title[:1].upper() + title[1:].lower()


def _enum_options(node: dict[str, Any]) -> list[tuple[str, str]]:
    """The values a key may take (``kind: library``), or its list's items may, each with a readable name."""
    values = node.get("enum") or node.get("items", {}).get("enum") or []
    return [(str(value), str(value).replace("-", " ").capitalize()) for value in values]


def _kind(key: str, node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if "enum" in node:
        return "choice"
    if key in PLACE_KEYS and kind == "string":
        return "place"
    if key in STAFF_KEYS and kind == "string":
        return "staff"
    if key in PERIOD_KEYS and kind == "string":
        return "period"
    if kind == "array":
        items = node.get("items", {})
        if key in PLACE_LISTS:
            return "places"
        if key in STAFF_LISTS:
            return "staffs"
        if key in GROUP_LISTS:
            return "groups"
        if "enum" in items:
            return "enums"
        if items.get("type") == "string":
            return "lines"
        return None
    if kind == "string":
        return {"date": "date", "time": "time"}.get(str(node.get("format")), "text")
    if kind == "integer":
        return "number"
    if kind == "number":
        return "decimal"
    if kind == "boolean":
        return "yesno"
    return None


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _section(
    schema: dict[str, Any],
    node: dict[str, Any],
    path: tuple[str | int, ...],
    data: Any,
    school: School | None,
    title: str,
    optional: bool,
    order: tuple[str, ...] | None = None,
) -> Section:
    """The section at ``path``; its keys in ``order`` (a file's top level has its own; the rest, _ORDER)."""
    section = Section(
        path, title, str(node.get("description", "")), optional=optional, present=_at(data, path) is not None
    )
    required = set(node.get("required", []))
    for key, child in sorted(node.get("properties", {}).items(), key=lambda item: _order(item[0], order or _ORDER)):
        resolved, nullable = _resolve(schema, child)
        child_path = (*path, key)
        label = _label(key, resolved)
        if key in UPLOADED and len(child_path) == 1:
            continue
        if key == "timetable" and len(child_path) == 1 and school is not None:
            grid = grid_of(data, ("timetable",), school)
            section.fields.append(Section(child_path, label, PURPOSES["timetable"], present=grid.present, grid=grid))
            continue
        if key in NOT_IN_FORM:
            section.fields.append(
                Section(child_path, label, "", present=_at(data, child_path) is not None, in_file_only=True)
            )
            continue
        if resolved.get("type") == "object" and "properties" in resolved:
            title = key.replace("_", " ").capitalize()  # the key, as the data reference names the section
            part = _section(schema, resolved, child_path, data, school, title, optional=key not in required)
            part.help = PURPOSES.get(key, part.help) if len(child_path) == 1 else part.help
            section.fields.append(part)
            continue
        if resolved.get("type") == "object" and key in KEYED and len(child_path) == 1:
            item_node, _ = _resolve(schema, resolved.get("additionalProperties", {}))
            items = _at(data, child_path) or {}
            group = Section(child_path, label, PURPOSES.get(key, ""), present=bool(items), keyed=True)
            for item_id in items if isinstance(items, dict) else []:
                name = _at(data, (*child_path, item_id, "name"))
                title = f"{name or item_id} ({item_id})"
                group.fields.append(_section(schema, item_node, (*child_path, item_id), data, school, title, False))
            section.fields.append(group)
            continue
        if resolved.get("type") == "array" and key in ITEM_LISTS:
            item_node, _ = _resolve(schema, resolved.get("items", {}))
            items = _at(data, child_path) or []
            purpose = PURPOSES.get(key, str(resolved.get("description", ""))) if len(child_path) == 1 else ""
            group = Section(child_path, label, purpose, present=bool(items), item_list=True)
            for index in range(len(items)):
                name = _at(data, (*child_path, index, "name"))
                title = f"{label} {index + 1}" + (f": {name}" if isinstance(name, str) and name else "")
                group.fields.append(_section(schema, item_node, (*child_path, index), data, school, title, False))
            section.fields.append(group)
            continue
        if resolved.get("type") == "array" and "$ref" in resolved.get("items", {}):
            resolved = {**resolved, "items": _resolve(schema, resolved["items"])[0]}
        kind = _kind(key, resolved)
        if kind is None:
            section.fields.append(
                Section(child_path, label, "", present=_at(data, child_path) is not None, in_file_only=True)
            )
            continue
        section.fields.append(
            Field(
                child_path,
                label,
                kind,
                help=str(resolved.get("description", "")),
                required=key in required and not nullable,
                value=_at(data, child_path),
                options=_options(kind, school) or _enum_options(resolved),
            )
        )
    return section


# The order a transition lead fills a file in (as in docs/data-reference.md); other keys after.
_ORDER = (
    "name", "preferred_name", "pronouns", "year", "start_date", "previous_setting", "family_language",
    "first_visit", "keyworker", "buddy", "first_day_story", "phases", "groups", "timetable", "key_places", "worries", "break_times",
    "small_group", "mentoring", "about_me", "views", "family_liaison", "reviews", "agreed", "what_to_bring",
    "date", "start", "end", "meet_at", "met_by", "staff", "where", "when", "message", "id", "kind",
    "full_name", "role", "description", "directions",
)  # fmt: skip


# The order of school.yaml's keys in its form (as in docs/data-reference.md); other keys after.
_SCHOOL_ORDER = (
    "name", "short_name", "address", "website", "locale", "second_locale", "colours", "logo", "contacts",
    "keeping_in_touch", "site_address", "protect", "school_days", "periods", "subjects", "places", "staff", "map",
)  # fmt: skip


def _order(key: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(key) if key in order else len(order), key)


def _options(kind: str, school: School | None) -> list[tuple[str, str]]:
    if school is None:
        return []
    if kind in ("place", "places"):
        return [(place_id, place.name) for place_id, place in school.places.items()]
    if kind in ("staff", "staffs"):
        return [(staff_id, member.name) for staff_id, member in school.staff.items()]
    if kind == "period":
        return [(period.id, f"{period.name} ({period.start.strftime('%H:%M')})") for period in school.periods]
    if kind == "groups":
        return [(group_id, group.name) for group_id, group in school.groups.items()]
    return []


def pupil_form(data: Any, school: School | None) -> Section:
    """The form for a pupil file holding ``data`` (plain values), with the school's choices."""
    schema = _schema("pupil")
    return _section(schema, schema, (), data or {}, school, "", optional=False)


def school_form(data: Any, school: School | None) -> Section:
    """The form for ``school.yaml`` holding ``data`` (plain values)."""
    schema = _schema("school")
    return _section(schema, schema, (), data or {}, school, "", optional=False, order=_SCHOOL_ORDER)


def fields_of(section: Section) -> list[Field]:
    found: list[Field] = []
    for part in section.fields:
        found += fields_of(part) if isinstance(part, Section) else [part]
    return found


def _typed(field: Field, raw: list[str]) -> Any:
    """A field's value from what the browser sent (``raw``: every value of its name); None when empty."""
    if field.kind in CHOICE_LISTS:
        chosen = [value for value in raw if value]
        return chosen or None
    text = raw[-1].replace("\r\n", "\n") if raw else ""
    if field.kind == "lines":
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        return lines or None
    text = text.strip()
    if not text:
        return None
    if field.kind == "number":
        try:
            return int(text)
        except ValueError:
            return text  # the check says what is wrong
    if field.kind == "decimal":
        try:
            number = float(text)
        except ValueError:
            return text  # the check says what is wrong
        return int(number) if number.is_integer() else number
    if field.kind == "yesno":
        return text == "yes"
    if field.kind == "date":
        try:
            return dt.date.fromisoformat(text)  # written as a date (2027-09-02), not as quoted text
        except ValueError:
            return text  # the check says what is wrong
    return text


def values_from_form(form: Section, sent: dict[str, list[str]]) -> dict[tuple[str | int, ...], Any]:
    """Each field's new value by path (None: the key is to go), from what the browser sent."""
    return {field.path: _typed(field, sent.get(field.name, [])) for field in fields_of(form)}


def path_of(name: str) -> tuple[str | int, ...]:
    """``reviews.0`` → ``("reviews", 0)``: a form name back into a key path."""
    return tuple(int(part) if part.isdigit() else part for part in name.split(".") if part)


def with_values(data: Any, values: dict[tuple[str | int, ...], Any]) -> Any:
    """A copy of plain ``data`` with ``values`` set (to show a form again as it was typed)."""
    copied = json.loads(json.dumps(data or {}, default=str))
    for path, value in values.items():
        if value is None:
            continue
        node = copied
        for part, following in itertools.pairwise(path):
            if isinstance(node, list):
                while len(node) <= int(part):
                    node.append({})
                node = node[int(part)]
                continue
            if not isinstance(node.get(part), (dict, list)):
                node[part] = [] if isinstance(following, int) else {}
            node = node[part]
        last = path[-1]
        if isinstance(node, list):
            while len(node) <= int(last):
                node.append({})
            node[int(last)] = value
        else:
            node[last] = value if not isinstance(value, (dt.date, dt.time)) else str(value)
    return copied


def with_sent_items(data: Any, names: list[str]) -> Any:
    """``data`` with as many items in each list as the form sent (items added with "Add one"), empty."""
    grown = json.loads(json.dumps(data or {}, default=str))
    for name in names:
        path = path_of(name)
        if len(path) >= 3 and path[0] in KEYED and isinstance(grown.get(path[0], {}), dict):
            grown.setdefault(path[0], {}).setdefault(str(path[1]), {})  # one added with "Add"
            continue
        index = next((at for at, part in enumerate(path) if isinstance(part, int)), 0)
        if index == 0 or path[index - 1] not in ITEM_LISTS:
            continue
        parent: Any = grown
        for key in path[: index - 1]:  # the groups of keys the list sits in (worries.people), made if missing
            parent = parent.setdefault(key, {}) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            listed = parent.setdefault(path[index - 1], [])
            while isinstance(listed, list) and len(listed) <= int(path[index]):
                listed.append({})
    return grown
