"""The library's entry points: each command of the CLI is one call here.

``scanning.scan`` runs the whole pipeline (discover -> read -> match -> set
facts -> checks -> case assessment -> report); ``matching.match`` looks files up
in a reference index; ``frames.extract_frames`` takes key frames out of a video;
``listings.describe`` and ``listings.hash_files`` are the ``meta`` and ``hash``
documents. May import every stage and :mod:`forensics.report`.
"""
