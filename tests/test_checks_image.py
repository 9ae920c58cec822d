"""Per-image checks, each seen firing and staying silent."""

from __future__ import annotations

import datetime as dt

import imagegen
import pytest
from PIL import Image

from forensics import Severity, read_file
from forensics.checks import REGISTRY, CheckContext
from forensics.checks.registry import run_image_checks
from forensics.knowledge.filenames import screenshot_name

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
PER_IMAGE = ("unreadable", "type-mismatch", "metadata-stripped", "editing-software", "date-mismatch",
             "thumbnail-mismatch", "dimension-mismatch", "jpeg-recompressed", "screenshot", "future-date")  # fmt: skip


def findings(path, check_id, now=NOW):
    record = read_file(path)
    return [f for f in run_image_checks(record, CheckContext(now=now), only=[check_id])]


def test_registered():
    ids = {c.id for c in REGISTRY.values() if c.scope == "image"}
    assert set(PER_IMAGE) <= ids


@pytest.fixture
def original(tmp_path):
    """A phone original: camera tables, full EXIF, its own thumbnail."""
    return imagegen.camera_jpeg(tmp_path / "IMG_0001.JPG", seed=1, software="9.3.2")


def test_original_is_quiet(original):
    record = read_file(original)
    got = run_image_checks(record, CheckContext(now=NOW), only=list(PER_IMAGE))
    assert got == []


# unreadable


def test_unreadable_fires(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 10)
    (f,) = findings(bad, "unreadable")
    assert f.severity is Severity.WARNING and f.evidence["reason"]


def test_unreadable_notice_for_damaged_metadata(tmp_path):
    thumb = Image.new("RGB", (8, 8))
    path = imagegen.write_jpeg(tmp_path / "t.jpg", thumbnail=thumb)
    data = bytearray(path.read_bytes())
    i = data.find(b"\xff\xd8", 4)  # the thumbnail's start: break it
    data[i + 2 : i + 40] = b"\x00" * 38
    path.write_bytes(bytes(data))
    (f,) = findings(path, "unreadable")
    assert f.severity is Severity.NOTICE and any("thumbnail" in p for p in f.evidence["problems"])


def test_unreadable_silent(original):
    assert findings(original, "unreadable") == []


# type-mismatch


