"""The school's pages of the editor: map pins and photos of places and staff, the school's own
settings (``school.yaml``) as a form, and a group's timetable (``groups.yaml``)."""

from __future__ import annotations

import secrets
import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

from transition_booklets.data.loader import (
    GROUPS_FILE,
    SCHOOL_FILE,
    load_groups,
    load_school,
)
from transition_booklets.data.models import Place, School, StaffMember
from transition_booklets.data.problems import display_path
from transition_booklets.editor.answers import (
    CHANGED_MEANWHILE,
    CONTENT_TYPES,
    EDITOR_TEMPLATES,
    MAX_PHOTO_BYTES,
    TOO_LARGE,
    Answers,
    filled_in,
    multipart_parts,
    with_added_item,
)
from transition_booklets.editor.forms import (
    path_of,
    school_form,
    values_from_form,
    with_sent_items,
    with_values,
)
from transition_booklets.editor.pins_and_photos import (
    MAP_WIDTHS,
    map_picture,
    photo_file,
    pin_from_click,
    pin_from_numbers,
    shown_files,
    written,
)
from transition_booklets.editor.saving import ChangedOnDisk, changed_text, digest, save
from transition_booklets.editor.timetable import grid_of, same_week, timetable_from_form
from transition_booklets.pictures.images import photo_upload
from transition_booklets.support.files import write_atomic
from transition_booklets.support.templating import template


