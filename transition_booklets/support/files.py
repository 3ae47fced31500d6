"""Writing files safely: whole or not at all, and sharing bytes on disk where that is safe.

Every file the tool writes for a reader (a page, a booklet, the staff report, a password
file, a cache entry) goes through :func:`write_atomic` or :func:`replacing`: the new content
is written to a temporary file in the same folder, then renamed over the old one, so a
reader (or a crash) sees the old file or the new one, never half of one. A rename also
makes a new file, so a hard-linked copy elsewhere is never written through.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PUBLIC = 0o644
PRIVATE = 0o600  # staff-only files: passwords, the folder secret, letters


@contextlib.contextmanager
def replacing(path: Path, *, mode: int = PUBLIC, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``path`` to write; it replaces ``path`` when the block ends without error.

    The temporary file is readable by its owner only until it is complete, then gets
    ``mode``. On an error it is removed and ``path`` is left as it was.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.chmod(mode)
        partial.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def write_atomic(path: Path, data: bytes | str, *, mode: int = PUBLIC, durable: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all, readable with ``mode``.

    ``durable`` also waits for the disk before the rename, for files that must survive a
    power cut (passwords, the folder secret).
    """
    content = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, mode=mode) as partial, partial.open("wb") as out:
        out.write(content)
        if durable:
            out.flush()
            os.fsync(out.fileno())


def link_or_copy(source: Path | str, target: Path | str) -> None:
    """Hard-link ``source`` to ``target`` (one copy on disk), or copy it where links are not possible."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


@functools.lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (``"missing"`` when there is none), worked out once per size and time."""
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return _file_digest(str(path), stat.st_size, stat.st_mtime_ns)


# ---------------------------------------------------------------------------
# Kept data that is read back: signed, so a file put in its place is never unpickled
# ---------------------------------------------------------------------------

_KEY_FILE = ".key"


def cache_key(folder: Path, *, create: bool = True) -> bytes | None:
    """The secret that signs what is kept in ``folder`` (made on first use, readable by its owner only).

    A missing or damaged key is made anew: what was signed with the old one is then simply not used.
    """
    path = folder / _KEY_FILE
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) == 32:
            return key
    except (OSError, ValueError):
        pass
    if not create:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    write_atomic(path, key.hex(), mode=PRIVATE)
    return key


def signed(key: bytes, payload: bytes) -> bytes:
    """``payload`` with a signature in front (HMAC-SHA256 under ``key``)."""
    return hmac.new(key, payload, hashlib.sha256).digest() + payload


def verified(key: bytes | None, blob: bytes) -> bytes | None:
    """The payload of a :func:`signed` blob, or None when the signature does not match (or there is no key)."""
    if key is None or len(blob) < 32:
        return None
    payload = blob[32:]
    return payload if hmac.compare_digest(blob[:32], hmac.new(key, payload, hashlib.sha256).digest()) else None
