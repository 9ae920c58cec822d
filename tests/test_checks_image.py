"""Per-image checks, each seen firing and staying silent.

The checks read only the record, so most tests give them records built in
Python (``tests/records.py``); what the reader puts in a record is tested in
``test_metadata.py``. Real files remain where the behaviour lives in the
pixels (the thumbnail against its picture) and for a phone original end to end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import imagegen
import pytest
from PIL import Image
from records import CAMERA_JPEG, camera_record, flipped, hashes, make_record, thumbnail

from forensics import Severity, read_file
from forensics.checks import REGISTRY, CheckContext
from forensics.checks.registry import run_image_checks
from forensics.knowledge.filenames import screenshot_name
from forensics.records.record import ImageRecord, JpegInfo, XmpInfo

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
PER_IMAGE = ("unreadable", "type-mismatch", "metadata-stripped", "editing-software", "date-mismatch",
             "thumbnail-mismatch", "dimension-mismatch", "jpeg-recompressed", "screenshot", "future-date")  # fmt: skip


def findings(record: ImageRecord, check_id: str, now: dt.datetime = NOW):
    return run_image_checks(record, CheckContext(now=now), only=[check_id])


def read_findings(path, check_id: str):
    return findings(read_file(path), check_id)


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


def test_camera_record_is_what_the_reader_makes_of_a_phone_original(original):
    """The record the other tests start from is the reader's record of the same file, but for the hashes."""
    real, built = read_file(original), camera_record(str(original), software="9.3.2")
    for name in ("kind", "format", "mime", "extension", "width", "height", "error", "problems"):
        assert getattr(built, name) == getattr(real, name), name
    m, b = real.metadata, built.metadata
    for name in ("make", "model", "software", "datetime_original", "datetime_digitized", "datetime", "offset_time_original",
                 "camera_fields", "exif_width", "exif_height", "orientation", "gps", "xmp", "user_comment", "flash"):  # fmt: skip
        assert getattr(b, name) == getattr(m, name), name
    assert (b.jpeg.standard_tables, b.jpeg.quality, b.jpeg.subsampling) == (m.jpeg.standard_tables, m.jpeg.quality, m.jpeg.subsampling)
    keep = ("present", "width", "height", "content_width", "content_height")
    assert [getattr(b.thumbnail, k) for k in keep] == [getattr(m.thumbnail, k) for k in keep]
    assert run_image_checks(built, CheckContext(now=NOW), only=list(PER_IMAGE)) == []


# unreadable


def test_unreadable_fires():
    (f,) = findings(make_record("/x.jpg", error="cannot open as JPEG: broken data stream"), "unreadable")
    assert f.severity is Severity.WARNING and f.evidence["reason"] == "cannot open as JPEG: broken data stream"


def test_unreadable_notice_for_damaged_metadata():
    problem = "EXIF thumbnail: cannot decode (broken data stream)"
    (f,) = findings(camera_record("/t.jpg", problems=(problem,)), "unreadable")
    assert f.severity is Severity.NOTICE and f.evidence["problems"] == [problem] and "metadata is damaged" in f.message


def test_unreadable_silent():
    assert findings(camera_record(), "unreadable") == []


# type-mismatch


