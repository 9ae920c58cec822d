"""Checks: small named units that turn records into findings.

Importing this package registers every built-in check; :data:`REGISTRY`
maps each stable id to its :class:`Check`.
"""

from .registry import REGISTRY, Check, CheckContext, check, run_checks

from . import image  # noqa: E402,F401  (registers the per-image checks)
from . import video  # noqa: E402,F401  (screenshots of videos, across the set)
from . import references  # noqa: E402,F401  (reference-match, near-duplicate)
from . import place, daylight, device, timeline  # noqa: E402,F401  (place, sun, devices and order across the set)

__all__ = ["REGISTRY", "Check", "CheckContext", "check", "run_checks"]
