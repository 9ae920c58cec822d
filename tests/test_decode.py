"""Decoding: one door for every picture (type by content, limits, reduced decode, orientation, 8 bits)."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from pathlib import Path

import imagegen
import numpy as np
import pytest
from PIL import Image, ImageFile

from forensics.errors import UnreadableFile
from forensics.read.decode import JPEG_PIXEL_LIMIT, decode, fit, flatten, load_picture, open_picture, orient, refusal
from forensics.read.files import read_file
from forensics.pixels.preview import previews

PACKAGE = Path(__file__).resolve().parents[1] / "forensics"

# The stored picture for each orientation n, such that applying n shows the upright picture.
_STORE = {1: None, 2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
          6: "ROTATE_90", 7: "TRANSVERSE", 8: "ROTATE_270"}  # fmt: skip


def _jpeg_bytes(image: Image.Image, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def _with_size(jpeg: bytes, width: int, height: int) -> bytes:
    """A JPEG whose frame header claims another size (the data behind it stays small)."""
    i = jpeg.index(b"\xff\xc0")
    return jpeg[: i + 5] + struct.pack(">HH", height, width) + jpeg[i + 9 :]


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The sizes pictures are actually decoded at (after any reduced decode)."""
    sizes = []
    real = ImageFile.ImageFile.load

    def spy(self):
        sizes.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return sizes


# --- opening ---------------------------------------------------------------------------------


def test_the_type_comes_from_the_content_not_the_name(tmp_path):
    path = tmp_path / "looks-like.jpg"
    imagegen.photo(1, (64, 48)).save(path, "PNG")
    with open_picture(path) as image:
        assert image.format == "PNG"
    with open_picture(path.read_bytes()) as image:
        assert image.format == "PNG" and image.size == (64, 48)


def test_heif_is_opened_without_registering_it_first(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    pillow_heif.from_pillow(imagegen.photo(2, (160, 120))).save(buf, quality=80)
    picture = load_picture(buf.getvalue())
    assert picture.size == (160, 120) and picture.mode == "RGB"


# --- limits ----------------------------------------------------------------------------------


def test_a_huge_jpeg_is_refused_in_full_but_not_reduced():
    data = _with_size(_jpeg_bytes(imagegen.photo(0, (64, 48))), 20000, 15000)  # 300 MP, decodes at 1/8
    with open_picture(data) as image:
        assert refusal(image, side=128) is None
        assert "decoding 20000×15000 pixels" in refusal(image)
        with pytest.raises(UnreadableFile, match="refused as a decompression bomb"):
            decode(image)


def test_stored_pixels_have_a_limit_too():
    data = _with_size(_jpeg_bytes(imagegen.photo(0, (64, 48))), 65000, 65000)
    with open_picture(data) as image:
        assert refusal(image, side=128) == f"65000×65000 pixels exceeds the limit of {JPEG_PIXEL_LIMIT}"


def test_other_formats_keep_pillows_refusal_at_open():
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0))  # 900 MP claimed, no data
    with pytest.raises(Image.DecompressionBombError):
        open_picture(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IEND", b""))


# --- reduced decode --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "side", "decoded"),
    [
        ((2048, 1536), 128, (256, 192)),  # 1/8: the short side keeps 192 >= 128
        ((1024, 768), 128, (256, 192)),  # 1/4: at 1/8 it would keep 96
        ((1920, 1080), 128, (240, 135)),
        ((1600, 1200), 800, (1600, 1200)),  # at 1/2 the short side would be 600 < 800
        ((400, 300), 1000, (400, 300)),
    ],
)
def test_a_jpeg_is_decoded_reduced_keeping_side_on_its_short_side(decoded_sizes, size, side, decoded):
    data = _jpeg_bytes(imagegen.photo(3, size), quality=80)
    picture = decode(open_picture(data), side=side)
    assert decoded_sizes[-1] == decoded
    assert max(picture.size) == min(side, max(size))


def test_without_side_the_picture_is_decoded_whole(decoded_sizes):
    picture = decode(open_picture(_jpeg_bytes(imagegen.photo(3, (1024, 768)))))
    assert decoded_sizes[-1] == (1024, 768) and picture.size == (1024, 768)


def test_the_reader_decodes_through_the_same_door(tmp_path, decoded_sizes):
    path = imagegen.write_jpeg(tmp_path / "a.jpg", seed=4, size=(2048, 1536))
    read_file(path)
    assert (256, 192) in decoded_sizes and (2048, 1536) not in decoded_sizes


# --- orientation -----------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_picture_comes_out_as_displayed(tmp_path, orientation):
    upright = imagegen.photo(5, (240, 160), noise=0.0)
    op = _STORE[orientation]
    stored = upright.transpose(getattr(Image.Transpose, op)) if op else upright
    path = imagegen.write_jpeg(tmp_path / f"o{orientation}.jpg", stored, orientation=orientation, quality=95)
    shown = load_picture(path)  # orientation read from the file's EXIF
    assert shown.size == (240, 160)
    assert np.abs(np.asarray(shown, np.int16) - np.asarray(upright, np.int16)).mean() < 4
    assert load_picture(path, orientation=None).size == stored.size  # as stored
    assert load_picture(path, orientation=1).size == stored.size


