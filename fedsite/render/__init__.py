"""Render stage: Markdown to sanitized HTML, once per document, cached."""
