"""Metadata read once per file: EXIF, GPS, thumbnail, XMP, IPTC, ICC, JPEG structure, HEIF."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import struct

import imagegen
import numpy as np
import piexif
import pytest
from click.testing import CliRunner
from PIL import Image, ImageCms

from forensics import read_file, read_metadata
from forensics.cli import cli
from forensics.read.jpeg import STD_CHROMA, STD_LUMA, estimate_quality, markers, scaled_table, segments

XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
  xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
  xmp:CreatorTool="Adobe Photoshop CC 2015 (Windows)" xmp:ModifyDate="2016-06-23T10:00:00+03:00"
  photoshop:DateCreated="2016-06-19T14:22:33">
 <xmpMM:History><rdf:Seq>
  <rdf:li stEvt:action="created" stEvt:softwareAgent="Adobe Photoshop CC 2015 (Windows)" stEvt:when="2016-06-23T09:00:00+03:00"/>
  <rdf:li stEvt:action="saved" stEvt:softwareAgent="Adobe Photoshop CC 2015 (Windows)" stEvt:when="2016-06-23T10:00:00+03:00"/>
 </rdf:Seq></xmpMM:History>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def _iptc_segment(fields: dict[int, bytes]) -> bytes:
    """An APP13 Photoshop segment holding IPTC-IIM record 2 datasets."""
    iim = b"".join(b"\x1c\x02" + bytes([k]) + struct.pack(">H", len(v)) + v for k, v in fields.items())
    if len(iim) % 2:
        iim += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def _insert_after_soi(data: bytes, segment: bytes) -> bytes:
    return data[:2] + segment + data[2:]


@pytest.fixture(scope="module")
def full_jpeg(tmp_path_factory):
    path = tmp_path_factory.mktemp("meta") / "IMG_0042.JPG"
    image = imagegen.photo(3, (320, 240))
    thumb = image.resize((160, 120))
    exif = imagegen.exif_bytes(
        make="Apple", model="iPhone 6s", software="9.3.2", serial="F17QX0ABCD12",
        datetime_original="2016:06:19 14:22:33", datetime="2016:06:19 14:22:33", offset="+03:00",
        gps=(36.2021, 37.1343), gps_utc=("2016:06:19", (11, 22, 33)), orientation=6, size=(320, 240),
        description="Aleppo, street", artist="A. Person", thumbnail=thumb,
        extra={
            "0th": {piexif.ImageIFD.Copyright: b"(c) A. Person"},
            "Exif": {
                piexif.ExifIFD.SubSecTimeOriginal: b"054",
                piexif.ExifIFD.LensMake: b"Apple",
                piexif.ExifIFD.LensModel: b"iPhone 6s back camera 4.15mm f/2.2",
                piexif.ExifIFD.LensSerialNumber: b"L123",
                piexif.ExifIFD.OffsetTimeDigitized: b"+03:00",
            },
            "GPS": {
                piexif.GPSIFD.GPSAltitude: (3815, 10),
                piexif.GPSIFD.GPSAltitudeRef: 0,
                piexif.GPSIFD.GPSImgDirection: (18050, 100),
                piexif.GPSIFD.GPSImgDirectionRef: b"T",
                piexif.GPSIFD.GPSSpeed: (5, 1),
                piexif.GPSIFD.GPSSpeedRef: b"K",
                piexif.GPSIFD.GPSMapDatum: b"WGS-84",
            },
        },
    )  # fmt: skip
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85, exif=exif, xmp=XMP, icc_profile=icc, progressive=True, subsampling="4:2:0")
    data = _insert_after_soi(buf.getvalue(), _iptc_segment({80: b"A. Person", 90: b"Aleppo", 120: b"A street"}))
    path.write_bytes(data)
    return path


def test_exif_fields(full_jpeg):
    r = read_file(full_jpeg)
    m = r.metadata
    assert r.error is None and r.problems == ()
    assert (m.make, m.model, m.software, m.serial) == ("Apple", "iPhone 6s", "9.3.2", "F17QX0ABCD12")
    assert (m.lens_make, m.lens_model, m.lens_serial) == ("Apple", "iPhone 6s back camera 4.15mm f/2.2", "L123")
    assert (m.artist, m.copyright, m.description) == ("A. Person", "(c) A. Person", "Aleppo, street")
    tz = dt.timezone(dt.timedelta(hours=3))
    assert m.datetime_original == dt.datetime(2016, 6, 19, 14, 22, 33, 54000, tzinfo=tz)
    assert m.offset_time_original == "+03:00" and m.offset_time_digitized == "+03:00"
    assert m.datetime == dt.datetime(2016, 6, 19, 14, 22, 33, tzinfo=tz)
    assert m.orientation == 6
    assert (m.exif_width, m.exif_height) == (320, 240) and (r.width, r.height) == (320, 240)
    assert r.display_size == (240, 320)
    assert m.camera_fields >= 4


def test_each_time_takes_its_own_offset(tmp_path):
    """OffsetTime goes with DateTime, OffsetTimeOriginal with DateTimeOriginal; DateTimeDigitized is its own stamp."""
    extra = {"Exif": {piexif.ExifIFD.OffsetTime: "+00:00", piexif.ExifIFD.OffsetTimeOriginal: "+03:00"}}
    p = imagegen.write_jpeg(tmp_path / "tz.jpg", datetime_original="2016:06:19 14:00:00", datetime="2016:06:19 11:05:00",
                            datetime_digitized="2016:06:20 08:00:00", extra=extra)  # fmt: skip
    m = read_file(p).metadata
    assert m.datetime_original == dt.datetime(2016, 6, 19, 14, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert m.datetime == dt.datetime(2016, 6, 19, 11, 5, tzinfo=dt.timezone.utc)
    assert m.datetime_digitized == dt.datetime(2016, 6, 20, 8)  # no OffsetTimeDigitized: wall-clock time
    assert (m.offset_time, m.offset_time_original, m.offset_time_digitized) == ("+00:00", "+03:00", None)


def test_jpeg_without_exif(tmp_path):
    """As a platform re-encodes it: no camera field, no thumbnail, the encoder's standard tables."""
    p = tmp_path / "stripped.jpg"
    imagegen.photo(0, (640, 480)).save(p, "JPEG", quality=72)
    r = read_file(p)
    m = r.metadata
    assert r.error is None and r.problems == ()
    assert (m.make, m.model, m.datetime_original, m.camera_fields, m.gps, m.xmp) == (None, None, None, 0, None, None)
    assert not m.thumbnail.present
    assert (m.jpeg.quality, m.jpeg.standard_tables) == (72.0, True)


