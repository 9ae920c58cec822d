"""Checks: small named units that turn records (and the set's facts) into findings.

Importing this package registers every built-in check; :data:`REGISTRY`
maps each stable id to its :class:`Check`. Checks run, and their findings are
listed, in registration order, which the imports below fix.

May import :mod:`forensics.sets`, :mod:`forensics.refs` (match types),
:mod:`forensics.geo`, :mod:`forensics.knowledge`, :mod:`forensics.read` (format
tables) and :mod:`forensics.records`.
"""

from forensics.checks.registry import REGISTRY, Check, CheckContext, check, run_checks

# isort: off
# Registration order is report order: per-image checks, videos, references, then the set.
from forensics.checks import image  # noqa: F401
from forensics.checks import encoding  # noqa: F401
from forensics.checks import video  # noqa: F401
from forensics.checks import references  # noqa: F401
from forensics.checks import place, daylight, device, timeline  # noqa: F401
from forensics.checks import sensor  # noqa: F401
from forensics.checks import credentials  # noqa: F401
from forensics.checks import documents  # noqa: F401
from forensics.checks import pixels  # noqa: F401
# isort: on

__all__ = ["REGISTRY", "Check", "CheckContext", "check", "run_checks"]
