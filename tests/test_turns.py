"""A picture turned or mirrored without its EXIF thumbnail: named, not taken for another picture.

Cameras turn the main picture for their orientation sensor and leave the
thumbnail as shot; lossless rotation (jpegtran, file managers, viewers) turns
the pixels and leaves the EXIF block, thumbnail and pixel size included, as it
was. ``thumbnail-mismatch`` and ``dimension-mismatch`` name the turn; only a
thumbnail that matches under no turn or flip stays a warning. Records built in
Python pin the rules; real files, turned with libjpeg-turbo's ``jpegtran``,
show the reader and the checks together. Black bars are cut from a thumbnail
only where they are padding, so a dark edge of the scene keeps its shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import imagegen
import numpy as np
import pytest
from PIL import Image
from records import camera_record, flipped, hashes, thumbnail

from forensics import Severity, read_file
from forensics.checks import CheckContext
from forensics.checks.image import thumbnail_turn
from forensics.checks.registry import run_image_checks
from forensics.read.decode import orient
from forensics.read.hashing import compute_hashes, trim_black_bars, turn, turned_hashes, working_image
from forensics.records.record import TURNS, Hashes, ImageRecord, Thumbnail, TurnedHashes, hex_distance

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
QUARTER = ("rotate-90-cw", "rotate-90-ccw", "transpose", "transverse")
MIRRORS = ("flip-horizontal", "flip-vertical", "transpose", "transverse")
# jpegtran's option for each turn
JPEGTRAN = {"rotate-90-cw": ["-rotate", "90"], "rotate-180": ["-rotate", "180"], "rotate-90-ccw": ["-rotate", "270"],
            "flip-horizontal": ["-flip", "horizontal"], "flip-vertical": ["-flip", "vertical"],
            "transpose": ["-transpose"], "transverse": ["-transverse"]}  # fmt: skip


def findings(record: ImageRecord, check_id: str):
    return run_image_checks(record, CheckContext(now=NOW), only=[check_id])


def structural(h: Hashes) -> TurnedHashes:
    return TurnedHashes(phash=h.phash, dhash=h.dhash, ahash=h.ahash)


def turned_record(
    name: str | None, *, orientation: int | None = None, path: str = "/t.jpg", thumb_size: tuple[int, int] = (160, 120), **fields: object
) -> ImageRecord:
    """A phone original whose stored pixels are its thumbnail turned ``name`` (None: a thumbnail of another picture).

    The thumbnail's hashes as it is are far from the picture's; under ``name``
    they are the picture's own; under every other turn, far again.
    """
    h = hashes(1)
    far = {n: structural(hashes(100 + i)) for i, n in enumerate(TURNS)}
    if name is not None:
        far[name] = structural(h)
    size = (480, 640) if name in QUARTER else (640, 480)  # the stored picture; the thumbnail stays 160×120
    thumb = dataclasses.replace(thumbnail(hashes(99), thumb_size), turned=far)
    fields.setdefault("width", size[0])
    fields.setdefault("height", size[1])
    return camera_record(path, hashes=h, thumbnail=thumb, orientation=orientation, **fields)


# thumbnail-mismatch on records: which turn, how serious


@pytest.mark.parametrize("name", ["rotate-90-cw", "rotate-180", "rotate-90-ccw"])
def test_a_turned_picture_is_information(name):
    (f,) = findings(turned_record(name), "thumbnail-mismatch")
    assert f.severity is Severity.INFO
    assert f.evidence["turn"] == name and f.evidence["orientation_accounts"] is False
    assert f.evidence["turn_distances"] == {"phash": 0, "dhash": 0, "ahash": 0}
    assert "or by the camera; the thumbnail was not" in f.message


def test_the_message_names_the_turn():
    (f,) = findings(turned_record("rotate-90-cw"), "thumbnail-mismatch")
    assert "the picture was turned 90° clockwise after capture, or by the camera; the thumbnail was not" in f.message
    (f,) = findings(turned_record("rotate-90-ccw"), "thumbnail-mismatch")
    assert "turned 90° counter-clockwise after capture" in f.message


@pytest.mark.parametrize("name", MIRRORS)
def test_a_mirrored_picture_is_a_notice(name):
    # no camera mirrors a picture to show it upright; mirroring reverses writing and sides
    (f,) = findings(turned_record(name), "thumbnail-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["turn"] == name
    assert "mirrored" in f.message and "the thumbnail was not" in f.message


@pytest.mark.parametrize(
    "orientation, name, says",
    [
        (6, "rotate-90-cw", "turn the picture a second time"),  # pixels turned as the tag asks, the tag kept
        (6, "rotate-90-ccw", "the thumbnail was stored already turned"),  # the thumbnail stored as displayed
        (8, "rotate-90-ccw", "turn the picture a second time"),
        (3, "rotate-180", "what the Orientation tag (3"),
        (2, "flip-horizontal", "what the Orientation tag (2"),  # a mirror the tag itself asks for
        (5, "transpose", "what the Orientation tag (5"),
    ],
)
def test_a_turn_the_orientation_tag_names_is_accounted_for(orientation, name, says):
    (f,) = findings(turned_record(name, orientation=orientation), "thumbnail-mismatch")
    assert f.severity is Severity.INFO
    assert f.evidence["orientation_accounts"] is True and f.evidence["orientation"] == orientation
    assert says in f.message


def test_a_turn_the_orientation_tag_does_not_name():
    (f,) = findings(turned_record("rotate-180", orientation=6), "thumbnail-mismatch")
    assert f.severity is Severity.INFO and f.evidence["orientation_accounts"] is False
    (f,) = findings(turned_record("flip-horizontal", orientation=6), "thumbnail-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["orientation_accounts"] is False


def test_no_turn_matches_stays_a_warning():
    (f,) = findings(turned_record(None), "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and "turn" not in f.evidence
    assert "no turn or flip of it matches" in f.message


def test_a_record_without_turned_hashes_is_judged_as_it_is():
    # a record written before the turns were hashed: no claim about turns
    record = turned_record("rotate-180")
    record = dataclasses.replace(record, metadata=dataclasses.replace(
        record.metadata, thumbnail=dataclasses.replace(record.metadata.thumbnail, turned={})))  # fmt: skip
    (f,) = findings(record, "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and "no turn or flip" not in f.message


def test_a_turn_must_fit_the_shapes():
    # the thumbnail matches under a quarter turn, but has the picture's own shape: no quarter turn made it
    (f,) = findings(turned_record("rotate-90-cw", width=640, height=480), "thumbnail-mismatch")
    assert f.severity is Severity.WARNING
    # a square picture allows every turn
    (f,) = findings(turned_record("rotate-90-cw", width=480, height=480, thumb_size=(120, 120)), "thumbnail-mismatch")
    assert f.severity is Severity.INFO and f.evidence["turn"] == "rotate-90-cw"


def test_the_thumbnail_as_it_is_comes_first():
    # a symmetric scene matches its own mirror image too: nothing to say when it matches as it is
    h = hashes(1)
    turned = {n: structural(h) for n in TURNS}
    record = camera_record("/t.jpg", hashes=h, thumbnail=dataclasses.replace(thumbnail(flipped(h, phash=3)), turned=turned))
    assert findings(record, "thumbnail-mismatch") == []
    assert thumbnail_turn(record) is None


def test_turned_and_retouched_is_a_notice():
    h = hashes(1)
    turned = {n: structural(hashes(100 + i)) for i, n in enumerate(TURNS)}
    turned["rotate-180"] = structural(flipped(h, phash=12, dhash=12))
    record = camera_record("/t.jpg", hashes=h, thumbnail=dataclasses.replace(thumbnail(hashes(99)), turned=turned))
    (f,) = findings(record, "thumbnail-mismatch")
    assert f.severity is Severity.NOTICE and f.evidence["turn"] == "rotate-180"
    assert "retouched" in f.message


def test_a_cropped_picture_is_still_a_change_of_shape():
    # the shape is looked at before any turn: a crop is not explained by turning
    (f,) = findings(turned_record("rotate-180", width=640, height=300), "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and "thumbnail_aspect" in f.evidence


# dimension-mismatch on records


def test_swapped_exif_size_names_the_thumbnails_turn():
    record = turned_record("rotate-90-cw", exif_width=640, exif_height=480)  # EXIF as shot, pixels 480×640
    (f,) = findings(record, "dimension-mismatch")
    assert f.severity is Severity.INFO and f.evidence["turn"] == "rotate-90-cw"
    assert "turned 90° clockwise after the EXIF was written" in f.message


def test_swapped_exif_size_without_a_thumbnail_turn():
    record = camera_record("/t.jpg", exif_width=480, exif_height=640)  # a quarter turn, way unknown
    (f,) = findings(record, "dimension-mismatch")
    assert f.severity is Severity.INFO and f.evidence["turn"] is None
    assert "turned 90° (one way or the other)" in f.message
    # the size as displayed, as some phones write it: the Orientation tag accounts for the swap
    assert findings(camera_record("/t.jpg", exif_width=480, exif_height=640, orientation=6), "dimension-mismatch") == []


def test_swapped_exif_size_and_a_half_turn_of_the_thumbnail():
    # the thumbnail's turn keeps the shape: it explains nothing about swapped sizes
    record = turned_record("rotate-180", exif_width=480, exif_height=640)
    (f,) = findings(record, "dimension-mismatch")
    assert f.evidence["turn"] is None


def test_a_resize_is_still_a_notice():
    (f,) = findings(turned_record("rotate-90-cw", exif_width=4032, exif_height=3024), "dimension-mismatch")
    assert f.severity is Severity.NOTICE and "resized or cropped" in f.message


# the record: what the reader stores, in JSON


def test_turned_hashes_serialise_by_name():
    t = Thumbnail(present=True, size=10, width=160, height=120, content_width=160, content_height=120,
                  hashes=hashes(1), turned={n: structural(hashes(2)) for n in TURNS})  # fmt: skip
    d = t.to_dict()
    assert list(d) == ["present", "size", "width", "height", "content_width", "content_height", "hashes", "turned"]
    assert list(d["turned"]) == list(TURNS)
    assert d["turned"]["rotate-90-cw"] == {"phash": hashes(2).phash, "dhash": hashes(2).dhash, "ahash": hashes(2).ahash}
    assert Thumbnail().to_dict()["turned"] == {}


def test_the_schema_describes_turned_hashes():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).resolve().parents[1] / "forensics" / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    part = schema["$defs"]["metadata"]["properties"]["thumbnail"]
    cls = jsonschema.validators.validator_for(schema)
    validator = cls({**part, "$defs": schema["$defs"]})
    good = Thumbnail(present=True, hashes=hashes(1), turned={n: structural(hashes(2)) for n in TURNS}).to_dict()
    validator.validate(good)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**good, "turned": {"rotate-45": good["turned"]["rotate-180"]}})
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**good, "turned": {"rotate-180": {"phash": "zz"}}})


def test_turned_hashes_are_the_turned_pictures_hashes():
    """The grids are turned, not the picture: equal to hashing the turned picture, to a bit or two of rounding."""
    for seed in range(4):
        small = working_image(imagegen.photo(seed, (160, 120)))
        for orientation in (None, 3, 6, 7):
            got = turned_hashes(small, orientation)
            assert list(got) == list(TURNS)
            for name, h in got.items():
                want = compute_hashes(orient(turn(small, name), orientation))
                for k in TurnedHashes.NAMES:
                    assert hex_distance(getattr(h, k), getattr(want, k)) <= 3, (seed, orientation, name, k)


def test_turn_names_follow_pillow():
    a = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4))
    T = Image.Transpose
    pillow = {"rotate-90-cw": T.ROTATE_270, "rotate-180": T.ROTATE_180, "rotate-90-ccw": T.ROTATE_90,
              "flip-horizontal": T.FLIP_LEFT_RIGHT, "flip-vertical": T.FLIP_TOP_BOTTOM,
              "transpose": T.TRANSPOSE, "transverse": T.TRANSVERSE}  # fmt: skip
    for name in TURNS:
        assert np.array_equal(np.asarray(turn(a, name)), np.asarray(a.transpose(pillow[name]))), name
    # rotate-90-cw: the top-left corner goes to the top-right
    assert np.asarray(turn(a, "rotate-90-cw"))[0, -1] == 0


# real files: turned losslessly with jpegtran, EXIF left as shot

needs_jpegtran = pytest.mark.skipif(shutil.which("jpegtran") is None, reason="jpegtran (Debian libjpeg-turbo-progs) is not installed")


def jpegtran(src: Path, dst: Path, name: str) -> Path:
    """The file's pixels turned losslessly, every marker (EXIF, thumbnail included) copied as it was."""
    subprocess.run(["jpegtran", *JPEGTRAN[name], "-perfect", "-copy", "all", "-outfile", str(dst), str(src)], check=True)
    return dst


