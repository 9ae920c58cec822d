"""Screenshots over the picture: a paused video under its control bar, a phone app, a browser page."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from imagegen import photo
from PIL import Image, ImageDraw, ImageFont

from forensics import ReferenceIndex
from forensics.read.files import read_file
from forensics.records.record import hex_distance
from forensics.refs.match import GREY
from forensics.refs.queries import content_boxes, picture_boxes

BASES = 5
TARGET = 2
OVERCAST = 3
STRANGER = 99  # the seed of a photo that is not in the index


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _shown(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture as an app shows it: resized and recompressed."""
    out = io.BytesIO()
    picture.resize(size, Image.Resampling.BICUBIC).save(out, "JPEG", quality=80)
    out.seek(0)
    return Image.open(out).convert("RGB")


def _text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], lines: int, size: int, step: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    words = ("the", "bridge", "was", "closed", "after", "the", "storm", "and", "people", "gathered", "near", "the", "river")
    for k in range(lines):
        line = " ".join(str(w) for w in rng.choice(words, 6))
        draw.text((xy[0], xy[1] + k * step), line.capitalize(), fill=(30, 30, 30), font=_font(size))


def _sky(picture: Image.Image, *, share: float, level: float) -> Image.Image:
    """The picture under a smooth, light sky over its top ``share``: ``level`` 255 is blown out
    (the screen's own white), lower an overcast grey, with a little sensor noise."""
    a = np.asarray(picture, np.float32)
    h = a.shape[0]
    top = int(h * share)
    ramp = np.clip((top - np.arange(h)) / (0.04 * h), 0, 1)[:, None, None]  # a soft horizon
    sky = level - 10 * (np.arange(h) / h)[:, None, None] * (level < 255)
    noise = np.random.default_rng(3).normal(0, 1.2 if level < 255 else 0, a.shape)
    return Image.fromarray(np.clip(a * (1 - ramp) + (sky + noise) * ramp, 0, 255).astype(np.uint8))


def player(frame: Image.Image, *, opacity: float = 0.85) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A paused video: the 640 x 360 frame under an 80-px translucent control bar."""
    shot = _shown(frame, (640, 360)).convert("RGBA")
    bar = Image.new("RGBA", (640, 80), (0, 0, 0, round(255 * opacity)))
    d = ImageDraw.Draw(bar)
    d.rectangle((12, 38, 628, 42), fill=(255, 255, 255, 110))
    d.rectangle((12, 38, 300, 42), fill=(230, 30, 30, 255))
    d.polygon([(18, 54), (18, 74), (34, 64)], fill=(255, 255, 255, 255))
    d.text((70, 56), "4:07 / 12:34", fill=(255, 255, 255, 255), font=_font(14))
    shot.alpha_composite(bar, (0, 280))
    return shot.convert("RGB"), (0, 0, 640, 360)


def phone(picture: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A phone screen: status bar, app header, the photo at the top in white margins, a caption."""
    shot = Image.new("RGB", (1080, 2340), (255, 255, 255))
    d = ImageDraw.Draw(shot)
    d.text((60, 30), "9:41", fill=(0, 0, 0), font=_font(40))
    d.rectangle((940, 40, 1010, 76), outline=(0, 0, 0), width=3)
    d.ellipse((120, 140, 220, 240), fill=(90, 160, 120))
    d.text((250, 160), "news_daily", fill=(20, 20, 20), font=_font(44))
    w, h = 1032, round(1032 * picture.height / picture.width)
    shot.paste(_shown(picture, (w, h)), (24, 280))
    _text(d, (60, 280 + h + 120), 6, 42, 62, seed=1)
    d.line((0, 2170, 1080, 2170), fill=(220, 220, 220), width=2)
    return shot, (24, 280, 24 + w, 280 + h)


