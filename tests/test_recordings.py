"""Welcome recordings are published without their tags, the place they were made or the phone that made them."""

from __future__ import annotations

import struct
from pathlib import Path

import mutagen

from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.pictures.recordings import strip_recording

PRIVATE = ("51.5074", "Pixel 7 Pro", "Mrs Hughes's phone", "Apple", "iPhone 15")


def build(data: Path, tmp_path: Path) -> Path:
    options = BuildOptions(data, tmp_path / "site", tmp_path / "staff", only=["jordan-reid"], pdf=False, jobs=1)
    result = build_cohort(options)
    assert result.ok, result.problems
    return tmp_path / "site" / "jordan-reid"


def test_an_ogg_recordings_tags_are_not_published(example_copy: Path, tmp_path: Path) -> None:
    recording = example_copy / "media" / "mr-hughes-welcome.ogg"
    tagged = mutagen.File(recording)
    tagged["LOCATION"] = "51.5074,-0.1278"
    tagged["ENCODER"] = "Pixel 7 Pro"
    tagged["ARTIST"] = "Mrs Hughes's phone"
    tagged.save()
    original = recording.read_bytes()
    assert all(word.encode() in original for word in PRIVATE[:3])

    published = build(example_copy, tmp_path) / "media" / "welcome.ogg"
    data = published.read_bytes()
    assert not [word for word in PRIVATE if word.encode() in data]
    assert not mutagen.File(published).tags, "no tags at all"
    assert mutagen.File(published).info.length == mutagen.File(recording).info.length, "the sound is the same"
    assert recording.read_bytes() == original, "the data folder's file is never changed"


def _atom(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_a_videos_location_and_phone_are_blanked_and_nothing_moves(tmp_path: Path) -> None:
    location = _atom(b"\xa9xyz", struct.pack(">HH", 18, 0) + b"+51.5074-000.1278/")
    make = _atom(b"\xa9mak", struct.pack(">HH", 5, 0) + b"Apple")
    model = _atom(b"\xa9mod", struct.pack(">HH", 9, 0) + b"iPhone 15")
    movie = _atom(b"ftyp", b"isom\x00\x00\x02\x00isomiso2") + _atom(b"moov", _atom(b"udta", location + make + model))
    movie += _atom(b"mdat", b"\x00" * 64)
    path = tmp_path / "welcome.mp4"
    path.write_bytes(movie)
    removed = strip_recording(path)
    data = path.read_bytes()
    assert sorted(removed) == ["©mak", "©mod", "©xyz"]
    assert len(data) == len(movie) and data.endswith(b"mdat" + b"\x00" * 64), "no offset moves"
    assert not [word for word in PRIVATE if word.encode() in data]
    assert data.count(b"free") == 3
