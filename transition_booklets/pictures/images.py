"""Images for the site and the booklet: safe, small, upright, sRGB and free of metadata.

Every picture from the data folder (staff and pupil photos, place photos, the logo, the
map) goes through one :class:`ImageProcessor`. It

* refuses what is not a usable image with a :class:`~transition_booklets.data.problems.BuildError`
  that names the YAML file and field (``where``) and the image path: a path outside the data
  folder, a missing file, something that is not an image, a file that is cut short, a
  "decompression bomb" (more than :data:`MAX_PIXELS`; checked from the header, before anything
  is decoded) or absurd dimensions;
* decodes large JPEGs at reduced size (``Image.draft``), applies the EXIF orientation, turns
  any mode (CMYK, palette with transparency, 16-bit, greyscale with alpha, …) into sRGB using
  the embedded ICC profile when there is one, crops portraits to a square (centred, slightly
  towards the top, where faces are) and shrinks to the size needed, never enlarging;
* writes files with **no metadata at all**: no EXIF (so no GPS position or camera), no XMP,
  no IPTC, no ICC profile, no comments or text chunks. Untagged images are sRGB everywhere.

Outputs:

* web: WebP at 1x and 2x of the CSS width (:class:`WebImage`, for ``srcset``);
* print: :data:`PRINT_DPI` pixels per inch of the printed width and no more; JPEG for
  photos, PNG (alpha kept) when ``drawing=True`` (the logo, the map);
A person without a photo gets no picture at all: the pages and the booklet show their
initials as text on their colour (crisp at any size, in any script, in the reader's chosen
font), and a place without a photo shows its icon.

Caching: every output is identified by ``sha256(PIPELINE_VERSION + recipe + sha256(input bytes))``
and stored under that name in the cache folder, so identical images share one file, a photo
used by forty pupils is processed once, and a rebuild with unchanged photos processes none.
Results are also remembered in-process (keyed by the file's stat), so repeated calls do not
even re-read the file. ``processed`` counts renditions actually computed; ``reused`` counts
those served from the memory or disk cache. Files are written to a temporary file in the
cache folder and moved into place with ``os.replace``, so no half-written image is ever seen.

API (all sizes are upright sizes; ``where`` is put before messages, e.g. ``"pupils/amy.yaml photo.file"``):

* ``ImageProcessor(data_dir, cache_dir)``; counters ``processed`` and ``reused``;
* ``web(source, *, width, square=False, drawing=False, where="") -> WebImage``;
* ``print_image(source, *, width_mm, square=False, drawing=False, where="") -> Rendition``;

Importing this module sets ``PIL.Image.MAX_IMAGE_PIXELS`` to :data:`MAX_PIXELS` for the whole
process. A processor is meant for one thread (or one per worker process: they can share a
cache folder safely). It keeps the last two decoded sources in memory.

Example::

    processor = ImageProcessor(data_dir, cache_dir)
    photo = processor.web("images/staff/ms-khan.jpg", width=160, square=True,
                          where="school.yaml staff.ms-khan.photo")
    photo.srcset("../img/")  # "../img/<hash>.webp 1x, ../img/<hash>.webp 2x"
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import struct
import warnings
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageCms, features

from transition_booklets.data.models import data_path_problem
from transition_booklets.data.problems import BuildError, Where
from transition_booklets.support.files import replacing

log = logging.getLogger(__name__)

#: Bump when the output of the pipeline changes for the same input and recipe.
PIPELINE_VERSION = "images-1"
#: The most pixels a source image may have (a 48-megapixel phone photo is fine).
MAX_PIXELS = 60_000_000
#: The longest side a source image may have.
MAX_SIDE = 20_000
#: The biggest file accepted as an image.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Pixels per inch of printed images.
PRINT_DPI = 300
#: Where the face usually is: the share of the spare height kept *above* a square crop.
PORTRAIT_TOP_BIAS = 0.3
WEBP_QUALITY = 80
#: Drawings (map, logo, placeholders) keep sharp text at this quality; lossless WebP is ~8× slower and no smaller.
WEBP_DRAWING_QUALITY = 90
#: libwebp effort (0–6): 2 is about twice as fast as the default 4 for files about 5% bigger.
WEBP_METHOD = 2
JPEG_QUALITY = 88

# Refuse decompression bombs before decoding (Image.open checks the header against this).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Only these decoders are tried (phone "MPO" photos open through the JPEG decoder).
_FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"] + (["AVIF"] if features.check("avif") else [])
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error, IndexError)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_DECODED_KEPT = 2  # decoded sources kept, so the page's and the booklet's versions decode once
_MEDIA_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}

Format = Literal["webp", "jpeg", "png"]


@dataclass(frozen=True)
class Rendition:
    """One processed image file in the cache folder."""

    path: Path
    width: int
    height: int
    media_type: str

    @property
    def name(self) -> str:
        """The file name: a content hash plus the extension, e.g. ``3f9c…e1.webp``."""
        return self.path.name


@dataclass(frozen=True)
class WebImage:
    """An image for a page at 1x and 2x density; ``x2`` is ``x1`` when the source is too small."""

    x1: Rendition
    x2: Rendition

    def srcset(self, prefix: str = "") -> str:
        """The ``srcset`` attribute value, with each file name after ``prefix`` (e.g. ``"../img/"``)."""
        if self.x2 == self.x1:
            return f"{prefix}{self.x1.name} 1x"
        return f"{prefix}{self.x1.name} 1x, {prefix}{self.x2.name} 2x"

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        """The distinct files to copy next to the page."""
        return (self.x1,) if self.x2 == self.x1 else (self.x1, self.x2)


@dataclass(frozen=True)
class _Source:
    """What the header of a source image says, and the hash of its bytes."""

    digest: str
    width: int  # after the EXIF orientation is applied
    height: int
    orientation: int


@dataclass(frozen=True)
class _Spec:
    """One output wanted from a source: the recipe before the source's size is known."""

    width: int
    square: bool
    fmt: Format
    drawing: bool


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def mm_to_px(width_mm: float, dpi: int = PRINT_DPI) -> int:
    """Pixels needed to print ``width_mm`` millimetres at ``dpi``."""
    return max(1, round(width_mm / 25.4 * dpi))


