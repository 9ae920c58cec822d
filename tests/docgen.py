"""Seeded documents in Cyrillic and Latin type, and synthetic phone photos of them.

A page is typeset with Debian's DejaVu fonts (fonts-dejavu-core) at a given
size, with a heading, ruled lines and a round stamp; :func:`photograph` lays it
on a table under a perspective, blurs it, lights it unevenly and saves it as a
JPEG, as a phone would. The text typed on the page is returned with it: the
ground truth for character error rates and extraction. Used by the tests and
``benchmarks/ocr_bench.py``; nothing here ships in the package.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansCondensed.ttf")


def have_fonts() -> bool:
    return all((FONT_DIR / f).exists() for f in FONTS)


def font(size: int, name: str = "DejaVuSans.ttf") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size)


_RU_SURNAMES = ("Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов")
_RU_GIVEN = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Николай", "Михаил", "Павел", "Олег")
_RU_PATRONYMIC = ("Петрович", "Иванович", "Сергеевич", "Андреевич", "Николаевич", "Викторович")
_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_EN_NAMES = ("John Smith", "Mary Brown", "Peter Jones", "Anna White", "David Clark")


@dataclass(frozen=True)
class Typed:
    """What a generated page says: its lines, and the dates and unit numbers typed on it."""

    lines: tuple[str, ...]
    dates: tuple[str, ...]  # ISO
    units: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def russian_text(rng: np.random.Generator) -> Typed:
    """A Russian certificate: a unit number, a name, a personal number, dates in both forms."""
    unit = f"{int(rng.integers(10000, 99999))}"
    d1 = (int(rng.integers(1, 28)), int(rng.integers(1, 13)), int(rng.integers(2010, 2020)))
    d2 = (int(rng.integers(1, 28)), int(rng.integers(1, 13)), int(rng.integers(2010, 2020)))
    name = f"{rng.choice(_RU_SURNAMES)} {rng.choice(_RU_GIVEN)} {rng.choice(_RU_PATRONYMIC)}"
    number = f"{'АБВГДЕ'[int(rng.integers(0, 6))]}{'АБВГДЕ'[int(rng.integers(0, 6))]}-{int(rng.integers(100000, 999999))}"
    unit_line = f"Войсковая часть {unit}" if rng.random() < 0.5 else f"в/ч {unit}"
    lines = (
        "СПРАВКА",
        f"Выдана {name}",
        f"{unit_line}, личный номер {number}",
        f"в том, что он проходит военную службу с {d1[0]:02d}.{d1[1]:02d}.{d1[2]}",
        "по настоящее время в должности стрелка.",
        "Справка выдана для предъявления по месту",
        "требования. Основание: приказ командира части.",
        f"Дата выдачи {d2[0]} {_RU_MONTHS[d2[1] - 1]} {d2[2]} г.",
        "Командир части подпись М.П.",
    )
    dates = (f"{d1[2]}-{d1[1]:02d}-{d1[0]:02d}", f"{d2[2]}-{d2[1]:02d}-{d2[0]:02d}")
    return Typed(lines, dates, (unit,))


def english_text(rng: np.random.Generator) -> Typed:
    """An English letter: a unit number and dates in both forms."""
    unit = f"{int(rng.integers(10000, 99999))}"
    d1 = (int(rng.integers(1, 28)), int(rng.integers(1, 13)), int(rng.integers(2010, 2020)))
    d2 = (int(rng.integers(1, 28)), int(rng.integers(1, 13)), int(rng.integers(2010, 2020)))
    lines = (
        "CERTIFICATE OF SERVICE",
        f"This is to certify that {rng.choice(_EN_NAMES)}",
        f"has served in military unit {unit} since",
        f"{_EN_MONTHS[d1[1] - 1]} {d1[0]}, {d1[2]} and remains on its roll.",
        "The holder is entitled to the leave stated",
        "in the order of the commanding officer.",
        f"Issued on {d2[2]}-{d2[1]:02d}-{d2[0]:02d} at the headquarters.",
        "Signed and stamped by the adjutant.",
    )
    dates = (f"{d1[2]}-{d1[1]:02d}-{d1[0]:02d}", f"{d2[2]}-{d2[1]:02d}-{d2[0]:02d}")
    return Typed(lines, dates, (unit,))


def page(typed: Typed, *, width: int = 1240, size: int = 34, font_name: str = "DejaVuSans.ttf", seed: int = 0) -> Image.Image:
    """The page typeset: heading, lines of text at ``size`` pixels, rules and a round stamp."""
    rng = np.random.default_rng(seed)
    margin = width // 12
    step = int(size * 1.6)
    height = max(int(width * 1.414), margin * 2 + step * (len(typed.lines) + 6))
    img = Image.new("RGB", (width, height), (246, 244, 236))
    draw = ImageDraw.Draw(img)
    y = margin
    for i, line in enumerate(typed.lines):
        f = font(int(size * 1.3) if i == 0 else size, "DejaVuSans-Bold.ttf" if i == 0 else font_name)
        draw.text((margin, y), line, fill=(25, 25, 35), font=f)
        y += int(step * (1.5 if i == 0 else 1))
    for _ in range(3):  # rules to fill in by hand
        y += step
        draw.line((margin, y, width - margin - int(rng.integers(0, width // 4)), y), fill=(110, 110, 120), width=2)
    # a round stamp in violet ink, over the lower right
    cx, cy, r = width - margin - size * 4, y - step * 2, size * 3
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(110, 70, 160), width=4)
    draw.ellipse((cx - r + 14, cy - r + 14, cx + r - 14, cy + r - 14), outline=(110, 70, 160), width=2)
    return img


def photograph(
    sheet: Image.Image, *, seed: int = 0, frame: tuple[int, int] = (2000, 1500), warp: float = 0.05, blur: float = 0.8,
    light: float = 0.25, quality: int = 85, fill: float = 0.8,
) -> tuple[bytes, tuple[tuple[float, float], ...]]:  # fmt: skip
    """A phone's JPEG of the page lying on a table: perspective, blur, uneven light; and its corners in the photo.

    ``warp`` moves each corner by up to that fraction of the page's size;
    ``fill`` is how much of the frame's height the page takes; ``light`` is
    the strength of a brightness gradient across the frame.
    """
    rng = np.random.default_rng(seed)
    fw, fh = frame
    table = np.zeros((fh, fw, 3), np.float32) + rng.uniform(60, 110, 3)
    table += rng.normal(0, 12, (fh // 16 + 1, fw // 16 + 1, 1)).repeat(16, 0).repeat(16, 1)[:fh, :fw]
    ph = fh * fill
    pw = ph * sheet.width / sheet.height
    if pw > fw * 0.9:
        pw = fw * 0.9
        ph = pw * sheet.height / sheet.width
    x0, y0 = (fw - pw) / 2, (fh - ph) / 2
    corners = [(x0, y0), (x0 + pw, y0), (x0 + pw, y0 + ph), (x0, y0 + ph)]
    corners = [(x + rng.uniform(-warp, warp) * pw, y + rng.uniform(-warp, warp) * ph) for x, y in corners]
    coeffs = _perspective(corners, sheet.size)
    warped = sheet.transform(frame, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", sheet.size, 255).transform(frame, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    photo = Image.fromarray(np.clip(table, 0, 255).astype(np.uint8))
    photo.paste(warped, (0, 0), mask)
    if blur:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(photo, np.float32)
    gx = np.linspace(-1, 1, fw)[None, :, None]
    gy = np.linspace(-1, 1, fh)[:, None, None]
    angle = rng.uniform(0, 2 * np.pi)
    arr = arr * (1 + light * (np.cos(angle) * gx + np.sin(angle) * gy) / 2) + rng.normal(0, 2.5, arr.shape)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality)
    return buf.getvalue(), tuple(corners)


def _perspective(corners: list[tuple[float, float]], size: tuple[int, int]) -> list[float]:
    """Pillow's PERSPECTIVE coefficients taking the photo's points to the page's (corners: where the page's land)."""
    w, h = size
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    a = []
    b = []
    for (x, y), (u, v) in zip(corners, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    return [float(c) for c in np.linalg.solve(np.array(a, float), np.array(b, float))]


def cer(truth: str, read: str) -> float:
    """Character error rate: edit distance over the truth's length, blanks collapsed."""
    a, b = " ".join(truth.split()), " ".join(read.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(1, len(a))
