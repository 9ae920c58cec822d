"""From a picture to what its document says: classify, find the page, turn it upright, read it, extract.

:func:`with_documents` runs :func:`document_text` over a scan's pictures in the
crash-isolated worker processes (:mod:`forensics.read.pool`), under the scan's
per-file memory budget and time limit. A picture the classifier does not take
for a document keeps ``document`` None and costs one reduced decode.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from forensics.documents.classify import SIDE, classify, reduced_grey
from forensics.documents.extract import extract
from forensics.documents.ocr import DEFAULT_LANGUAGES, RawWord, read_words, rotation, tesseract_problem
from forensics.documents.page import even_light, find_corners, flatten_page
from forensics.read import decode
from forensics.read.pool import Progress, map_isolated, stopped_reason
from forensics.records.document import DocumentText, Word
from forensics.records.record import ImageRecord

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Long side a picture is read at: a 12-MP photo's page is kept at its own resolution; larger ones
# are brought down (Tesseract's time grows with the pixels, its accuracy not past ~30 px letters).
READ_SIDE = 3200
# A flat page narrower than this is enlarged to it first: Tesseract reads letters best at
# 20-30 pixels high, and a page photographed from afar or a messenger's copy has smaller ones.
MIN_READ_WIDTH = 1600


def with_documents(
    records: Sequence[ImageRecord], *, languages: str = DEFAULT_LANGUAGES, workers: int | None = None, progress: Progress | None = None,
) -> list[ImageRecord]:  # fmt: skip
    """The records with ``document`` set on every picture the classifier takes for a document.

    When Tesseract cannot read (:func:`forensics.documents.ocr.tesseract_problem`),
    pictures are still classified, and each document says why it was not read.

    Parameters
    ----------
    records : sequence of ImageRecord
        Records as read.
    languages : str
        Tesseract's language codes joined by ``+`` (``rus+eng``).
    workers : int, optional
        Processes; default: every core.
    progress : callable, optional
        Called as ``progress(done, total)`` over the pictures.

    Returns
    -------
    list of ImageRecord
        The records in their order.
    """
    problem = tesseract_problem(languages)
    todo = [(r.path, languages, problem) for r in records if not r.error and r.kind == "image"]
    found = map_isolated(_task, todo, on_crash=_crashed, on_timeout=_stopped, workers=workers, progress=progress)
    by_path = {item[0]: doc for item, doc in zip(todo, found)}
    return [dataclasses.replace(r, document=by_path[r.path]) if by_path.get(r.path) is not None else r for r in records]


def _task(item: tuple[str, str, str | None]) -> DocumentText | None:
    path, languages, problem = item
    return document_text(path, languages=languages, problem=problem)


def _crashed(item: tuple[str, str, str | None]) -> DocumentText | None:
    return DocumentText(reason="reading the document crashed its process", languages=item[1])


def _stopped(item: tuple[str, str, str | None]) -> DocumentText | None:
    return DocumentText(reason=stopped_reason(decode.limits().time_limit), languages=item[1])


def document_text(
    source: bytes | str | os.PathLike[str], *, languages: str = DEFAULT_LANGUAGES, problem: str | None = None, always: bool = False,
) -> DocumentText | None:  # fmt: skip
    """Classify one picture and, when it shows a document, read it (run in a worker).

    Parameters
    ----------
    source : bytes, str or os.PathLike
        The file, or its content.
    languages : str
        Tesseract's language codes joined by ``+``.
    problem : str, optional
        Why Tesseract cannot read (from :func:`tesseract_problem`, asked once
        per scan); the document is then classified and not read.
    always : bool
        Read the picture whatever the classifier says (to measure reading alone).

    Returns
    -------
    DocumentText or None
        None when the picture is not taken for a document.
    """
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reader has reported the file's damage already
        try:
            with decode.open_picture(source) as image:
                small = decode.decode(image, side=SIDE)
        except Exception:  # noqa: BLE001 - a picture the reader could not decode has said so in its record
            return None
        verdict = classify(reduced_grey(small))
        if not verdict.document and not always:
            return None
        base = DocumentText(score=verdict.score, languages=languages)
        if problem is not None:
            return dataclasses.replace(base, reason=problem)
        try:
            picture = decode.load_picture(source, side=READ_SIDE)
        except Exception as exc:  # noqa: BLE001 - e.g. over the memory budget at full size: said, and the scan goes on
            return dataclasses.replace(base, reason=f"cannot be decoded to be read: {exc}")
    grey = np.asarray(picture.convert("L"), dtype=np.uint8)
    shown = picture.size
    try:
        return _read(grey, shown, base)
    except Exception as exc:  # noqa: BLE001 - Tesseract's failures (a time-out, a crash of its own) are the document's
        return dataclasses.replace(base, reason=f"Tesseract failed: {' '.join(str(exc).split())[:200]}")


def _read(grey: npt.NDArray[np.uint8], shown: tuple[int, int], base: DocumentText) -> DocumentText:
    import cv2
    import numpy as np

    limit = decode.limits().time_limit
    timeout = limit * 0.4 if limit else 0  # two Tesseract runs, and the rest of the file, within the limit
    corners = find_corners(grey)
    to_picture = np.eye(3)
    kind = "text"
    page_corners = None
    flat = grey
    if corners is not None:
        page = flatten_page(grey, corners)
        flat, to_picture, kind = page.flat, page.to_picture, "page"
        page_corners = tuple((x / shown[0], y / shown[1]) for x, y in page.corners)
    if flat.shape[1] < MIN_READ_WIDTH:
        k = MIN_READ_WIDTH / flat.shape[1]
        flat = np.asarray(cv2.resize(flat, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC), np.uint8)
        to_picture = to_picture @ np.diag([1 / k, 1 / k, 1.0])
    if kind == "page":
        flat = even_light(flat)
    turn = rotation(flat, timeout=timeout)
    if turn:
        h, w = flat.shape[:2]
        flat = np.ascontiguousarray(np.rot90(flat, k=-(turn // 90)))
        to_picture = to_picture @ np.linalg.inv(_turned(turn, w, h))
    raw = read_words(flat, languages=base.languages, timeout=timeout)
    text, words = _layout(raw, to_picture, shown)
    confidence = float(np.mean([w.confidence for w in words])) if words else 0.0
    return dataclasses.replace(
        base, kind=kind, page=page_corners, rotation=turn, text=text, confidence=confidence, words=tuple(words),
        extracted=extract(text, words),
    )  # fmt: skip


def _turned(turn: int, w: int, h: int) -> npt.NDArray[np.float64]:
    """The matrix taking a w×h picture's pixels to those of the picture turned ``turn`` degrees clockwise."""
    import numpy as np

    if turn == 90:
        return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64)
    if turn == 180:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64)
    return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], dtype=np.float64)  # 270


