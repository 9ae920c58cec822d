"""Build the sample case ``samples/stolen-phone/`` from seeds: every picture is synthetic.

A fictional, clearly labelled reconstruction of the kind of dispute the toolkit
was made for: an armed group publishes pictures "from a slain soldier's phone";
the soldier's ministry answers that the phone was stolen inside its own country.
Nothing here depicts real people, places or events: the pictures are generated
noise and shapes, the documents say SPECIMEN, the metadata is written by this
script. Each file is built so that a scan has something to say on one axis
(place, publication, editing, device, sensor, time zone, daylight, screenshots).

Run ``python samples/make_samples.py`` to rebuild the files in place, or
``python samples/make_samples.py --out DIR`` to build them elsewhere. The
output is the same byte for byte on the same library versions (recorded in
``samples/manifest.json``; ``--write-manifest`` rewrites it), whatever the
CPU: no step depends on which SIMD code a library picks (see PAGE_COEFFS).

Needs the toolkit's own dependencies (Pillow, numpy, OpenCV) and piexif.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

HERE = Path(__file__).resolve().parent
CASE = "stolen-phone"
PHOTO_SIZE = (1024, 768)  # the scenes are drawn at this size
# The phones' photos are stored at this size: a scene enlarged to it, then "taken" by a sensor
# (capture), so that a residual's 1024×1024 central crop (forensics.sensor) fits in them.
CAPTURE_SIZE = (1366, 1024)
LABEL = "FICTIONAL SAMPLE - SYNTHETIC IMAGE"

# Places (decimal degrees). Fictional use of real coordinates: open countryside
# near two towns, one in each country the two stories name.
PALMYRA_SY = (34.5560, 38.2690)
HOMS_SY = (34.7308, 36.7094)
ROSTOV_RU = (47.2313, 39.7233)

IPHONE = {"make": "Apple", "model": "iPhone 5s", "lens_make": "Apple", "lens_model": "iPhone 5s back camera 4.12mm f/2.2"}
SAMSUNG = {"make": "samsung", "model": "SM-G900F", "software": "G900FXXU1CPE1"}

# The video on the profile: three scenes, 10 s at 10 frames/s.
VIDEO_FPS = 10
VIDEO_SECONDS = 10
VIDEO_SIZE = (480, 270)
VIDEO_SCENES = (701, 702, 703)
# The two screenshots: (file name, second of the video they show). The one
# named first shows the later moment: the video was rewound between them, or
# the names were changed.
SCREENSHOTS = (
    ("Screen Shot 2016-06-22 at 6.31.04 PM.png", 8.0),
    ("Screen Shot 2016-06-22 at 6.31.19 PM.png", 2.0),
)


# --- pictures ---------------------------------------------------------------

def photo(seed: int, size: tuple[int, int] = PHOTO_SIZE, *, noise: float = 6.0) -> Image.Image:
    """A photo-like RGB picture: smooth shapes at several scales, hard edges, sensor noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    acc = np.zeros((h, w, 3), np.float32)
    for octave in range(5):
        gh, gw = 2 + 2**octave, 2 + int(2**octave * w / h)
        grid = rng.random((gh, gw, 3)).astype(np.float32)
        layer = np.asarray(Image.fromarray((grid * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC), np.float32)
        acc += layer / (1.6**octave)
    acc = (acc - acc.min()) / (np.ptp(acc) + 1e-6) * 255
    img = Image.fromarray(acc.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(w // 20, w // 4)), y0 + int(rng.integers(h // 20, h // 4))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    arr = np.asarray(img, np.float32) + rng.normal(0, noise, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


# The sensors: each phone's fixed multiplicative pattern (photo-response non-uniformity), seeded.
# 1 % is a phone's order of magnitude (Lukáš, Fridrich & Goljan 2006); the two phones differ only by seed.
SENSOR_STRENGTH = 0.01
IPHONE_SENSOR = 5001
SAMSUNG_SENSOR = 5002


def capture(scene: Image.Image, sensor: int, seed: int, *, size: tuple[int, int] = CAPTURE_SIZE) -> Image.Image:
    """A scene as a phone's sensor takes it: enlarged to ``size``, times the sensor's ``1 + K``, plus shot noise.

    Elementwise float arithmetic only (correctly rounded, whatever the CPU), on
    seeded streams: the same bytes everywhere.
    """
    w, h = size
    pattern = np.random.default_rng(sensor).normal(0.0, SENSOR_STRENGTH, (h, w, 1)).astype(np.float32)
    lit = np.asarray(scene.convert("RGB").resize(size, Image.Resampling.BICUBIC), np.float32)
    taken = lit * (np.float32(1.0) + pattern) + np.random.default_rng(seed).normal(0.0, 1.5, (h, w, 3)).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(taken), 0, 255).astype(np.uint8))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size)


