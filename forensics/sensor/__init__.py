"""Sensor noise (PRNU): which pictures of a set share one camera sensor, with no reference camera.

:mod:`~forensics.sensor.residual` turns a picture into its noise residual (in
the worker processes, behind ``scan(..., sensor=True)``) and says when a
picture cannot carry one; :mod:`~forensics.sensor.scores` scores residuals
against each other and against a fingerprint, with the measured null
distribution that gives a match its chance of being false;
:mod:`~forensics.sensor.groups` groups a set by the sensor its pictures share.

May import :mod:`forensics.read` (decoding, the worker pool),
:mod:`forensics.records` and :mod:`forensics.errors`.
"""
