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


# Each mistake a person makes in a pupil file, and what the reader says: the exact words, line and
# column. Read by libyaml's parser (what every installed PyYAML has) and by PyYAML's own, which
# word their errors differently: a lead gets the same message from both.
TAB = "this line is indented with a tab; indent with spaces instead (two for each level). Many editors can be set to type spaces when you press Tab"
NO_DASH = "looks like an item of the list above it without its dash; add '- ' before it, as on the line above"
NEW_ITEM = (
    "this line begins a new item of the list above without its dash: add '- ' at its start "
    "(or, if it belongs to the item above, indent it like that item's other lines)"
)
INDENT = "; check the indentation of this line matches the lines around it"
MISTAKES = {
    "tab at the start": ("name: Amy\n\tyear: 7\n", TAB, 2, 1),
    "tab after spaces": ("keyworker:\n  \tstaff: ms-khan\n", TAB, 2, 3),
    "list item without its dash": ("worries:\n  - loud rooms\n  crowds\nyear: 7\n", f"'crowds' {NO_DASH}", 3, 3),
    "the same, past a comment and a blank line": (
        "worries:\n  - loud rooms\n  # the lunch hall\n\n  crowds of people\nyear: 7\n",
        f"'crowds of people' {NO_DASH}",
        5,
        3,
    ),
    "top-level item without its dash": ("- a\nb\n", f"'b' {NO_DASH}", 2, 1),
    "key without its colon": (
        "name: Amy\nyear 7\nbuddy: x\n",
        "'year 7' has no ':' after its key; write it as 'year: 7'",
        2,
        1,
    ),
    "the same, a comment after it": (
        "name: Amy\nyear 7\n# a note\n\nbuddy: x\n",
        "'year 7' has no ':' after its key; write it as 'year: 7'",
        2,
        1,
    ),
    "a lone word without its colon": (
        "name: Amy\nyear\n",
        "'year' has no ':' after it; write 'year:' and its value, or remove the line",
        2,
        1,
    ),
    "a dash without its space": (
        "worries:\n  - loud rooms\n  -crowds\nyear: 7\n",
        "'-crowds' needs a space after its dash: '- crowds'",
        3,
        3,
    ),
    "single quotes around double quotes and an apostrophe": (
        "note: 'say \"hi\" don't'\n",
        "the text after 'note:' starts with ', so it ends at the next ' and the rest of the line is left over; "
        'put the whole text in the other kind of quotes: note: "say \\"hi\\" don\'t"',
        1,
        1,
    ),
    "nested key without its colon": (
        "first_visit:\n  date: 2027-07-01\n  who comes with me\n  time: 9\n",
        "'who comes with me' has no ':' after its key; write it as 'who: comes with me'",
        3,
        3,
    ),
    "': ' inside a text": (
        "note: here: there\n",
        """the text after 'note:' has ': ' in it, which YAML reads as another key; put the whole text in quotes: note: "here: there\"""",
        1,
        11,
    ),
    "': ' inside a list item's text": (
        'list:\n  - note: say "hi": then go\n',
        "the text after 'note:' has ': ' in it, which YAML reads as another key; put the whole text in "
        'quotes: - note: "say \\"hi\\": then go"',
        2,
        19,
    ),
    "an apostrophe inside single quotes": (
        "name: Amy\nnote: 'I don't like noise'\nyear: 7\n",
        "the text after 'note:' starts with ', so it ends at the next ' and the rest of the line is left over; "
        """put the whole text in the other kind of quotes: note: "I don't like noise\"""",
        2,
        1,
    ),
    "a quoted word, then more": (
        'worries:\n  - "Loud" rooms\n',
        """the text of this list item starts with ", so it ends at the next " and the rest of the line is left """
        """over; put the whole text in the other kind of quotes: - '"Loud" rooms'""",
        2,
        3,
    ),
    "a quoted word with an apostrophe, then more": (
        '- "it\'s" fine\n',
        """the text of this list item starts with ", so it ends at the next " and the rest of the line is left """
        """over; put the whole text in the other kind of quotes: - '"it''s" fine'""",
        1,
        1,
    ),
    "a quoted key, then a quoted text, then more": (
        "'my note': 'I don't like noise'\n",
        "the text after ''my note':' starts with ', so it ends at the next ' and the rest of the line is left "
        """over; put the whole text in the other kind of quotes: 'my note': "I don't like noise\"""",
        1,
        1,
    ),
    "a key, then a new item without its dash": ("- a\n- b\nc: d\n", NEW_ITEM, 3, 1),
    "the same, nested": ("items:\n  - a\n  b: 1\n", NEW_ITEM, 3, 3),
    "a quote never closed": (
        "name: Amy\nnote: 'it is\nyear: 7\nbuddy: x\n",
        "the text that starts here with ' has no closing '; put ' at the end of the text too",
        2,
        7,
    ),
    "a double quote never closed": (
        'note: "it is\nyear: 7\n',
        'the text that starts here with " has no closing "; put " at the end of the text too',
        1,
        7,
    ),
    "a '[' list never closed": (
        "places: [hall, library\nyear: 7\n",
        "the list that starts here with '[' is not closed; put ']' at its end, with ', ' between its items "
        "(or write the items on lines of their own, each after '- ')",
        1,
        9,
    ),
    "a '{' never closed": (
        "keyworker: {staff: ms-khan\n",
        "the list that starts here with '{' is not closed; put '}' at its end, with ', ' between its items "
        "(or write the items on lines of their own, each after '- ')",
        1,
        12,
    ),
    "a text beginning with @": (
        "contact: @school_office\n",
        """a text cannot begin with '@' in YAML; put the whole text in quotes: "@school_office\"""",
        1,
        10,
    ),
    "a text beginning with a backtick": (
        'note: `quiet` please "now"\n',
        """a text cannot begin with '`' in YAML; put the whole text in quotes: "`quiet` please \\"now\\"\"""",
        1,
        7,
    ),
    "an invisible control character": (
        "name: Amy\nnote: a\x01b\n",
        "the file contains an invisible control character (code 0x01); delete it or retype the line",
        2,
        8,
    ),
    "a merge key": ("a: &x {b: 1}\nc:\n  <<: *x\n", "'<<' merge keys are not supported; write the values out", 3, 3),
    "a list as a key": ("? [a, b]\n: c\n", "a key must be a plain word", 1, 3),
    "a key twice": ("name: Amy\nyear: 7\nname: Bea\n", "'name' appears twice here; keep one of them", 3, 1),
    "a key twice, nested": ("a:\n  b: 1\n  c: 2\n  b: 3\n", "'b' appears twice here; keep one of them", 4, 3),
    "a tag on a text": ("note: !important hello\n", "the tag '!important' is not allowed; remove it", 1, 7),
    "a tag on a list": ("a: !!omap [b: 1]\n", "the tag 'tag:yaml.org,2002:omap' is not allowed; remove it", 1, 4),
    "a tag on a mapping": ("a: !thing {b: 1}\n", "the tag '!thing' is not allowed; remove it", 1, 4),
    "binary data": ("photo: !!binary aGk=\n", "the tag 'tag:yaml.org,2002:binary' is not allowed; remove it", 1, 8),
}


