"""Reference sets: the reference index, hash search, query views, feature verification, matching.

``index`` stores references in SQLite, ``search`` scans packed hashes, ``queries``
builds the views of a query picture (turns, flips, framed content, crops, tilts),
``features`` confirms candidates with ORB + RANSAC, ``match`` ranks them,
``videos`` finds screenshots of the set's own videos. May import :mod:`forensics.read`
and :mod:`forensics.records`.
"""
