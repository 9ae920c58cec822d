"""A picture's sensor noise: the residual that may carry its camera's fingerprint, or why it was not taken.

The residual itself travels as bytes (quantised, see :mod:`forensics.sensor.residual`)
so that a record stays plain data; it is left out of the JSON report, which says
only where it was taken and at what scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SensorNoise:
    """The noise residual of a picture's central crop, or the reason there is none.

    ``frame`` is the size of the picture the crop was cut from, as stored (the
    sensor's own orientation): only pictures of one frame are compared.
    ``residual`` is the residual as int8 in steps of ``scale`` grey levels and
    ``luma`` the crop's own 8-bit luminance, both row by row over ``side``×``side``.
    """

    reason: str | None = None  # why no residual was taken; None when it was
    frame: tuple[int, int] | None = None  # (width, height) of the decoded picture
    side: int = 0  # the crop is side×side, centred in the frame
    scale: float = 0.0
    residual: bytes = b""
    luma: bytes = b""

    @property
    def taken(self) -> bool:
        return self.reason is None and bool(self.residual)

    def to_dict(self) -> dict[str, Any]:
        return {"taken": self.taken, "reason": self.reason, "frame": list(self.frame) if self.frame else None, "side": self.side}
