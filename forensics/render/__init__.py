"""Renderers turn a finished :class:`~forensics.report.Report` into text, JSON, CSV or HTML."""
