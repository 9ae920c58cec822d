"""Named JPEG encoders and the signatures they leave, each with its source.

Three kinds of entry:

- measured here: :mod:`forensics.knowledge.encoders_measured`, written by
  ``python benchmarks/encoders_measure.py`` from files it made with the tools
  installed (each entry names the version and the settings);
- published quantisation tables, by the MD5 digest ExifTool's ``JPEGDigest``
  computes over the DQT segments and the sampling factors (Adobe Photoshop
  "Save As" 0–12 and "Save for Web" 0–100, Lightroom exports; ExifTool 12.57
  ``Image::ExifTool::JPEGDigest`` 1.06, P. Harvey and J. Duttke): reported, not
  measured here;
- camera and phone firmware: :mod:`forensics.knowledge.cameras_measured`,
  written by ``python benchmarks/camera_tables.py`` from the quantisation
  tables of camera originals in the real corpora (each entry names its files),
  matched by the tables themselves and the sampling factors;
- platforms and messengers (:data:`PLATFORMS`): the long side they resize to,
  whether they strip the metadata, the file names their apps give: reported,
  not measured here, and changed by the platforms over the years.

Many cameras and phones use the standard tables too, so "standard tables" names
a family of encoders, never one program.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forensics.knowledge.cameras_measured import CAMERAS
from forensics.knowledge.encoders_measured import MEASURED
from forensics.records.encoding import EncoderMatch, EncoderSignature

EXIFTOOL_JPEGDIGEST = "ExifTool 12.57 Image::ExifTool::JPEGDigest 1.06 (P. Harvey, J. Duttke): reported, not measured here"

# (DQT digest, sampling factors or "" for any, what ExifTool names it)
ADOBE_DIGESTS: tuple[tuple[str, str, str], ...] = (
    ('683506a889c78d9bc230a0c7ee5f62f3', '221111', 'Adobe Lightroom, Quality 0% - 7% / Adobe Photoshop, Quality 0'),
    ('bc490651af6592cd1dbbbc4fa2cfa1fb', '221111', 'Adobe Lightroom, Quality 8% - 15% / Adobe Photoshop, Quality 1'),
    ('ce4286d9f07999524c3c7472b065c5ab', '221111', 'Adobe Lightroom, Quality 16% - 23% / Adobe Photoshop, Quality 2'),
    ('cbfbfef12aead8841585ef605c789b9f', '221111', 'Adobe Lightroom, Quality 24% - 30% / Adobe Photoshop, Quality 3'),
    ('a0772e73dec2bdc4057c27da47bff376', '221111', 'Adobe Lightroom, Quality 31% - 38% / Adobe Photoshop, Quality 4'),
    ('7ef06dbde538346b8b01c6b538ca70c6', '221111', 'Adobe Lightroom, Quality 39% - 46% / Adobe Photoshop, Quality 5'),
    ('0ff225f58a214f79d1d85d78f6f5dab8', '221111', 'Adobe Lightroom, Quality 47% - 53% / Adobe Photoshop, Quality 6'),
    ('8a8603650fa5ae5fdcf4b2eaf0b23638', '111111', 'Adobe Lightroom, Quality 54% - 61% / Adobe Photoshop, Quality 7'),
    ('44f583ed6b65cb8ba915ec5df051616c', '111111', 'Adobe Lightroom, Quality 62% - 69% / Adobe Photoshop, Quality 8'),
    ('de94c5591bafc7456ccaef430271b907', '111111', 'Adobe Lightroom, Quality 70% - 76% / Adobe Photoshop, Quality 9'),
    ('a6841b35e9ffefa5d83a0445dddd2621', '111111', 'Adobe Lightroom, Quality 77% - 84% / Adobe Photoshop, Quality 10'),
    ('6e3f6a3a5a1eae6155331d42d6f968dd', '111111', 'Adobe Lightroom, Quality 85% - 92% / Adobe Photoshop, Quality 11'),
    ('5379e0133d4439b6f7c7039fc7f7734f', '111111', 'Adobe Lightroom, Quality 93% - 100% / Adobe Photoshop, Quality 12'),
    ('8453391d3adf377c46a1a0cee08c35c3', '221111', 'Adobe Lightroom, Quality 24% - 30%'),
    ('f8ede291b1272576d1580e333d30103e', '221111', 'Adobe Lightroom, Quality 31% - 38%'),
    ('de0fb6d13e12e8df26140dd74691bf0f', '221111', 'Adobe Lightroom, Quality 39% - 46%'),
    ('0d5b0af72561f68c671731f22d9e41e2', '221111', 'Adobe Lightroom, Quality 47% - 53%'),
    ('b9fd15fd52408af5ea2a5045227233d8', '111111', 'Adobe Lightroom, Quality 54% - 61%'),
    ('27472e3714251402d5509438505611c3', '111111', 'Adobe Lightroom, Quality 62% - 69%'),
    ('34a599dff2b6aaed12143938b7374f2f', '111111', 'Adobe Lightroom, Quality 70% - 76%'),
    ('5c508e529d045b6f0c800e29ba2d6ab5', '111111', 'Adobe Lightroom, Quality 77% - 84%'),
    ('42bfe52476bf07f1ed0e6451903cc9ee', '111111', 'Adobe Lightroom, Quality 85% - 92%'),
    ('4c3c425b4024b68c0de03904a825bc35', '111111', 'Adobe Lightroom, Quality 93% - 100%'),
    ('3b0b5975a0e1c9d732c93e1b37a6978b', '11', 'Adobe Photoshop, Quality 0'),
    ('f4d19ed563e2d0519d6a547088771ddb', '11', 'Adobe Photoshop, Quality 1'),
    ('e9ef286567fd84a1f479b35ca00db43c', '11', 'Adobe Photoshop, Quality 2'),
    ('b39cafdb459a42749be3f6459a596677', '11', 'Adobe Photoshop, Quality 3'),
    ('b3f215deea48e982e205619af279205f', '11', 'Adobe Photoshop, Quality 4'),
    ('fccd63ce166e198065eaae05c8d78407', '11', 'Adobe Photoshop, Quality 5'),
    ('0a50266ad8d1dff11c90cd1480c0a2be', '11', 'Adobe Photoshop, Quality 6'),
    ('6579941db0216f41f0a20de9b626538a', '11', 'Adobe Photoshop, Quality 7'),
    ('57aa47876e10c6b4f35ecb8889e55ad9', '11', 'Adobe Photoshop, Quality 8'),
    ('076598d43c5186f6d7a1020b64b93625', '11', 'Adobe Photoshop, Quality 9'),
    ('37132e8ea81137fdf26ce30926ab8100', '11', 'Adobe Photoshop, Quality 10'),
    ('46f55ee294723cee9faa816549b3cfa7', '11', 'Adobe Photoshop, Quality 11'),
    ('7b83284f61decf47ab3f8f7361c18943', '11', 'Adobe Photoshop, Quality 12'),
    ('9ac881c536e509675e5cf3795a85d9de', '221111', 'Adobe Photoshop, Save for web, Quality 0'),
    ('3521d793fd9d2d9aac85dc4f0be40290', '221111', 'Adobe Photoshop, Save for web, Quality 1'),
    ('041c9e3cf0d34a8b89539e3115bca31b', '221111', 'Adobe Photoshop, Save for web, Quality 2'),
    ('029b3a6f0b92af6786d753788eafabfe', '221111', 'Adobe Photoshop, Save for web, Quality 3'),
    ('6cdd3762e346b16a59af4bddb213b07a', '221111', 'Adobe Photoshop, Save for web, Quality 4'),
    ('84a69c0b43505dd0cbc25d640873b5b9', '221111', 'Adobe Photoshop, Save for web, Quality 5'),
    ('7254c012821f2bc866d7d6dd7906c92d', '221111', 'Adobe Photoshop, Save for web, Quality 6'),
    ('428ba2c747ea4e495ff3c7ff44a988d2', '221111', 'Adobe Photoshop, Save for web, Quality 7'),
    ('42cb001aea7e24d239f6c2fcbd861862', '221111', 'Adobe Photoshop, Save for web, Quality 8'),
    ('a3698813ce90772a30b6eb9a7deb3f4a', '221111', 'Adobe Photoshop, Save for web, Quality 9'),
    ('301158b292e3232856a765486da26fa6', '221111', 'Adobe Photoshop, Save for web, Quality 10'),
    ('8d9edea9287aa919e433b620f61468dc', '221111', 'Adobe Photoshop, Save for web, Quality 11'),
    ('c1e0554d8a6ed003eb98e068429b56b9', '221111', 'Adobe Photoshop, Save for web, Quality 12'),
    ('0e0a151e0a52097cbd7683c9385e3a7c', '221111', 'Adobe Photoshop, Save for web, Quality 13'),
    ('911e66f21fe242cc74e0a5738b0330bd', '221111', 'Adobe Photoshop, Save for web, Quality 14'),
    ('028fafd94aa66ee269f58d800c89d838', '221111', 'Adobe Photoshop, Save for web, Quality 15'),
    ('866b8adb1ce7c9dc0e58b7c1e013280f', '221111', 'Adobe Photoshop, Save for web, Quality 16'),
    ('7f712aecf513621f635a007aadda61af', '221111', 'Adobe Photoshop, Save for web, Quality 17'),
    ('38f26622a54ba22accac05f7c0a3b307', '221111', 'Adobe Photoshop, Save for web, Quality 18'),
    ('d241d5165e64e98024b47dfbf76be88c', '221111', 'Adobe Photoshop, Save for web, Quality 19'),
    ('afb31cfed194d4e125bde8fd4755bb8a', '221111', 'Adobe Photoshop, Save for web, Quality 20'),
    ('0d501a036c984d2caf49fd298b2d0d16', '221111', 'Adobe Photoshop, Save for web, Quality 21'),
    ('9e992f35767c4aa023b8afd243b247bf', '221111', 'Adobe Photoshop, Save for web, Quality 22'),
    ('0a80e5bf01a9c5650384dfe1a428f61d', '221111', 'Adobe Photoshop, Save for web, Quality 23'),
    ('2501aad23cdf94b25c6df0ab6984b6e0', '221111', 'Adobe Photoshop, Save for web, Quality 24'),
    ('09c168d2e075070d3a2535e7f2e455df', '221111', 'Adobe Photoshop, Save for web, Quality 25'),
    ('63190207beeb805306f7d0bcc3898cb3', '221111', 'Adobe Photoshop, Save for web, Quality 26'),
    ('e47902bc7ba3037921010c568648c8c3', '221111', 'Adobe Photoshop, Save for web, Quality 27'),
    ('410ed63b6e5225d8b99da6272fd6069b', '221111', 'Adobe Photoshop, Save for web, Quality 28'),
    ('b40f3f3c46d70a560e2033fadd8c7bb5', '221111', 'Adobe Photoshop, Save for web, Quality 29'),
    ('45148ae63b12ccaa6fb5a487ca7620e9', '221111', 'Adobe Photoshop, Save for web, Quality 30'),
    ('5180e51bd58432c7b51a305ed0c24d1b', '221111', 'Adobe Photoshop, Save for web, Quality 31'),
    ('c5c472d899462bbe31da9aa8c072c0bc', '221111', 'Adobe Photoshop, Save for web, Quality 32'),
    ('28cdbc95898e02dd0ffc45ba48596ca7', '221111', 'Adobe Photoshop, Save for web, Quality 33'),
    ('42cd88e0eb3c14a705b952550ec2eacd', '221111', 'Adobe Photoshop, Save for web, Quality 34'),
    ('78a2a442aac5cca7fa2ef5a8bd96219e', '221111', 'Adobe Photoshop, Save for web, Quality 35'),
    ('96bce854134a2fccfcb68dca6687cd51', '221111', 'Adobe Photoshop, Save for web, Quality 36'),
    ('fefd00ec4610895e4294de690f5977e9', '221111', 'Adobe Photoshop, Save for web, Quality 37'),
    ('d71c8ddb9117920304d83a6f8b7832a4', '221111', 'Adobe Photoshop, Save for web, Quality 38'),
    ('1727e720300403e5f315b5e17ef84d3f', '221111', 'Adobe Photoshop, Save for web, Quality 39'),
    ('8fb05e3c3b0a7404ff6ca54f952d2a5e', '221111', 'Adobe Photoshop, Save for web, Quality 40'),
    ('328ab751ea48f5a8bc7c4b8628138ce0', '221111', 'Adobe Photoshop, Save for web, Quality 41'),
    ('d9653333a3af8842dd4b72856ac4ef4e', '221111', 'Adobe Photoshop, Save for web, Quality 42'),
    ('276da99e50e1b39134e13826789d655e', '221111', 'Adobe Photoshop, Save for web, Quality 43'),
    ('23f2bd2d96ec531815609503dae4a2b0', '221111', 'Adobe Photoshop, Save for web, Quality 44'),
    ('bafe2a89809f23bc7367e9a819570728', '221111', 'Adobe Photoshop, Save for web, Quality 45'),
    ('6bfdcd36327406f801be86d0e8ca6b60', '221111', 'Adobe Photoshop, Save for web, Quality 46'),
    ('eb8e5c42d31b916737ac21dffd6f012b', '221111', 'Adobe Photoshop, Save for web, Quality 47'),
    ('e57a9878be74473990343573c6585f79', '221111', 'Adobe Photoshop, Save for web, Quality 48'),
    ('91dfacd928ce717cb135c6da03afd907', '221111', 'Adobe Photoshop, Save for web, Quality 49'),
    ('16c443478b9417d44893f8748d49b790', '221111', 'Adobe Photoshop, Save for web, Quality 50'),
    ('84de345dcf710f937a39a0b631b87fc4', '111111', 'Adobe Photoshop, Save for web, Quality 51'),
    ('bdd6043e7f5a5f1512b99b2394a075e2', '111111', 'Adobe Photoshop, Save for web, Quality 52'),
    ('c7614d3d384a02630721be335062ef75', '111111', 'Adobe Photoshop, Save for web, Quality 53'),
    ('42d6f71aace3de2ccfdd8348b0198704', '111111', 'Adobe Photoshop, Save for web, Quality 54'),
    ('84d5f059ce3e1b78d91355e1e86e2d1a', '111111', 'Adobe Photoshop, Save for web, Quality 55'),
    ('5881004f575752d77ee00e767d848e51', '111111', 'Adobe Photoshop, Save for web, Quality 56'),
    ('0cb697537acde3d2e85078377461a8e0', '111111', 'Adobe Photoshop, Save for web, Quality 57'),
    ('b2762ffa5c0a1799fb2e9ad6dfd2171a', '111111', 'Adobe Photoshop, Save for web, Quality 58'),
    ('2b7a6a83259aa9967e098d3e70f1ee09', '111111', 'Adobe Photoshop, Save for web, Quality 59'),
    ('6123a3685e1012af5a0d024de1ce0304', '111111', 'Adobe Photoshop, Save for web, Quality 60'),
    ('d08c8435de33f2c186aa2dd9cba3e874', '111111', 'Adobe Photoshop, Save for web, Quality 61'),
    ('e69be2174dbbfb952e54576fbdfe6c14', '111111', 'Adobe Photoshop, Save for web, Quality 62'),
    ('2ec2d5c10641952fce5c435b331b8872', '111111', 'Adobe Photoshop, Save for web, Quality 63'),
    ('98201e1185b7069f1247ac3cdc56c824', '111111', 'Adobe Photoshop, Save for web, Quality 64'),
    ('8fc0325d05c9199bc1e2dec417c3a55e', '111111', 'Adobe Photoshop, Save for web, Quality 65'),
    ('016600f44a61cc5a5673c9bad85e23a3', '111111', 'Adobe Photoshop, Save for web, Quality 66'),
    ('91d7b4300c98c726aff7b19cbe098a3e', '111111', 'Adobe Photoshop, Save for web, Quality 67'),
    ('f9b83ba21b86a3d4ddb507e3edce490c', '111111', 'Adobe Photoshop, Save for web, Quality 68'),
    ('d312a23c8ecb3bf59bc11bbe17d79e55', '111111', 'Adobe Photoshop, Save for web, Quality 69'),
    ('240fffe5f8e2d8f3345b8175f9cb0a40', '111111', 'Adobe Photoshop, Save for web, Quality 70'),
    ('ba60a642bfb1a184c11e5561581d7115', '111111', 'Adobe Photoshop, Save for web, Quality 71'),
    ('c901580e589f58d309f8b50590cfe214', '111111', 'Adobe Photoshop, Save for web, Quality 72'),
    ('c244f94d84a016840c6ef06250c58ade', '111111', 'Adobe Photoshop, Save for web, Quality 73'),
    ('3589227bdd85f880f3337b492e895c5d', '111111', 'Adobe Photoshop, Save for web, Quality 74'),
    ('cae6fd91a423ff181d50bb9c26a0d392', '111111', 'Adobe Photoshop, Save for web, Quality 75'),
    ('7d8ee11ca66d2c22ff9ed1f778b5dbac', '111111', 'Adobe Photoshop, Save for web, Quality 76'),
    ('a16371762ce48953d42dfb5b77d1bfc6', '111111', 'Adobe Photoshop, Save for web, Quality 77'),
    ('204b111d4aaa85b430e86273a63fd004', '111111', 'Adobe Photoshop, Save for web, Quality 78'),
    ('6a243ac0b8575c2ed962070cd7d39e04', '111111', 'Adobe Photoshop, Save for web, Quality 79'),
    ('51879d6e5178d2282d5e8276ed4e2439', '111111', 'Adobe Photoshop, Save for web, Quality 80'),
    ('ca683ab6caaa3132bf661a0ebf32ef4e', '111111', 'Adobe Photoshop, Save for web, Quality 81'),
    ('5399adc3f21ecb30c96d6a94b38ab74c', '111111', 'Adobe Photoshop, Save for web, Quality 82'),
    ('43eb3b161279ccc1fb4f9cbe7b92398f', '111111', 'Adobe Photoshop, Save for web, Quality 83'),
    ('2d387641f4e94b6986908b3770fb762e', '111111', 'Adobe Photoshop, Save for web, Quality 84'),
    ('75ee5a0fd61559c6bf8e6ebc920c93b0', '111111', 'Adobe Photoshop, Save for web, Quality 85'),
    ('60d17e041a23d47b96c5aac86180a022', '111111', 'Adobe Photoshop, Save for web, Quality 86'),
    ('8e5290b1d12832ad259de92a53e1ef4e', '111111', 'Adobe Photoshop, Save for web, Quality 87'),
    ('dc19a48af9051bbdc54cf7e88c03f13e', '111111', 'Adobe Photoshop, Save for web, Quality 88'),
    ('c3fbc85c803ddc81c8882c03330b5b15', '111111', 'Adobe Photoshop, Save for web, Quality 89'),
    ('5e016a2d28f8ad3e7e27e4e2981031d2', '111111', 'Adobe Photoshop, Save for web, Quality 90'),
    ('ef4fa43f4d548e0687c4d4151a0bf1bd', '111111', 'Adobe Photoshop, Save for web, Quality 91'),
    ('00f03e367cd316b71de360c6e7af0e6b', '111111', 'Adobe Photoshop, Save for web, Quality 92'),
    ('982fc46fd167df238fbf23494a1ce761', '111111', 'Adobe Photoshop, Save for web, Quality 93'),
    ('6fd7b56ac6b58dc861e6021815fb5704', '111111', 'Adobe Photoshop, Save for web, Quality 94'),
    ('c6d9120293c8435cf6b40574b45756bb', '111111', 'Adobe Photoshop, Save for web, Quality 95'),
    ('1e133f4bf9f7c7c1e0accf44c0b1107d', '111111', 'Adobe Photoshop, Save for web, Quality 96'),
    ('fb91d6a8a1b72388d68130f551698865', '111111', 'Adobe Photoshop, Save for web, Quality 97'),
    ('4ea4e07900e04a3bd7572d4b59aa7a74', '111111', 'Adobe Photoshop, Save for web, Quality 98'),
    ('15e1d2321b96b355d4ad109a8d2fe882', '111111', 'Adobe Photoshop, Save for web, Quality 99'),
    ('234d8f310d75effc9f77beb1d3847f49', '111111', 'Adobe Photoshop, Save for web, Quality 100'),
    ('aeb34eb083acc888770d65e691497bcf', '111111', 'Adobe Photoshop Express, Original Size'),
)  # fmt: skip
_ADOBE = {(d, s): n for d, s, n in ADOBE_DIGESTS}


@dataclass(frozen=True)
class Platform:
    """A platform or messenger that re-encodes what is sent through it.

    ``long_sides`` are the long sides (pixels) it resizes larger pictures to;
    ``strips`` says it removes the camera metadata. ``names`` are the file-name
    patterns of :data:`forensics.knowledge.filenames.PLATFORM_NAME_PATTERNS`
    under this platform's name.
    """

    name: str
    long_sides: tuple[int, ...]
    strips: bool
    source: str
    measured: bool = False


_REPORTED = "reported, not measured here"
PLATFORMS: tuple[Platform, ...] = (
    Platform("WhatsApp", (1600,), True,
             f"{_REPORTED}: photos sent at standard quality resized to 1600 px on the long side, EXIF removed "
             "(platforms' resizing studied in Giudice, Paratore, Moltisanti & Battiato, 'A Classification Engine for Image Ballistics of Social Data', ICIAP 2017, arXiv:1610.06347)"),
    Platform("Telegram", (1280, 2560), True,
             f"{_REPORTED}: photos (not files) resized to 1280 px, 2560 px in clients since 2020; EXIF removed"),
    Platform("Signal", (), True, f"{_REPORTED}: metadata removed on sending; resize depends on the chosen quality"),
    Platform("Facebook / Messenger", (2048, 960), True,
             f"{_REPORTED}: uploads resized to 2048 px (high quality) or 960 px, EXIF removed "
             "(Moltisanti, Paratore, Battiato & Saravo, 'Image Manipulation on Facebook for Forensics Evidence', ICIAP 2015)"),
    Platform("Instagram", (1080,), True, f"{_REPORTED}: feed photos resized to 1080 px wide (Instagram help centre); EXIF removed"),
    Platform("X / Twitter", (4096,), True, f"{_REPORTED}: photos up to 4096 px on the long side since 2019; EXIF removed"),
    Platform("VK", (2560,), True, f"{_REPORTED}: photos resized to 2560 px on the long side; EXIF removed"),
)  # fmt: skip
PLATFORM_BY_NAME = {p.name: p for p in PLATFORMS}


def platforms_for_long_side(side: int | None) -> tuple[Platform, ...]:
    """The platforms that resize to exactly this long side (pixels)."""
    if not side:
        return ()
    return tuple(p for p in PLATFORMS if side in p.long_sides)


@dataclass(frozen=True)
class Trait:
    """A published trait of an encoder that the headers show (a comment it writes)."""

    name: str
    kind: str
    comment: re.Pattern[str]
    source: str


TRAITS: tuple[Trait, ...] = (
    Trait("GIMP", "editor", re.compile(r"^Created with (?:GIMP|The GIMP)"), f"{_REPORTED}: GIMP's JPEG export writes this comment by default"),
    Trait("gd (PHP)", "library", re.compile(r"^CREATOR: gd-jpeg"), f"{_REPORTED}: libgd writes 'CREATOR: gd-jpeg v1.0 (using IJG JPEG vNN), quality = N'"),
    Trait("JPEGmini", "library", re.compile(r"JPEGmini", re.I), f"{_REPORTED}: JPEGmini writes its name in a comment"),
    Trait("Lavc (FFmpeg)", "library", re.compile(r"^Lavc"), f"{_REPORTED}: FFmpeg's MJPEG encoder writes 'Lavc' and its version"),
)  # fmt: skip


# A make as EXIF spells it -> the maker's name (prefix of the lower-cased Make; the first match wins).
MAKERS: tuple[tuple[str, str], ...] = (
    ("sony ericsson", "Sony Ericsson"), ("sony", "Sony"), ("nikon", "Nikon"), ("canon", "Canon"),
    ("olympus", "Olympus"), ("fujifilm", "Fujifilm"), ("fuji", "Fujifilm"), ("eastman kodak", "Kodak"),
    ("kodak", "Kodak"), ("samsung", "Samsung"), ("apple", "Apple"), ("pentax", "Pentax"), ("asahi", "Pentax"),
    ("ricoh", "Ricoh"), ("caplio", "Ricoh"), ("panasonic", "Panasonic"), ("leica", "Leica"), ("casio", "Casio"),
    ("konica minolta", "Konica Minolta"), ("minolta", "Minolta"), ("konica", "Konica"), ("sanyo", "Sanyo"),
    ("htc", "HTC"), ("lg", "LG"), ("motorola", "Motorola"), ("nokia", "Nokia"), ("huawei", "Huawei"),
    ("xiaomi", "Xiaomi"), ("google", "Google"), ("oneplus", "OnePlus"), ("hewlett-packard", "HP"), ("hp ", "HP"),
    ("sigma", "Sigma"), ("toshiba", "Toshiba"), ("jvc", "JVC"), ("kyocera", "Kyocera"), ("sharp", "Sharp"),
    ("blackberry", "BlackBerry"), ("research in motion", "BlackBerry"), ("dji", "DJI"), ("gopro", "GoPro"),
)  # fmt: skip


def maker(make: str | None) -> str | None:
    """The maker a Make string names (``"NIKON CORPORATION"`` -> ``"Nikon"``); else its first word.

    Examples
    --------
    >>> maker("OLYMPUS OPTICAL CO.,LTD"), maker("samsung"), maker("Acme Cam"), maker(" ")
    ('Olympus', 'Samsung', 'Acme', None)
    """
    m = (make or "").strip().lower()
    if not m:
        return None
    for prefix, name in MAKERS:
        if m.startswith(prefix):
            return name
    first = (make or "").strip().split()[0].strip(",.")
    return first[:1].upper() + first[1:] if first.islower() else first


def tables_key(tables: Sequence[Sequence[int]]) -> str:
    """A digest of the quantisation tables' values (natural order, by table id).

    Unlike the DQT digest it does not depend on how the tables were split into
    DQT segments, so a file rebuilt with the same tables by another encoder
    (Pillow's ``qtables=``) has the same key.
    """
    return hashlib.md5(";".join(",".join(str(int(v)) for v in t) for t in tables).encode()).hexdigest()


_CAMERAS: dict[tuple[str, str], Mapping[str, Any]] = {
    (str(e["key"]), str(e["sampling"])): e for e in CAMERAS if not e["standard"]
}  # the standard tables are the family of libjpeg encoders, never one camera's


def camera_entry(tables: Sequence[Sequence[int]] | None, sampling: str | None) -> Mapping[str, Any] | None:
    """The measured camera entry with exactly these tables and sampling (None: none, or standard tables)."""
    if not tables:
        return None
    return _CAMERAS.get((tables_key(tables), sampling or ""))


def camera_name(entry: Mapping[str, Any]) -> str:
    """``"the own encoder of Nikon or Sony cameras (models seen: Nikon E885, Sony DSC-P10)"``."""
    return f"the own encoder of {camera_makers(entry)}"


def camera_makers(entry: Mapping[str, Any]) -> str:
    """``"Nikon or Sony cameras (models seen: Nikon E885, Sony DSC-P10)"``: phones said so."""
    makes = list(entry["makes"])
    who = makes[0] if len(makes) == 1 else ", ".join(makes[:-1]) + " or " + makes[-1]
    models = list(entry["models"])
    shown = ", ".join(models[:4]) + (f" and {len(models) - 4} more" if len(models) > 4 else "")
    phones = "phones" if all(m in _PHONE_ONLY for m in makes) else "cameras and phones"
    kind = phones if entry["phone"] else "cameras"
    return f"{who} {kind} (models seen: {shown})"


# What else writes a maker's tables, said beside a camera match for that maker.
MAKER_NOTES: dict[str, str] = {
    "Apple": "Apple's ImageIO also re-saves in apps on iOS and macOS (Photos, Preview) with tables of its own family: "
    "in camera-jpegs two pictures resized on a Mac (JFIF, ICC profile, then Exif) carry one such table under an "
    "iPhone 4's and an HTC Desire's metadata",
}

_PHONE_ONLY = {"Apple", "HTC", "Nokia", "Motorola", "LG", "Sony Ericsson", "Huawei", "Xiaomi", "Google", "OnePlus", "BlackBerry"}


def _measured_basis(
    entry: Mapping[str, Any], sig: EncoderSignature, quality: float | None, standard: bool | None
) -> tuple[str, ...] | None:
    """What of ``sig`` matches a measured entry; None when anything it states differs."""
    low, high = entry["quality"]
    if not standard or quality is None or not low <= quality <= high:
        return None
    for key in ("sampling", "huffman", "progressive", "jfif", "comment", "restart_interval"):
        if entry[key] != getattr(sig, key):
            return None
    if tuple(entry["app_segments"]) != sig.app_segments:
        return None
    if sig.progressive and tuple(entry["scans"]) != sig.scans:
        return None
    return (
        f"standard tables at quality {quality:g}", f"sampling {sig.sampling}", f"{sig.huffman} Huffman tables",
        "progressive scan script" if sig.progressive else "baseline", f"segments {', '.join(sig.app_segments) or 'none'}",
    )  # fmt: skip


def match_signature(
    sig: EncoderSignature, *, quality: float | None = None, standard_tables: bool | None = None,
    tables: Sequence[Sequence[int]] | None = None,
) -> tuple[EncoderMatch, ...]:  # fmt: skip
    """The named encoders whose known signature ``sig`` is consistent with.

    Parameters
    ----------
    sig : EncoderSignature
        The file's signature.
    quality, standard_tables
        The IJG-quality fit of its quantisation tables and whether they are
        the scaled Annex K tables exactly (:func:`forensics.read.jpeg.estimate_quality`).
    tables : sequence of sequences of int, optional
        The quantisation tables (natural order, by id), for the camera entries
        measured on originals (:data:`forensics.knowledge.cameras_measured.CAMERAS`);
        never claimed for the standard tables, which many encoders share.

    Returns
    -------
    tuple of EncoderMatch
        Matching entries, the most specific first (a digest or measured
        signature before the family of standard-table encoders).
    """
    out: list[EncoderMatch] = []
    if sig.digest is not None:
        name = _ADOBE.get((sig.digest, sig.sampling or "")) or _ADOBE.get((sig.digest, ""))
        if name is not None:
            out.append(EncoderMatch(name, "editor", ("quantisation tables (JPEGDigest)", f"sampling {sig.sampling}"), EXIFTOOL_JPEGDIGEST))
    if sig.comment:
        for t in TRAITS:
            if t.comment.search(sig.comment):
                out.append(EncoderMatch(t.name, t.kind, (f"comment {sig.comment[:40]!r}",), t.source))
    camera = None if standard_tables else camera_entry(tables, sig.sampling)
    if camera is not None:
        notes = tuple(MAKER_NOTES[m] for m in camera["makes"] if m in MAKER_NOTES)
        out.append(EncoderMatch(
            camera_name(camera), "camera", ("quantisation tables (exact)", f"sampling {sig.sampling}", *notes),
            str(camera["source"]), True,
        ))  # fmt: skip
    seen: set[str] = set()
    for entry in MEASURED:
        basis = _measured_basis(entry, sig, quality, standard_tables)
        if basis is not None and entry["name"] not in seen:
            seen.add(str(entry["name"]))
            out.append(EncoderMatch(str(entry["name"]), str(entry["kind"]), basis, f"measured here: {entry['source']}", True))
    if standard_tables and not out:
        out.append(EncoderMatch(
            "an encoder using the IJG standard tables", "library", (f"standard tables at quality {quality:g}" if quality else "standard tables",),
            "ITU-T T.81 Annex K tables scaled as libjpeg does: libjpeg and libjpeg-turbo and what is built on them "
            "(Pillow, OpenCV, ImageMagick, GIMP, Android Skia), many platforms, and many cameras and phones",
        ))  # fmt: skip
    return tuple(out)


def names(matches: Sequence[EncoderMatch]) -> str:
    """The matches' names as one phrase: ``"Pillow, OpenCV or cjpeg"``."""
    n = [m.name for m in matches]
    return n[0] if len(n) == 1 else ", ".join(n[:-1]) + " or " + n[-1] if n else ""