def read_findings(path: Path, check_id: str):
    return findings(read_file(path), check_id)


@needs_jpegtran
@pytest.mark.parametrize("name", TURNS)
def test_a_losslessly_turned_original(tmp_path, name):
    original = imagegen.camera_jpeg(tmp_path / "IMG_0001.JPG", seed=5)
    turned = jpegtran(original, tmp_path / "turned.jpg", name)
    record = read_file(turned)
    assert record.metadata.thumbnail.present and (record.metadata.exif_width, record.metadata.exif_height) == (640, 480)
    (f,) = findings(record, "thumbnail-mismatch")
    assert f.evidence["turn"] == name, f.message
    assert f.severity is (Severity.NOTICE if name in MIRRORS else Severity.INFO)
    assert f.evidence["orientation_accounts"] is False
    dims = findings(record, "dimension-mismatch")
    if name in QUARTER:
        (d,) = dims
        assert d.severity is Severity.INFO and d.evidence["turn"] == name
    else:
        assert dims == []
    assert thumbnail_turn(record) == name


@needs_jpegtran
def test_an_oriented_original_turned_as_its_tag_asks(tmp_path):
    # Orientation 6 kept while the pixels are turned 90° clockwise: the tag accounts for the turn
    original = imagegen.camera_jpeg(tmp_path / "IMG_0002.JPG", seed=6, orientation=6)
    assert read_findings(original, "thumbnail-mismatch") == []
    turned = jpegtran(original, tmp_path / "turned.jpg", "rotate-90-cw")
    (f,) = read_findings(turned, "thumbnail-mismatch")
    assert (f.severity, f.evidence["turn"], f.evidence["orientation_accounts"]) == (Severity.INFO, "rotate-90-cw", True)
    assert "a second time" in f.message


