from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transition_booklets.data.yaml_source import MAX_FILE_BYTES, YamlProblem, parse_yaml, read_yaml


def test_values_keep_their_line_and_column() -> None:
    data, positions = parse_yaml("name: Amy\nfirst_visit:\n  date: 2027-07-01\n  places: [a, b]\n")
    assert data["first_visit"]["date"] == dt.date(2027, 7, 1)
    assert positions.of(("first_visit", "date")) == (3, 9)
    assert positions.of(("first_visit", "places", 1)) == (4, 15)
    assert positions.of(("first_visit", "date"), key=True) == (3, 3)
    # A path that does not exist points at its nearest parent.
    assert positions.of(("first_visit", "nothing", 3)) == (3, 3)


def test_yes_no_and_clock_times_stay_words() -> None:
    data, _ = parse_yaml("help_card: no\nanswer: yes\nstart: 08:45\nflag: true\nyear: 7\n")
    assert data == {"help_card": "no", "answer": "yes", "start": "08:45", "flag": True, "year": 7}


def test_impossible_date_stays_text_for_a_clear_message() -> None:
    data, _ = parse_yaml("start_date: 2027-02-30\n")
    assert data["start_date"] == "2027-02-30"


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("name: Amy\nnote: here: there\n")
    assert caught.value.line == 2
    assert "quotes" in caught.value.message


def test_tabs_get_a_hint() -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("name: Amy\n\tyear: 7\n")
    assert caught.value.line == 2


def test_duplicate_key_is_refused_with_its_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("name: Amy\nyear: 7\nname: Bea\n")
    assert caught.value.line == 3
    assert "'name' appears twice" in caught.value.message


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(
            f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, "
            f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]"
        )
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("\n".join(lines) + "\n")
    assert "anchors" in caught.value.message


def test_small_aliases_still_work() -> None:
    data, _ = parse_yaml("tuesday: &day {p1: {subject: maths}}\nwednesday: *day\n")
    assert data["wednesday"] == {"p1": {"subject": "maths"}}


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * (MAX_FILE_BYTES + 10))
    with pytest.raises(YamlProblem) as caught:
        read_yaml(path)
    assert "refused" in caught.value.message


def test_python_tags_are_refused() -> None:
    with pytest.raises(YamlProblem):
        parse_yaml("name: !!python/object/apply:os.system ['echo hi']\n")


def test_not_utf8_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zoë\n".encode("latin-1"))
    with pytest.raises(YamlProblem) as caught:
        read_yaml(path)
    assert "UTF-8" in caught.value.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_data_or_a_located_problem(text: str) -> None:
    try:
        parse_yaml(text)
    except YamlProblem as problem:
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message


def test_the_value_limit_is_exact_and_its_message_points_at_the_value_past_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a limit of 5 values: a file of 5 is read; the sixth value is named, on its own line and column."""
    from transition_booklets.data import yaml_source

    monkeypatch.setattr(yaml_source, "MAX_VALUES", 5)
    data, _ = parse_yaml("items:\n  - a\n  - b\n  - c\n")  # the mapping, the list and three words
    assert data == {"items": ["a", "b", "c"]}
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("items:\n  - a\n  - b\n  - c\n  - d\n")
    assert (caught.value.line, caught.value.column) == (5, 5), "the fourth item, 'd', is the sixth value"
    assert "more than 5 values" in caught.value.message


def test_a_place_with_no_position_of_its_own_takes_the_nearest_one_above() -> None:
    """A problem about something the file does not say (a key left out) points at what holds it."""
    _, positions = parse_yaml("first_visit:\n  date: 2027-01-05\nkeyworker:\n  staff: ms-khan\n")
    assert positions.of(("keyworker", "where")) == (4, 3)  # the mapping under keyworker:, on line 4
    assert positions.of(("keyworker", "where", "photo")) == (4, 3)
    assert positions.of(("first_visit", "date")) == (2, 9)
    assert positions.of(("no_such", "key")) == (1, 1), "the top of the file"
