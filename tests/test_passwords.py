from __future__ import annotations

import math
import random
import re
import stat
from pathlib import Path

import pytest

from transition_booklets.protect.passwords import (
    DIGITS,
    FOLDER_NAME_LENGTH,
    PasswordFileError,
    folder_name,
    generate_passphrase,
    load_or_create_secret,
    load_passwords,
    load_wordlist,
    passphrase_entropy_bits,
    passwords_for,
)

PASSPHRASE = re.compile(r"^(?:[a-z]{3,8}-){4}[2-9]$")
# A few words no child's password should hold (the list was chosen by hand; this guards edits to it).
NEVER = {
    "kill",
    "dead",
    "die",
    "gun",
    "bomb",
    "war",
    "drug",
    "beer",
    "wine",
    "sex",
    "hate",
    "stupid",
    "ugly",
    "fat",
    "dumb",
    "idiot",
    "mother",
    "father",
    "secret",
    "blood",
    "god",
    "hell",
    "devil",
    "cracker",
    "normal",
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---- passphrases -------------------------------------------------------------------------------


def test_the_word_list_is_big_clean_and_unique() -> None:
    words = load_wordlist()
    assert len(words) >= 2048
    assert len(set(words)) == len(words)
    assert all(re.fullmatch(r"[a-z]{3,8}", word) for word in words), [
        w for w in words if not re.fullmatch(r"[a-z]{3,8}", w)
    ]
    assert not NEVER & set(words)


def test_a_passphrase_has_at_least_45_bits() -> None:
    bits = passphrase_entropy_bits()
    assert bits == pytest.approx(4 * math.log2(len(load_wordlist())) + math.log2(len(DIGITS)))
    assert bits >= 45


def test_passphrases_are_words_and_a_digit() -> None:
    rng = random.Random(1)
    phrases = [generate_passphrase(rng) for _ in range(200)]
    words = set(load_wordlist())
    for phrase in phrases:
        assert PASSPHRASE.match(phrase), phrase
        assert all(part in words for part in phrase.split("-")[:4])
    assert len(set(phrases)) == len(phrases)
    assert generate_passphrase(random.Random(7)) == generate_passphrase(random.Random(7))
    assert PASSPHRASE.match(generate_passphrase())  # the system's secure generator by default


# ---- the school's own passwords file -------------------------------------------------------------


def test_a_school_passwords_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "school-passwords.csv"
    path.write_text(
        'pupil_id,password\namy-jones, Sunflower-Garden-42 \n\n"kai-morgan","a,comma,password"\n', encoding="utf-8"
    )
    assert load_passwords(path) == {"amy-jones": "Sunflower-Garden-42", "kai-morgan": "a,comma,password"}


def test_problems_in_a_passwords_file_are_listed_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "school-passwords.csv"
    path.write_text(
        "amy-jones,short\njordan-reid\namy-jones,long-enough-password\n,nobody-at-all-here\n", encoding="utf-8"
    )
    with pytest.raises(PasswordFileError) as caught:
        load_passwords(path)
    text = str(caught.value)
    assert "school-passwords.csv:1: the password of amy-jones is too short" in text
    assert "school-passwords.csv:2: expected two columns" in text
    assert ":4: the pupil id is empty" in text


@pytest.mark.parametrize("where", ["data", "out"])
def test_a_passwords_file_inside_the_data_or_output_folder_is_refused(tmp_path: Path, where: str) -> None:
    data, out = tmp_path / "pupils", tmp_path / "site"
    path = (data if where == "data" else out) / "sub" / "passwords.csv"
    path.parent.mkdir(parents=True)
    path.write_text("amy-jones,long-enough-password\n", encoding="utf-8")
    with pytest.raises(PasswordFileError, match="outside the data folder and the output folder"):
        load_passwords(path, data_dir=data, out_dir=out)


def test_a_missing_passwords_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(PasswordFileError, match="no passwords file here"):
        load_passwords(tmp_path / "nope.csv")


# ---- the staff store ---------------------------------------------------------------------------


def test_generated_passwords_are_kept_and_reused(tmp_path: Path) -> None:
    store = tmp_path / "staff" / "passwords.csv"
    first = passwords_for(["amy-jones", "kai-morgan"], {}, store, rng=random.Random(3))
    assert all(PASSPHRASE.match(password) for password in first.values())
    assert mode(store) == 0o600
    again = passwords_for(["kai-morgan", "amy-jones", "zofia-wisniewska"], {}, store)
    assert again["amy-jones"] == first["amy-jones"] and again["kai-morgan"] == first["kai-morgan"]
    assert PASSPHRASE.match(again["zofia-wisniewska"])
    # A build of one pupil keeps everyone else's entry.
    passwords_for(["amy-jones"], {}, store)
    assert load_passwords(store) == again
    assert store.read_text(encoding="utf-8").startswith("pupil_id,password\n")


def test_a_supplied_password_wins_and_is_recorded(tmp_path: Path) -> None:
    store = tmp_path / "staff" / "passwords.csv"
    generated = passwords_for(["amy-jones", "kai-morgan"], {}, store)
    chosen = passwords_for(["amy-jones", "kai-morgan"], {"amy-jones": "our-own-choice-2027"}, store)
    assert chosen == {"amy-jones": "our-own-choice-2027", "kai-morgan": generated["kai-morgan"]}
    assert load_passwords(store)["amy-jones"] == "our-own-choice-2027"
    with pytest.raises(PasswordFileError, match="too short"):
        passwords_for(["amy-jones"], {"amy-jones": "abc"}, store)


def test_the_store_is_never_in_the_output_folder(tmp_path: Path) -> None:
    with pytest.raises(PasswordFileError, match="inside the output folder"):
        passwords_for(["amy-jones"], {}, tmp_path / "site" / "passwords.csv", out_dir=tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_a_loose_store_is_made_private(tmp_path: Path) -> None:
    store = tmp_path / "passwords.csv"
    passwords_for(["amy-jones"], {}, store)
    store.chmod(0o644)
    passwords_for(["amy-jones"], {}, store)
    assert mode(store) == 0o600


# ---- folder names ------------------------------------------------------------------------------


def test_the_secret_is_created_once_privately_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "staff" / "folder-secret.key"
    secret = load_or_create_secret(path)
    assert len(secret) == 32
    assert mode(path) == 0o600
    assert load_or_create_secret(path) == secret
    path.write_text("not hex\n", encoding="ascii")
    with pytest.raises(PasswordFileError, match="damaged"):
        load_or_create_secret(path)
    with pytest.raises(PasswordFileError, match="inside the output folder"):
        load_or_create_secret(tmp_path / "site" / "secret.key", out_dir=tmp_path / "site")


def test_folder_names_are_stable_and_unguessable() -> None:
    secret, other = bytes(range(32)), bytes(range(1, 33))
    name = folder_name("amy-jones", secret)
    assert name == folder_name("amy-jones", secret)
    assert re.fullmatch(rf"[a-z2-7]{{{FOLDER_NAME_LENGTH}}}", name)
    assert folder_name("amy-jones", other) != name
    assert folder_name("amy-jonez", secret) != name
    names = {
        pupil: folder_name(pupil, secret) for pupil in ("amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska")
    }
    assert len(set(names.values())) == len(names)
    for pupil, folder in names.items():
        for part in pupil.split("-"):
            assert part not in folder
    with pytest.raises(ValueError):
        folder_name("amy-jones", b"short")


@pytest.mark.parametrize(
    "typed",
    [
        "otter-maple-brisk-lantern-7",
        "Otter-maple-brisk-lantern-7",
        "otter maple brisk lantern 7",
        "  OTTER  Maple_brisk.lantern - 7 ",
    ],
)
def test_a_password_is_accepted_as_people_type_it(typed: str) -> None:
    from transition_booklets.protect.passwords import normalise_password

    assert normalise_password(typed) == "otter-maple-brisk-lantern-7"


def test_the_unlock_script_forgives_the_same_as_the_tool() -> None:
    """The browser and the tool must derive the same key: their normalisations must agree."""
    from tests.conftest import ROOT

    script = (ROOT / "site_src" / "protect" / "unlock.js").read_text(encoding="utf-8")
    assert ".toLowerCase()" in script and 'replace(/[\\s\\-_.]+/g, "-")' in script
