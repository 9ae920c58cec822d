"""Records: the typed data the stages pass on, and nothing that computes.

``record`` holds what was read from one file (:class:`ImageRecord` and its parts),
``findings`` what a check observed, ``text`` how file names and durations are
written for people, ``atomic`` how an output file is written (whole, or not at
all). May import only the standard library and :mod:`forensics.errors`.
"""
