"""Whose timetable is it: a pupil's week from their groups' timetables, their own changes and their phase.

A pupil in groups (``groups: [7b]`` in their file, the groups in ``groups.yaml``) gets the
groups' timetables laid over each other in order, then their own ``timetable`` laid over that
slot by slot: a pupil in 7B who goes to the Hub for period 3 on Monday writes only that slot.
``p3: not in school`` takes a slot away, ``wednesday: not in school`` a whole day.

In a phase, ``timetable`` is the phase's own timetable (nothing from the groups), and
``timetable_changes`` is laid over the full timetable for that phase only.
"""

from __future__ import annotations

from transition_booklets.data.models import Phase, Pupil, School, Timetable


def overlay(base: Timetable | None, changes: Timetable | None) -> Timetable | None:
    """``changes`` laid over ``base`` slot by slot; a day given as not in school replaces the whole day."""
    if base is None:
        return changes
    if changes is None:
        return base
    result: Timetable = {day: dict(slots) for day, slots in base.items()}
    for day, slots in changes.items():
        result[day] = {**result.get(day, {}), **slots} if slots else {}
    return result


def full_timetable(pupil: Pupil, school: School) -> Timetable | None:
    """The pupil's week once every phase is over: their groups' timetables with their own laid over."""
    week: Timetable | None = None
    for group_id in pupil.groups:
        group = school.groups.get(group_id)
        if group is not None:
            week = overlay(week, group.timetable)
    return overlay(week, pupil.timetable)


def timetable_of(pupil: Pupil, phase: Phase | None, school: School) -> Timetable | None:
    """The timetable that applies in ``phase`` (or the full one when ``phase`` is None)."""
    if phase is not None and phase.timetable is not None:
        return phase.timetable
    full = full_timetable(pupil, school)
    if phase is not None and phase.timetable_changes is not None:
        return overlay(full, phase.timetable_changes)
    return full
