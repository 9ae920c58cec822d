"""Tesseract through pytesseract: is it there, which way is up, and the words with their boxes.

Tesseract is the Debian package ``tesseract-ocr``, its language data the
``tesseract-ocr-LANG`` packages (``osd`` comes with the engine); nothing is
fetched. pytesseract runs the ``tesseract`` program on a temporary file, so a
Tesseract that hangs is stopped at its own time-out, and one that crashes
costs only its own process.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DEFAULT_LANGUAGES = "rus+eng"
_LANGUAGE = re.compile(r"[a-z_]{3,}(?:\+[a-z_]{3,})*")
# "Rotate: 90" in Tesseract's OSD: the clockwise turn that makes the page upright
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
# Tesseract's OSD needs this confidence in its orientation to be believed (its own scale)
MIN_OSD_CONFIDENCE = 2.0


@dataclass(frozen=True)
class RawWord:
    """A word in the picture Tesseract was given: pixels, confidence 0..1, and its line."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    line: tuple[int, int, int]  # block, paragraph, line


def tesseract_problem(languages: str = DEFAULT_LANGUAGES) -> str | None:
    """Why Tesseract cannot read these languages here, in one line; None when it can.

    Examples
    --------
    >>> tesseract_problem("not a language!")
    "languages must be Tesseract codes joined by '+' (rus+eng), not 'not a language!'"
    """
    if not _LANGUAGE.fullmatch(languages):
        return f"languages must be Tesseract codes joined by '+' (rus+eng), not {languages!r}"
    if shutil.which("tesseract") is None:
        return "Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-rus): documents are not read"
    try:
        import pytesseract

        have = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # noqa: BLE001 - any failure to run it means it cannot read
        return f"Tesseract does not run: {exc}"
    missing = [code for code in languages.split("+") if code not in have]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        return f"Tesseract has no language data for {'+'.join(missing)} (Debian: apt-get install {packages}): documents are not read"
    return None


def _quiet_env() -> None:
    # one thread per Tesseract: the scan already runs one worker per core
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def rotation(image: npt.NDArray[np.uint8], *, timeout: float = 0) -> int:
    """The clockwise turn (0, 90, 180 or 270 degrees) that makes a page upright, by Tesseract's OSD; 0 when unsure."""
    import pytesseract

    _quiet_env()
    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", timeout=timeout)
    except pytesseract.TesseractError:
        return 0  # too few letters to tell: read as it stands
    m = _ROTATE.search(osd)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", osd)
    if m is None or (conf is not None and float(conf.group(1)) < MIN_OSD_CONFIDENCE):
        return 0
    return int(m.group(1)) % 360


def read_words(image: npt.NDArray[np.uint8], *, languages: str = DEFAULT_LANGUAGES, timeout: float = 0) -> list[RawWord]:
    """The words Tesseract reads in an upright picture, in reading order.

    Parameters
    ----------
    image : ndarray of uint8
        Grey or RGB.
    languages : str
        Tesseract's language codes joined by ``+``.
    timeout : float
        Seconds Tesseract may run; 0: no limit.

    Returns
    -------
    list of RawWord
    """
    import pytesseract

    _quiet_env()
    data = pytesseract.image_to_data(image, lang=languages, config="--psm 3", output_type=pytesseract.Output.DICT, timeout=timeout)
    out = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        out.append(
            RawWord(
                text, int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]), conf / 100.0,
                (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
            )
        )  # fmt: skip
    return out
