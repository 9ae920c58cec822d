"""The report's JSON text is the standard library's, whichever encoder writes it (orjson where it is
installed), but for how a float is spelled (``1e-07``, ``1e-7``; ``6.103515625e-05``, ``0.00006103515625``:
the same numbers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.render import json as rj

pytestmark = pytest.mark.skipif(rj._orjson is None, reason="orjson is not installed here: the standard library writes every text")


def _stdlib(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=str)


def _plain(data: object, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as m:
        m.setattr(rj, "_orjson", None)
        return rj.dumps(data)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _spelled_alike(text: str) -> str:
    """Every float spelled as Python does (orjson writes 6.103515625e-05 as 0.00006103515625)."""
    return _NUMBER.sub(lambda m: repr(float(m.group())) if not m.group().lstrip("-").isdigit() else m.group(), text)


# no record holds a NaN or an infinity (tests/test_calibration.py): the standard library refuses them
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(values)
def test_the_same_text_as_the_standard_library(data: object) -> None:
    fast, plain = rj.dumps(data), rj._INERT.sub(lambda m: json.dumps(m.group())[1:-1], _stdlib(data))
    assert json.loads(fast) == json.loads(plain)
    assert _spelled_alike(fast) == _spelled_alike(plain)


@dataclasses.dataclass
class _Thing:
    name: str


@pytest.mark.parametrize(
    "value",
    [
        np.float64(0.1),  # a float's subclass: written as the float
        np.float32(0.5),  # not a float: str(), as the default does
        np.int64(3),
        dt.datetime(2016, 6, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=3))),  # str(), not RFC 3339
        dt.date(2016, 6, 1),
        _Thing("a"),  # str(), not a dict
        (1, 2.5, "x"),
        __import__("collections").namedtuple("Point", "x y")(1, 2),  # a tuple's subclass: a list
        os.stat_result(range(10)),  # a structseq: a list too
        {2: "a", 2.5: "b", None: "c", True: "d"},
        2**70,  # past 64 bits: orjson refuses, the standard library writes it
        "bad\udcff name",  # a lone surrogate (a file name that is not UTF-8): as the standard library writes it
        "\u202e\u0085 C1 and bidi",  # escaped after either encoder
    ],
)
def test_values_written_as_the_standard_library_writes_them(value: object, monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"v": value, "nested": [value]}
    assert rj.dumps(data) == _plain(data, monkeypatch)


def test_a_float_in_exponent_form_is_the_same_number() -> None:
    assert json.loads(rj.dumps({"v": 1.192092896e-07})) == {"v": 1.192092896e-07}


def test_a_report_is_the_same_text(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imagegen import exif_bytes, photo

    import forensics

    for i in range(3):
        photo(i, (320, 240)).save(tmp_path / f"IMG_{i}.JPG", "JPEG", quality=90,
                                  exif=exif_bytes(make="Apple", model="iPhone 7", datetime_original=f"2016:06:0{i + 1} 10:00:00",
                                                  gps=(36.2, 37.1)))  # fmt: skip
    report = forensics.scan([str(tmp_path)], workers=1)
    fast = rj.render_json(report)
    with monkeypatch.context() as m:
        m.setattr(rj, "_orjson", None)
        assert rj.render_json(report) == fast
    assert len(json.loads(fast)["images"]) == 3