@functools.lru_cache(maxsize=32)
def _srgb_transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform:
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    target = ImageCms.createProfile("sRGB")
    return ImageCms.buildTransform(source, target, mode, "RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL)


def _sixteen_bit_to_l(image: Image.Image) -> Image.Image:
    """16-bit or 32-bit greyscale (modes I;16*, I, F) to 8-bit, keeping the full range."""
    if image.mode.startswith("I;16"):
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    low, high = image.getextrema()
    assert isinstance(low, (int, float)) and isinstance(high, (int, float))
    if image.mode == "I" and low >= 0 and high <= 255:
        return image.convert("L")
    if image.mode == "I" and low >= 0 and high <= 65535:
        return image.point(lambda v: v * (1 / 256)).convert("L")
    span = (high - low) or 1
    scaled = image.convert("F").point(lambda v: (v - low) * (255 / span))
    return scaled.convert("L")


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Any mode to one that can be resized smoothly: L, LA, RGB, RGBA or CMYK."""
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _sixteen_bit_to_l(image)
    if mode == "1":
        return image.convert("L")
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode == "La":
        return image.convert("LA")
    if mode == "RGBa":
        return image.convert("RGBA")
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        if mode == "L" and "transparency" in image.info:
            return image.convert("LA")
        if mode == "RGB" and "transparency" in image.info:
            return image.convert("RGBA")
        return image
    return image.convert("RGB")  # YCbCr, LAB, HSV, RGBX …


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """An L/LA/RGB/RGBA/CMYK image to sRGB RGB, or RGBA when it has real transparency."""
    alpha: Image.Image | None = None
    base = image
    if image.mode in ("LA", "RGBA"):
        alpha = image.getchannel("A")
        base = image.convert("L" if image.mode == "LA" else "RGB")
        if alpha.getextrema() == (255, 255):
            alpha = None
    converted: Image.Image | None = None
    if icc:
        try:
            converted = ImageCms.applyTransform(base, _srgb_transform(icc, base.mode))
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as error:
            log.warning("could not use the colour profile in an image (%s); using none", error)  # pragma: no mutate
    if converted is None:
        converted = base if base.mode == "RGB" else base.convert("RGB")
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, background)
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _square_box(width: int, height: int) -> tuple[int, int, int, int]:
    side = min(width, height)
    left = (width - side) // 2
    top = round((height - side) * PORTRAIT_TOP_BIAS)
    return left, top, left + side, top + side


def _output_size(width: int, height: int, spec: _Spec) -> tuple[int, int]:
    """The size of an output from a ``width``×``height`` source: never bigger than the source."""
    if spec.square:
        side = max(1, min(spec.width, width, height))
        return side, side
    out_w = max(1, min(spec.width, width))
    return out_w, max(1, round(height * out_w / width))


# ---------------------------------------------------------------------------
# The processor
# ---------------------------------------------------------------------------


class ImageProcessor:
    """Turns images of one data folder into cached renditions; see the module docstring.

    ``processed`` counts renditions actually computed, ``reused`` those served from a cache.
    One processor may be shared by every pupil of a cohort (it is not meant for threads). It
    serves one build: each source path is checked (inside the data folder, present) and
    looked at once, and a file changed while the build runs is noticed by the next build.
    """

    def __init__(self, data_dir: Path, cache_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.processed = 0
        self.reused = 0
        self._sources: dict[tuple[str, int, int, int], _Source | str] = {}
        self._checked: dict[str, tuple[str, int, int, int] | str] = {}  # source → its file's identity, or a problem
        self._renditions: dict[str, Rendition] = {}
        self._last_read: tuple[str, bytes] | None = None  # the bytes just hashed, to decode without reading again
        self._decoded: dict[str, tuple[Image.Image, bytes | None]] = {}

    # -- public API -----------------------------------------------------------

    def web(
        self,
        source: str,
        *,
        width: int,
        square: bool = False,
        drawing: bool = False,
        where: Where | str = "",
    ) -> WebImage:
        """WebP at ``width`` and ``2 × width`` pixels (capped at the source's size)."""
        x1, x2 = self._make(
            source,
            [_Spec(width, square, "webp", drawing), _Spec(2 * width, square, "webp", drawing)],
            where,
        )
        return WebImage(x1, x2)

    def print_image(
        self,
        source: str,
        *,
        width_mm: float,
        square: bool = False,
        drawing: bool = False,
        where: Where | str = "",
    ) -> Rendition:
        """JPEG (or PNG with ``drawing``) with :data:`PRINT_DPI` pixels per inch of ``width_mm``."""
        fmt: Format = "png" if drawing else "jpeg"
        (rendition,) = self._make(source, [_Spec(mm_to_px(width_mm), square, fmt, drawing)], where)
        return rendition

    def _source(self, source: str, where: Where | str) -> _Source:
        """Check a source and read its header, remembering the answer (or the problem) for this file."""
        path = self.data_dir / source
        memo_key = self._checked.get(source)
        if memo_key is None:
            problem = data_path_problem(self.data_dir, source)
            if problem is None:
                stat = path.stat()
                memo_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, stat.st_ino)
            else:
                memo_key = problem
            self._checked[source] = memo_key
        if isinstance(memo_key, str):
            raise BuildError.at(where, memo_key)
        known = self._sources.get(memo_key)
        if known is None:
            try:
                known = self._read_header(source, path, memo_key[2])
            except _Refused as refused:
                known = str(refused)
            self._sources[memo_key] = known
        if isinstance(known, str):
            raise BuildError.at(where, known)
        return known

    def _read_header(self, source: str, path: Path, size: int) -> _Source:
        if size > MAX_FILE_BYTES:
            raise _Refused(
                f"'{source}' is {size / 1024 / 1024:.0f} MB, too big for a picture; "
                f"save a smaller copy (under {MAX_FILE_BYTES // 1024 // 1024} MB)"
            )
        data = path.read_bytes()
        image = _open(source, data)
        orientation = _orientation(image)
        stored = image.size
        width, height = (stored[1], stored[0]) if orientation in (5, 6, 7, 8) else stored
        digest = hashlib.sha256(data).hexdigest()
        self._last_read = (digest, data)
        return _Source(digest, width, height, orientation)

    # -- producing renditions ---------------------------------------------------

    def _key(self, recipe: Mapping[str, Any], digest: str) -> str:
        text = json.dumps(recipe, sort_keys=True, separators=(",", ":"))  # pragma: no mutate
        return hashlib.sha256(f"{PIPELINE_VERSION}\n{text}\n{digest}".encode()).hexdigest()

    def _cached(self, key: str, fmt: Format, size: tuple[int, int]) -> Rendition | None:
        known = self._renditions.get(key)
        if known is None:
            path = self.cache_dir / f"{key[:32]}.{fmt}"
            if path.is_file():
                known = Rendition(path, size[0], size[1], _MEDIA_TYPES[fmt])
                self._renditions[key] = known
        if known is not None:
            self.reused += 1
        return known

    def _make(self, source: str, specs: list[_Spec], where: Where | str) -> list[Rendition]:
        info = self._source(source, where)
        results: list[Rendition | None] = []
        missing: list[tuple[int, str, tuple[int, int]]] = []
        for index, spec in enumerate(specs):
            size = _output_size(info.width, info.height, spec)
            # The names only have to be the same from one build to the next (hence no mutation).
            recipe = {  # pragma: no mutate
                "op": "image",  # pragma: no mutate
                "size": size,  # pragma: no mutate
                "square": spec.square,  # pragma: no mutate
                "fmt": spec.fmt,  # pragma: no mutate
                "drawing": spec.drawing,  # pragma: no mutate
            }
            key = self._key(recipe, info.digest)
            if any(key == other for _, other, _ in missing):  # a small source's 1x and 2x are the same file
                results.append(None)
                missing.append((index, key, size))
                continue
            hit = self._cached(key, spec.fmt, size)
            results.append(hit)
            if hit is None:
                missing.append((index, key, size))
        decoded: tuple[Image.Image, bytes | None] | None = None
        for index, key, size in missing:
            if key in self._renditions:  # made a moment ago for an earlier spec of this call
                results[index] = self._renditions[key]
                continue
            spec = specs[index]
            if decoded is None:
                largest = (max(s[0] for _, _, s in missing), max(s[1] for _, _, s in missing))
                decoded = self._recently_decoded(info, largest) or self._decode(source, info, largest, where)
            image = self._prepare(*decoded, spec.square, size)
            results[index] = self._store(image, key, spec.fmt, spec.drawing)
        self._last_read = None
        return [result for result in results if result is not None]

    def _recently_decoded(self, info: _Source, largest: tuple[int, int]) -> tuple[Image.Image, bytes | None] | None:
        """The source decoded a moment ago (for the page, now for the booklet), if it is big enough."""
        known = self._decoded.get(info.digest)
        if known is None:
            return None
        image = known[0]
        full = image.size == (info.width, info.height)
        return known if full or (image.width >= largest[0] and image.height >= largest[1]) else None

    def _decode(
        self, source: str, info: _Source, largest: tuple[int, int], where: Where | str
    ) -> tuple[Image.Image, bytes | None]:
        """Decode a source at the smallest size that still gives ``largest``, upright and in a smooth mode."""
        last, self._last_read = self._last_read, None
        data = last[1] if last is not None and last[0] == info.digest else (self.data_dir / source).read_bytes()
        if hashlib.sha256(data).hexdigest() != info.digest:
            raise BuildError.at(where, f"'{source}' changed while the build was running; build again")
        try:
            image = _open(source, data)
        except _Refused as refused:
            raise BuildError.at(where, str(refused)) from None
        icc = image.info.get("icc_profile") or None
        want_w, want_h = largest
        if info.orientation in (5, 6, 7, 8):
            want_w, want_h = want_h, want_w
        if image.format in ("JPEG", "MPO"):
            image.draft(None, (max(1, want_w), max(1, want_h)))
        try:
            image.load()
        except _DECODE_ERRORS as error:
            log.debug("decoding %s failed: %s", source, error)  # pragma: no mutate
            self._forget(source)
            raise BuildError.at(
                where,
                f"'{source}' is not a complete image (the file is cut short or damaged); "
                "save it again or choose another photo",
            ) from None
        image = _normalise_mode(image)
        transpose = _TRANSPOSE.get(info.orientation)
        if transpose is not None:
            image = image.transpose(transpose)
        result = image, (icc if isinstance(icc, bytes) else None)
        self._decoded.pop(info.digest, None)
        self._decoded[info.digest] = result
        while len(self._decoded) > _DECODED_KEPT:
            del self._decoded[next(iter(self._decoded))]
        return result

    def _forget(self, source: str) -> None:
        """Remember that a source cannot be decoded, so forty pupils sharing it do not try forty times."""
        path = self.data_dir / source
        with contextlib.suppress(OSError):
            stat = path.stat()
            self._sources[(str(path.resolve()), stat.st_mtime_ns, stat.st_size, stat.st_ino)] = (
                f"'{source}' is not a complete image (the file is cut short or damaged); "
                "save it again or choose another photo"
            )

    def _prepare(self, image: Image.Image, icc: bytes | None, square: bool, size: tuple[int, int]) -> Image.Image:
        """Crop and shrink a decoded source to ``size``, in sRGB."""
        if square:
            image = image.crop(_square_box(*image.size))
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        return _to_srgb(image, icc)

    def _store(self, image: Image.Image, key: str, fmt: Format, drawing: bool) -> Rendition:
        """Save without any metadata, atomically, under the content-addressed name."""
        path = self.cache_dir / f"{key[:32]}.{fmt}"
        image.info = {}  # no EXIF, XMP, ICC profile, comments or text chunks are carried over
        options: dict[str, Any]
        if fmt == "webp":
            options = {"quality": WEBP_DRAWING_QUALITY if drawing else WEBP_QUALITY, "method": WEBP_METHOD}
        elif fmt == "jpeg":
            image = _flatten(image)  # JPEG has no transparency: white behind it
            options = {"quality": JPEG_QUALITY, "optimize": True, "dpi": (PRINT_DPI, PRINT_DPI)}
        else:
            options = {"compress_level": 1, "dpi": (PRINT_DPI, PRINT_DPI)}  # fast; size matters little here
        with replacing(path, suffix=f".{fmt}") as temporary, temporary.open("wb") as handle:
            image.save(handle, format=fmt, **options)
        self.processed += 1
        rendition = Rendition(path, image.width, image.height, _MEDIA_TYPES[fmt])
        self._renditions[key] = rendition
        log.debug("wrote %s (%d×%d)", path.name, image.width, image.height)  # pragma: no mutate
        return rendition


class _Refused(Exception):
    """A source that cannot be used, with the reason for the user (without the 'where')."""


def _open(source: str, data: bytes) -> Image.Image:
    """Open an image from bytes, reading only its header, and refuse what cannot or should not be decoded."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise _Refused(
            f"'{source}' is a HEIC photo (the iPhone's own format), which cannot be used here; "
            "save or export it as JPEG and choose that instead"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refused(_too_many_pixels(source, _declared_size(data))) from None
    except _DECODE_ERRORS:
        raise _Refused(
            f"'{source}' is not a picture that can be used (it is not a JPEG, PNG, WebP, GIF, TIFF or BMP file); "
            "save it as JPEG or PNG and choose it again"
        ) from None
    width, height = image.size
    if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE:
        raise _Refused(
            f"'{source}' says it is {width}×{height} pixels, which is not a usable picture; "
            "save it again as a normal photo (for example 4000 pixels wide) or choose another"
        )
    if width * height > MAX_PIXELS:
        raise _Refused(_too_many_pixels(source, image.size))
    return image


def _too_many_pixels(source: str, size: tuple[int, int] | None) -> str:
    shown = f"{size[0]}×{size[1]} pixels ({size[0] * size[1] / 1e6:.0f} megapixels)" if size else "too many pixels"
    return (
        f"'{source}' is {shown}, more than the {MAX_PIXELS // 1_000_000} megapixels allowed; "
        "save a smaller copy (for example 4000 pixels wide) and choose that"
    )


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """The size a PNG or JPEG header declares, for the message about a refused bomb."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1–8), read from the header only."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # reading a late eXIf chunk would decode the whole image
    try:
        value = image.getexif().get(0x0112, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def photo_upload(name: str, data: bytes) -> bytes:
    """A photo someone uploaded, made safe to keep: checked as every source is (format, size, no
    decompression bombs), decoded in full, turned upright, in sRGB, and written again as a JPEG
    with no hidden data (no place, no camera). Raises ValueError with the reason for the person."""
    try:
        image = _open(name, data)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except _Refused as refused:
        raise ValueError(str(refused)) from None
    except (*_DECODE_ERRORS, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(
            f"'{name}' could not be read as a picture; save it as JPEG or PNG and choose it again"
        ) from None
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image) or image
    clean = _flatten(_to_srgb(_normalise_mode(upright), image.info.get("icc_profile")))
    out = io.BytesIO()
    clean.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()
