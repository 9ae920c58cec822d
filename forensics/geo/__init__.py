"""Offline geography: places and countries, time zones, the sun.

Everything comes from data installed with the packages; nothing touches the network.
May import :mod:`forensics.records` only.
"""