def test_type_mismatch_fires(tmp_path):
    p = tmp_path / "photo.jpg"
    imagegen.photo(0, (64, 48)).save(p, "PNG")
    (f,) = findings(p, "type-mismatch")
    assert f.severity is Severity.NOTICE and (f.evidence["claimed"], f.evidence["detected"]) == ("JPEG", "PNG")
    t = tmp_path / "text.jpg"
    t.write_text("hello")
    (f,) = findings(t, "type-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["detected"] is None  # unreadable carries the warning


def test_type_mismatch_silent(tmp_path, original):
    assert findings(original, "type-mismatch") == []
    p = tmp_path / "noext"
    imagegen.photo(0, (64, 48)).save(p, "PNG")
    assert findings(p, "type-mismatch") == []


# metadata-stripped


def test_metadata_stripped_fires(tmp_path):
    p = tmp_path / "stripped.jpg"
    imagegen.photo(0, (640, 480)).save(p, "JPEG", quality=80)
    (f,) = findings(p, "metadata-stripped")
    assert f.severity is Severity.NOTICE and f.evidence["exif_thumbnail"] is False


def test_metadata_stripped_silent(tmp_path, original):
    assert findings(original, "metadata-stripped") == []
    png = tmp_path / "drawing.png"
    imagegen.photo(0, (64, 48)).save(png)
    assert findings(png, "metadata-stripped") == []  # PNG never carried camera metadata


# editing-software


def test_editing_software_fires(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "e.jpg", software="Adobe Photoshop CC 2015 (Windows)")
    (f,) = findings(p, "editing-software")
    assert f.severity is Severity.NOTICE and "Adobe Photoshop" in f.message
    assert f.evidence["fields"] == {"Software": "Adobe Photoshop CC 2015 (Windows)"}


def test_editing_software_history_is_a_warning(tmp_path):
    from test_metadata import XMP

    p = tmp_path / "h.jpg"
    imagegen.photo(0, (64, 48)).save(p, "JPEG", xmp=XMP, exif=imagegen.exif_bytes())
    (f,) = findings(p, "editing-software")
    assert f.severity is Severity.WARNING and f.evidence["history"][0]["action"] == "saved"


def test_editing_software_silent(tmp_path, original):
    assert findings(original, "editing-software") == []
    p = imagegen.write_jpeg(tmp_path / "fw.jpg", software="G930FXXU1APF2")  # firmware, not an editor
    assert findings(p, "editing-software") == []


# date-mismatch


def test_date_mismatch_saved_later(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "d.jpg", datetime_original="2016:06:19 14:22:33", datetime="2016:07:01 09:00:00")
    (f,) = findings(p, "date-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["difference_seconds"] > 86400


def test_date_mismatch_modified_before_taken(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "d.jpg", datetime_original="2016:06:19 14:22:33", datetime="2015:01:01 09:00:00")
    (f,) = findings(p, "date-mismatch")
    assert f.severity is Severity.WARNING


def test_date_mismatch_digitized(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "d.jpg", datetime_original="1999:06:19 14:22:33", datetime_digitized="2016:06:19 14:22:33",
                            datetime="1999:06:19 14:22:33")  # fmt: skip
    (f,) = findings(p, "date-mismatch")
    assert "datetime_digitized" in f.evidence


def test_date_mismatch_silent(tmp_path, original):
    assert findings(original, "date-mismatch") == []
    p = imagegen.write_jpeg(tmp_path / "d.jpg", datetime_original="2016:06:19 14:22:33", datetime="2016:06:19 14:23:00")
    assert findings(p, "date-mismatch") == []


def test_date_mismatch_compares_instants_when_offsets_are_stated(tmp_path):
    """Taken at 14:00 in +03:00, saved at 11:05 in +00:00: five minutes later, not three hours earlier."""
    import piexif

    extra = {"Exif": {piexif.ExifIFD.OffsetTime: "+00:00", piexif.ExifIFD.OffsetTimeOriginal: "+03:00",
                      piexif.ExifIFD.OffsetTimeDigitized: "+03:00"}}  # fmt: skip
    p = imagegen.write_jpeg(tmp_path / "tz.jpg", datetime_original="2016:06:19 14:00:00", datetime="2016:06:19 11:05:00", extra=extra)
    (f,) = findings(p, "date-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["difference_seconds"] == 300


# thumbnail-mismatch


def test_thumbnail_mismatch_content(tmp_path):
    other = imagegen.photo(99, (160, 120))
    p = imagegen.write_jpeg(tmp_path / "t.jpg", seed=1, thumbnail=other)
    (f,) = findings(p, "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and f.evidence["distances"]["phash"] >= 16


def test_thumbnail_mismatch_aspect(tmp_path):
    picture = imagegen.photo(1, (640, 480))
    thumb = picture.resize((160, 120))
    cropped = picture.crop((0, 0, 640, 300))  # cropped after the thumbnail was made
    p = imagegen.write_jpeg(tmp_path / "c.jpg", cropped, thumbnail=thumb)
    (f,) = findings(p, "thumbnail-mismatch")
    assert "thumbnail_aspect" in f.evidence and f.evidence["thumbnail_aspect"] == pytest.approx(4 / 3, rel=0.01)


def test_thumbnail_mismatch_silent(tmp_path, original):
    assert findings(original, "thumbnail-mismatch") == []
    # a 16:9 picture whose thumbnail is padded to 4:3 with black bars, as phones do
    picture = imagegen.photo(2, (640, 360))
    thumb = Image.new("RGB", (160, 120))
    thumb.paste(picture.resize((160, 90)), (0, 15))
    p = imagegen.write_jpeg(tmp_path / "wide.jpg", picture, thumbnail=thumb)
    assert findings(p, "thumbnail-mismatch") == []
    # rotated by EXIF orientation: the thumbnail is stored like the picture
    p = imagegen.write_jpeg(tmp_path / "rot.jpg", seed=3, orientation=6)
    assert findings(p, "thumbnail-mismatch") == []


# dimension-mismatch


def test_dimension_mismatch_fires(tmp_path):
    # EXIF claims the camera's full size; the stored picture was resized
    p = tmp_path / "resized.jpg"
    imagegen.photo(1, (640, 480)).save(p, "JPEG", exif=imagegen.exif_bytes(size=(4032, 3024)))
    (f,) = findings(p, "dimension-mismatch")
    assert f.evidence == {"exif_size": [4032, 3024], "decoded_size": [640, 480]}


def test_dimension_mismatch_silent(tmp_path, original):
    assert findings(original, "dimension-mismatch") == []
    p = tmp_path / "rotated.jpg"
    imagegen.photo(1, (640, 480)).save(p, "JPEG", exif=imagegen.exif_bytes(size=(480, 640)))
    assert findings(p, "dimension-mismatch") == []  # some phones write the displayed size


# jpeg-recompressed


def test_jpeg_recompressed_fires(tmp_path):
    p = tmp_path / "social.jpg"
    imagegen.photo(1, (640, 480)).save(p, "JPEG", quality=72)
    (f,) = findings(p, "jpeg-recompressed")
    assert f.severity is Severity.NOTICE and f.evidence["quality"] == 72.0 and f.evidence["standard_tables"]


def test_jpeg_recompressed_is_context_on_camera_files(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "cam.jpg", quality=92)  # camera metadata, standard tables
    (f,) = findings(p, "jpeg-recompressed")
    assert f.severity is Severity.INFO


def test_jpeg_recompressed_silent(tmp_path, original):
    assert findings(original, "jpeg-recompressed") == []
    png = tmp_path / "a.png"
    imagegen.photo(0, (64, 48)).save(png)
    assert findings(png, "jpeg-recompressed") == []


# screenshot


@pytest.mark.parametrize(
    "name, source, when",
    [
        ("Screen Shot 2016-06-22 at 6.31.04 PM.png", "macOS", dt.datetime(2016, 6, 22, 18, 31, 4)),
        ("Screenshot 2019-03-02 at 09.15.00.png", "macOS", dt.datetime(2019, 3, 2, 9, 15)),
        ("Screenshot_20160622-183104.png", "Android", dt.datetime(2016, 6, 22, 18, 31, 4)),
        ("Screenshot_2016-06-22-18-31-04-123.png", "Android", dt.datetime(2016, 6, 22, 18, 31, 4)),
        ("Screenshot (12).png", "generic", None),
    ],
)
def test_screenshot_names(name, source, when):
    got = screenshot_name(name)
    assert got is not None and (got.source, got.time) == (source, when)


def test_screenshot_name_fires(tmp_path):
    p = tmp_path / "Screen Shot 2016-06-22 at 6.31.04 PM.png"
    imagegen.photo(0, (300, 200)).save(p)
    (f,) = findings(p, "screenshot")
    assert f.severity is Severity.INFO
    assert f.evidence["file_name_time"] == "2016-06-22T18:31:04" and f.evidence["signals"]["file_name"] == "macOS"


def test_screenshot_geometry_fires(tmp_path):
    p = tmp_path / "IMG_5000.PNG"
    imagegen.photo(0, (750, 1334)).save(p)
    (f,) = findings(p, "screenshot")
    assert "iPhone 6" in f.evidence["signals"]["screen_size"] and f.evidence["camera_metadata"] is False


def test_screenshot_name_with_camera_data_is_a_notice(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "Screenshot_20160622-183104.jpg")
    (f,) = findings(p, "screenshot")
    assert f.severity is Severity.NOTICE and f.evidence["camera_metadata"] is True


def test_screenshot_silent(tmp_path, original):
    assert findings(original, "screenshot") == []
    p = tmp_path / "drawing.png"
    imagegen.photo(0, (300, 200)).save(p)  # no screen size, no screenshot name
    assert findings(p, "screenshot") == []
    cam = imagegen.write_jpeg(tmp_path / "IMG_1.jpg", size=(1080, 1920))  # screen-sized, but a camera's
    assert findings(cam, "screenshot") == []


# future-date


def test_future_date_fires(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "f.jpg", datetime_original="2030:01:01 00:00:00")
    (f,) = findings(p, "future-date")
    assert f.severity is Severity.WARNING and "DateTimeOriginal" in f.evidence["stamps"]
    s = tmp_path / "Screenshot_20300622-183104.png"
    imagegen.photo(0, (64, 48)).save(s)
    (f,) = findings(s, "future-date")
    assert "file name" in f.evidence["stamps"]


def test_future_date_silent(tmp_path, original):
    assert findings(original, "future-date") == []
    # the day after NOW in UTC+14 is not yet the future anywhere
    p = imagegen.write_jpeg(tmp_path / "f.jpg", datetime_original="2024:01:01 13:00:00")
    assert findings(p, "future-date") == []
