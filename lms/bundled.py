"""Folders that ship with the platform: inside the package in an installed wheel, at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# setup.py maps the checkout's top-level folders to lms/_bundled/<name> in a wheel; the checkout keeps its layout.
_IN_WHEEL = _PACKAGE / "_bundled"
_CHECKOUT = _PACKAGE.parent


def folder(name: str) -> Path:
    """The folder ``static``, ``migrations``, ``modules``, ``quizzes`` or ``documents``, wherever this installation keeps it."""
    inside = _IN_WHEEL / name
    return inside if inside.is_dir() else _CHECKOUT / name