def test_damaged_thumbnail_is_a_problem_not_an_error(tmp_path):
    path = imagegen.write_jpeg(tmp_path / "t.jpg", thumbnail=Image.new("RGB", (8, 8)))
    data = bytearray(path.read_bytes())
    i = data.find(b"\xff\xd8", 4)  # the thumbnail's start: break it
    data[i + 2 : i + 40] = b"\x00" * 38
    path.write_bytes(bytes(data))
    r = read_file(path)
    assert r.error is None and r.hashes is not None and r.metadata.make == "Apple"
    assert any("thumbnail" in p for p in r.problems), r.problems


def test_flash_and_brightness(tmp_path):
    """EXIF Flash as written; luma_mean the mean brightness of the picture as displayed."""
    p = imagegen.camera_jpeg(tmp_path / "flash.jpg", extra={"Exif": {piexif.ExifIFD.Flash: 0x19}})
    assert read_file(p).metadata.flash == 0x19
    picture = imagegen.photo(1, (320, 240))
    for gain in (0.15, 1.0, 3.0):
        arr = np.asarray(picture, np.float32)
        lit = Image.fromarray(np.clip(arr * gain if gain <= 1 else 255 - (255 - arr) / gain, 0, 255).astype(np.uint8))
        lit.save(tmp_path / "lit.png")
        expected = np.asarray(lit.convert("L"), np.float32).mean()
        assert read_file(tmp_path / "lit.png").luma_mean == pytest.approx(expected, abs=2), gain


