"""The image pipeline: safe, upright, sRGB, metadata-free, right-sized and cached images."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFile

from transition_booklets.data.problems import BuildError
from transition_booklets.pictures import images as images_module
from transition_booklets.pictures.images import ImageProcessor, mm_to_px

WHERE = "pupils/amy-jones.yaml photo.file"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "images").mkdir(parents=True)
    return folder


@pytest.fixture
def processor(data: Path, tmp_path: Path) -> ImageProcessor:
    return ImageProcessor(data, tmp_path / "cache")


def save(data: Path, name: str, image: Image.Image, **params: Any) -> str:
    path = data / "images" / name
    image.save(path, **params)
    return f"images/{name}"


def write(data: Path, name: str, content: bytes) -> str:
    (data / "images" / name).write_bytes(content)
    return f"images/{name}"


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def quadrants(width: int = 200, height: int = 300) -> Image.Image:
    """An upright test picture: red top-left, green top-right, blue bottom-left, yellow bottom-right."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=(220, 0, 0))
    draw.rectangle((width // 2, 0, width - 1, height // 2 - 1), fill=(0, 200, 0))
    draw.rectangle((0, height // 2, width // 2 - 1, height - 1), fill=(0, 0, 220))
    draw.rectangle((width // 2, height // 2, width - 1, height - 1), fill=(240, 220, 0))
    return image


def at(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    """The pixel at (x, y) as a tuple of channels."""
    value = image.getpixel((x, y))
    assert isinstance(value, tuple)
    return value


def quadrant_colours(image: Image.Image) -> list[tuple[int, ...]]:
    rgb = image.convert("RGB")
    w, h = rgb.size
    return [
        at(rgb, x, y)
        for x, y in ((w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4))
    ]


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width``×``height`` greyscale pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is changed to declare ``width``×``height``."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "grey").save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every image decoded from a file (after any reduced-size JPEG decoding is set up)."""
    calls: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> object:
        if self.tile:
            calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def all_outputs(processor: ImageProcessor) -> list[Path]:
    return sorted(path for path in processor.cache_dir.iterdir())


# ---------------------------------------------------------------------------
# Privacy: every kind of metadata is removed
# ---------------------------------------------------------------------------


def photo_with_metadata(data: Path, *, profile: bool = True, webp: bool = False) -> tuple[str, bytes]:
    """A phone-like photo: EXIF with GPS, XMP, a comment, IPTC (JPEG only) and a colour profile or none.
    Turning a profiled photo into sRGB makes a new image without metadata by itself: a photo
    without a profile is the one that shows the metadata is removed on purpose."""
    image = quadrants(400, 300)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "SecretCam Model 7"  # Model
    exif[0x0132] = "2024:05:01 10:00:00"  # DateTime
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.1), 0x1B: b"ASCII\0\0\0GPS home position"}
    exif[0x8825] = gps
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="SecretTown"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() if profile else None
    buffer = io.BytesIO()
    if webp:
        image.save(buffer, "WEBP", exif=exif.tobytes(), xmp=xmp, icc_profile=icc)
        return write(data, "gps.webp", buffer.getvalue()), buffer.getvalue()
    image.save(buffer, "JPEG", exif=exif.tobytes(), xmp=xmp, icc_profile=icc, comment=b"secret comment")
    raw = buffer.getvalue()
    # An IPTC (Photoshop APP13) block straight after the start of the file.
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x12\x1c\x02\x78\x00\x0eSecretCaption!"
    raw = raw[:2] + b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc + raw[2:]
    return write(data, "gps.jpg", raw), raw


SECRETS = [
    b"SecretCam",
    b"Exif\x00",
    b"GPS home",
    b"xmpmeta",
    b"SecretTown",
    b"Photoshop 3.0",
    b"SecretCaption",
    b"secret comment",
    b"acsp",
    b"ICC_PROFILE",
]


@pytest.mark.parametrize(
    ("profile", "webp"), [(True, False), (False, False), (False, True)], ids=["JPEG", "JPEG without a profile", "WebP"]
)
def test_every_output_loses_gps_camera_xmp_iptc_icc_and_comments(
    processor: ImageProcessor, data: Path, profile: bool, webp: bool
) -> None:
    source, raw = photo_with_metadata(data, profile=profile, webp=webp)
    carried = [secret for secret in SECRETS if secret in raw]
    assert len(carried) == (10 if profile else 8) - (4 if webp else 0), "the test photo carries its metadata"
    assert Image.open(data / source).getexif().get_ifd(0x8825), "the test photo should have a GPS position"

    web = processor.web(source, width=100, where=WHERE)
    square = processor.web(source, width=100, square=True, where=WHERE)
    printed = processor.print_image(source, width_mm=30, where=WHERE)
    drawing = processor.print_image(source, width_mm=30, drawing=True, where=WHERE)

    outputs = [web.x1, web.x2, square.x1, square.x2, printed, drawing]
    for rendition in outputs:
        content = rendition.path.read_bytes()
        for secret in SECRETS:
            assert secret not in content, f"{secret!r} left in {rendition.media_type}"
        with Image.open(rendition.path) as opened:
            assert not opened.getexif(), rendition.media_type
            for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop", "iptc"):
                assert key not in opened.info, (key, rendition.media_type)
    assert {r.media_type for r in outputs} == {"image/webp", "image/jpeg", "image/png"}


# ---------------------------------------------------------------------------
# Orientation, colour and modes
# ---------------------------------------------------------------------------

# How to store an upright picture so that a viewer applying the EXIF orientation shows it upright.
STORED_FROM_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # the camera was turned: shown after turning 90° clockwise
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}
UPRIGHT = [(220, 0, 0), (0, 200, 0), (0, 0, 220), (240, 220, 0)]


@pytest.mark.parametrize("orientation", sorted(STORED_FROM_UPRIGHT))
def test_a_turned_camera_photo_comes_out_upright(processor: ImageProcessor, data: Path, orientation: int) -> None:
    stored = quadrants(200, 300).transpose(STORED_FROM_UPRIGHT[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    source = save(data, f"turned-{orientation}.jpg", stored, exif=exif.tobytes(), quality=95)

    web = processor.web(source, width=100)
    printed = processor.print_image(source, width_mm=10)
    for rendition in (web.x1, printed):
        assert rendition.width < rendition.height, "a portrait photo stays portrait"
        with Image.open(rendition.path) as result:
            assert result.size == (rendition.width, rendition.height)
            colours = quadrant_colours(result)
        assert all(close(a, e) for a, e in zip(colours, UPRIGHT, strict=True)), colours


def test_cmyk_becomes_rgb_with_the_right_colour(processor: ImageProcessor, data: Path) -> None:
    cyan = Image.new("CMYK", (120, 80), (255, 0, 0, 0))
    source = save(data, "cmyk.jpg", cyan, quality=95)
    assert Image.open(data / source).mode == "CMYK"
    for rendition in (processor.web(source, width=60).x1, processor.print_image(source, width_mm=5)):
        with Image.open(rendition.path) as result:
            assert result.mode == "RGB"
            assert close(at(result, 30, 20), (0, 255, 255), 30)


def test_the_embedded_colour_profile_is_used(processor: ImageProcessor, data: Path) -> None:
    # A profile like sRGB but with the red and blue primaries swapped: pure red in it is blue in sRGB.
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", icc[128:132])[0]
    entries = {bytes(icc[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    icc[red + 4 : red + 12], icc[blue + 4 : blue + 12] = icc[blue + 4 : blue + 12], icc[red + 4 : red + 12]
    source = save(data, "profiled.png", Image.new("RGB", (40, 40), (255, 0, 0)), icc_profile=bytes(icc))

    rendition = processor.web(source, width=40, drawing=True).x1
    with Image.open(rendition.path) as result:
        red_, green_, blue_ = at(result.convert("RGB"), 20, 20)
        assert "icc_profile" not in result.info
    assert blue_ > 200 and red_ < 80, (red_, green_, blue_)


def test_a_broken_colour_profile_is_ignored_not_fatal(processor: ImageProcessor, data: Path) -> None:
    source = save(data, "badicc.png", Image.new("RGB", (40, 40), (10, 120, 200)), icc_profile=b"not a profile at all")
    rendition = processor.web(source, width=40, drawing=True).x1
    with Image.open(rendition.path) as result:
        assert close(at(result.convert("RGB"), 20, 20), (10, 120, 200), 8)


def test_palette_with_transparency_keeps_it_on_the_web_and_is_white_in_print(
    processor: ImageProcessor, data: Path
) -> None:
    logo = Image.new("P", (80, 80), 0)
    logo.putpalette([0, 0, 0, 200, 30, 30] + [0] * (254 * 3))
    ImageDraw.Draw(logo).ellipse((20, 20, 60, 60), fill=1)
    source = save(data, "logo.png", logo, transparency=0)

    with Image.open(processor.web(source, width=80, drawing=True).x1.path) as web:
        assert web.mode == "RGBA"
        assert at(web, 2, 2)[3] == 0
        assert close(at(web, 40, 40), (200, 30, 30, 255), 20)
    with Image.open(processor.print_image(source, width_mm=5).path) as jpeg:
        assert jpeg.mode == "RGB"
        assert close(at(jpeg, 2, 2), (255, 255, 255), 10)
    with Image.open(processor.print_image(source, width_mm=5, drawing=True).path) as png:
        assert png.format == "PNG" and png.mode == "RGBA"
        assert at(png, 2, 2)[3] == 0


def test_sixteen_bit_greyscale_keeps_its_light_and_dark(processor: ImageProcessor, data: Path) -> None:
    ramp = Image.new("I;16", (256, 32))
    for x in range(256):
        for y in range(32):
            ramp.putpixel((x, y), x * 257)
    source = save(data, "ramp16.png", ramp)
    assert Image.open(data / source).mode.startswith("I")
    with Image.open(processor.web(source, width=256, drawing=True).x1.path) as result:
        grey = result.convert("L")
        dark, middle, light = grey.getpixel((4, 16)), grey.getpixel((128, 16)), grey.getpixel((250, 16))
    assert isinstance(dark, int) and isinstance(middle, int) and isinstance(light, int)
    assert dark < 20 and 100 < middle < 156 and light > 235, (dark, middle, light)


def test_greyscale_with_alpha(processor: ImageProcessor, data: Path) -> None:
    image = Image.new("LA", (60, 60), (0, 0))
    ImageDraw.Draw(image).rectangle((20, 20, 39, 39), fill=(40, 255))
    source = save(data, "la.png", image)
    with Image.open(processor.web(source, width=60).x1.path) as web:
        assert web.mode == "RGBA" and at(web, 5, 5)[3] == 0
        assert close(at(web, 30, 30), (40, 40, 40, 255), 20)
    with Image.open(processor.print_image(source, width_mm=5).path) as jpeg:
        assert close(at(jpeg, 5, 5), (255, 255, 255), 10)
        assert close(at(jpeg, 30, 30), (40, 40, 40), 20)


# ---------------------------------------------------------------------------
# Sizes and crops
# ---------------------------------------------------------------------------


def test_web_sizes_are_1x_and_2x_and_print_is_300_dpi(processor: ImageProcessor, data: Path) -> None:
    source = save(data, "big.jpg", quadrants(3000, 2000))
    web = processor.web(source, width=400)
    assert (web.x1.width, web.x1.height, web.x2.width, web.x2.height) == (400, 267, 800, 533)
    assert web.srcset("img/") == f"img/{web.x1.name} 1x, img/{web.x2.name} 2x"
    printed = processor.print_image(source, width_mm=60)
    assert printed.width == mm_to_px(60) == 709
    with Image.open(printed.path) as jpeg:
        assert jpeg.format == "JPEG" and jpeg.size == (709, 473)
        assert round(jpeg.info["dpi"][0]) == 300


def test_small_images_are_never_enlarged(processor: ImageProcessor, data: Path) -> None:
    source = save(data, "small.png", quadrants(100, 80))
    web = processor.web(source, width=400)
    assert web.x1 == web.x2 and (web.x1.width, web.x1.height) == (100, 80)
    assert web.srcset() == f"{web.x1.name} 1x"
    assert processor.print_image(source, width_mm=100).width == 100
    assert processor.web(source, width=400, square=True).x1.width == 80


def test_portraits_are_cropped_square_keeping_the_face_near_the_top(processor: ImageProcessor, data: Path) -> None:
    portrait = Image.new("RGB", (300, 600), (120, 120, 120))
    # A face in the upper part of a tall photo, as people usually are; a centre crop would cut its top off.
    ImageDraw.Draw(portrait).ellipse((100, 130, 200, 230), fill=(240, 180, 140))
    source = save(data, "tall.png", portrait)
    rendition = processor.web(source, width=150, square=True).x1
    assert (rendition.width, rendition.height) == (150, 150)
    with Image.open(rendition.path) as result:
        rgb = result.convert("RGB")
        face = [(x, y) for x in range(150) for y in range(150) if close(at(rgb, x, y), (240, 180, 140), 25)]
    assert face, "the face is in the crop"
    top = min(y for _, y in face)
    bottom = max(y for _, y in face)
    assert top > 2 and bottom < 147, "the whole face is in the crop"
    assert bottom - top >= 45


def test_a_12_megapixel_phone_photo_works_decoded_at_reduced_size(
    processor: ImageProcessor, data: Path, decodes: list[tuple[int, int]]
) -> None:
    noise = Image.effect_noise((4000, 3000), 60)
    photo = Image.merge("RGB", (noise, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise))
    source = save(data, "phone.jpg", photo, quality=85)
    decodes.clear()
    web = processor.web(source, width=480, square=True)
    printed = processor.print_image(source, width_mm=120)
    assert (web.x2.width, web.x2.height) == (960, 960)
    assert (printed.width, printed.height) == (1417, 1063)
    assert decodes == [(2000, 1500)], "decoded once, at half size: a quarter of the memory and time"


# ---------------------------------------------------------------------------
# Placeholders
# ---------------------------------------------------------------------------


def test_a_person_without_a_photo_gets_their_initials_as_text_on_their_colour(tmp_path: Path) -> None:
    """No picture is drawn: the initials are text, crisp at any size, in any script and the reader's font."""
    from tests.conftest import EXAMPLE
    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions

    options = BuildOptions(EXAMPLE, tmp_path / "site", tmp_path / "staff", only=["kai-morgan"], pdf=False, jobs=1)
    assert build_cohort(options).ok
    page = (tmp_path / "site" / "kai-morgan" / "index.html").read_text(encoding="utf-8")
    avatar = page.split('<span class="tb-initials', 1)[1].split("</span>", 1)[0]
    # Beside "Hello Kai!" the initials say nothing more to a screen reader: hidden from it, not a second name.
    assert 'aria-hidden="true"' in avatar and avatar.endswith(">KM")
    assert "background-color: #" in avatar


# ---------------------------------------------------------------------------
# Bad images: clear messages, quickly
# ---------------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_from_its_header(
    processor: ImageProcessor, data: Path, decodes: list[tuple[int, int]]
) -> None:
    source = write(data, "bomb.png", png_declaring(20000, 20000))
    with pytest.raises(BuildError) as error:
        processor.web(source, width=200, where=WHERE)
    message = str(error.value)
    assert message.startswith(f"{WHERE}: 'images/bomb.png' is 20000×20000 pixels (400 megapixels)")
    assert "smaller copy" in message
    assert decodes == [], "nothing was decoded"


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("bomb.jpg", jpeg_declaring(20000, 20000), "20000×20000"),
        ("just-too-big.png", png_declaring(9000, 8000), "9000×8000"),  # where Pillow would only warn
        ("thin.png", png_declaring(1, 30000), "1×30000"),
    ],
)
def test_absurd_sizes_are_refused_without_decoding(
    processor: ImageProcessor, data: Path, decodes: list[tuple[int, int]], name: str, content: bytes, shown: str
) -> None:
    source = write(data, name, content)
    with pytest.raises(BuildError, match=shown):
        processor.print_image(source, width_mm=50, where=WHERE)
    assert decodes == []


def test_the_limit_holds_even_if_pillow_s_own_check_is_turned_off(
    processor: ImageProcessor, data: Path, decodes: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    source = write(data, "bomb.png", png_declaring(20000, 20000))
    with pytest.raises(BuildError, match="400 megapixels"):
        processor.web(source, width=200, where=WHERE)
    assert decodes == []


def test_a_cut_short_jpeg_names_the_file_and_what_to_do(processor: ImageProcessor, data: Path) -> None:
    buffer = io.BytesIO()
    quadrants(600, 400).save(buffer, "JPEG")
    source = write(data, "amy.jpg", buffer.getvalue()[: len(buffer.getvalue()) * 2 // 3])
    with pytest.raises(BuildError) as error:
        processor.web(source, width=100, where=WHERE)
    assert str(error.value) == (
        f"{WHERE}: 'images/amy.jpg' is not a complete image (the file is cut short or damaged); "
        "save it again or choose another photo"
    )
    assert all_outputs(processor) == []


def test_something_that_is_not_an_image(processor: ImageProcessor, data: Path) -> None:
    source = write(data, "notes.jpg", b"Dear Ms Khan, here is the photo you asked for.\n")
    with pytest.raises(
        BuildError, match=r"'images/notes.jpg' is not a picture that can be used.*save it as JPEG or PNG"
    ):
        processor.web(source, width=100, where=WHERE)
    heic = write(data, "iphone.jpg", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100)
    with pytest.raises(BuildError, match="HEIC"):
        processor.web(heic, width=100, where=WHERE)


def test_missing_and_outside_paths_are_refused(processor: ImageProcessor, data: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    Image.new("RGB", (10, 10)).save(outside)
    (data / "images" / "link.png").symlink_to(outside)
    cases = {
        "images/nobody.jpg": "no file 'images/nobody.jpg' in the data folder",
        "../secret.png": "leaves the data folder",
        str(outside): "is an absolute path",
        "images/link.png": "is a link that leads out of the data folder",
    }
    for source, expected in cases.items():
        with pytest.raises(BuildError) as error:
            processor.web(source, width=50, where="school.yaml staff.ms-khan.photo")
        assert str(error.value).startswith("school.yaml staff.ms-khan.photo: "), source
        assert expected in str(error.value), source
    assert all_outputs(processor) == []


# ---------------------------------------------------------------------------
# Cache: shared photos are processed once; rebuilds process nothing
# ---------------------------------------------------------------------------


def test_a_shared_photo_is_processed_once_and_a_rebuild_processes_none(data: Path, tmp_path: Path) -> None:
    source = save(data, "ms-khan.jpg", quadrants(600, 600))
    cache = tmp_path / "cache"
    first = ImageProcessor(data, cache)
    for pupil in ("amy-jones", "jordan-reid", "kai-morgan"):
        first.web(source, width=160, square=True, where=f"pupils/{pupil}.yaml keyworker")
        first.print_image(source, width_mm=30, square=True, where=f"pupils/{pupil}.yaml keyworker")
    assert first.processed == 3  # 1x, 2x and print, once for the whole cohort
    assert first.reused == 6, "the other two pupils' three pictures each"
    files = all_outputs(first)
    assert len(files) == 3

    again = ImageProcessor(data, cache)
    web = again.web(source, width=160, square=True)
    printed = again.print_image(source, width_mm=30, square=True)
    assert (again.processed, again.reused) == (0, 3)
    assert {web.x1.path, web.x2.path, printed.path} == set(files)
    assert (printed.width, printed.height) == (mm_to_px(30), mm_to_px(30))
    assert (web.x1.media_type, printed.media_type) == ("image/webp", "image/jpeg")

    wide = save(data, "hall.jpg", quadrants(600, 300))
    made = ImageProcessor(data, cache).print_image(wide, width_mm=30)
    from_disk = ImageProcessor(data, cache).print_image(wide, width_mm=30)
    assert from_disk == made and (from_disk.width, from_disk.height) == (mm_to_px(30), mm_to_px(30) // 2)

    save(data, "ms-khan.jpg", quadrants(600, 600).transpose(Image.Transpose.ROTATE_180))  # a new photo, same name
    changed = ImageProcessor(data, cache)
    assert changed.web(source, width=160, square=True).x1.path not in files
    assert changed.processed == 2


def test_identical_images_under_two_names_share_one_file(processor: ImageProcessor, data: Path) -> None:
    first = save(data, "a.png", quadrants(100, 100))
    second = write(data, "b.png", (data / first).read_bytes())
    assert processor.web(first, width=50).x1.path == processor.web(second, width=50).x1.path
    assert processor.processed == 2


def test_writes_are_atomic_and_leave_no_temporary_files(
    processor: ImageProcessor, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = save(data, "ok.png", quadrants(100, 100))
    processor.web(source, width=50)
    processor.print_image(source, width_mm=5)
    names = [path.name for path in all_outputs(processor)]
    assert len(names) == 3 and not [name for name in names if name.startswith(".")]

    other = save(data, "other.png", quadrants(120, 100))
    original_save = Image.Image.save
    visible_while_writing: list[str] = []

    def half_then_fail(self: Image.Image, fp: Any, *args: object, **kwargs: object) -> None:
        fp.write(b"RIFF\0\0")  # the beginning of a file…
        fp.flush()
        visible_while_writing.extend(p.name for p in all_outputs(processor) if not p.name.startswith("."))
        raise OSError(28, "No space left on device")  # …then the disk is full

    monkeypatch.setattr(Image.Image, "save", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        processor.web(other, width=50)
    monkeypatch.setattr(Image.Image, "save", original_save)
    assert sorted(visible_while_writing) == sorted(names), "nothing is written under a final name until complete"
    assert [path.name for path in all_outputs(processor)] == sorted(names), "no half-written or temporary file"


def test_an_unusable_shared_photo_is_only_examined_once(
    processor: ImageProcessor, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(data, "bad.jpg", b"not a picture")
    opened: list[str] = []
    original = images_module._open

    def counting(name: str, content: bytes) -> Image.Image:
        opened.append(name)
        return original(name, content)

    monkeypatch.setattr(images_module, "_open", counting)
    for pupil in range(5):
        with pytest.raises(BuildError, match=f"pupils/p{pupil}.yaml keyworker: 'images/bad.jpg'"):
            processor.web(source, width=50, where=f"pupils/p{pupil}.yaml keyworker")
    assert opened == [source]


def test_each_file_is_what_its_name_says_at_the_quality_chosen_for_it(processor: ImageProcessor, data: Path) -> None:
    """A browser or a printer is given what the name and type promise: WebP for the screen (photos at
    quality 80, drawings sharper at 90), JPEG photos and PNG drawings to print, each in RGB (RGBA for
    a drawing with transparency)."""
    photo = save(data, "photo.jpg", quadrants(800, 600), quality=95)
    drawing = save(data, "logo.png", quadrants(800, 600).convert("RGBA"))
    renditions = {
        "web photo": (processor.web(photo, width=200).x1, "WEBP", "image/webp"),
        "web drawing": (processor.web(drawing, width=200, drawing=True).x1, "WEBP", "image/webp"),
        "printed photo": (processor.print_image(photo, width_mm=30), "JPEG", "image/jpeg"),
        "printed drawing": (processor.print_image(drawing, width_mm=30, drawing=True), "PNG", "image/png"),
    }
    for what, (rendition, kind, media_type) in renditions.items():
        assert rendition.media_type == media_type, what
        assert rendition.path.suffix == {"WEBP": ".webp", "JPEG": ".jpeg", "PNG": ".png"}[kind], what
        with Image.open(rendition.path) as opened:
            assert opened.format == kind, what
            assert opened.mode in ("RGB", "RGBA"), what
    # The same picture at the drawing quality is the bigger file: more detail kept.
    same = save(data, "same.png", quadrants(800, 600))
    as_photo = processor.web(same, width=400).x1.path.stat().st_size
    as_drawing = processor.web(same, width=400, drawing=True).x1.path.stat().st_size
    assert as_drawing > as_photo


# ---------------------------------------------------------------------------
# Every kind of picture a scanner, a phone or a drawing program saves
# ---------------------------------------------------------------------------


def pixels(mode: str, values: list[Any], **info: Any) -> Image.Image:
    image = Image.new(mode, (len(values), 1))
    image.putdata(values)
    image.info.update(info)
    return image


def palette(mode: str, indices: list[Any], **info: Any) -> Image.Image:
    image = pixels(mode, indices, **info)
    image.putpalette([200, 30, 40, 20, 60, 220] + [0] * 762)
    return image


RED, BLUE = (200, 30, 40), (20, 60, 220)
# mode: (the picture, the mode it is worked on in, each pixel as it is saved: RGB, or RGBA when some are see-through)
KINDS: dict[str, tuple[Image.Image, str, list[tuple[int, ...]]]] = {
    "black and white": (pixels("1", [0, 255]), "L", [(0, 0, 0), (255, 255, 255)]),
    "grey": (pixels("L", [30, 200]), "L", [(30, 30, 30), (200, 200, 200)]),
    "grey, one shade see-through": (
        pixels("L", [30, 200], transparency=30),
        "LA",
        [(30, 30, 30, 0), (200, 200, 200, 255)],
    ),
    "grey with alpha": (pixels("LA", [(30, 0), (200, 255)]), "LA", [(30, 30, 30, 0), (200, 200, 200, 255)]),
    "grey with alpha, all opaque": (pixels("LA", [(30, 255), (200, 255)]), "LA", [(30, 30, 30), (200, 200, 200)]),
    "grey with premultiplied alpha": (
        pixels("La", [(50, 128), (100, 255)]),
        "LA",
        [(100, 100, 100, 128), (100, 100, 100, 255)],
    ),
    "palette": (palette("P", [0, 1]), "RGB", [RED, BLUE]),
    "palette, one colour see-through": (palette("P", [0, 1], transparency=0), "RGBA", [(*RED, 0), (*BLUE, 255)]),
    "palette with alpha": (palette("PA", [(0, 255), (1, 0)]), "RGBA", [(*RED, 255), (*BLUE, 0)]),
    "colour": (pixels("RGB", [RED, BLUE]), "RGB", [RED, BLUE]),
    "colour, one see-through": (pixels("RGB", [RED, BLUE], transparency=RED), "RGBA", [(*RED, 0), (*BLUE, 255)]),
    "colour with alpha": (pixels("RGBA", [(*RED, 0), (*BLUE, 255)]), "RGBA", [(*RED, 0), (*BLUE, 255)]),
    "colour with alpha, all opaque": (pixels("RGBA", [(*RED, 255), (*BLUE, 255)]), "RGBA", [RED, BLUE]),
    "colour with premultiplied alpha": (
        pixels("RGBa", [(100, 15, 20, 128), (*BLUE, 255)]),
        "RGBA",
        [(*RED, 128), (*BLUE, 255)],
    ),
    "print colours (CMYK)": (pixels("CMYK", [(255, 0, 0, 0), (0, 0, 0, 255)]), "CMYK", [(0, 255, 255), (0, 0, 0)]),
    "YCbCr": (Image.new("RGB", (2, 1), RED).convert("YCbCr"), "RGB", [RED, RED]),
    "Lab": (Image.new("RGB", (2, 1), RED).convert("LAB"), "RGB", [RED, RED]),
    "HSV": (Image.new("RGB", (2, 1), RED).convert("HSV"), "RGB", [RED, RED]),
    **{
        f"16-bit grey ({mode})": (pixels(mode, [0, 32768, 65535]), "L", [(0, 0, 0), (128, 128, 128), (255, 255, 255)])
        for mode in ("I;16", "I;16L", "I;16B", "I;16N")
    },
    "32-bit grey, 8-bit values": (pixels("I", [0, 100, 255]), "L", [(0, 0, 0), (100, 100, 100), (255, 255, 255)]),
    "32-bit grey, 16-bit values": (pixels("I", [0, 25600, 65535]), "L", [(0, 0, 0), (100, 100, 100), (255, 255, 255)]),
    "32-bit grey, below zero": (pixels("I", [-100, 0, 100]), "L", [(0, 0, 0), (128, 128, 128), (255, 255, 255)]),
    "32-bit grey, one shade": (pixels("I", [70000, 70000]), "L", [(0, 0, 0), (0, 0, 0)]),
    "floating-point grey": (pixels("F", [0.0, 0.5, 1.0]), "L", [(0, 0, 0), (128, 128, 128), (255, 255, 255)]),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_picture_keeps_its_colours_and_what_is_see_through(kind: str) -> None:
    """Worked on in a mode that resizes smoothly, then saved in sRGB with an alpha channel only
    when something is see-through: the colours and the see-through parts are the picture's own."""
    picture, worked_on, expected = KINDS[kind]
    normalised = images_module._normalise_mode(picture)
    assert normalised.mode == worked_on
    if worked_on == picture.mode and "transparency" not in picture.info:
        assert normalised is picture, "a picture already in a smooth mode is not copied"
    saved = images_module._to_srgb(normalised, None)
    assert saved.mode == ("RGBA" if len(expected[0]) == 4 else "RGB")
    got = [saved.getpixel((x, 0)) for x in range(saved.width)]
    assert all(isinstance(g, tuple) and close(g, e, 6) for g, e in zip(got, expected, strict=True)), got


# ---------------------------------------------------------------------------
# Sizes read from a header, and the limits
# ---------------------------------------------------------------------------


def jpeg_with_frame(marker: int, width: int, height: int, *, segments_before: int = 0) -> bytes:
    """A JPEG's first bytes: start of image, some APPn segments, then a frame header of ``marker``."""
    data = b"\xff\xd8"
    for index in range(segments_before):
        body = bytes([index]) * 20
        data += b"\xff" + bytes([0xE1 + index]) + struct.pack(">H", len(body) + 2) + body
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return data + b"\xff" + bytes([marker]) + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xda"


@pytest.mark.parametrize(
    "marker",
    [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF],
    ids=lambda marker: f"SOF{marker - 0xC0}",
)
def test_the_size_a_refused_jpeg_declares_is_read_from_every_kind_of_frame(marker: int) -> None:
    """Baseline, progressive, lossless and arithmetic-coded JPEGs: the message names the size it declares."""
    assert images_module._declared_size(jpeg_with_frame(marker, 40000, 3000, segments_before=2)) == (40000, 3000)


@pytest.mark.parametrize(
    ("content", "size"),
    [
        (png_declaring(70000, 50000), (70000, 50000)),
        (png_declaring(4_000_000_000, 1), (4_000_000_000, 1)),  # unsigned: never a negative size
        (png_declaring(7, 9)[:24], (7, 9)),  # the header, and nothing after it
        (png_declaring(7, 9)[:23], None),
        (jpeg_with_frame(0xC0, 65535, 65535), (65535, 65535)),  # unsigned too
        (jpeg_with_frame(0xC2, 9000, 8000)[:-2], (9000, 8000)),
        (jpeg_with_frame(0xC0, 9000, 8000, segments_before=1)[:30], None),  # cut short before the frame
        (jpeg_with_frame(0xC4, 9000, 8000), None),  # a table, not a frame: no size
        (b"\xff\xd8\x00\xc0" + b"\0" * 20, None),  # not a marker where one should be
        (b"GIF89a" + b"\0" * 20, None),
    ],
    ids=[
        "PNG",
        "PNG wider than a signed number",
        "PNG header only",
        "PNG cut short",
        "JPEG 65535",
        "JPEG at the end",
        "JPEG cut short",
        "JPEG tables",
        "JPEG broken",
        "GIF",
    ],
)
def test_the_size_a_header_declares(content: bytes, size: tuple[int, int] | None) -> None:
    assert images_module._declared_size(content) == size


def test_a_bomb_whose_size_cannot_be_read_is_still_refused_in_words(
    processor: ImageProcessor, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images_module, "_declared_size", lambda _: None)
    source = write(data, "bomb.png", png_declaring(20000, 20000))
    with pytest.raises(BuildError) as error:
        processor.web(source, width=200, where=WHERE)
    assert str(error.value) == (
        f"{WHERE}: 'images/bomb.png' is too many pixels, more than the 60 megapixels allowed; "
        "save a smaller copy (for example 4000 pixels wide) and choose that"
    )


@pytest.mark.parametrize(
    ("size", "refused"),
    [
        ((1, 1), None),
        ((20000, 1), None),
        ((1, 20000), None),
        ((7500, 8000), None),  # 60 megapixels exactly
        ((7501, 8000), "7501×8000 pixels (60 megapixels), more than the 60 megapixels allowed"),
        ((20001, 1), "says it is 20001×1 pixels"),
        ((1, 20001), "says it is 1×20001 pixels"),
    ],
)
def test_the_limits_hold_to_the_pixel(
    size: tuple[int, int], refused: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read from the header only: a picture exactly at a limit is read, one pixel more is refused."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # the tool's own limits, not Pillow's
    content = png_declaring(*size)
    if refused is None:
        assert images_module._open("images/edge.png", content).size == size
    else:
        with pytest.raises(images_module._Refused, match=re.escape(refused)) as error:
            images_module._open("images/edge.png", content)
        assert str(error.value).startswith("'images/edge.png' ")


def test_a_file_of_exactly_the_largest_size_is_read_and_one_byte_more_is_refused(
    processor: ImageProcessor, data: Path
) -> None:
    at_limit = data / "images" / "big.png"
    with at_limit.open("wb") as handle:
        handle.write(png_declaring(10, 10))
        handle.truncate(images_module.MAX_FILE_BYTES)  # a sparse file: no disk used
    with pytest.raises(BuildError) as read:
        processor.web("images/big.png", width=10, where=WHERE)
    assert "too big" not in str(read.value), "read, then found to be a broken picture"
    bigger = data / "images" / "bigger.png"
    with bigger.open("wb") as handle:
        handle.truncate(images_module.MAX_FILE_BYTES + 1)
    with pytest.raises(
        BuildError, match=r"'images/bigger.png' is 100 MB, too big for a picture; save a smaller copy \(under 100 MB\)"
    ):
        processor.web("images/bigger.png", width=10, where=WHERE)


def test_a_video_is_not_taken_for_an_iphone_photo(processor: ImageProcessor, data: Path) -> None:
    """Only HEIC's own brands get the HEIC advice; an MP4 (also 'ftyp') is simply not a picture."""
    video = write(data, "clip.jpg", b"\0\0\0\x18ftypisom\0\0\0\0isomheic" + b"\0" * 100)
    with pytest.raises(BuildError) as error:
        processor.web(video, width=100, where=WHERE)
    assert "is not a picture that can be used" in str(error.value) and "HEIC" not in str(error.value)
    not_ftyp = write(data, "odd.jpg", b"\0\0\0\x18moovheic" + b"\0" * 100)
    with pytest.raises(BuildError, match="is not a picture that can be used"):
        processor.web(not_ftyp, width=100, where=WHERE)


def test_a_message_without_a_place_starts_with_the_file(processor: ImageProcessor, data: Path) -> None:
    source = write(data, "bomb.png", png_declaring(20000, 20000))
    for make in (lambda: processor.web(source, width=10), lambda: processor.print_image(source, width_mm=10)):
        with pytest.raises(BuildError) as error:
            make()
        assert str(error.value).startswith("'images/bomb.png' is 20000×20000 pixels")
    with pytest.raises(BuildError) as error:
        processor.print_image(source, width_mm=10, where=WHERE)
    assert str(error.value).startswith(f"{WHERE}: 'images/bomb.png'")


def test_only_pictures_of_the_formats_named_are_opened(data: Path) -> None:
    """An icon or a Photoshop file Pillow could read is refused like any other non-picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, "ICO")
    with pytest.raises(images_module._Refused, match="not a picture that can be used"):
        images_module._open("images/icon.ico", buffer.getvalue())


# ---------------------------------------------------------------------------
# Which way up
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 9, 65535])
def test_an_orientation_that_is_not_one_of_the_eight_leaves_the_photo_as_stored(
    processor: ImageProcessor, data: Path, value: int
) -> None:
    exif = Image.Exif()
    exif[0x0112] = value
    source = save(data, f"odd-{value}.jpg", quadrants(200, 300), exif=exif.tobytes(), quality=95)
    with Image.open(processor.web(source, width=100).x1.path) as result:
        assert result.size == (100, 150)
        assert all(close(a, e) for a, e in zip(quadrant_colours(result), UPRIGHT, strict=True))


def test_a_png_with_an_orientation_is_turned_and_one_without_is_not(processor: ImageProcessor, data: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    turned = save(data, "turned.png", quadrants(200, 300).transpose(STORED_FROM_UPRIGHT[6]), exif=exif.tobytes())
    plain = save(data, "plain.png", quadrants(200, 300))
    for source in (turned, plain):
        with Image.open(processor.web(source, width=100, drawing=True).x1.path) as result:
            assert result.size == (100, 150), source
            assert all(close(a, e) for a, e in zip(quadrant_colours(result), UPRIGHT, strict=True)), source


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_a_turned_photo_decoded_at_reduced_size_is_still_sharp_enough(
    processor: ImageProcessor, data: Path, orientation: int, decodes: list[tuple[int, int]]
) -> None:
    """A large photo stored on its side is decoded at the reduced size that still gives the height
    wanted (the stored width), not at one made for the wrong side."""
    stored = quadrants(1000, 3000).transpose(STORED_FROM_UPRIGHT[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    source = save(data, f"tall-{orientation}.jpg", stored, exif=exif.tobytes(), quality=90)
    web = processor.web(source, width=120)
    assert (web.x2.width, web.x2.height) == (240, 720)
    assert decodes and min(decodes[-1]) >= 240 and max(decodes[-1]) >= 720, decodes
    assert max(decodes[-1]) < 3000, "decoded at reduced size"


# ---------------------------------------------------------------------------
# Edges of sizes and crops, and how files are saved
# ---------------------------------------------------------------------------


def test_the_smallest_pictures_and_widths_stay_at_least_a_pixel_and_never_grow(
    processor: ImageProcessor, data: Path
) -> None:
    dot = save(data, "dot.png", Image.new("RGB", (1, 1), "red"))
    web = processor.web(dot, width=100)
    assert (web.x1.width, web.x1.height) == (1, 1) and web.x1 == web.x2
    assert (processor.web(dot, width=100, square=True).x1.width, processor.print_image(dot, width_mm=0.01).width) == (
        1,
        1,
    )
    assert mm_to_px(0.01) == 1
    line = save(data, "line.png", Image.new("RGB", (300, 1), "blue"))
    assert (processor.web(line, width=100).x1.width, processor.web(line, width=100).x1.height) == (100, 1)
    narrow = save(data, "narrow.png", quadrants(80, 100))
    assert processor.web(narrow, width=400, square=True).x1.width == 80, "a square no wider than the picture"


def test_a_landscape_photo_is_cropped_square_from_its_middle(processor: ImageProcessor, data: Path) -> None:
    wide = Image.new("RGB", (300, 100), (0, 0, 220))
    ImageDraw.Draw(wide).rectangle((100, 0, 199, 99), fill=(220, 0, 0))  # the middle third is red
    source = save(data, "wide.png", wide)
    for rendition in (
        processor.web(source, width=100, square=True).x1,
        processor.print_image(source, width_mm=5, square=True),
    ):
        assert rendition.width == rendition.height
        with Image.open(rendition.path) as result:
            rgb = result.convert("RGB")
            edges = [at(rgb, x, rgb.height // 2) for x in (2, rgb.width - 3)]
        assert all(close(colour, (220, 0, 0), 40) for colour in edges), edges


def test_a_square_print_of_a_tall_photo_is_square(processor: ImageProcessor, data: Path) -> None:
    source = save(data, "tall.jpg", quadrants(600, 900))
    printed = processor.print_image(source, width_mm=30, square=True)
    assert (printed.width, printed.height) == (mm_to_px(30), mm_to_px(30))


def test_printed_files_say_300_dpi_and_photos_keep_quality_88(processor: ImageProcessor, data: Path) -> None:
    """A printer, or a person opening the file, sees the size it is printed at; photos are not
    squeezed to a lower quality (their quantisation tables are those of quality 88)."""
    photo = save(data, "photo.jpg", quadrants(800, 600), quality=95)
    printed_photo = processor.print_image(photo, width_mm=30)
    printed_drawing = processor.print_image(photo, width_mm=30, drawing=True)
    reference = io.BytesIO()
    quadrants(100, 100).save(reference, "JPEG", quality=images_module.JPEG_QUALITY)
    with Image.open(printed_photo.path) as jpeg, Image.open(reference) as expected:
        assert round(jpeg.info["dpi"][0]) == 300
        assert jpeg.quantization == expected.quantization  # type: ignore[attr-defined]
    with Image.open(printed_drawing.path) as png:
        assert png.format == "PNG" and round(png.info["dpi"][0]) == 300


def test_a_cache_folder_that_does_not_exist_yet_is_made(data: Path, tmp_path: Path) -> None:
    processor = ImageProcessor(data, tmp_path / "staff" / "cache" / "images")
    source = save(data, "a.png", quadrants(40, 40))
    assert processor.web(source, width=20).x1.path.parent == tmp_path / "staff" / "cache" / "images"


def test_the_size_of_a_refused_jpeg_is_read_past_long_segments() -> None:
    """A phone's EXIF segment is kilobytes long: its two-byte length is read whole."""
    data = b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", 3002) + b"\0" * 3000
    data += jpeg_with_frame(0xC0, 30000, 20000)[2:]
    assert images_module._declared_size(data) == (30000, 20000)