@pytest.fixture(params=["libyaml", "pure Python"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    from transition_booklets.data import yaml_source

    if request.param == "pure Python":
        monkeypatch.setattr(yaml_source, "_FastLoader", yaml_source._Loader)
    return str(request.param)


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named_in_words_at_its_line_and_column(mistake: str, reader: str) -> None:
    text, message, line, column = MISTAKES[mistake]
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text)
    assert (caught.value.message, caught.value.line, caught.value.column) == (message, line, column)


# Where the two parsers word a problem differently, the hint still follows from what went wrong.
HINTED = {
    "a key indented less than its section": (
        "a:\n    b: 1\n  c: 2\n",
        {
            "libyaml": "YAML syntax: did not find expected key",
            "pure Python": "YAML syntax: expected <block end>, but found '<block mapping start>'",
        },
        INDENT,
        (3, 3),
    ),
    "text after a quoted key": (
        "'a' b: c\n",
        {
            "libyaml": "YAML syntax: did not find expected key",
            "pure Python": "YAML syntax: expected <block end>, but found '<scalar>'",
        },
        INDENT,
        (1, 5),
    ),
    "a key indented under a text": (
        "a: b\n  c: d\n",
        {
            "libyaml": "YAML syntax: mapping values are not allowed in this context",
            "pure Python": "YAML syntax: mapping values are not allowed here",
        },
        "; a value containing ': ' needs quotes around it, or a key is indented wrongly",
        (2, 4),
    ),
}


@pytest.mark.parametrize("mistake", HINTED)
def test_each_parser_s_own_words_get_the_hint_that_fits(mistake: str, reader: str) -> None:
    text, said, hint, where = HINTED[mistake]
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text)
    assert (caught.value.message, (caught.value.line, caught.value.column)) == (said[reader] + hint, where)


def test_a_file_nested_past_reason_is_refused_in_words(reader: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml("a: " + "[" * 2000)
    assert caught.value.message == "the file is nested too deeply; a pupil file needs only a few levels"


def test_the_pure_python_reader_words_a_tab_inside_a_line_as_a_tab() -> None:
    """Only PyYAML's own reader stops at a tab after a value (libyaml reads it as a space)."""
    from transition_booklets.data import yaml_source

    loader = yaml_source._FastLoader
    try:
        yaml_source._FastLoader = yaml_source._Loader  # type: ignore[misc]
        with pytest.raises(YamlProblem) as caught:
            parse_yaml("a: b\t: c\n")
    finally:
        yaml_source._FastLoader = loader  # type: ignore[misc]
    assert (
        caught.value.message
        == "YAML syntax: found character '\\t' that cannot start any token; use spaces, not tabs, to indent"
    )
    assert (caught.value.line, caught.value.column) == (1, 5)


def test_values_are_read_as_a_person_means_them() -> None:
    """Only true/false are yes-or-no; numbers are plain decimals; 08 or 1e3 stay as written."""
    data, _ = parse_yaml(
        "a: 0x1F\nb: 1_000\nc: .5\nd: 1e3\ne: 07\nf: ~\ng: Null\nh: TRUE\ni: +3\nj: -2.5e-1\nk: 2027-7-1\n"
        "l: 2027-07-01 10:00\n1: one\ntrue: yes\n"
    )
    assert data == {
        "a": "0x1F",
        "b": 1000,
        "c": 0.5,
        "d": "1e3",
        "e": "07",
        "f": None,
        "g": None,
        "h": True,
        "i": 3,
        "j": -0.25,
        "k": dt.date(2027, 7, 1),
        "l": "2027-07-01 10:00",
        "1": "one",
        "True": "yes",
    }


def test_an_empty_file_or_one_of_comments_is_nothing() -> None:
    assert parse_yaml("") == (None, parse_yaml("# only a note\n")[1])
    assert parse_yaml("# only a note\n")[0] is None
