"""A small seeded case folder for the HTML and CSV report tests, hostile strings included."""

from __future__ import annotations

import struct
from pathlib import Path

from imagegen import camera_jpeg, photo, write_jpeg

# Strings an adversary can put in a file; each must reach the page as text.
DESCRIPTION = '<script>alert("description")</script>'
ARTIST = "<img src=x onerror=alert('artist')>"
CREATOR_TOOL = "</td><script>alert('xmp')</script>"
MAKE = "<b onmouseover=alert(1)>Evil</b>"
HOSTILE_NAME = "\"><svg onload=alert('name')>x.jpg"
PAYLOADS = (DESCRIPTION, ARTIST, CREATOR_TOOL, MAKE, HOSTILE_NAME[:-4])


def xmp_packet(creator_tool: str) -> bytes:
    """An XMP packet naming ``creator_tool`` (XML-escaped, as a writer would)."""
    from xml.sax.saxutils import escape

    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<xmp:CreatorTool>{escape(creator_tool)}</xmp:CreatorTool>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode("utf-8")


def add_xmp(path: Path, packet: bytes) -> None:
    """Insert an APP1 XMP segment right after the JPEG's SOI."""
    data = path.read_bytes()
    body = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + data[2:])


def make_case(folder: Path) -> Path:
    """Five files: two phones in two countries, an edited copy, a hostile file, a broken one."""
    folder.mkdir(parents=True, exist_ok=True)
    camera_jpeg(folder / "IMG_0001.jpg", seed=1, gps=(35.2, 38.9), serial="C39X1", datetime_original="2016:06:19 14:22:33")
    camera_jpeg(folder / "IMG_0002.jpg", seed=2, gps=(55.7, 37.6), model="iPhone 7", datetime_original="2016:06:21 10:05:00")
    # Edited after capture: the EXIF thumbnail still shows another picture.
    write_jpeg(folder / "IMG_0003.jpg", seed=3, software="Adobe Photoshop CC 2015", thumbnail=photo(9, (160, 120)),
               datetime_original="2016:06:20 09:00:00")  # fmt: skip
    hostile = camera_jpeg(
        folder / HOSTILE_NAME, seed=4, make=MAKE, description=DESCRIPTION, artist=ARTIST, gps=(34.8, 38.2),
        datetime_original="2016:06:20 18:30:00",
    )  # fmt: skip
    add_xmp(hostile, xmp_packet(CREATOR_TOOL))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    return folder
