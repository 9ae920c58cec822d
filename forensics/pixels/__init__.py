"""Pixel analyses and the pictures made from pixels for people.

``ela`` computes error levels; ``preview`` the report pictures (the picture,
its EXIF thumbnail, its error levels), decoded through :mod:`forensics.read.decode`
at the size they are shown. ``copymove`` finds regions copied within a picture,
``splice`` regions whose noise or error level disagree with the rest, and
``analysis`` runs both in the worker processes (``scan(..., pixels=True)``). May import
:mod:`forensics.read` and :mod:`forensics.records`.
"""
