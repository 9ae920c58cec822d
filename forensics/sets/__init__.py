"""Facts about the set as a whole: devices, capture times, places, and the summary.

Computed once per scan and read by checks, the case assessment and renderers.
May import :mod:`forensics.geo`, :mod:`forensics.refs` (match types),
:mod:`forensics.knowledge` and :mod:`forensics.records`.
"""