def test_type_mismatch_fires():
    (f,) = findings(make_record("/photo.jpg", format="PNG", mime="image/png"), "type-mismatch")
    assert f.severity is Severity.NOTICE and (f.evidence["claimed"], f.evidence["detected"]) == ("JPEG", "PNG")
    text = make_record("/text.jpg", kind="unknown", format=None, width=None, height=None, hashes=None,
                       error="not a recognised image or video format")  # fmt: skip
    (f,) = findings(text, "type-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["detected"] is None  # unreadable carries the warning


def test_type_mismatch_silent():
    assert findings(camera_record(), "type-mismatch") == []
    assert findings(make_record("/noext", format="PNG", mime="image/png"), "type-mismatch") == []


# metadata-stripped


def test_metadata_stripped_fires():
    (f,) = findings(make_record("/stripped.jpg"), "metadata-stripped")
    assert f.severity is Severity.NOTICE and f.evidence["exif_thumbnail"] is False


def test_metadata_stripped_silent():
    assert findings(camera_record(), "metadata-stripped") == []
    assert findings(make_record("/drawing.png"), "metadata-stripped") == []  # PNG never carried camera metadata


# editing-software


def test_editing_software_fires():
    (f,) = findings(camera_record("/e.jpg", software="Adobe Photoshop CC 2015 (Windows)"), "editing-software")
    assert f.severity is Severity.NOTICE and "Adobe Photoshop" in f.message
    assert f.evidence["fields"] == {"Software": "Adobe Photoshop CC 2015 (Windows)"}


def test_editing_software_history_is_a_warning():
    agent = "Adobe Photoshop CC 2015 (Windows)"
    xmp = XmpInfo(creator_tool=agent, history=({"action": "created", "softwareAgent": agent, "when": "2016-06-23T09:00:00+03:00"},
                                                {"action": "saved", "softwareAgent": agent, "when": "2016-06-23T10:00:00+03:00"}))  # fmt: skip
    (f,) = findings(camera_record("/h.jpg", xmp=xmp), "editing-software")
    assert f.severity is Severity.WARNING and f.evidence["history"][0]["action"] == "saved"


def test_editing_software_silent():
    assert findings(camera_record(), "editing-software") == []
    assert findings(camera_record("/fw.jpg", software="G930FXXU1APF2"), "editing-software") == []  # firmware, not an editor


# date-mismatch


def test_date_mismatch_saved_later():
    (f,) = findings(camera_record("/d.jpg", datetime_original="2016:06:19 14:22:33", datetime="2016:07:01 09:00:00"), "date-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["difference_seconds"] > 86400


def test_date_mismatch_modified_before_taken():
    (f,) = findings(camera_record("/d.jpg", datetime_original="2016:06:19 14:22:33", datetime="2015:01:01 09:00:00"), "date-mismatch")
    assert f.severity is Severity.WARNING


def test_date_mismatch_digitized():
    record = camera_record("/d.jpg", datetime_original="1999:06:19 14:22:33", datetime_digitized="2016:06:19 14:22:33",
                           datetime="1999:06:19 14:22:33")  # fmt: skip
    (f,) = findings(record, "date-mismatch")
    assert "datetime_digitized" in f.evidence


def test_date_mismatch_silent():
    assert findings(camera_record(), "date-mismatch") == []
    record = camera_record("/d.jpg", datetime_original="2016:06:19 14:22:33", datetime="2016:06:19 14:23:00")
    assert findings(record, "date-mismatch") == []


def test_date_mismatch_compares_instants_when_offsets_are_stated():
    """Taken at 14:00 in +03:00, saved at 11:05 in +00:00: five minutes later, not three hours earlier."""
    record = camera_record("/tz.jpg", datetime_original="2016:06:19 14:00:00", datetime="2016:06:19 11:05:00",
                           offset_time="+00:00", offset_time_original="+03:00", offset_time_digitized="+03:00")  # fmt: skip
    (f,) = findings(record, "date-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["difference_seconds"] == 300


# thumbnail-mismatch: what a thumbnail hashes to comes from pixels, so real files show
# the behaviour; records pin the thresholds between the bands


def test_thumbnail_mismatch_content(tmp_path):
    other = imagegen.photo(99, (160, 120))
    p = imagegen.write_jpeg(tmp_path / "t.jpg", seed=1, thumbnail=other)
    (f,) = read_findings(p, "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and f.evidence["distances"]["phash"] >= 16


def test_thumbnail_mismatch_aspect(tmp_path):
    picture = imagegen.photo(1, (640, 480))
    thumb = picture.resize((160, 120))
    cropped = picture.crop((0, 0, 640, 300))  # cropped after the thumbnail was made
    p = imagegen.write_jpeg(tmp_path / "c.jpg", cropped, thumbnail=thumb)
    (f,) = read_findings(p, "thumbnail-mismatch")
    assert "thumbnail_aspect" in f.evidence and f.evidence["thumbnail_aspect"] == pytest.approx(4 / 3, rel=0.01)


def test_thumbnail_mismatch_silent(tmp_path):
    # a 16:9 picture whose thumbnail is padded to 4:3 with black bars, as phones do
    picture = imagegen.photo(2, (640, 360))
    thumb = Image.new("RGB", (160, 120))
    thumb.paste(picture.resize((160, 90)), (0, 15))
    p = imagegen.write_jpeg(tmp_path / "wide.jpg", picture, thumbnail=thumb)
    assert read_findings(p, "thumbnail-mismatch") == []
    # rotated by EXIF orientation: the thumbnail is stored like the picture
    p = imagegen.write_jpeg(tmp_path / "rot.jpg", seed=3, orientation=6)
    assert read_findings(p, "thumbnail-mismatch") == []


@pytest.mark.parametrize(
    "bits, severity",
    [
        ({"phash": 16, "dhash": 16}, Severity.WARNING),  # two structural hashes far apart
        ({"phash": 40}, None),  # one alone: noise in one hash, not another picture
        ({"phash": 11, "dhash": 11}, Severity.NOTICE),  # retouched: beyond the same-picture range
        ({"phash": 10, "dhash": 10, "ahash": 10}, None),  # within what one picture's thumbnail shows
    ],
)
def test_thumbnail_mismatch_bands(bits, severity):
    h = hashes(1)
    got = findings(camera_record("/t.jpg", hashes=h, thumbnail=thumbnail(flipped(h, **bits))), "thumbnail-mismatch")
    assert [f.severity for f in got] == ([severity] if severity else [])


def test_thumbnail_mismatch_passes_over_what_it_cannot_compare():
    h = hashes(1)
    far = flipped(h, phash=32, dhash=32, ahash=32)
    flat = dataclasses.replace(h, ahash="0" * 16)  # a blank picture: its hash bits mean nothing
    assert findings(camera_record("/flat.jpg", hashes=flat, thumbnail=thumbnail(far)), "thumbnail-mismatch") == []
    assert findings(camera_record("/unhashed.jpg", hashes=h, thumbnail=thumbnail(None)), "thumbnail-mismatch") == []
    # a thumbnail turned a quarter: a rotation, not a crop; the hashes decide
    assert findings(camera_record("/turned.jpg", hashes=h, thumbnail=thumbnail(h, (120, 160))), "thumbnail-mismatch") == []


# dimension-mismatch


def test_dimension_mismatch_fires():
    # EXIF claims the camera's full size; the stored picture was resized
    (f,) = findings(camera_record("/resized.jpg", exif_width=4032, exif_height=3024), "dimension-mismatch")
    assert f.evidence == {"exif_size": [4032, 3024], "decoded_size": [640, 480]}


def test_dimension_mismatch_silent():
    assert findings(camera_record(), "dimension-mismatch") == []
    rotated = camera_record("/rotated.jpg", exif_width=480, exif_height=640, orientation=6)
    assert findings(rotated, "dimension-mismatch") == []  # some phones write the displayed size


def test_dimension_mismatch_names_a_quarter_turn():
    # the same size turned, with no Orientation tag to account for it: turned after capture (tests/test_turns.py)
    (f,) = findings(camera_record("/turned.jpg", exif_width=480, exif_height=640), "dimension-mismatch")
    assert f.severity is Severity.INFO and f.evidence["turn"] is None and f.evidence["exif_size"] == [480, 640]


# jpeg-recompressed


def test_jpeg_recompressed_fires():
    social = make_record("/social.jpg", jpeg=JpegInfo(quality=72.0, standard_tables=True, subsampling="4:2:0"))
    (f,) = findings(social, "jpeg-recompressed")
    assert f.severity is Severity.NOTICE and f.evidence["quality"] == 72.0 and f.evidence["standard_tables"]
    low = make_record("/platform.jpg", jpeg=dataclasses.replace(CAMERA_JPEG, quality=70.0))
    (f,) = findings(low, "jpeg-recompressed")  # custom tables, but lower than cameras write
    assert f.severity is Severity.NOTICE and f.evidence["standard_tables"] is False


def test_jpeg_recompressed_is_context_on_camera_files():
    cam = camera_record("/cam.jpg", jpeg=JpegInfo(quality=92.0, standard_tables=True))  # camera metadata, standard tables
    (f,) = findings(cam, "jpeg-recompressed")
    assert f.severity is Severity.INFO


def test_jpeg_recompressed_silent():
    assert findings(camera_record(), "jpeg-recompressed") == []
    assert findings(make_record("/a.png"), "jpeg-recompressed") == []


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


def test_screenshot_name_fires():
    (f,) = findings(make_record("/Screen Shot 2016-06-22 at 6.31.04 PM.png", width=300, height=200), "screenshot")
    assert f.severity is Severity.INFO
    assert f.evidence["file_name_time"] == "2016-06-22T18:31:04" and f.evidence["signals"]["file_name"] == "macOS"


def test_screenshot_geometry_fires():
    (f,) = findings(make_record("/IMG_5000.PNG", width=750, height=1334), "screenshot")
    assert "iPhone 6" in f.evidence["signals"]["screen_size"] and f.evidence["camera_metadata"] is False


def test_screenshot_name_with_camera_data_is_a_notice():
    (f,) = findings(camera_record("/Screenshot_20160622-183104.jpg"), "screenshot")
    assert f.severity is Severity.NOTICE and f.evidence["camera_metadata"] is True


def test_screenshot_silent():
    assert findings(camera_record(), "screenshot") == []
    assert findings(make_record("/drawing.png", width=300, height=200), "screenshot") == []  # no screen size, no screenshot name
    cam = camera_record("/IMG_1.jpg", width=1080, height=1920)  # screen-sized, but a camera's
    assert findings(cam, "screenshot") == []


# future-date


def test_future_date_fires():
    (f,) = findings(camera_record("/f.jpg", datetime_original="2030:01:01 00:00:00"), "future-date")
    assert f.severity is Severity.WARNING and "DateTimeOriginal" in f.evidence["stamps"]
    (f,) = findings(make_record("/Screenshot_20300622-183104.png", width=64, height=48), "future-date")
    assert "file name" in f.evidence["stamps"]


def test_future_date_silent():
    assert findings(camera_record(), "future-date") == []
    # the day after NOW in UTC+14 is not yet the future anywhere
    assert findings(camera_record("/f.jpg", datetime_original="2024:01:01 13:00:00"), "future-date") == []
