"""Problems found in content files, reported as ``path:line: message`` like a compiler would."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem in one file, with the 1-based line a trainer has to look at."""

    path: str
    line: int
    message: str
    #: The catalogue entry the German ``message`` was built from (``%(name)s`` placeholders) and its values, so the
    #: web interface can show the problem in the reader's language; None for fixed or untranslated texts.
    msgid: str | None = field(default=None, compare=False)
    params: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)

    @classmethod
    def of(cls, path: str, line: int, msgid: str, **params: Any) -> Problem:
        """A problem whose text is the catalogue entry ``msgid`` (marked with ``N_``) filled with ``params``."""
        return cls(path, line, msgid % params if params else msgid, msgid, params or None)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """A content file could not be parsed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
