"""The compiled hash-grid reduction gives Pillow's bits: every size, crop, transpose and filter."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from forensics.refs import grids

numba = pytest.importorskip("numba", reason="the compiled passes need numba")

RESAMPLE = {"lanczos": Image.Resampling.LANCZOS, "bilinear": Image.Resampling.BILINEAR}


def _pillow(grey: np.ndarray, size: tuple[int, int], filter: str) -> np.ndarray:
    return np.asarray(Image.fromarray(np.ascontiguousarray(grey)).resize(size, RESAMPLE[filter]))


def _picture(seed: int, shape: tuple[int, int], kind: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "noise":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "edges":  # black and white only: the filter's overshoot is clipped at both ends
        return (rng.integers(0, 2, shape) * 255).astype(np.uint8)
    y, x = np.mgrid[: shape[0], : shape[1]]
    return np.clip((np.sin(x / 7.0) + np.cos(y / 5.0)) * 70 + 128, 0, 255).astype(np.uint8)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    shape=st.tuples(st.integers(1, 360), st.integers(1, 360)),
    size=st.one_of(st.just((32, 32)), st.just((9, 8)), st.tuples(st.integers(1, 90), st.integers(1, 90))),
    kind=st.sampled_from(["noise", "edges", "smooth"]),
    layout=st.sampled_from(["plain", "transposed", "cropped"]),
    filter=st.sampled_from(["lanczos", "bilinear"]),
)
def test_the_compiled_passes_give_pillows_bits(seed, shape, size, kind, layout, filter):
    grey = _picture(seed, shape, kind)
    if layout == "transposed":
        grey = grey.T
    elif layout == "cropped" and min(grey.shape) > 3:
        grey = grey[1:-1, 2:]
    out = grids.reduce(grey, size, filter=filter, kernel="numba")
    assert out.dtype == np.uint8 and out.shape == (size[1], size[0])
    assert (out == _pillow(grey, size, filter)).all()


@pytest.mark.parametrize(("shape", "size"), [((240, 320), (32, 32)), ((320, 120), (32, 32)), ((300, 40), (9, 8)), ((32, 32), (32, 32))])
def test_both_pass_orders_pillow_chooses_are_followed(shape, size):
    # a tall crop reduced to a square runs Pillow's vertical pass first (from Pillow 13): the two
    # orders round differently, so a fixed order would miss the bits of one of them
    grey = _picture(5, shape, "noise")
    assert (grids.reduce(grey, size, kernel="numba") == _pillow(grey, size, "lanczos")).all()
    assert (grids.reduce(grey, size, kernel="pillow") == _pillow(grey, size, "lanczos")).all()


def test_the_pass_order_is_pillows_rule():
    assert not grids.vertical_first((320, 240), (32, 32))
    assert grids.vertical_first((120, 320), (32, 32)) == (grids._MAJOR >= 13)
    assert not grids.vertical_first((32, 10), (32, 32))  # an enlargement: horizontal first


def test_coefficients_are_pillows_fixed_point_weights():
    bounds, kk = grids.coefficients(320, 32)
    assert bounds.shape == (32, 2) and not kk.flags.writeable
    # each output's weights sum to one, but for the rounding of each weight
    assert (np.abs(kk.sum(axis=1) - (1 << grids.PRECISION_BITS)) <= kk.shape[1]).all()
    assert (bounds[:, 1] <= kk.shape[1]).all() and (bounds[:, 0] + bounds[:, 1] <= 320).all()
    assert grids.coefficients(320, 32) is grids.coefficients(320, 32)  # cached


def test_without_the_compiled_passes_pillow_does_the_work(monkeypatch):
    monkeypatch.setattr(grids, "compiled", lambda: False)
    grey = _picture(1, (100, 150), "smooth")
    assert (grids.reduce(grey, (32, 32)) == _pillow(grey, (32, 32), "lanczos")).all()


def test_passes_that_cannot_compile_leave_the_grids_to_pillow(monkeypatch):
    from forensics.refs import _grids_jit

    def broken(*args):
        raise RuntimeError("no locator available for the cache")  # what numba says with no writable cache folder

    monkeypatch.setattr(grids, "compiled", lambda: not grids._BROKEN)
    monkeypatch.setattr(grids, "_BROKEN", False)
    monkeypatch.setattr(_grids_jit, "along0", broken)
    grey = _picture(2, (120, 90), "noise")
    assert (grids.reduce(grey, (32, 32)) == _pillow(grey, (32, 32), "lanczos")).all()
    assert grids._BROKEN
    with pytest.raises(RuntimeError):
        grids.reduce(grey, (32, 32), kernel="numba")  # asked for by name: the failure shows


def test_an_unknown_filter_is_refused():
    with pytest.raises(ValueError, match="unknown filter"):
        grids.reduce(np.zeros((4, 4), np.uint8), (2, 2), filter="bicubic", kernel="pillow")
