"""Pixel analyses and the pictures made from pixels for people.

``ela`` computes error levels; ``preview`` the report pictures (the picture,
its EXIF thumbnail, its error levels), decoded through :mod:`forensics.read.decode`
at the size they are shown. May import
:mod:`forensics.read` and :mod:`forensics.records`.
"""
