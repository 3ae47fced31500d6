"""The pupils' pages of the editor: the list of pupils, a pupil's form and its saving, a pupil's
photo, the preview of their site and their booklet on request."""

from __future__ import annotations

import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

from transition_booklets.data.loader import (
    PUPIL_ID,
    load_pupil,
    load_school,
    pupil_files,
)
from transition_booklets.data.problems import display_path
from transition_booklets.data.schema import pupil_schema_line
from transition_booklets.data.starter import pupil_id_for, render_starter
from transition_booklets.editor.answers import (
    CONTENT_TYPES,
    EDITOR_TEMPLATES,
    MAX_PHOTO_BYTES,
    Answers,
    filled_in,
    multipart_parts,
    with_added_item,
)
from transition_booklets.editor.forms import (
    FACTOR_LINKS,
    path_of,
    pupil_form,
    values_from_form,
    with_sent_items,
    with_values,
)
from transition_booklets.editor.saving import ChangedOnDisk, changed_text, digest, save
from transition_booklets.editor.timetable import same_week, sends_grid, timetable_from_form
from transition_booklets.pictures.images import photo_upload
from transition_booklets.staff.readiness import pupil_readiness
from transition_booklets.support.files import write_atomic
from transition_booklets.support.live_preview import previewed
from transition_booklets.support.templating import template