def test_a_camera_that_turned_the_picture_and_not_the_thumbnail(tmp_path):
    # the camera turned the main picture for its orientation sensor, wrote Orientation 1 and its output
    # size, and kept the thumbnail as shot
    shot = imagegen.photo(7, (640, 480))
    thumb = shot.resize((160, 120), Image.Resampling.LANCZOS)
    stored = shot.transpose(Image.Transpose.ROTATE_90)  # turned 90° counter-clockwise
    path = imagegen.write_jpeg(tmp_path / "DSC0001.JPG", stored, qtables=imagegen.CAMERA_QTABLES, thumbnail=thumb, orientation=1)
    record = read_file(path)
    (f,) = findings(record, "thumbnail-mismatch")
    assert (f.severity, f.evidence["turn"], f.evidence["orientation"]) == (Severity.INFO, "rotate-90-ccw", 1)
    assert findings(record, "dimension-mismatch") == []  # the camera wrote the size it stored


@needs_jpegtran
def test_a_turned_file_with_another_pictures_thumbnail_stays_a_warning(tmp_path):
    path = imagegen.write_jpeg(tmp_path / "t.jpg", seed=1, qtables=imagegen.CAMERA_QTABLES, thumbnail=imagegen.photo(99, (160, 120)))
    (f,) = read_findings(path, "thumbnail-mismatch")
    assert f.severity is Severity.WARNING
    for name in ("rotate-90-cw", "rotate-180", "flip-horizontal"):
        (f,) = read_findings(jpegtran(path, tmp_path / f"{name}.jpg", name), "thumbnail-mismatch")
        assert f.severity is Severity.WARNING and "no turn or flip of it matches" in f.message, name


