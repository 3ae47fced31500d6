"""Passwords, passphrases and unguessable folder names for protected guides.

Everything here is **staff-only**: the passwords file, the store of generated passwords and
the school's secret live outside the published output folder (by default in ``staff/``)
and are written readable by their owner only (mode 0600).

* :func:`generate_passphrase`: four words from ``site_src/protect/wordlist.txt`` and one
  digit, joined by dashes, e.g. ``otter-maple-brisk-lantern-7``. With 2,103 words and the
  digits 2 to 9 (0 and 1 are left out: they look like o and l) that is
  ``4 × log2(2103) + log2(8) ≈ 47.2`` bits: see :func:`passphrase_entropy_bits`.
* :func:`load_passwords`: passwords a school chose itself, from a CSV file
  ``pupil_id,password`` kept outside the data folder and the output folder.
* :func:`passwords_for`: the password of each pupil: the school's own if supplied, else the
  one generated for an earlier build (so rebuilding never changes a family's password), else
  a new one, remembered in the staff store (``staff/passwords.csv``).
* :func:`folder_name`: a pupil's published folder name, e.g. ``k3v5…`` (26 letters and
  digits), from their id under the school's secret (:func:`load_or_create_secret`), so the
  address shows neither the child's name nor a guessable number, and stays the same for
  every build.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import functools
import hashlib
import hmac
import io
import logging
import math
import os
import random
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from transition_booklets.data.problems import BuildError, display_path
from transition_booklets.support import resources
from transition_booklets.support.files import PRIVATE, write_atomic

log = logging.getLogger(__name__)

WORDLIST = resources.PROTECT_TEMPLATES / "wordlist.txt"
WORDS_PER_PASSPHRASE = 4
DIGITS = "23456789"  # no 0 or 1: on paper they look like the letters o and l
MIN_PASSWORD_LENGTH = 10
MIN_WORDS = 2048
SECRET_BYTES = 32
FOLDER_NAME_LENGTH = 26  # base32 characters: 130 bits
CSV_HEADER = ("pupil_id", "password")


class PasswordFileError(BuildError):
    """A passwords file or secret that cannot be used, with what to do about it."""


# ---------------------------------------------------------------------------
# Passphrases
# ---------------------------------------------------------------------------


@functools.cache
def load_wordlist(path: Path = WORDLIST) -> tuple[str, ...]:
    """The words of ``path``: one a line, ``#`` comments and blank lines skipped."""
    words = tuple(
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    if len(words) < MIN_WORDS or len(set(words)) != len(words):
        raise ValueError(f"{path}: a word list needs at least {MIN_WORDS} different words (it has {len(set(words))})")
    return words


def passphrase_entropy_bits(word_count: int | None = None, words: int = WORDS_PER_PASSPHRASE) -> float:
    """Bits of entropy of a generated passphrase, assuming an attacker knows the list and the pattern.

    ``words × log2(word_count) + log2(len(DIGITS))``: about 47.2 bits with 2,103 words.
    """
    count = len(load_wordlist()) if word_count is None else word_count
    return words * math.log2(count) + math.log2(len(DIGITS))


def generate_passphrase(rng: random.Random | None = None) -> str:
    """Four random words and a digit joined by dashes, e.g. ``otter-maple-brisk-lantern-7``.

    ``rng`` defaults to :class:`random.SystemRandom` (the operating system's secure
    generator); tests pass a seeded :class:`random.Random`.
    """
    chooser = rng if rng is not None else random.SystemRandom()
    words = load_wordlist()
    parts = [chooser.choice(words) for _ in range(WORDS_PER_PASSPHRASE)]
    return "-".join([*parts, chooser.choice(DIGITS)])


def as_written(password: str) -> str:
    """The password as the school gave it (Unicode NFC, no spaces at either end): shown in letters, and a PDF's."""
    return unicodedata.normalize("NFC", password).strip()


#: Bumped when :func:`normalise_password` changes, so every protected guide is sealed again with it.
NORMALISATION = "2"
_BETWEEN_WORDS = re.compile(r"[\s\-_.]+")


def normalise_password(password: str) -> str:
    """The password as it is used for keys: what people type, forgiven.

    Unicode NFC, lower case, and any run of spaces, dashes, dots or underscores between words
    as one dash: ``Otter maple  Brisk-lantern 7`` (a phone's capital, spaces instead of dashes)
    opens the guide of ``otter-maple-brisk-lantern-7``. Generated passphrases are lower-case words
    and a digit, so this costs them nothing. The browser's unlock script does exactly the same.
    """
    text = unicodedata.normalize("NFC", password).lower()
    return _BETWEEN_WORDS.sub("-", text).strip("-")


def password_problem(password: str) -> str | None:
    """Why ``password`` is too weak to protect a child's data, or ``None``."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"is too short to protect a child's information ({len(password)} characters); use at least "
            f"{MIN_PASSWORD_LENGTH}, or leave this pupil out of the file to get a generated passphrase"
        )
    if "\n" in password or "\r" in password:
        return "has a line break in it"
    return None


# ---------------------------------------------------------------------------
# Where staff-only files may live
# ---------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def refuse_inside(path: Path, what: str, folders: Mapping[str, Path | None]) -> None:
    """Raise :class:`PasswordFileError` when ``path`` is inside one of ``folders`` (named by their role)."""
    for role, folder in folders.items():
        if folder is not None and _inside(path, folder):
            raise PasswordFileError(
                f"{display_path(path)}: the {what} is inside the {role} ({display_path(folder)}). Anyone who can open "
                f"that folder could read every password. Move it to a folder only staff can open, outside the data "
                f"folder and the output folder (for example the staff folder), and run the command again."
            )


def _tighten(path: Path, what: str) -> None:
    """Make an existing staff-only file readable by its owner only, saying so if it was not."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if os.name == "posix" and mode & 0o077:
            path.chmod(0o600)
            log.warning(
                "%s: the %s was readable by other users; it is now readable by its owner only", display_path(path), what
            )
    except OSError:
        pass


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole, readable by its owner only (mode 0600), and wait for the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text, mode=PRIVATE, durable=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` (where the system has one), so two builds don't lose each other's passwords."""
    try:
        import fcntl
    except ImportError:  # Windows: one build at a time is the user's job
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# ---------------------------------------------------------------------------
# Passwords files
# ---------------------------------------------------------------------------


def load_passwords(path: Path, *, data_dir: Path | None = None, out_dir: Path | None = None) -> dict[str, str]:
    """Read a CSV file of ``pupil_id,password`` rows (a first row ``pupil_id,password`` is skipped).

    The file must be outside ``data_dir`` and ``out_dir``. Every problem is reported at once,
    with its line, as a :class:`PasswordFileError`.
    """
    path = Path(path)
    refuse_inside(path, "passwords file", {"data folder": data_dir, "output folder": out_dir})
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PasswordFileError(f"{shown}: there is no passwords file here; check the path") from None
    except UnicodeDecodeError:
        raise PasswordFileError(f"{shown}: the passwords file is not UTF-8 text; save it as 'CSV UTF-8'") from None
    except OSError as error:
        raise PasswordFileError(f"{shown}: the passwords file cannot be read ({error.strerror})") from None
    _tighten(path, "passwords file")
    passwords: dict[str, str] = {}
    problems: list[str] = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if line == 1 and tuple(cell.lower() for cell in cells[:2]) == CSV_HEADER:
            continue
        if len(cells) != 2:
            problems.append(
                f"{shown}:{line}: expected two columns, pupil_id,password (found {len(cells)}); "
                "put a password that has a comma in it in double quotes"
            )
            continue
        pupil_id, password = cells[0], as_written(row[1])
        if not pupil_id:
            problems.append(f"{shown}:{line}: the pupil id is empty")
            continue
        if pupil_id in passwords:
            problems.append(f"{shown}:{line}: {pupil_id} has a second password; keep one line per pupil")
            continue
        problem = password_problem(password)
        if problem:
            problems.append(f"{shown}:{line}: the password of {pupil_id} {problem}")
            continue
        passwords[pupil_id] = password
    if problems:
        raise PasswordFileError("\n".join(problems))
    return passwords


def save_passwords(path: Path, passwords: Mapping[str, str]) -> None:
    """Write ``passwords`` as ``pupil_id,password`` CSV, sorted by id, atomically and with mode 0600."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for pupil_id in sorted(passwords):
        writer.writerow([pupil_id, passwords[pupil_id]])
    write_private(Path(path), out.getvalue())


def passwords_for(
    ids: Iterable[str],
    supplied: Mapping[str, str],
    store_path: Path,
    *,
    rng: random.Random | None = None,
    out_dir: Path | None = None,
) -> dict[str, str]:
    """The password of each pupil in ``ids``.

    A password in ``supplied`` wins; otherwise the one remembered in ``store_path`` (the
    staff-only ``staff/passwords.csv``) from an earlier build; otherwise a new passphrase.
    The store is updated (atomically, mode 0600) with every password used, so it is the
    complete list for the letters; pupils not in ``ids`` keep their entries. The store must
    not be inside ``out_dir`` (the publishable folder).
    """
    store_path = Path(store_path)
    refuse_inside(store_path, "passwords list", {"output folder": out_dir})
    result: dict[str, str] = {}
    with _locked(store_path):
        stored = load_passwords(store_path) if store_path.exists() else {}
        changed = False
        for pupil_id in ids:
            if pupil_id in supplied:
                password = as_written(supplied[pupil_id])
                problem = password_problem(password)
                if problem:
                    raise PasswordFileError(f"the password supplied for {pupil_id} {problem}")
            elif pupil_id in stored:
                password = stored[pupil_id]
            else:
                password = generate_passphrase(rng)
                log.debug("generated a password for %s", pupil_id)
            if stored.get(pupil_id) != password:
                stored[pupil_id] = password
                changed = True
            result[pupil_id] = password
        if changed:
            save_passwords(store_path, stored)
    return result


# ---------------------------------------------------------------------------
# Folder names
# ---------------------------------------------------------------------------


def folder_name(pupil_id: str, secret: bytes) -> str:
    """An unguessable, stable folder name for ``pupil_id``: 26 lower-case base32 characters.

    HMAC-SHA256 of the id under the school's secret: the same id and secret always give the
    same name; without the secret the name cannot be linked to the pupil or guessed.
    """
    if len(secret) < 16:
        raise ValueError("the folder-name secret must be at least 16 bytes")
    digest = hmac.new(secret, b"transition-booklets folder v1\0" + pupil_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:FOLDER_NAME_LENGTH]


def load_or_create_secret(path: Path, *, out_dir: Path | None = None) -> bytes:
    """The school's secret for folder names: 32 random bytes kept (as hex) in the staff-only ``path``.

    Created on first use with mode 0600 and reused after. Back it up with the passwords list:
    a new secret gives every pupil a new address, and the letters already sent stop working.
    """
    path = Path(path)
    refuse_inside(path, "secret", {"output folder": out_dir})
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = os.urandom(SECRET_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another build made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secret.hex() + "\n")
                out.flush()
                os.fsync(out.fileno())
            log.info(
                "%s: created the secret for pupils' folder names; back it up with the passwords", display_path(path)
            )
            return secret
    _tighten(path, "secret")
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        secret = b""
    if len(secret) != SECRET_BYTES:
        raise PasswordFileError(
            f"{display_path(path)}: this secret file is damaged (it should hold {SECRET_BYTES * 2} hexadecimal "
            "characters). Restore it from your backup: deleting it gives every pupil a new address."
        )
    return secret
