"""What a build publishes carries no camera, place or caption data from the photos it was given.

The unit tests of the image pipeline feed it one picture at a time. Here the pictures are
phone-like photos put into the example school (a staff photo, a pupil's photo and place photos,
as JPEG and WebP, with and without a colour profile: converting a profiled photo to sRGB drops
its metadata by itself, so a photo without one is the case that tests the stripping), the
school is built as a transition lead builds it, and every byte of the output is searched: the
site's files, every file inside each pupil's zip, and every stream of every PDF, raw and
decoded.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms, ImageDraw

from tests.conftest import EXAMPLE
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions

# What a phone writes into a photo, each marked so that it can be found in any output.
CAMERA = b"SecretPhoneMaker"
MODEL = b"SecretPhone 15 Pro"
GPS_NOTE = b"GPS home position"
XMP_CITY = b"SecretTown"
IPTC_CAPTION = b"SecretCaption"
COMMENT = b"secret comment"
SECRETS = (CAMERA, MODEL, GPS_NOTE, XMP_CITY, IPTC_CAPTION, COMMENT)


def _picture(width: int = 640, height: int = 480) -> Image.Image:
    image = Image.new("RGB", (width, height), (90, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(230, 180, 60))
    return image


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = CAMERA.decode()  # Make
    exif[0x0110] = MODEL.decode()  # Model
    exif[0x0132] = "2026:09:01 08:15:00"  # DateTime
    exif[0x0112] = 1  # upright
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.1), 0x1B: b"ASCII\0\0\0" + GPS_NOTE}
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="' + XMP_CITY + b'"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def phone_jpeg(*, with_profile: bool) -> bytes:
    """A JPEG as a phone saves it: EXIF with GPS, XMP, an IPTC caption and a comment; a colour profile or none."""
    buffer = io.BytesIO()
    params: dict[str, object] = {"exif": _exif().tobytes(), "xmp": XMP, "comment": COMMENT, "quality": 90}
    if with_profile:
        params["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    _picture().save(buffer, "JPEG", **params)
    raw = buffer.getvalue()
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x12\x1c\x02\x78\x00\x0e" + IPTC_CAPTION + b"!!!"
    return raw[:2] + b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc + raw[2:]


def phone_webp() -> bytes:
    """A WebP with EXIF (GPS) and XMP, and no colour profile."""
    buffer = io.BytesIO()
    _picture().save(buffer, "WEBP", exif=_exif().tobytes(), xmp=XMP, quality=90)
    return buffer.getvalue()


def _files_in(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under ``folder`` and, for a zip, every file inside it; each with a name to report."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        content = path.read_bytes()
        yield str(path.relative_to(folder)), content
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path.name}!{member}", archive.read(member)


def _pdf_streams(name: str, content: bytes) -> Iterator[tuple[str, bytes]]:
    """Every stream of a PDF, raw and decoded where its filters allow."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for number, obj in enumerate(pdf.objects):
            if isinstance(obj, pikepdf.Stream):
                yield f"{name} object {number}", obj.read_raw_bytes()
                # A picture's own coding (DCT) is not decoded: its raw bytes above are the file as embedded.
                with contextlib.suppress(pikepdf.PdfError):
                    yield f"{name} object {number} (decoded)", obj.read_bytes()


def _everything_published(site: Path) -> Iterator[tuple[str, bytes]]:
    for name, content in _files_in(site):
        yield name, content
        if content.startswith(b"%PDF-"):
            yield from _pdf_streams(name, content)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example school with phone photos in place of its own, built with booklets."""
    root = tmp_path_factory.mktemp("phone-photos")
    data = root / "pupils"
    shutil.copytree(EXAMPLE, data)
    images = data / "images"
    (images / "staff" / "mr-hughes.jpg").write_bytes(phone_jpeg(with_profile=False))  # Jordan's keyworker
    (images / "pupils" / "jordan.jpg").write_bytes(phone_jpeg(with_profile=False))  # Jordan himself
    (images / "places" / "hub.jpg").write_bytes(phone_jpeg(with_profile=True))
    (images / "places" / "nest.webp").write_bytes(phone_webp())
    school = data / "school.yaml"
    text = school.read_text(encoding="utf-8")
    assert "images/places/nest.jpg" in text
    school.write_text(text.replace("images/places/nest.jpg", "images/places/nest.webp"), encoding="utf-8")
    result = build_cohort(
        BuildOptions(data, root / "site", root / "staff", only=["jordan-reid", "amy-jones"], pdf=True, jobs=1)
    )
    assert not result.problems, result.problems
    return root / "site"


def test_the_phone_photos_carry_every_kind_of_metadata() -> None:
    """The test pictures really are what the scan looks for (else the scan proves nothing)."""
    for raw in (phone_jpeg(with_profile=False), phone_jpeg(with_profile=True)):
        assert all(secret in raw for secret in SECRETS)
    webp = phone_webp()
    assert CAMERA in webp and GPS_NOTE in webp and XMP_CITY in webp
    with Image.open(io.BytesIO(phone_jpeg(with_profile=False))) as opened:
        assert opened.getexif().get_ifd(0x8825), "a GPS position"
        assert "icc_profile" not in opened.info


def test_nothing_published_carries_camera_gps_xmp_iptc_or_comments(published: Path) -> None:
    found = [
        f"{secret.decode()} in {name}"
        for name, content in _everything_published(published)
        for secret in SECRETS
        if secret in content
    ]
    assert not found, found


def test_every_published_picture_has_no_exif_or_xmp(published: Path) -> None:
    pictures = 0
    for name, content in _files_in(published):
        if not re.search(r"\.(jpe?g|webp|png)$", name):
            continue
        pictures += 1
        with Image.open(io.BytesIO(content)) as opened:
            assert not opened.getexif(), name
            for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
                assert key not in opened.info, (key, name)
    assert pictures > 20, "the sites and zips hold the pupils' pictures"


def test_the_phone_photos_are_the_ones_published(published: Path) -> None:
    """The scan looked at the right pictures: Jordan's pages show his keyworker's photo, now the phone's."""
    page = (published / "jordan-reid" / "keyworker.html").read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="[^"]+\.(webp|jpe?g)"', page)
    with zipfile.ZipFile(published / "jordan-reid.zip") as archive:
        assert any(member.endswith("booklet.pdf") for member in archive.namelist())
