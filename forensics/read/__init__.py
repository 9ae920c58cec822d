"""Reading files: discovery, sniffing, metadata parsers, decoding, hashing, video sampling.

One read per file turns bytes into a :class:`~forensics.records.ImageRecord`
(``files.read_file``); ``pool`` runs reads in worker processes. May import
:mod:`forensics.records`, :mod:`forensics.knowledge` and :mod:`forensics.errors`.
"""
