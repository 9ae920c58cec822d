"""Checks: small named units that turn records into findings.

Importing this package registers every built-in check; :data:`REGISTRY`
maps each stable id to its :class:`Check`.
"""

from .registry import REGISTRY, Check, CheckContext, check, run_checks

from . import image  # noqa: E402,F401  (registers the per-image checks)

__all__ = ["REGISTRY", "Check", "CheckContext", "check", "run_checks"]
