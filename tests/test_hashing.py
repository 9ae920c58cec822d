"""Hashes: SHA-256 and perceptual hashes of the picture as displayed, from a reduced decode."""

from __future__ import annotations

import hashlib
import io
import json

import imagegen
import imagehash
import pytest
from click.testing import CliRunner
from PIL import Image

from forensics import Hashes, hash_image, read_file
from forensics.cli import cli
from forensics.errors import UnreadableFile
from forensics.read.decode import orient
from forensics.read.hashing import WHASH_SCALE, compute_hashes, dhash, phash, whash, working_image
from forensics.records.record import hex_distance

# Largest Hamming distance (of 64 bits) between hashes of a reduced decode and of a full decode.
DRAFT_TOLERANCE = {"phash": 4, "dhash": 8, "ahash": 6, "whash": 6, "colorhash": 6}


def _full_decode_hashes(path) -> Hashes:
    with Image.open(path) as im:
        im.load()
        return hash_image(im.convert("RGB"), orientation=read_file(path, hashes=False).metadata.orientation)


@pytest.mark.parametrize("seed", range(6))
def test_reduced_decode_stays_close_to_full_decode(tmp_path, seed):
    path = imagegen.write_jpeg(tmp_path / f"{seed}.jpg", seed=seed, size=(2048, 1536), quality=90)
    reduced = read_file(path).hashes
    full = _full_decode_hashes(path)
    distances = reduced.distance(full)
    assert all(distances[k] <= DRAFT_TOLERANCE[k] for k in distances), distances


def test_reduced_decode_is_used(tmp_path, monkeypatch):
    """A 12-MP-like JPEG is decoded at 1/8 scale, not in full."""
    path = imagegen.write_jpeg(tmp_path / "big.jpg", seed=1, size=(2048, 1536))
    sizes = []
    real_load = Image.Image.load

    from PIL import ImageFile

    def spy(self):
        sizes.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    read_file(path)
    assert (256, 192) in sizes and (2048, 1536) not in sizes


@pytest.mark.parametrize("orientation", range(1, 9))
def test_hashes_are_of_the_picture_as_displayed(tmp_path, orientation):
    upright = imagegen.photo(7, (320, 240))
    # store the picture so that applying `orientation` shows `upright`
    inverse = {1: None, 2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
               6: "ROTATE_90", 7: "TRANSVERSE", 8: "ROTATE_270"}[orientation]  # fmt: skip
    stored = upright.transpose(getattr(Image.Transpose, inverse)) if inverse else upright
    path = imagegen.write_jpeg(tmp_path / f"o{orientation}.jpg", stored, orientation=orientation, quality=95)
    got = read_file(path).hashes
    expected = hash_image(upright)
    assert hex_distance(got.phash, expected.phash) <= 4 and hex_distance(got.dhash, expected.dhash) <= 6


def test_orient_roundtrip():
    im = imagegen.photo(2, (40, 30))
    assert orient(im, 6).size == (30, 40) and orient(im, 1) is im


def test_phash_and_dhash_equal_imagehash():
    """The project's own pHash (numpy DCT) and dHash give imagehash's bits, in its hex order."""
    for seed in range(20):
        im = imagegen.photo(seed, (120, 90)).convert("L")
        assert f"{phash(im):016x}" == str(imagehash.phash(im))
        assert f"{dhash(im):016x}" == str(imagehash.dhash(im))


def test_view_hashes_equal_imagehash_on_pictures():
    """The query views and indexed regions were hashed with imagehash before; on pictures the bits are the same,
    so regions stored by an older index still meet the views hashed now."""
    from forensics.refs.queries import REGIONS, crop_fraction, region_hashes

    for seed in range(8):
        im = imagegen.photo(seed, (128, 96))
        assert region_hashes(im) == [int(str(imagehash.phash(crop_fraction(im, box).convert("L"))), 16) for _, box in REGIONS]
        grey = im.convert("L").transpose(Image.Transpose.ROTATE_90)
        assert dhash(grey) == int(str(imagehash.dhash(grey)), 16)


