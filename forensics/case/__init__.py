"""Case files and the evidence matrix: competing hypotheses weighed against the findings.

``file`` reads and validates a case file; ``assess`` lays out, criterion by
criterion, what is consistent with each hypothesis. May import :mod:`forensics.sets`,
:mod:`forensics.geo`, :mod:`forensics.knowledge` and :mod:`forensics.records`.
"""