def test_a_cropped_picture_still_warns(tmp_path):
    picture = imagegen.photo(1, (640, 480))
    thumb = picture.resize((160, 120))
    cropped = picture.crop((0, 0, 640, 300))
    (f,) = read_findings(imagegen.write_jpeg(tmp_path / "c.jpg", cropped, thumbnail=thumb), "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and f.evidence["thumbnail_aspect"] == pytest.approx(4 / 3, rel=0.01)
    # cropped, then turned a quarter: still a change of shape, not a turn
    turned = cropped.transpose(Image.Transpose.ROTATE_270)
    (f,) = read_findings(imagegen.write_jpeg(tmp_path / "ct.jpg", turned, thumbnail=thumb), "thumbnail-mismatch")
    assert f.severity is Severity.WARNING and "thumbnail_aspect" in f.evidence


# black bars: cut only where they are padding


def night_thumbnail(seed: int = 3) -> Image.Image:
    """A 160×120 (4:3) night scene: a dark, almost flat sky over the top quarter, dark ground in the last rows."""
    rng = np.random.default_rng(seed)
    scene = np.asarray(imagegen.photo(seed, (160, 120)).convert("RGB"), dtype=np.float32)
    scene[:32] = rng.uniform(0, 2, (32, 160, 1))  # the sky: black with a trace of noise
    scene[-5:] = rng.uniform(0, 6, (5, 160, 1))
    return Image.fromarray(scene.astype(np.uint8))


def test_a_dark_edged_thumbnail_keeps_its_shape():
    night = night_thumbnail()
    assert trim_black_bars(night).size == (160, 120)
    assert trim_black_bars(night, picture=(640, 480)).size == (160, 120)


def test_symmetric_dark_edges_of_no_padded_shape_are_kept():
    image = np.asarray(imagegen.photo(4, (160, 120)).convert("L")).copy()
    image[:8] = image[-8:] = 0  # 160×104 (1.538) is no shape pictures are padded from
    assert trim_black_bars(Image.fromarray(image)).size == (160, 120)


def test_textured_dark_rows_are_not_bars():
    image = np.asarray(imagegen.photo(4, (160, 120)).convert("L")).copy()
    rng = np.random.default_rng(0)
    image[:15] = image[-15:] = rng.integers(0, 25, (15, 160))  # dark, but texture: mean about 12, deviation 7
    assert trim_black_bars(Image.fromarray(image)).size == (160, 120)


def test_centred_bars_are_cut():
    picture = imagegen.photo(2, (160, 90))
    padded = Image.new("RGB", (160, 120))
    padded.paste(picture, (0, 15))
    assert trim_black_bars(padded).size == (160, 90)
    pillarbox = Image.new("RGB", (160, 120))
    pillarbox.paste(imagegen.photo(2, (120, 120)), (20, 0))
    assert trim_black_bars(pillarbox).size == (120, 120)


def test_noisy_dark_grey_bars_are_cut():
    # a camera's padding saved at low quality: mean about 2, deviation about 3, 7 rows above and 6 below
    rng = np.random.default_rng(1)
    image = np.asarray(imagegen.photo(8, (160, 120)).convert("L"), dtype=np.float32)
    image[:7] = rng.gamma(0.5, 4, (7, 160))
    image[-6:] = rng.gamma(0.5, 4, (6, 160))
    assert trim_black_bars(Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))).size == (160, 107)