def test_heif_is_turned_by_libheif_only_once(tmp_path):
    """libheif applies a HEIF's rotation itself; turning it again by its EXIF would show it sideways."""
    pytest.importorskip("pillow_heif")
    from forensics.read.decode import register_heif

    register_heif()
    upright = imagegen.photo(6, (320, 240))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "o6.heic"
    upright.transpose(Image.Transpose.ROTATE_90).save(path, format="HEIF", exif=exif.tobytes(), quality=90)
    record = read_file(path)
    assert record.metadata.orientation == 6 and record.display_size == (320, 240)
    assert load_picture(path).size == (320, 240)
    assert load_picture(path, orientation=record.metadata.orientation).size == (320, 240)
    assert previews(path, orientation=record.metadata.orientation).size == (320, 240)  # the report's picture too


def test_resizing_comes_before_turning():
    """The order the stored hashes were made in: Pillow resizes in two passes, so the orders differ by rounding."""
    image = imagegen.photo(7, (500, 375))
    data = _jpeg_bytes(image, quality=95, exif=imagegen.exif_bytes(orientation=6))
    with open_picture(data) as opened:
        opened.draft(None, (128, 128))
        opened.load()
        resized_first, turned_first = orient(fit(opened, 128), 6), fit(orient(opened, 6), 128)
    got = np.asarray(load_picture(data, side=128))
    assert np.array_equal(got, np.asarray(resized_first)) and not np.array_equal(got, np.asarray(turned_first))


# --- flattening ------------------------------------------------------------------------------


def test_flatten_shows_what_a_viewer_shows():
    rgba = Image.new("RGBA", (8, 8), (10, 20, 30, 0))
    assert flatten(rgba).getpixel((0, 0)) == (255, 255, 255)  # transparent over white
    half = Image.new("LA", (8, 8), (0, 128))
    assert flatten(half).getpixel((0, 0)) == (127, 127, 127)
    pal = Image.new("P", (8, 8), 3)
    pal.info["transparency"] = 3
    assert flatten(pal).getpixel((0, 0)) == (255, 255, 255)
    assert flatten(Image.new("I;16", (8, 8), 65535)).getpixel((0, 0)) == 255  # 16-bit scaled to 8
    assert flatten(Image.new("1", (8, 8), 1)).mode == "L"
    assert flatten(Image.new("CMYK", (8, 8))).mode == "RGB"
    rgb = Image.new("RGB", (8, 8))
    assert flatten(rgb) is rgb


def test_decoded_pictures_are_8_bit_and_independent(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.full((40, 60), 40000, np.uint16)).save(path)
    with open_picture(path) as image:
        picture = decode(image)
    assert picture.mode == "L" and picture.getpixel((0, 0)) == 40000 * 255 // 65535
    small = tmp_path / "small.png"
    Image.new("RGB", (20, 10), "red").save(small)
    with open_picture(small) as image:
        picture = decode(image)
    assert picture.getpixel((0, 0)) == (255, 0, 0)  # still readable once the file's image is closed


# --- warnings --------------------------------------------------------------------------------


def _exif_past_end() -> bytes:
    """A JPEG whose EXIF Make points past the end of the file: Pillow warns when it opens it."""
    tiff = b"MM\x00*" + struct.pack(">I", 8)
    ifd = struct.pack(">H", 1) + struct.pack(">HHII", 0x010F, 2, 40, 0x7FFFFF00) + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff + ifd
    data = _jpeg_bytes(imagegen.photo(0, (64, 48)))
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[2:]


def test_decoder_warnings_stay_off_stderr():
    data = _exif_past_end()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning):
            open_picture(data)  # the reader records these as problems of the file
        assert load_picture(data).size == (64, 48)  # later decodes drop them


# --- one door --------------------------------------------------------------------------------

# Where Pillow may still open data itself: the door, and the error level picture re-reading
# its own resave from memory (pixels it has just encoded, not a file).
_OPENERS_ALLOWED = {"read/decode.py", "pixels/ela.py"}


def test_every_picture_is_decoded_through_the_door():
    openers = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bImage\.open\(|jpeg_factory\(|\.draft\(|exif_transpose\(", text):
            openers.add(path.relative_to(PACKAGE).as_posix())
    assert openers == _OPENERS_ALLOWED


def test_one_video_frame_grabber():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "video.py":
            assert "VideoCapture(" not in text, path


def test_a_video_is_shown_by_its_frame_a_tenth_of_the_way_in(tmp_path):
    import cv2

    from forensics.read.video import frame_at

    path = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for i in range(20):
        writer.write(np.full((120, 160, 3), 10 * i, np.uint8))
    writer.release()
    assert round(np.asarray(frame_at(path)).mean() / 10) == 2  # 2 s long: the frame at 0.2 s
    shown = previews(path, video=True, max_side=80)
    assert shown.size == (80, 60) and round(np.asarray(Image.open(io.BytesIO(shown.picture))).mean() / 10) == 2


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "RGB"), ("PNG", "RGB"), ("BMP", "RGB"), ("PPM", "RGB"), ("PPM", "L")])
def test_a_shared_decode_keeps_its_pixels_after_the_source_is_closed(tmp_path, fmt, mode):
    # share=True hands over the decoded pixels without copying them; closing the opened picture
    # (which drops its own, or unmaps a mapped file: Pillow maps a grey PGM) must leave the result whole
    path = tmp_path / f"p.{fmt.lower()}"
    Image.effect_noise((320, 240), 40).convert(mode).save(path, fmt)
    with open_picture(path) as image:
        image.load()
        mapped = bool(getattr(image, "map", None))
    assert mapped == (mode == "L"), "the case of a mapped file is not the one tested"
    with open_picture(path) as image:
        copied = decode(image, side=640)
    with open_picture(path) as image:
        shared = decode(image, side=640, share=True)
    assert shared.size == (320, 240)
    assert shared.tobytes() == copied.tobytes()
    shared.load()
    assert shared.getpixel((5, 5)) == copied.getpixel((5, 5))