def test_gps(full_jpeg):
    g = read_file(full_jpeg).metadata.gps
    assert g.lat == pytest.approx(36.2021, abs=1e-5) and g.lon == pytest.approx(37.1343, abs=1e-5)
    assert g.alt == pytest.approx(381.5)
    assert (g.direction, g.direction_ref, g.speed, g.speed_ref, g.datum) == (180.5, "T", 5.0, "K", "WGS-84")
    assert g.utc == dt.datetime(2016, 6, 19, 11, 22, 33, tzinfo=dt.timezone.utc)


def test_southern_western_and_below_sea_level(tmp_path):
    path = imagegen.write_jpeg(
        tmp_path / "s.jpg", gps=(-33.5, -70.25), extra={"GPS": {piexif.GPSIFD.GPSAltitude: (10, 1), piexif.GPSIFD.GPSAltitudeRef: 1}}
    )
    g = read_file(path).metadata.gps
    assert (g.lat, g.lon, g.alt) == (pytest.approx(-33.5), pytest.approx(-70.25), -10.0)


def test_thumbnail(full_jpeg):
    t = read_file(full_jpeg).metadata.thumbnail
    assert t.present and t.size > 1000 and (t.width, t.height) == (160, 120) and t.hashes is not None


def test_xmp_iptc_icc(full_jpeg):
    m = read_file(full_jpeg).metadata
    assert m.xmp.creator_tool == "Adobe Photoshop CC 2015 (Windows)"
    assert m.xmp.modify_date == "2016-06-23T10:00:00+03:00"
    assert m.xmp.date_created == "2016-06-19T14:22:33"
    assert [e["action"] for e in m.xmp.history] == ["created", "saved"]
    assert m.xmp.history[1]["softwareAgent"] == "Adobe Photoshop CC 2015 (Windows)"
    assert m.iptc == {"By-line": "A. Person", "City": "Aleppo", "Caption-Abstract": "A street"}
    assert m.icc_description == "sRGB built-in"


def test_jpeg_structure(full_jpeg):
    r = read_file(full_jpeg)
    j = r.metadata.jpeg
    assert j.progressive and j.subsampling == "4:2:0"
    assert (j.quality, j.standard_tables) == (85.0, True)
    assert j.quant_tables[0] == scaled_table(STD_LUMA, 85)
    assert j.markers[0] == "SOI" and "APP1:Exif" in j.markers and "APP13:Photoshop 3.0" in j.markers


def test_file_facts(full_jpeg):
    r = read_file(full_jpeg)
    data = full_jpeg.read_bytes()
    assert r.sha256 == hashlib.sha256(data).hexdigest() and r.size == len(data)
    assert (r.kind, r.format, r.mime, r.extension) == ("image", "JPEG", "image/jpeg", ".jpg")


def test_extension_as_named_lowercased(tmp_path):
    named, bare = tmp_path / "IMG_5000.PNG", tmp_path / "noext"
    for p in (named, bare):
        imagegen.photo(0, (75, 133)).save(p, "PNG")
    assert [(r.extension, r.format, r.width, r.height) for r in map(read_file, (named, bare))] == [
        (".png", "PNG", 75, 133), (None, "PNG", 75, 133)]  # fmt: skip


def test_baseline_444_and_camera_tables(tmp_path):
    p = imagegen.camera_jpeg(tmp_path / "c.jpg")
    j = read_file(p).metadata.jpeg
    assert not j.progressive and j.standard_tables is False and 90 <= j.quality <= 97
    q = tmp_path / "q.jpg"
    imagegen.photo(0, (64, 64)).save(q, "JPEG", quality=100, subsampling="4:4:4")
    j = read_file(q).metadata.jpeg
    assert j.subsampling == "4:4:4" and j.quality == 100.0


@pytest.mark.parametrize("q", [10, 50, 75, 90, 95])
def test_estimate_quality_exact(q):
    assert estimate_quality({0: scaled_table(STD_LUMA, q), 1: scaled_table(STD_CHROMA, q)}) == (float(q), True)


def test_segments_stop_on_garbage():
    data = b"\xff\xd8\xff\xe1\x00\x04ab\x00garbage"
    assert segments(data)[-1][0] == -1
    assert markers(data) == ("SOI", "APP1:ab", "?garbage")