def test_one_sided_padding_is_cut_only_to_the_pictures_shape():
    # some cameras put all the padding on one side: a 3:2 picture at the bottom of a 160×120 thumbnail
    padded = Image.new("RGB", (160, 120))
    padded.paste(imagegen.photo(9, (160, 106)), (0, 14))
    assert trim_black_bars(padded).size == (160, 120)  # not centred, and no picture to go by
    assert trim_black_bars(padded, picture=(1760, 1168)).size == (160, 106)
    assert trim_black_bars(padded, picture=(1168, 1760)).size == (160, 106)  # the picture turned since
    assert trim_black_bars(padded, picture=(1600, 1200)).size == (160, 120)  # a 4:3 picture: the bar is its sky


def test_a_dark_edged_thumbnail_of_an_untouched_picture_is_quiet(tmp_path):
    # before, the dark sky was cut as a bar: the thumbnail's shape (1.6) then differed from the picture's
    night = night_thumbnail()
    picture = night.resize((640, 480), Image.Resampling.BICUBIC)
    path = imagegen.write_jpeg(tmp_path / "night.jpg", picture, qtables=imagegen.CAMERA_QTABLES, thumbnail=night)
    record = read_file(path)
    t = record.metadata.thumbnail
    assert (t.content_width, t.content_height) == (160, 120)
    assert findings(record, "thumbnail-mismatch") == []


def test_one_sided_padding_in_a_real_file(tmp_path):
    picture = imagegen.photo(9, (960, 640))
    thumb = Image.new("RGB", (160, 120))
    thumb.paste(picture.resize((160, 106)), (0, 14))
    record = read_file(imagegen.write_jpeg(tmp_path / "kodak.jpg", picture, thumbnail=thumb))
    t = record.metadata.thumbnail
    assert (t.content_width, t.content_height) == (160, 106)
    assert findings(record, "thumbnail-mismatch") == []
