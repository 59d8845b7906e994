"""The Markdown kernel: front matter with line numbers, problems as ``path:line``, render, sanitise.

Every document type (training modules, quizzes, later ones) reads its files through this package, and it
imports no feature. Bleach stays behind ``sanitize.py`` alone, so replacing it (by nh3) changes one file.
"""