def browser(picture: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A desktop browser page: tabs, address bar, a site's header, headline, the photo among text."""
    shot = Image.new("RGB", (1920, 1080), (255, 255, 255))
    d = ImageDraw.Draw(shot)
    d.rectangle((0, 0, 1920, 42), fill=(222, 225, 230))
    d.rounded_rectangle((80, 6, 310, 42), 8, fill=(255, 255, 255))
    d.rounded_rectangle((140, 50, 1720, 84), 17, fill=(241, 243, 244))
    d.text((170, 58), "https://www.example-news.org/2024/storm-bridge", fill=(60, 60, 60), font=_font(17))
    d.rectangle((0, 91, 1920, 160), fill=(30, 40, 70))
    d.text((120, 106), "EXAMPLE NEWS", fill=(255, 255, 255), font=_font(36))
    d.text((240, 190), "The bridge after the storm", fill=(10, 10, 10), font=_font(40))
    w = 900
    h = round(w * picture.height / picture.width)
    shot.paste(_shown(picture, (w, h)), (240, 300))
    _text(d, (1190, 300), 20, 20, 32, seed=2)
    return shot, (240, 300, 240 + w, 300 + h)


def _frame(picture: Image.Image) -> Image.Image:
    """A 16:9 video frame of the picture (its middle)."""
    h = round(picture.width * 9 / 16)
    top = (picture.height - h) // 2
    return picture.crop((0, top, picture.width, top + h))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("screens")
    (root / "refs").mkdir()
    (root / "shots").mkdir()
    bases = [photo(200 + i, (1024, 768)) for i in range(BASES)]
    # the two pictures shown in the app and on the page have a light sky, as so many photos do: as
    # light as the screen (blown out) over the top quarter of one, an overcast grey on the other
    bases[TARGET] = _sky(bases[TARGET], share=0.25, level=255)
    bases[OVERCAST] = _sky(bases[OVERCAST], share=0.35, level=236)
    for i, base in enumerate(bases):
        base.save(root / "refs" / f"base{i}.jpg", quality=92)
    video = _frame(photo(316, (1280, 960)))  # a frame whose whole-picture hash the bar moves by 20 bits
    video.save(root / "refs" / "frame.jpg", quality=90)  # a frame of a video, as a still
    truth = {}
    stranger = photo(STRANGER, (1024, 768))
    for name, make, source in (("player", player, video), ("phone", phone, bases[TARGET]), ("browser", browser, bases[OVERCAST])):
        shot, box = make(source)
        shot.save(root / "shots" / f"{name}.png")
        truth[name] = box
        make(_frame(stranger) if name == "player" else stranger)[0].save(root / "shots" / f"stranger-{name}.png")
    db = root / "refs.db"
    with ReferenceIndex(db) as index:
        index.add([root / "refs"], workers=1)
    with ReferenceIndex(db, create=False) as index:
        matches = index.match([read_file(p) for p in sorted((root / "shots").iterdir())])
    found: dict[str, list] = {}
    for m in matches:
        found.setdefault(Path(m.path).stem, []).append(m)
    return root, truth, found


def _refs(found, name) -> set[str]:
    return {Path(m.reference.path).name for m in found.get(name, [])}


def test_paused_video_under_its_control_bar_is_found(world):
    root, _, found = world
    # the bar moves the whole picture's hash beyond what is even verified: only the clean top finds it
    shot, frame = (read_file(p).hashes for p in (root / "shots" / "player.png", root / "refs" / "frame.jpg"))
    assert shot is not None and frame is not None
    assert hex_distance(shot.phash, frame.phash) > 10 + GREY
    assert _refs(found, "player") == {"frame.jpg"}
    (m,) = found["player"]
    assert m.method == "features" and m.details["view"].startswith("aligned:")


def test_photo_in_a_phone_app_is_found_with_its_place_on_the_screen(world):
    _, truth, found = world
    assert _refs(found, "phone") == {f"base{TARGET}.jpg"}
    (m,) = found["phone"]
    assert "framed" in m.transform
    x0, y0, x1, y1 = truth["phone"]
    x, y, w, h = m.region
    assert abs(x - x0) <= 24 and abs(y - y0) <= 24 and abs(w - (x1 - x0)) <= 48 and abs(h - (y1 - y0)) <= 48


def test_photo_on_a_web_page_is_found_with_its_place_on_the_page(world):
    _, truth, found = world
    assert _refs(found, "browser") == {f"base{OVERCAST}.jpg"}
    (m,) = found["browser"]
    assert "framed" in m.transform
    x0, y0, x1, y1 = truth["browser"]
    x, y, w, h = m.region
    assert abs(x - x0) <= 24 and abs(y - y0) <= 24 and abs(w - (x1 - x0)) <= 48 and abs(h - (y1 - y0)) <= 48


def test_screenshots_of_a_photo_not_in_the_index_match_nothing(world):
    _, _, found = world
    assert not [name for name in found if name.startswith("stranger")]


def test_picture_boxes_find_the_photo_among_text_and_chrome(world):
    root, truth, _ = world
    for name in ("phone", "browser"):
        shot = Image.open(root / "shots" / f"{name}.png").convert("RGB")
        boxes = picture_boxes(shot)  # the blown-out sky of the phone's photo: its lower part, then grown
        assert any(max(abs(a - b) for a, b in zip(box, truth[name])) <= 4 for box in boxes), (name, boxes, truth[name])


def test_a_photo_alone_has_no_picture_box():
    assert picture_boxes(photo(5, (800, 600))) == []
    assert content_boxes(photo(6, (800, 600))) == []
