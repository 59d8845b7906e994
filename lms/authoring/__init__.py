"""Authoring for every document type: drafts, checks, previews, uploads, archives and publishing.

It sits above the document types it handles (``content`` for training modules and workshop scripts,
``quizzes``), so neither of them imports the other's authoring code; the content views and the CLI use it.
"""
