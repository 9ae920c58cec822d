"""Pixel analyses: error level and, later, other traces of editing in the pixels.

Each runs on a decoded picture under the decoding budget. May import
:mod:`forensics.read` and :mod:`forensics.records`.
"""