class SchoolPages(Answers):
    # ---- the school: map pins, photos of places and staff ---------------------------------

    def _school_page(self, notice: str = "", *, problem: bool = False, chosen: str = "") -> str:
        data_dir = self.editor.data_dir
        school_file = data_dir / SCHOOL_FILE
        school, problems = load_school(data_dir)
        if school is None:
            return template(EDITOR_TEMPLATES, "home.html.j2").render(
                school=display_path(data_dir), pupils=[], message="; ".join(str(item) for item in problems)
            )
        places = [(number, place_id, place) for number, (place_id, place) in enumerate(school.places.items(), 1)]
        staff = [(number, staff_id, member) for number, (staff_id, member) in enumerate(school.staff.items(), 1)]
        unpinned = [place_id for _, place_id, place in places if place.map is None]
        return template(EDITOR_TEMPLATES, "school.html.j2").render(
            school=school,
            file=display_path(school_file),
            digest=digest(school_file.read_text(encoding="utf-8")),
            picture=map_picture(school, data_dir),
            widths=MAP_WIDTHS,
            places=places,
            staff=staff,
            chosen=chosen or (unpinned[0] if unpinned else ""),
            notice=notice,
            problem=problem,
        )

    def _change_school(self, opened: str, values: dict[tuple[str | int, ...], Any]) -> bool:
        """Write ``values`` into school.yaml unless it changed since the page was opened (then False)."""
        path = self.editor.data_dir / SCHOOL_FILE
        text = path.read_text(encoding="utf-8")
        if not secrets.compare_digest(digest(text), opened):
            return False
        new = changed_text(text, values)
        if new != text:
            write_atomic(path, new)
        return True

    def _pin(self, sent: dict[str, list[str]]) -> None:
        school, _ = load_school(self.editor.data_dir)
        place_id = sent.get("place", [""])[-1]
        if school is None or place_id not in school.places:
            self._page(self._school_page("Choose a place first.", problem=True), HTTPStatus.BAD_REQUEST)
            return
        picture = map_picture(school, self.editor.data_dir)
        clicked = pin_from_click(sent, picture) if picture is not None else None
        where = clicked if clicked not in (None, (0.0, 0.0)) else pin_from_numbers(sent)
        if clicked == (0.0, 0.0) and where is None:  # the map "pressed" with a key: no point was chosen
            where = "click the map with the mouse or a finger, or type the position in the two boxes below it"
        if where is None or isinstance(where, str):
            message = f"The pin was not moved: {where or 'click the map where the place is, or type its position'}."
            self._page(self._school_page(message, problem=True, chosen=place_id), HTTPStatus.BAD_REQUEST)
            return
        x, y = where
        values: dict[tuple[str | int, ...], Any] = {
            ("places", place_id, "map", "x"): written(x),
            ("places", place_id, "map", "y"): written(y),
        }
        if not self._change_school(sent.get("tb-digest", [""])[-1], values):
            self._page(self._school_page(CHANGED_MEANWHILE.format(file=SCHOOL_FILE), problem=True), HTTPStatus.CONFLICT)
            return
        name = school.places[place_id].name
        notice = f"{name}'s pin is at {written(x)}% across, {written(y)}% down. Saved in {SCHOOL_FILE}."
        self._page(self._school_page(notice, chosen=place_id))

    def _school_photo(self, rest: str, length: int) -> None:
        """A photo of a member of staff or a place: checked, cleaned, kept, named in school.yaml."""
        kind, _, item_id = rest.partition("/")
        school, _ = load_school(self.editor.data_dir)
        items: dict[str, dict[str, Place | StaffMember]] = (
            {"staff": dict(school.staff), "places": dict(school.places)} if school is not None else {}
        )
        if kind not in items or item_id not in items[kind]:
            self.rfile.read(length)
            self._plain(HTTPStatus.NOT_FOUND, "No such place or member of staff.")
            return
        name = items[kind][item_id].name
        if length > MAX_PHOTO_BYTES:
            self.rfile.read(length)
            self._page(self._school_page(TOO_LARGE, problem=True), HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        parts = multipart_parts(self.headers.get("Content-Type", ""), self.rfile.read(length))
        data, file_name = parts.get("photo", (b"", ""))
        if not data:
            self._page(self._school_page(f"Choose a photo of {name} first.", problem=True), HTTPStatus.BAD_REQUEST)
            return
        try:
            clean = photo_upload(file_name or "photo", data)
        except ValueError as error:
            self._page(self._school_page(f"Not kept: {error}.", problem=True), HTTPStatus.BAD_REQUEST)
            return
        relative = photo_file(kind, item_id)
        opened = parts.get("tb-digest", (b"", ""))[0].decode(errors="replace")
        school_text = (self.editor.data_dir / SCHOOL_FILE).read_text(encoding="utf-8")
        if not secrets.compare_digest(digest(school_text), opened):
            self._page(self._school_page(CHANGED_MEANWHILE.format(file=SCHOOL_FILE), problem=True), HTTPStatus.CONFLICT)
            return
        target = self.editor.data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, clean)
        self._change_school(opened, {(kind, item_id, "photo"): relative})
        self._page(self._school_page(f"The photo of {name} is kept as {relative}."))

    # ---- a group's timetable (groups.yaml) ------------------------------------------------

    def _school_with_group(self, group_id: str) -> School | None:
        """The school, when it has the group ``group_id``; else None, and the answer is sent."""
        school, _ = load_school(self.editor.data_dir)
        if school is None or group_id not in school.groups:
            self._plain(HTTPStatus.NOT_FOUND, "No such group.")
            return None
        return school

    def _group_page(
        self, group_id: str, notice: str = "", *, problem: bool = False, sent: dict[str, list[str]] | None = None
    ) -> None:
        school = self._school_with_group(group_id)
        if school is None:
            return
        path = self.editor.data_dir / GROUPS_FILE
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        where = ("groups", group_id, "timetable")
        if sent is not None:  # shown again as it was chosen
            data = {"groups": {group_id: {"timetable": timetable_from_form(school, sent)}}}
        self._page(
            template(EDITOR_TEMPLATES, "group.html.j2").render(
                group_id=group_id,
                group_name=school.groups[group_id].name,
                file=display_path(path),
                digest=digest(text),
                grid=grid_of(data, where, school, with_groups=False),
                notice=notice,
                problem=problem,
            ),
            HTTPStatus.OK if not problem else HTTPStatus.CONFLICT,
        )

    def _group_save(self, group_id: str, sent: dict[str, list[str]]) -> None:
        school = self._school_with_group(group_id)
        if school is None:
            return
        path = self.editor.data_dir / GROUPS_FILE
        text = path.read_text(encoding="utf-8")
        if not secrets.compare_digest(digest(text), sent.get("tb-digest", [""])[-1]):
            self._group_page(group_id, CHANGED_MEANWHILE.format(file=GROUPS_FILE), problem=True)
            return
        where = ("groups", group_id, "timetable")
        week = timetable_from_form(school, sent)
        written_week = ((yaml.safe_load(text) or {}).get("groups") or {}).get(group_id, {}).get("timetable")
        if same_week(written_week, week):
            self._group_page(group_id, "Nothing had changed, so the file was left as it was.")
            return
        new = changed_text(text, {}, structures={where: week})
        with tempfile.TemporaryDirectory(prefix="tb-editor-") as work:  # checked as check would, before writing
            (Path(work) / GROUPS_FILE).write_text(new, encoding="utf-8")
            checked = load_groups(Path(work), school)
        if isinstance(checked, list):
            problems = "; ".join(f"{problem.field}: {problem.message}" for problem in checked)
            self._group_page(group_id, f"Not saved: {problems}", problem=True, sent=sent)
            return
        write_atomic(path, new)
        self._group_page(group_id, f"Saved {display_path(path)}.")

    # ---- the school's own settings (school.yaml) as a form -----------------------------------

    def _settings(
        self, *, sent: dict[str, list[str]] | None = None, problems: dict[str, list[str]] | None = None,
        notice: str = "", opened: str | None = None, working: Any = None,
    ) -> str:  # fmt: skip
        path = self.editor.data_dir / SCHOOL_FILE
        text = path.read_text(encoding="utf-8")
        data = working if working is not None else (yaml.safe_load(text) or {})
        school, _ = load_school(self.editor.data_dir)
        form = school_form(data, school)
        unplaced = filled_in(form, sent, problems)
        return template(EDITOR_TEMPLATES, "settings.html.j2").render(
            school_name=str(data.get("name") or "The school") if isinstance(data, dict) else "The school",
            file=display_path(path),
            form=form,
            digest=opened or digest(text),
            notice=notice,
            unplaced=unplaced,
        )

    def _settings_save(self, sent: dict[str, list[str]]) -> None:
        path = self.editor.data_dir / SCHOOL_FILE
        opened = sent.get("tb-digest", [""])[-1]
        school, _ = load_school(self.editor.data_dir)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        form = school_form(with_sent_items(data, list(sent)), school)
        values = values_from_form(form, sent)
        adding = sent.get("tb-add", [""])[-1]
        if adding:
            working = with_added_item(with_values(data, values), adding, sent)
            self._page(self._settings(working=working, opened=opened, notice="Fill in the new one, then save."))
            return
        removed = tuple(path_of(name) for name in sent.get("tb-remove", []) if name)
        moving = sent.get("tb-up", [""])[-1]
        try:
            new, changed = save(path, opened, values, removed, moved_up=path_of(moving) if moving else None)
        except ChangedOnDisk:
            self._page(self._settings(notice=CHANGED_MEANWHILE.format(file=SCHOOL_FILE)), HTTPStatus.CONFLICT)
            return
        if not changed:
            self._page(self._settings(notice="Nothing had changed, so the file was left as it was."))
            return
        with tempfile.TemporaryDirectory(prefix="tb-editor-") as work:  # checked as check would, before writing
            trial = Path(work) / SCHOOL_FILE
            trial.write_text(new, encoding="utf-8")
            _, found = load_school(self.editor.data_dir, path=trial)
        if found:
            problems: dict[str, list[str]] = {}
            for problem in found:
                problems.setdefault(problem.field, []).append(problem.message)
            working = with_values(data, values)
            notice = "Not saved yet: please look at the fields marked below."
            self._page(self._settings(sent=sent, problems=problems, notice=notice, opened=opened, working=working))
            return
        write_atomic(path, new)
        self._page(self._settings(notice=f"Saved {display_path(path)}."))

    def _data_file(self, relative: str) -> None:
        """A picture the school page shows (the map, a photo named in school.yaml); no other file."""
        school, _ = load_school(self.editor.data_dir)
        root = self.editor.data_dir.resolve()
        target = (root / relative).resolve()
        if school is None or relative not in shown_files(school) or not target.is_relative_to(root):
            self._plain(HTTPStatus.NOT_FOUND, "No such picture.")
            return
        if not target.is_file():
            self._plain(HTTPStatus.NOT_FOUND, "That picture is not in the data folder.")
            return
        self._send(target.read_bytes(), CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream"))