def test_phash_of_a_flat_picture_is_rounding_noise():
    """Where the two differ: a flat picture has no energy but the DC term, so every other coefficient ties
    with the median at zero. SciPy's FFT gives exact zeros (all bits but the first clear); the matrix
    product gives rounding noise of either sign. Neither carries information; stored hashes keep the
    matrix product's, and a flat picture is told by its dHash (no gradient bits), not its pHash."""
    flat = Image.new("L", (64, 48), 90)
    assert str(imagehash.phash(flat)) == "8000000000000000"
    assert dhash(flat) == 0
    assert phash(flat) == phash(flat.copy())  # deterministic on one machine, whatever its bits


def test_whash_equals_imagehash_up_to_ties():
    """Block means that tie with the median may fall either way under PyWavelets' rounding."""
    total = 0
    for seed in range(20):
        im = imagegen.photo(seed, (120, 90)).convert("L")
        d = whash(im) - imagehash.whash(im, image_scale=WHASH_SCALE)
        assert d <= 1
        total += d
    assert total <= 2


def test_known_values():
    """Pinned: a change of the hashing pipeline shows here (and invalidates stored indexes)."""
    h = hash_image(imagegen.photo(0, (320, 240)))
    assert h == Hashes(**PINNED)


PINNED = {
    "phash": "a1a780d976369b66",
    "dhash": "97970f8e129393a3",
    "ahash": "ef6b03c2c0494b51",
    "whash": "ef6b83c2c04b4b53",
    "colorhash": "02248000000",
}


def test_hashes_do_not_depend_on_input_size():
    big = imagegen.photo(4, (1024, 768))
    small = big.resize((256, 192), Image.Resampling.BOX)
    d = hash_image(big).distance(hash_image(small))
    assert d["phash"] <= 2 and d["dhash"] <= 4


def test_modes_and_transparency():
    rgba = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    assert working_image(rgba).getpixel((0, 0)) == (255, 255, 255)  # transparent shows as white
    i16 = Image.new("I;16", (64, 64), 65535)
    assert working_image(i16).getpixel((0, 0)) == 255
    for mode in ("1", "P", "CMYK", "LA", "I", "F", "YCbCr"):
        assert len(compute_hashes(imagegen.photo(1, (64, 48)).convert(mode)).phash) == 16


def test_different_pictures_are_far_apart():
    a, b = hash_image(imagegen.photo(10)), hash_image(imagegen.photo(11))
    assert hex_distance(a.phash, b.phash) > 12


def test_sha256_and_hash_path(tmp_path):
    path = imagegen.write_jpeg(tmp_path / "a.jpg")
    r = read_file(path)
    assert r.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hash_image(path) == r.hashes
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a picture")
    with pytest.raises(UnreadableFile):
        hash_image(bad)


def test_hash_command(tmp_path):
    a = imagegen.write_jpeg(tmp_path / "a.jpg")
    b = tmp_path / "b.png"
    imagegen.photo(3, (64, 48)).save(b)
    runner = CliRunner()
    result = runner.invoke(cli, ["hash", str(a), str(b), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["files"]
    assert [len(r["phash"]) for r in rows] == [16, 16] and rows[0]["sha256"] == read_file(a).sha256
    result = runner.invoke(cli, ["hash", str(a)])
    assert result.exit_code == 0 and read_file(a).hashes.phash in result.output
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    result = runner.invoke(cli, ["hash", str(bad)])
    assert result.exit_code == 1 and "empty file" in result.output


def test_thumbnail_hashes_match_picture(tmp_path):
    path = imagegen.write_jpeg(tmp_path / "t.jpg", seed=5, size=(1600, 1200))
    r = read_file(path)
    assert hex_distance(r.hashes.phash, r.metadata.thumbnail.hashes.phash) <= 6


def test_in_memory_bytes_roundtrip():
    buf = io.BytesIO()
    imagegen.photo(1).save(buf, "PNG")
    assert len(hash_image(Image.open(buf)).colorhash) == 11


def test_view_hashes_import_neither_scipy_nor_imagehash(tmp_path):
    """Matching hashes dozens of views per query; SciPy alone would cost more to import than hashing them."""
    import subprocess
    import sys

    path = imagegen.write_jpeg(tmp_path / "q.jpg", seed=3)
    code = (
        "import sys; from forensics.refs.queries import load_picture, query_views, region_hashes, tilted_views; "
        "p = load_picture(sys.argv[1]); query_views(p); tilted_views(p); region_hashes(p); "
        "print(sorted(m for m in ('imagehash', 'pywt', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
