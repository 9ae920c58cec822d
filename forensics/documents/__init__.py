"""Photos of documents: which pictures show one, the page warped flat, its text read and its values found.

Run in the worker processes behind ``scan(..., ocr=True)``: :func:`forensics.documents.read.with_documents`.
"""