def _layout(raw: Sequence[RawWord], to_picture: npt.NDArray[np.float64], shown: tuple[int, int]) -> tuple[str, list[Word]]:
    """The text, a line of it per line Tesseract found, and each word with its box in the picture."""
    import numpy as np

    parts: list[str] = []
    words: list[Word] = []
    at = 0
    previous: tuple[int, int, int] | None = None
    for w in raw:
        if previous is not None:
            sep = " " if w.line == previous else "\n"
            parts.append(sep)
            at += len(sep)
        previous = w.line
        corners = np.array(
            [[w.left, w.top], [w.left + w.width, w.top], [w.left + w.width, w.top + w.height], [w.left, w.top + w.height]], dtype=np.float64
        )
        pts = np.hstack([corners, np.ones((4, 1))]) @ to_picture.T
        pts = pts[:, :2] / pts[:, 2:3]
        box = (
            _clip(pts[:, 0].min() / shown[0]), _clip(pts[:, 1].min() / shown[1]),
            _clip(pts[:, 0].max() / shown[0]), _clip(pts[:, 1].max() / shown[1]),
        )  # fmt: skip
        words.append(Word(w.text, box, w.confidence, (at, at + len(w.text))))
        parts.append(w.text)
        at += len(w.text)
    return "".join(parts), words


def _clip(v: float) -> float:
    return min(1.0, max(0.0, float(v)))
