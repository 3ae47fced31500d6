"""Easy Read checks on the words a pupil reads: warnings for ``check``, each at its line.

Easy Read guidance asks for short sentences with one idea each, no abbreviations a reader has not
been told, and plain, active, positive wording. These checks find what can be found without a
dictionary, and say what to do:

* a sentence over :data:`MAX_WORDS` words ("split it in two");
* an abbreviation in capitals (SENCO, EHCP, AP, TA…) that the plan or the school never explains
  once, as ``SENCO (special needs coordinator)``, ``special needs coordinator (SENCO)`` or
  ``EHCP means …``; the few every pupil knows (:data:`KNOWN`) are left alone;
* the passive with its doer named ("you will be met by Ms Khan": say "Ms Khan will meet you");
* two negatives in one sentence ("you can't go nowhere", "not unusual").

Only what the pupil reads is checked: their story, the messages and notes written to them, what
to do and where to go; not what the pupil or the family said (their own words stay theirs), and
not what staff alone read. ``check --no-style`` leaves these warnings out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from transition_booklets.data.loader import PupilRecord
from transition_booklets.data.models import School
from transition_booklets.data.problems import Problem, Severity, display_path
from transition_booklets.data.yaml_source import Location

MAX_WORDS = 15
# Abbreviations every pupil knows, and Roman numerals in names.
KNOWN = frozenset({"PE", "OK", "TV", "UK", "ICT", "DT", "RE", "PSHE", "IT", "II", "III", "IV", "A", "B", "AM", "PM"})
# The keys of a pupil file whose words the pupil reads (a list's items are each checked).
PUPIL_FACING: tuple[Location, ...] = (
    ("first_day_story",),
    ("keyworker", "message"),
    ("keyworker", "when"),
    ("first_visit", "what_happens"),
    ("worries", "what_to_do"),
    ("worries", "help_card"),
    ("worries", "calming_ideas"),
    ("buddy", "about"),
    ("small_group", "about"),
    ("what_to_bring",),
)
PUPIL_FACING_IN_LISTS: dict[str, tuple[str, ...]] = {
    "key_places": ("note", "when"),
    "phases": ("summary", "what_happens"),
    "break_times": ("plan",),
    "reviews": ("what",),
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ABBREVIATION = re.compile(r"\b[A-Z]{2,6}s?\b")
_IRREGULAR = "met|seen|taken|told|shown|given|brought|sent|led|kept|found|held|left|heard|made|paid|put|set|taught|built|read|done"
_PASSIVE_BY = re.compile(
    rf"\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(\w+(?:ed|en|wn|ght)|{_IRREGULAR})\s+by\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(r"\b(?:not|no|never|nothing|nobody|none|nowhere|neither|nor)\b|n't\b", re.IGNORECASE)
_NOT_UN = re.compile(r"\bnot\s+un\w{3,}", re.IGNORECASE)


def _texts(value: Any, at: Location) -> Iterator[tuple[Location, str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*at, index))


def _at(data: Any, location: Location) -> Any:
    for part in location:
        if isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def pupil_facing_texts(raw: dict[str, Any]) -> Iterator[tuple[Location, str]]:
    """Every text of a pupil file (as read, plain values) that the pupil reads, with where it is."""
    for location in PUPIL_FACING:
        yield from _texts(_at(raw, location), location)
    for key, fields in PUPIL_FACING_IN_LISTS.items():
        items = raw.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            for field in fields:
                if isinstance(item, dict):
                    yield from _texts(item.get(field), (key, index, field))


def _explained(texts: list[str]) -> set[str]:
    """Abbreviations explained somewhere: ``SENCO (…)`` or ``(SENCO)`` after its words."""
    found: set[str] = set()
    for text in texts:
        found |= set(re.findall(r"\b([A-Z]{2,6})s?\s*\(", text))  # SENCO (special needs coordinator)
        found |= set(re.findall(r"\(([A-Z]{2,6})s?\b", text))  # … coordinator (SENCO), (EHCP means …)
        found |= set(re.findall(r"\b([A-Z]{2,6})s? (?:means|stands for)\b", text))
    return found


def sentence_problems(text: str, explained: set[str]) -> list[str]:
    """What Easy Read would change in ``text``, each in words for the person writing it."""
    problems: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        words = sentence.split()
        if len(words) > MAX_WORDS:
            start = " ".join(words[:6])
            problems.append(
                f"'{start} …' has {len(words)} words; Easy Read keeps a sentence to {MAX_WORDS} or fewer, "
                "with one idea each: split it in two"
            )
        passive = _PASSIVE_BY.search(sentence)
        if passive:
            problems.append(
                f"'{passive.group(0)} …' puts the person who does it at the end; put them first, e.g. "
                "'Ms Khan will meet you' rather than 'you will be met by Ms Khan'"
            )
        if len(_NEGATIVE.findall(sentence)) >= 2 or _NOT_UN.search(sentence):
            problems.append(
                f"'{' '.join(words[:8])}{' …' if len(words) > 8 else ''}' has two negatives; say it the "
                "positive way (what the pupil can do)"
            )
    for abbreviation in dict.fromkeys(match.rstrip("s") for match in _ABBREVIATION.findall(text)):
        if abbreviation not in KNOWN and abbreviation not in explained:
            problems.append(
                f"'{abbreviation}' is not explained; write it out, or explain it once, e.g. "
                f"'{abbreviation} (what it stands for)'"
            )
    return problems


def easy_read_warnings(record: PupilRecord, school: School) -> list[Problem]:
    """Located Easy Read warnings for one pupil file."""
    raw = record.pupil.model_dump(mode="json", by_alias=True, exclude_none=True)
    texts = list(pupil_facing_texts(raw))
    every_text = [text for _, text in texts]
    every_text += [str(place.description or "") for place in school.places.values()]
    every_text += [str(member.role or "") for member in school.staff.values()]
    explained = _explained(every_text)
    shown = display_path(record.path)
    warnings = []
    for location, text in texts:
        for message in sentence_problems(text, explained):
            line, column = record.positions.of(location)
            field = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in location)
            warnings.append(
                Problem(shown, line, column, field.replace(".[", "["), f"Easy Read: {message}", Severity.warning)
            )
    return warnings