def label(img: Image.Image) -> Image.Image:
    """Stamp the picture as a fictional sample, small, in a corner."""
    img = img.copy()
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, img.height - 18, 300, img.height), fill=(0, 0, 0))
    draw.text((6, img.height - 16), LABEL, fill=(255, 255, 255), font=_font(12))
    return img


# The document photos: a 700x500 page whose corners land on PAGE_QUAD in the picture (a parallelogram, so
# the mapping is affine). PAGE_COEFFS are Pillow's PERSPECTIVE coefficients taking picture points to page
# points: the float solve the committed samples were built with, pinned rather than solved on each run.
# np.linalg.solve's last bits depend on the kernel OpenBLAS picks for the CPU (its SkylakeX kernel, which
# built them, and its Haswell one give b 6 ulps apart), and one ulp moves pixels along the page's edge.
# The exact solution is (595/614, 35/614, -49525/307, -50/921, 300/307, -91000/921, 0, 0), within 8 ulps.
PAGE_SIZE = (700, 500)
PAGE_QUAD = ((160, 110), (880, 150), (850, 660), (130, 620))
PAGE_COEFFS = tuple(float.fromhex(h) for h in (
    "0x1.f02806abc74bep-1", "0x1.d2f87ebfcaa24p-5", "-0x1.42a37092c3209p+7", "-0x1.bcbbe66d8407ep-5",
    "0x1.f453633b3488cp-1", "-0x1.8b38fb4652d4ep+6", "-0x1.49f9af988511ep-65", "-0x1.81aa493173f50p-64",
))  # fmt: skip


# The documents are typeset in DejaVu Sans (Debian's fonts-dejavu-core): Pillow's own font has no Cyrillic.
DOC_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DOC_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _doc_font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = DOC_BOLD if bold else DOC_FONT
    if not path.exists():
        raise SystemExit(f"{path} is missing: install fonts-dejavu-core to build the samples")
    return ImageFont.truetype(str(path), size)