class PupilPages(Answers):
    # ---- a pupil's photo ----------------------------------------------------------------------

    def _photo(self, pupil_id: str, length: int) -> None:
        """A photo of the pupil, uploaded with the family's consent: checked, cleaned, kept, named in the file."""
        path = self._pupil_path(pupil_id)
        if path is None:
            self._plain(HTTPStatus.NOT_FOUND, "No such pupil.")
            return
        if length > MAX_PHOTO_BYTES:
            self.rfile.read(length)  # read and thrown away, so the browser gets the answer
            self._page(
                self._form(path, notice="That photo is too large (over 25 MB); choose a smaller copy."),
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
            return
        parts = multipart_parts(self.headers.get("Content-Type", ""), self.rfile.read(length))
        if parts.get("consent", (b"",))[0].decode(errors="replace") != "yes":
            self._page(
                self._form(path, notice="Not kept: tick that the family agreed the photo may be used."),
                HTTPStatus.BAD_REQUEST,
            )
            return
        data = parts.get("photo", (b"",))[0]
        name = parts.get("photo", (b"", "photo"))[1] or "photo"
        if not data:
            self._page(self._form(path, notice="Choose a photo first."), HTTPStatus.BAD_REQUEST)
            return
        try:
            clean = photo_upload(name, data)
        except ValueError as error:
            self._page(self._form(path, notice=f"Not kept: {error}."), HTTPStatus.BAD_REQUEST)
            return
        relative = f"images/pupils/{pupil_id}.jpg"
        target = self.editor.data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, clean)
        text = path.read_text(encoding="utf-8")
        write_atomic(path, changed_text(text, {("photo", "file"): relative, ("photo", "consent"): True}))
        self._page(self._form(path, notice=f"The photo is kept as {relative}, with the family's consent noted."))

    # ---- the preview --------------------------------------------------------------------------

    def _preview(self, rest: str) -> None:
        """A file of a pupil's preview site: /preview/<pupil-id>/<file>, built on the first look."""
        pupil_id, _, name = rest.partition("/")
        if self._pupil_path(pupil_id) is None or self.editor.preview_dir is None:
            self._plain(HTTPStatus.NOT_FOUND, "No such pupil.")
            return
        site = (self.editor.preview_dir / "site" / pupil_id).resolve()
        if not (site / "index.html").is_file():
            problems = self.editor.preview(pupil_id)
            if problems:
                self._plain(HTTPStatus.OK, "The site could not be built yet:\n" + "\n".join(problems))
                return
        target = (site / (name or "index.html")).resolve()
        if not target.is_relative_to(site) or not target.is_file():  # nothing outside the pupil's preview
            self._plain(HTTPStatus.NOT_FOUND, "No such page.")
            return
        body = target.read_bytes()
        if target.suffix == ".html":  # reloads itself after each save; says when the last change could not be built
            body = previewed(body.decode("utf-8"), self.editor.problems.get(pupil_id, [])).encode("utf-8")
        self._send(body, CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream"))

    def _booklet(self, pupil_id: str) -> None:
        """The pupil's booklet, made on request (a few seconds) and opened as a PDF."""
        if self._pupil_path(pupil_id) is None or self.editor.preview_dir is None:
            self._plain(HTTPStatus.NOT_FOUND, "No such pupil.")
            return
        problems = self.editor.preview(pupil_id, booklet=True)
        if problems or not (self.editor.preview_dir / "site" / pupil_id / "booklet.pdf").is_file():
            self._plain(HTTPStatus.OK, "The booklet could not be made:\n" + "\n".join(problems))
            return
        self._redirect(f"/preview/{pupil_id}/booklet.pdf")

    # ---- pages --------------------------------------------------------------------------------

    def _pupil_path(self, pupil_id: str) -> Path | None:
        """The pupil file for ``pupil_id``: only a pupil file of the data folder, never another path."""
        if not PUPIL_ID.match(pupil_id):
            return None
        for path in pupil_files(self.editor.data_dir):
            if path.stem == pupil_id:
                return path
        return None

    def _home(self, message: str = "") -> str:
        data_dir = self.editor.data_dir
        school, _ = load_school(data_dir)
        pupils = []
        for path in pupil_files(data_dir):
            record = load_pupil(path, school, data_dir)
            if isinstance(record, list):
                pupils.append({"id": path.stem, "name": path.stem, "ready": None, "problems": len(record)})
                continue
            readiness = pupil_readiness(school, record) if school is not None else None
            pupils.append(
                {
                    "id": record.id,
                    "name": record.pupil.name,
                    "ready": f"{readiness.met} of {readiness.applicable}" if readiness else None,
                    "problems": 0,
                }
            )
        groups = [(group_id, group.name) for group_id, group in school.groups.items()] if school else []
        return template(EDITOR_TEMPLATES, "home.html.j2").render(
            school=school.name if school else display_path(data_dir), pupils=pupils, message=message, groups=groups
        )

    def _form(
        self, path: Path, *, sent: dict[str, list[str]] | None = None, problems: dict[str, list[str]] | None = None,
        notice: str = "", opened: str | None = None, working: Any = None,
    ) -> str:  # fmt: skip
        school, _ = load_school(self.editor.data_dir)
        text = path.read_text(encoding="utf-8")
        data = working if working is not None else (yaml.safe_load(text) or {})
        form = pupil_form(data, school)
        unplaced = filled_in(form, sent, problems)
        readiness = None
        record = load_pupil(path, school, self.editor.data_dir)
        if school is not None and not isinstance(record, list):
            readiness = pupil_readiness(school, record)
        return template(EDITOR_TEMPLATES, "pupil.html.j2").render(
            pupil_id=path.stem,
            pupil_name=str(data.get("name") or path.stem) if isinstance(data, dict) else path.stem,
            file=display_path(path),
            form=form,
            digest=opened or digest(text),
            notice=notice,
            unplaced=unplaced,
            readiness=readiness,
            links=FACTOR_LINKS,
        )

    def _new(self, sent: dict[str, list[str]]) -> None:
        name = (sent.get("name", [""])[-1]).strip()
        if not name:
            self._page(self._home("Type the pupil's full name first."), HTTPStatus.BAD_REQUEST)
            return
        pupil_id = pupil_id_for(name)
        path = self.editor.data_dir / f"{pupil_id}.yaml"
        if path.exists():
            self._page(
                self._home(f"There is a file for {pupil_id} already: open it from the list."), HTTPStatus.CONFLICT
            )
            return
        school, _ = load_school(self.editor.data_dir)
        check = f"transition-booklets check --data {display_path(self.editor.data_dir)}"
        starter = render_starter(name, pupil_id, school, pupil_schema_line(self.editor.data_dir), check)
        write_atomic(path, starter)
        self._redirect(f"/pupil/{pupil_id}")

    def _save(self, path: Path, sent: dict[str, list[str]]) -> None:
        opened = sent.get("tb-digest", [""])[-1]
        school, _ = load_school(self.editor.data_dir)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        form = pupil_form(with_sent_items(data, list(sent)), school)  # items added in the form too
        values = values_from_form(form, sent)
        structures: dict[tuple[str, ...], Any] = {}
        week = data.get("timetable")
        if school is not None and sends_grid(sent):
            week = timetable_from_form(school, sent)
            if not same_week(data.get("timetable"), week):
                structures[("timetable",)] = week
        adding = sent.get("tb-add", [""])[-1]
        if adding:  # "Add one": the form again, as typed, with a new empty item; nothing is saved yet
            working = with_values(data, values)
            working["timetable"] = week
            with_added_item(working, adding, sent)
            self._page(self._form(path, working=working, opened=opened, notice="Fill in the new one, then save."))
            return
        removed = tuple(path_of(name) for name in sent.get("tb-remove", []) if name)
        try:
            moving = sent.get("tb-up", [""])[-1]
            new, changed = save(path, opened, values, removed, structures, path_of(moving) if moving else None)
        except ChangedOnDisk:
            notice = (
                f"{display_path(path)} was changed on this computer since you opened it (in a text editor?). "
                "Nothing was saved. Reload the page to see the file as it is now, then make your changes again."
            )
            self._page(
                self._form(path, sent=sent, notice=notice, opened=opened, working=_typed_week(data, week)),
                HTTPStatus.CONFLICT,
            )
            return
        if not changed:
            self._page(self._form(path, notice="Nothing had changed, so the file was left as it was."))
            return
        problems = _check(path, new, self.editor.data_dir)
        if problems:
            notice = "Not saved yet: please look at the fields marked below."
            self._page(
                self._form(
                    path, sent=sent, problems=problems, notice=notice, opened=opened, working=_typed_week(data, week)
                )
            )
            return
        write_atomic(path, new)
        notice = f"Saved {display_path(path)}."
        if self.editor.preview_dir is not None:
            unbuilt = self.editor.preview(path.stem)
            notice += " The site preview is up to date." if not unbuilt else " The site preview could not be built."
        self._page(self._form(path, notice=notice))


def _typed_week(data: Any, week: Any) -> Any:
    """The file's values with the week as the grid sent it (to show the form again as it was typed)."""
    return {**data, "timetable": week} if isinstance(data, dict) else data


def _check(path: Path, text: str, data_dir: Path) -> dict[str, list[str]]:
    """The problems ``check`` would find in ``text`` as the file ``path``, by the key they concern."""
    school, _ = load_school(data_dir)
    with tempfile.TemporaryDirectory(prefix="tb-editor-") as work:
        trial = Path(work) / path.name
        trial.write_text(text, encoding="utf-8")
        result = load_pupil(trial, school, data_dir)
    problems: dict[str, list[str]] = {}
    if isinstance(result, list):
        for problem in result:
            problems.setdefault(problem.field, []).append(problem.message)
    return problems
