"""Photos of documents: which pictures show one, the page warped flat, its text read and its values found.

Run in the worker processes behind ``scan(..., ocr=True)``
(:func:`forensics.documents.read.with_documents`); the values land in each
record's ``document`` (:class:`forensics.records.document.DocumentText`).

May import :mod:`forensics.read` (the decoder, the worker pool),
:mod:`forensics.records` and :mod:`forensics.errors`.
"""