def document(seed: int, title: str, lines: list[str], size: tuple[int, int] = PHOTO_SIZE) -> Image.Image:
    """A photo of a paper document lying on a table, seen slightly at an angle.

    The first seven lines stand beside the photo box, the rest under it.
    """
    rng = np.random.default_rng(seed)
    table = photo(seed + 1000, size, noise=4.0).resize((size[0] // 8, size[1] // 8)).resize(size, Image.Resampling.BICUBIC)
    pw, ph = PAGE_SIZE
    page = Image.new("RGB", (pw, ph), (236, 232, 220))
    draw = ImageDraw.Draw(page)
    draw.rectangle((10, 10, pw - 10, ph - 10), outline=(120, 110, 100), width=3)
    draw.text((30, 20), title, fill=(40, 40, 60), font=_doc_font(28, bold=True))
    draw.text((30, 60), "ОБРАЗЕЦ - ВЫМЫШЛЕННЫЙ ДОКУМЕНТ - SPECIMEN", fill=(170, 30, 30), font=_doc_font(16))
    draw.rectangle((30, 100, 190, 300), fill=(150, 150, 160), outline=(60, 60, 60))  # the photo box
    for i, text in enumerate(lines):
        x, y = (215, 100 + 29 * i) if i < 7 else (30, 318 + 29 * (i - 7))
        draw.text((x, y), text, fill=(30, 30, 40), font=_doc_font(19))
    for i in range(2):
        y = 440 + 24 * i
        draw.line((30, y, pw - 40 - int(rng.integers(0, 200)), y), fill=(90, 90, 100), width=2)
    # place the page at a slight angle, its corners on PAGE_QUAD
    w, h = size
    coeffs = list(PAGE_COEFFS)
    warped = page.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", (pw, ph), 255).transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    table.paste(warped, (0, 0), mask)
    arr = np.asarray(table, np.float32) + rng.normal(0, 3.0, (h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


# --- EXIF -------------------------------------------------------------------

def _dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 100)
    return ((d, 1), (m, 1), (s, 100))


def exif_bytes(
    *,
    make: str | None = None,
    model: str | None = None,
    lens_make: str | None = None,
    lens_model: str | None = None,
    software: str | None = None,
    taken: str | None = None,
    modified: str | None = None,
    gps: tuple[float, float] | None = None,
    gps_utc: str | None = None,
    size: tuple[int, int] | None = None,
    thumbnail: Image.Image | None = None,
) -> bytes:
    """EXIF as a phone writes it (times as ``YYYY:MM:DD HH:MM:SS``; ``gps_utc`` the same form)."""
    import piexif

    zeroth: dict[int, Any] = {}
    ex: dict[int, Any] = {piexif.ExifIFD.ExifVersion: b"0221"}
    gps_ifd: dict[int, Any] = {}
    if make:
        zeroth[piexif.ImageIFD.Make] = make
    if model:
        zeroth[piexif.ImageIFD.Model] = model
    if software:
        zeroth[piexif.ImageIFD.Software] = software
    zeroth[piexif.ImageIFD.Orientation] = 1
    zeroth[piexif.ImageIFD.XResolution] = (72, 1)
    zeroth[piexif.ImageIFD.YResolution] = (72, 1)
    zeroth[piexif.ImageIFD.ResolutionUnit] = 2
    if modified or taken:
        zeroth[piexif.ImageIFD.DateTime] = modified or taken
    if taken:
        ex[piexif.ExifIFD.DateTimeOriginal] = taken
        ex[piexif.ExifIFD.DateTimeDigitized] = taken
    if make:
        ex[piexif.ExifIFD.ExposureTime] = (1, 120)
        ex[piexif.ExifIFD.FNumber] = (22, 10)
        ex[piexif.ExifIFD.ISOSpeedRatings] = 40
        ex[piexif.ExifIFD.FocalLength] = (412, 100)
        ex[piexif.ExifIFD.ColorSpace] = 1
    if lens_make:
        ex[piexif.ExifIFD.LensMake] = lens_make
    if lens_model:
        ex[piexif.ExifIFD.LensModel] = lens_model
    if size:
        ex[piexif.ExifIFD.PixelXDimension] = size[0]
        ex[piexif.ExifIFD.PixelYDimension] = size[1]
    if gps:
        lat, lon = gps
        gps_ifd[piexif.GPSIFD.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps_ifd[piexif.GPSIFD.GPSLatitude] = _dms(abs(lat))
        gps_ifd[piexif.GPSIFD.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps_ifd[piexif.GPSIFD.GPSLongitude] = _dms(abs(lon))
    if gps_utc:
        date, clock = gps_utc.split(" ")
        hh, mm, ss = (int(p) for p in clock.split(":"))
        gps_ifd[piexif.GPSIFD.GPSDateStamp] = date
        gps_ifd[piexif.GPSIFD.GPSTimeStamp] = ((hh, 1), (mm, 1), (ss, 1))
    data: dict[str, Any] = {"0th": zeroth, "Exif": ex, "GPS": gps_ifd, "1st": {}}
    if thumbnail is not None:
        buf = io.BytesIO()
        thumbnail.convert("RGB").save(buf, "JPEG", quality=80)
        data["thumbnail"] = buf.getvalue()
        data["1st"] = {piexif.ImageIFD.Compression: 6, piexif.ImageIFD.XResolution: (72, 1),
                       piexif.ImageIFD.YResolution: (72, 1), piexif.ImageIFD.ResolutionUnit: 2}  # fmt: skip
    return piexif.dump(data)


def _camera_qtables() -> list[list[int]]:
    """Quantisation tables of a phone's firmware: near quality 94, not libjpeg's scaled tables."""
    from forensics.read.jpeg import STD_CHROMA, STD_LUMA, scaled_table

    luma = [v + (i % 3 == 0) for i, v in enumerate(scaled_table(STD_LUMA, 94))]
    chroma = [v + (i % 4 == 1) for i, v in enumerate(scaled_table(STD_CHROMA, 94))]
    return [luma, chroma]


def _thumb(img: Image.Image, box: tuple[int, int] = (160, 120)) -> Image.Image:
    t = img.copy()
    t.thumbnail(box)
    return t


def save_jpeg(path: Path, img: Image.Image, exif: bytes | None, *, qtables: Any = None, quality: int = 85) -> None:
    kwargs: dict[str, Any] = {"qtables": qtables} if qtables is not None else {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    img.save(path, "JPEG", **kwargs)


def phone_jpeg(path: Path, img: Image.Image, device: dict[str, str], *, thumb_box=(160, 120), qtables: Any = None, **exif: Any) -> None:
    """A picture as a phone writes it: its own thumbnail, camera tables, full EXIF."""
    e = exif_bytes(size=img.size, thumbnail=_thumb(img, thumb_box), **device, **exif)
    save_jpeg(path, img, e, qtables=qtables if qtables is not None else _camera_qtables())


# --- video and screenshots --------------------------------------------------

def video_frames() -> list[np.ndarray]:
    """RGB frames of the profile's video: three scenes, each a slow pan across a picture."""
    w, h = VIDEO_SIZE
    n = VIDEO_FPS * VIDEO_SECONDS
    scenes = [np.asarray(photo(s, (w + 80, h + 40), noise=2.0)) for s in VIDEO_SCENES]
    frames = []
    for i in range(n):
        scene = min(len(scenes) - 1, i * len(scenes) // n)
        x = (i * 2) % 80
        frames.append(scenes[scene][20 : 20 + h, x : x + w].copy())
    return frames


def write_video(path: Path, frames: list[np.ndarray]) -> None:
    import cv2

    w, h = VIDEO_SIZE
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), VIDEO_FPS, (w, h))
    if not writer.isOpened():
        raise SystemExit("OpenCV cannot write MP4 (mp4v) here")
    for f in frames:
        writer.write(np.ascontiguousarray(f[:, :, ::-1]))
    writer.release()


def screenshot(frame: np.ndarray, second: float) -> Image.Image:
    """A 1440x900 desktop: a menu bar, a player window showing ``frame``, its controls."""
    screen = Image.new("RGB", (1440, 900), (58, 110, 165))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, 1440, 22), fill=(236, 236, 236))
    draw.text((14, 4), "Player   File   Edit   View   Window   Help", fill=(20, 20, 20), font=_font(13))
    draw.text((1250, 4), "Wed 6:31 PM", fill=(20, 20, 20), font=_font(13))
    win = (200, 90, 1240, 780)
    draw.rectangle(win, fill=(18, 18, 18))
    draw.rectangle((win[0], win[1], win[2], win[1] + 24), fill=(214, 214, 214))
    for i, c in enumerate(((255, 95, 87), (255, 189, 46), (39, 201, 63))):
        draw.ellipse((win[0] + 10 + 20 * i, win[1] + 6, win[0] + 22 + 20 * i, win[1] + 18), fill=c)
    draw.text((win[0] + 420, win[1] + 5), "clip.mp4", fill=(40, 40, 40), font=_font(13))
    shown = Image.fromarray(frame).resize((960, 540), Image.Resampling.BILINEAR)
    screen.paste(shown, (win[0] + 40, win[1] + 50))
    # controls: a progress bar and the time shown by the player
    y = win[1] + 610
    draw.rectangle((win[0] + 40, y, win[0] + 1000, y + 6), fill=(90, 90, 90))
    draw.rectangle((win[0] + 40, y, win[0] + 40 + int(960 * second / VIDEO_SECONDS), y + 6), fill=(230, 230, 230))
    draw.text((win[0] + 40, y + 16), f"0:{int(second):02d} / 0:{VIDEO_SECONDS:02d}", fill=(230, 230, 230), font=_font(14))
    draw.text((20, 870), LABEL, fill=(255, 255, 255), font=_font(12))
    return screen


def save_screenshot(path: Path, img: Image.Image) -> None:
    """PNG as macOS writes a screenshot: the UserComment 'Screenshot' in XMP."""
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/">'
        "<exif:PixelXDimension>1440</exif:PixelXDimension><exif:PixelYDimension>900</exif:PixelYDimension>"
        "<exif:UserComment>Screenshot</exif:UserComment></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    img.save(path, "PNG", pnginfo=info, dpi=(72, 72), optimize=False, compress_level=9)


# --- the case ---------------------------------------------------------------

CASE_TOML = '''\
# A FICTIONAL sample case, built by samples/make_samples.py from synthetic pictures.
# It mirrors the shape of a real kind of dispute; no real person or event is depicted.
title = "Photos said to come from a soldier's phone (fictional sample)"

[[hypotheses]]
id = "recovered"
statement = "Taken by the soldier himself, in Syria, on his one phone, before 2016-06-22"
country = "SY"
taken_after = 2016-05-01
taken_before = 2016-06-22
single_device = true
unit = "12345"  # the unit the documents photographed should name (weighed with scan --ocr)

[[hypotheses]]
id = "stolen"
statement = "Taken in Russia, on a phone stolen there"
country = "RU"
'''

SOURCES_TOML = '''\
# Where each reference was published: FICTIONAL. One folder per publication date,
# so that each folder is added to an index with one `forensics index add` command
# (see samples/stolen-phone/README.md).

[[published]]
folder = "profile/2016-04-03"
source = "profile 'example.soldier' on a social network (fictional)"
url = "https://social.example/example.soldier/photos/2781"
published = 2016-04-03

[[published]]
folder = "profile/2016-05-28"
source = "profile 'example.soldier' on a social network (fictional)"
url = "https://social.example/example.soldier/photos/3107"
published = 2016-05-28

[[published]]
folder = "profile/2016-06-20"
source = "profile 'example.soldier' on a social network (fictional)"
url = "https://social.example/example.soldier/videos/88"
published = 2016-06-20
'''


def build(out: Path) -> list[Path]:
    """Write every file of the sample case under ``out`` (the ``samples/`` folder); return them."""
    case = out / CASE
    ev = case / "evidence"
    refs = case / "references" / "profile"
    for d in (ev, refs / "2016-04-03", refs / "2016-05-28", refs / "2016-06-20"):
        d.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def phone(name: str, seed: int, *, copy: tuple[tuple[int, int, int, int], tuple[int, int]] | None = None, **kw: Any) -> Image.Image:
        img = capture(photo(seed), IPHONE_SENSOR, seed)
        if copy is not None:  # a region copied within the picture after capture, as an editor's clone tool does
            box, to = copy
            img.paste(img.crop(box), to)
        img = label(img)
        phone_jpeg(ev / name, img, IPHONE, **kw)
        written.append(ev / name)
        return img

    # The one phone: an iPhone 5s. Times are local; the GPS clock is UTC (+03:00 in both countries in June 2016).
    phone("IMG_0409.JPG", 409, taken="2016:06:18 11:00:12", gps=ROSTOV_RU, gps_utc="2016:06:18 08:00:12")
    phone("IMG_0412.JPG", 412, taken="2016:06:12 09:14:03", gps=PALMYRA_SY, gps_utc="2016:06:12 06:14:03")
    published = phone("IMG_0413.JPG", 413, taken="2016:06:14 17:40:51", gps=HOMS_SY, gps_utc="2016:06:14 14:40:51")

    # Edited after capture: a region painted over, saved by an editor; the thumbnail still shows the original.
    original = label(capture(photo(414), IPHONE_SENSOR, 414))
    edited = original.copy()
    draw = ImageDraw.Draw(edited)
    draw.polygon([(107, 80), (1200, 120), (1280, 933), (160, 853)], fill=(96, 104, 92))
    edited = label(edited)
    e = exif_bytes(**IPHONE, software="Adobe Photoshop CC 2015 (Macintosh)", taken="2016:06:15 11:02:27",
                   modified="2016:06:21 23:10:42", gps=PALMYRA_SY, gps_utc="2016:06:15 08:02:27",
                   size=edited.size, thumbnail=_thumb(original))  # fmt: skip
    save_jpeg(ev / "IMG_0414.JPG", edited, e, quality=90)
    written.append(ev / "IMG_0414.JPG")

    # Its red shape copied to a second place, and the metadata left as the camera wrote it (scan --pixels: copy-move).
    phone("IMG_0415.JPG", 415, copy=((470, 460, 640, 665), (130, 640)), taken="2016:06:18 10:05:40", gps=HOMS_SY,
          gps_utc="2016:06:18 07:05:40")  # fmt: skip
    # A bright picture whose clock and GPS say 01:40 at night.
    phone("IMG_0416.JPG", 416, taken="2016:06:20 01:40:18", gps=PALMYRA_SY, gps_utc="2016:06:19 22:40:18")

    # A second device: its clock set five hours ahead of UTC, while its GPS puts it in Syria (UTC+3).
    # Its encoder uses libjpeg's own tables at quality 95, unlike the iPhone's firmware.
    img = label(capture(photo(1617), SAMSUNG_SENSOR, 1617))
    save_jpeg(ev / "20160617_164510.jpg", img,
              exif_bytes(**SAMSUNG, taken="2016:06:17 16:45:10", gps=(34.5512, 38.2801), gps_utc="2016:06:17 11:45:10",
                         size=img.size, thumbnail=_thumb(img)), quality=95)  # fmt: skip
    written.append(ev / "20160617_164510.jpg")

    # Two photos of documents: one from the phone, one as a messenger delivers it (metadata stripped, resized).
    # The ID is dated three days after its photo was taken (timeline, with scan --ocr).
    doc = label(capture(document(417, "ВОЕННЫЙ БИЛЕТ", ["Образцов Иван Петрович", "Звание: рядовой", "Войсковая часть 12345",
                                               "Личный номер АБ-123456", "Дата рождения 03.02.1995", "Выдан 24 июня 2016 г.",
                                               "Серия АА № 1234567", "Военный комиссариат г. Примерск", "Подпись владельца"]), IPHONE_SENSOR, 417))
    phone_jpeg(ev / "IMG_0417.JPG", doc, IPHONE, taken="2016:06:21 13:30:05", gps=HOMS_SY, gps_utc="2016:06:21 10:30:05")
    written.append(ev / "IMG_0417.JPG")
    leave = label(document(418, "ОТПУСКНОЙ БИЛЕТ", ["Выдан рядовому Образцову И. П.", "в/ч 12345", "в отпуск с 02.05.2016",
                                                   "по 16.05.2016 включительно", "Основание: приказ № 045123", "Дата выдачи 30 апреля 2016 г.",
                                                   "Командир части", "Печать части"]))
    leave = leave.resize((960, 720), Image.Resampling.LANCZOS)
    save_jpeg(ev / "IMG-20160621-WA0003.jpg", leave, None, quality=80)
    written.append(ev / "IMG-20160621-WA0003.jpg")

    # The video, as published on the profile, and two screenshots of it made on a Mac.
    frames = video_frames()
    write_video(refs / "2016-06-20" / "clip.mp4", frames)
    written.append(refs / "2016-06-20" / "clip.mp4")
    for name, second in SCREENSHOTS:
        save_screenshot(ev / name, screenshot(frames[int(second * VIDEO_FPS)], second))
        written.append(ev / name)

    # Pictures published earlier on the profile: one is IMG_0413, resized and stripped by the site.
    web = published.resize((807, 605), Image.Resampling.LANCZOS)
    save_jpeg(refs / "2016-05-28" / "photo_3107.jpg", web, None, quality=80)
    written.append(refs / "2016-05-28" / "photo_3107.jpg")
    other = label(photo(2781)).resize((807, 605), Image.Resampling.LANCZOS)
    save_jpeg(refs / "2016-04-03" / "photo_2781.jpg", other, None, quality=80)
    written.append(refs / "2016-04-03" / "photo_2781.jpg")

    for path, text in ((case / "case.toml", CASE_TOML), (case / "references" / "sources.toml", SOURCES_TOML)):
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


# --- signed files (--sign) ----------------------------------------------------
#
# Content Credentials are signed with a certificate chain made for the occasion; a signature is not
# reproducible (a fresh key, a random salt), so these files are committed as made and listed apart
# in the manifest ("signed"), and the tests check what a reader says of them, not their bytes. The
# signing key is made, used and dropped in this process: only the agency's root certificate is kept,
# for `--trust-anchors`.

SIGNED = "signed"
AGENCY = "Example News Agency (fictional)"
CERT_DAYS = 7300  # twenty years: the committed files stay within their certificate's validity


def _small_jpeg(path: Path, size: tuple[int, int] = (800, 600), *, edit: bool = False) -> bytes:
    """An evidence photo as a newsroom's system stores it: resized, metadata left behind, quality 88."""
    img = Image.open(path).convert("RGB").resize(size, Image.Resampling.LANCZOS)
    if edit:  # a patch painted over after signing
        ImageDraw.Draw(img).rectangle((300, 220, 470, 380), fill=(70, 80, 75))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def _scan_replaced(signed: bytes, other: bytes) -> bytes:
    """``signed`` with its entropy-coded data taken from ``other`` (same tables): the pixels changed, the manifest kept."""
    from forensics.read.jpeg import segments

    def scan_start(data: bytes) -> int:
        sos = [end for marker, _, end in segments(data) if marker == 0xDA]
        if not sos:
            raise SystemExit("no start of scan in a JPEG this script wrote")
        return sos[0]

    a, b = scan_start(signed), scan_start(other)
    if signed[a - 14 : a] != other[b - 14 : b]:  # the scan headers must agree, or the splice would be another picture
        raise SystemExit("the edited JPEG was not encoded as the signed one")
    return signed[:a] + other[b:]


def sign_samples(out: Path) -> list[Path]:
    """Write the signed files under ``out/stolen-phone/signed`` from the evidence already built there."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    import c2pagen  # the tests' signing helpers: c2pa-python's Builder, a chain made with `cryptography`

    ev = out / CASE / "evidence"
    folder = out / CASE / SIGNED
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    # The agency's copy of IMG_0412.JPG, published with valid credentials: opened, resized, published.
    agency = c2pagen.make_chain(org=AGENCY, signer="Example News Agency photo desk", days=CERT_DAYS)
    source = (ev / "IMG_0412.JPG").read_bytes()
    cms = {"name": "Example Newsroom CMS", "version": "4.2"}
    desk = c2pagen.manifest(generator="Example Newsroom CMS", title="desk_IMG_0412.jpg", actions=[
        {"action": "c2pa.opened", "softwareAgent": cms, "parameters": {"ingredientIds": ["original"]}},
        {"action": "c2pa.resized", "softwareAgent": cms},
        {"action": "c2pa.published", "softwareAgent": cms},
    ])  # fmt: skip
    desk["claim_generator_info"] = [cms]
    ingredient = {"title": "IMG_0412.JPG", "relationship": "parentOf", "instance_id": "original", "label": "original"}
    data = c2pagen.sign(_small_jpeg(ev / "IMG_0412.JPG"), desk, agency, ingredients=((ingredient, source),))
    (folder / "desk_IMG_0412.jpg").write_bytes(data)
    written.append(folder / "desk_IMG_0412.jpg")

    # The press office's copy of IMG_0416.JPG: signed by its editing app, then painted over.
    office = c2pagen.make_chain(org="Example Press Office (fictional)", signer="Example Photo Editor", days=CERT_DAYS)
    editor = {"name": "Example Photo Editor", "version": "2.0"}
    press = c2pagen.manifest(generator="Example Photo Editor", title="press_IMG_0416.jpg", actions=[
        {"action": "c2pa.opened", "softwareAgent": editor, "parameters": {"ingredientIds": ["original"]}},
        {"action": "c2pa.color_adjustments", "softwareAgent": editor},
    ])  # fmt: skip
    press["claim_generator_info"] = [editor]
    ingredient = {"title": "IMG_0416.JPG", "relationship": "parentOf", "instance_id": "original", "label": "original"}
    signed = c2pagen.sign(_small_jpeg(ev / "IMG_0416.JPG"), press, office, ingredients=((ingredient, (ev / "IMG_0416.JPG").read_bytes()),))
    (folder / "press_IMG_0416.jpg").write_bytes(_scan_replaced(signed, _small_jpeg(ev / "IMG_0416.JPG", edit=True)))
    written.append(folder / "press_IMG_0416.jpg")

    (folder / "agency-ca.pem").write_bytes(agency.ca_pem)  # public: the root a newsroom would publish
    written.append(folder / "agency-ca.pem")
    return written


def signed_files(out: Path) -> list[Path]:
    """The signed files already made (committed), if any."""
    folder = out / CASE / SIGNED
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def versions() -> dict[str, str]:
    """Versions of what the bytes depend on (encoders, fonts, random streams)."""
    import cv2
    import piexif
    import PIL
    from PIL import features

    return {
        "Pillow": PIL.__version__,
        "libjpeg-turbo": str(features.version("libjpeg_turbo")),
        "zlib": str(features.version("zlib")),
        "freetype2": str(features.version("freetype2")),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "piexif": piexif.VERSION,
    }


def _hashes(out: Path, files: list[Path]) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def manifest(out: Path, files: list[Path], signed: list[Path] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """SHA-256 of every built file, relative to ``out``, with the versions that built them; the signed files apart."""
    return {"note": "written by make_samples.py --write-manifest", "versions": versions(), "files": _hashes(out, files),
            "signed": _hashes(out, list(signed))}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to build samples into (default: beside this script)")
    parser.add_argument("--write-manifest", action="store_true", help="rewrite samples/manifest.json from the built files")
    parser.add_argument("--sign", action="store_true",
                        help="also make the signed files anew (needs c2pa-python and cryptography; not reproducible byte for byte)")
    args = parser.parse_args(argv)
    files = build(args.out)
    signed = sign_samples(args.out) if args.sign else signed_files(args.out)
    doc = manifest(args.out, files, signed)
    if args.write_manifest and not signed and (HERE / "manifest.json").is_file():  # built elsewhere: the committed ones stand
        doc["signed"] = json.loads((HERE / "manifest.json").read_text(encoding="utf-8")).get("signed", {})
    if args.write_manifest:
        (HERE / "manifest.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in files + signed)
    print(f"{len(files) + len(signed)} files ({len(signed)} signed), {total / 1e6:.2f} MB, in {args.out / CASE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
