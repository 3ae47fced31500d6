"""The zip beside each pupil's folder, for e-mail or a USB stick.

The same folder always gives the same bytes: entries in name order, a fixed date, fixed
permissions. Pictures, fonts, sound and PDFs are compressed already and are stored as
they are; everything else is deflated.

Most of a pupil's folder is the theme (stylesheets, scripts, fonts), hard-linked from one
shared copy. Deflating those files again for every pupil was most of the time a zip took,
so each process keeps what it has deflated, keyed by the file's identity on disk (device,
inode, size, modification time): a shared file is compressed once per process, not once per
pupil. The archive is written directly (the zip format is short) because Python's
``zipfile`` cannot take data that is already compressed.
"""

from __future__ import annotations

import os
import struct
import uuid
import zlib
from pathlib import Path

ALREADY_COMPRESSED = {
    ".webp",
    ".jpg",
    ".jpeg",
    ".png",
    ".pdf",
    ".woff2",
    ".ogg",
    ".mp3",
    ".m4a",
    ".mp4",
    ".webm",
    ".zip",
}

_DOS_DATE = (2000 - 1980) << 9 | 1 << 5 | 1  # 1 January 2000
_DOS_TIME = 0
_STORED, _DEFLATED = 0, 8
_UTF8_NAMES = 0x0800
_VERSION = 20  # 2.0: deflate
_MADE_ON_UNIX = 3 << 8
_FILE_MODE = 0o100644 << 16
_LIMIT = 0xFFFFFFFF  # without the ZIP64 extension no size or offset may reach this

_CACHE_BYTES = 64 << 20
_cache: dict[tuple[int, int, int, int], tuple[int, int, int, bytes]] = {}
_cached_bytes = 0


class ArchiveTooLarge(Exception):
    """A folder too large for a plain zip (4 GB); it is not zipped."""


def _entry(path: Path, stat: os.stat_result) -> tuple[int, int, int, bytes]:
    """(method, crc, size, data) of one file, reusing what this process compressed already."""
    global _cached_bytes
    shared = stat.st_nlink > 1
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if shared and key in _cache:
        return _cache[key]
    raw = path.read_bytes()
    crc = zlib.crc32(raw)
    if path.suffix.lower() in ALREADY_COMPRESSED:
        entry = (_STORED, crc, len(raw), raw)
    else:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        entry = (_DEFLATED, crc, len(raw), compressor.compress(raw) + compressor.flush())
    if shared and _cached_bytes + len(entry[3]) <= _CACHE_BYTES:
        _cache[key] = entry
        _cached_bytes += len(entry[3])
    return entry


def _files(folder: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for directory, subfolders, names in os.walk(folder):
        subfolders.sort()
        base = Path(directory)
        prefix = base.relative_to(folder).as_posix()
        for name in names:
            path = base / name
            if path.is_file():
                found.append((name if prefix == "." else f"{prefix}/{name}", path))
    return sorted(found)


def write_zip(folder: Path, target: Path) -> Path:
    """``target``: a zip of ``folder`` whose entries sit under the folder's name. Written aside, then moved in."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    central: list[bytes] = []
    offset = 0
    try:
        with partial.open("wb") as out:
            for relative, path in _files(folder):
                name = f"{folder.name}/{relative}".encode()
                method, crc, size, data = _entry(path, path.stat())
                if offset + len(data) + 30 + len(name) >= _LIMIT or size >= _LIMIT:
                    raise ArchiveTooLarge("the folder is larger than a zip file can hold (4 GB)")
                fields = (_VERSION, _UTF8_NAMES, method, _DOS_TIME, _DOS_DATE, crc, len(data), size, len(name))
                out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name)
                out.write(data)
                central.append(
                    struct.pack(
                        "<IHHHHHHIIIHHHHHII",
                        0x02014B50,
                        _MADE_ON_UNIX | _VERSION,
                        *fields,
                        0,
                        0,
                        0,
                        0,
                        _FILE_MODE,
                        offset,
                    )
                    + name
                )
                offset += 30 + len(name) + len(data)
            directory = b"".join(central)
            if len(central) >= 0xFFFF:
                raise ArchiveTooLarge("the folder has more files than a zip file can hold (65,535)")
            out.write(directory)
            out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