def test_exif_after_xmp_segment(tmp_path):
    """Photoshop writes the XMP segment first; EXIF after it must still be read."""
    buf = io.BytesIO()
    imagegen.photo(0, (64, 48)).save(buf, "JPEG", exif=imagegen.exif_bytes(software="Adobe Photoshop CC"))
    data = buf.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + XMP
    path = tmp_path / "x.jpg"
    path.write_bytes(_insert_after_soi(data, b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp))
    m = read_file(path).metadata
    assert m.software == "Adobe Photoshop CC" and m.make == "Apple" and m.xmp.creator_tool


def test_subsec_and_zero_dates(tmp_path):
    p = imagegen.write_jpeg(tmp_path / "z.jpg", datetime_original="0000:00:00 00:00:00", datetime="    :  :     :  :  ")
    m = read_file(p).metadata
    assert m.datetime_original is None and m.datetime is None


def test_all_tags_and_body_serial(corpora):
    path = corpora / "exif-samples" / "jpg" / "Canon_40D.jpg"
    r = read_metadata(path, all_tags=True)
    assert r.hashes is None and r.metadata.make == "Canon"
    assert r.metadata.raw and "Image Make" in r.metadata.raw and "JPEGThumbnail" not in r.metadata.raw
    r = read_metadata(corpora / "exif-samples" / "jpg" / "tests" / "87_OSError.jpg")
    assert r.metadata.serial == "-1000f46"


def test_maker_note_serials():
    from forensics.read.exif import makernote_serials

    class Tag:
        def __init__(self, v):
            self.values = v

    tags = {"MakerNote SerialNumber": Tag("0123456"), "MakerNote InternalSerialNumber": Tag("0000"),
            "MakerNote Tag 0x0001": Tag("x"), "EXIF BodySerialNumber": Tag("B1")}  # fmt: skip
    assert makernote_serials(tags) == {"SerialNumber": "0123456"}


def test_png_and_webp_exif(tmp_path):
    exif = imagegen.exif_bytes(make="Google", model="Pixel 3")
    for fmt, name in (("PNG", "a.png"), ("WEBP", "a.webp")):
        p = tmp_path / name
        imagegen.photo(0, (64, 48)).save(p, fmt, exif=exif)
        m = read_file(p).metadata
        assert (m.make, m.model) == ("Google", "Pixel 3"), fmt
        assert m.jpeg is None, fmt  # JPEG structure only for JPEGs


def test_heic(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("libheif has no HEIF encoder here")
    pillow_heif.register_heif_opener()
    p = tmp_path / "IMG_0001.HEIC"
    imagegen.photo(5, (128, 96)).save(p, "HEIF", exif=imagegen.exif_bytes(make="Apple", model="iPhone 12"), quality=90)
    r = read_file(p)
    assert r.error is None and (r.format, r.mime) == ("HEIF", "image/heif")
    assert (r.metadata.make, r.metadata.model) == ("Apple", "iPhone 12") and r.hashes is not None
    assert (r.width, r.height) == (128, 96)


def test_heic_orientation_as_written(corpora):
    """pillow-heif resets Orientation to 1 after rotating; the record keeps what the file says."""
    r = read_file(corpora / "exif-samples" / "heic" / "mobile" / "iphone_13_pro_max.HEIC")
    assert r.metadata.orientation == 6 and (r.width, r.height) == (4032, 3024)
    assert r.display_size == (3024, 4032)


def test_meta_command(full_jpeg):
    runner = CliRunner()
    result = runner.invoke(cli, ["meta", str(full_jpeg), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    f = doc["files"][0]
    assert f["metadata"]["make"] == "Apple" and f["metadata"]["gps"]["lat"] == pytest.approx(36.2021, abs=1e-5)
    assert f["metadata"]["raw"] is None
    result = runner.invoke(cli, ["meta", str(full_jpeg), "--json", "--all"])
    assert "Image Make" in json.loads(result.output)["files"][0]["metadata"]["raw"]
    result = runner.invoke(cli, ["meta", str(full_jpeg)])
    assert result.exit_code == 0 and "iPhone 6s" in result.output and "Adobe Photoshop CC 2015" in result.output
