"""Welcome recordings without their hidden data: tags, where they were made, and on what.

A phone's recording carries more than the voice: audio tags (title, artist, comments, the
encoder), and in a video the place it was filmed (``©xyz``) and the phone's make, model and
software. :func:`strip_recording` removes all of that from the copy that is published, in
place, before the pupil's site is sealed or moved into the published folder; the sound and
pictures are left as they are.

Audio tags (MP3, M4A, Ogg, FLAC, WAV) go through ``mutagen``. QuickTime user data in MP4 and
M4A files (``moov/udta/©…`` atoms) is blanked in place: each such atom becomes a ``free``
atom of the same size with its contents zeroed, which every player skips, so no offset in
the file moves.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

log = logging.getLogger(__name__)

_MP4_SUFFIXES = {".mp4", ".m4a", ".m4v", ".mov"}
_CONTAINERS = {b"moov", b"udta", b"trak", b"mdia", b"meta"}


def strip_recording(path: Path) -> list[str]:
    """Remove every tag and every piece of user data from the recording at ``path``; return what was there."""
    removed: list[str] = []
    if path.suffix.lower() in _MP4_SUFFIXES:
        removed += _blank_user_data(path)
    removed += _strip_tags(path)
    if removed:
        log.debug("removed from %s: %s", path.name, ", ".join(removed))
    return removed


def _strip_tags(path: Path) -> list[str]:
    import mutagen  # only a build with a recording needs it

    try:
        media = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, struct.error):
        log.debug("no tags could be read from %s", path.name)
        return []
    if media is None or not media.tags:
        return []
    names = sorted({str(key).split(":", 1)[0] for key in media.tags.keys()})  # noqa: SIM118 (a Vorbis comment is a list)
    media.delete()
    return names


def _blank_user_data(path: Path) -> list[str]:
    """Turn every QuickTime user-data atom (``©xyz``, ``©mak``, ``©mod``, ``©swr``…) into zeroed free space."""
    data = bytearray(path.read_bytes())
    found: list[str] = []

    def walk(start: int, end: int, parent: bytes) -> None:
        offset = start
        while offset + 8 <= end:
            size, kind = struct.unpack(">I4s", data[offset : offset + 8])
            header = 8
            if size == 1 and offset + 16 <= end:
                size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
                header = 16
            elif size == 0:
                size = end - offset
            if size < header or offset + size > end:
                return
            if parent == b"udta" and kind[:1] == b"\xa9":
                found.append(kind.decode("latin-1"))
                data[offset + 4 : offset + 8] = b"free"
                data[offset + header : offset + size] = bytes(size - header)
            elif kind in _CONTAINERS:
                inner = offset + header + (4 if kind == b"meta" else 0)  # meta has a version and flags
                walk(inner, offset + size, kind)
            offset += size

    walk(0, len(data), b"")
    if found:
        path.write_bytes(bytes(data))
    return found
