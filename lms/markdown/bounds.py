"""Cheap limits checked before a document is parsed, so that no upload can occupy the server for seconds.

markdown-it-py spends 10–20 µs on every unmatched inline opener (``[``, ``<``, ``&``, ``*`` …), a hundred times what
it spends on a letter, and more within long paragraphs; a module is parsed four times (two checks, the shared
definitions, the rendering), so 150 KB of ``[`` kept the server busy for 18 s. Counting characters is cheap, so a
source is measured here first and refused (as an ordinary content problem with a line) before any parser sees it:
its size, the openers in one block (paragraphs and every other inline block end at a blank line, so counting per
run of non-blank lines over-estimates a block's openers but never misses one) and the openers in the whole
document. The limits leave the shipped curriculum (at most 15 KB per file, 104 openers in one block, 926 in one
file) far behind; ``bench/markdown_patterns.py`` prints the timings.

Control characters (NUL and the other C0 codes except tab and line breaks, lms.text.CONTROL_CHARACTERS) are refused
here too, with their line: markdown-it would quietly show NUL as „�“ and pass ESC on to the page, PyYAML gives up on
them with a message no trainer understands, and PostgreSQL cannot store a NUL, so a file that passed the check
would fail only when published.
"""

from __future__ import annotations

from lms.markdown.problems import Problem
from lms.text import CONTROL_CHARACTERS, N_, control_character_names

#: Markdown per document, in UTF-8 bytes (the texts below name the number; keep them in step).
MAX_DOCUMENT_BYTES = 256 * 1024
#: Inline openers (see ``OPENERS``) in one block of non-blank lines, and in the whole document.
MAX_OPENERS_PER_BLOCK = 500
MAX_OPENERS_PER_DOCUMENT = 5_000
#: The characters that start (or, ``]`` and ``\\``, end or escape) inline constructs the parser is slow on.
OPENERS = "[]<&*_!`\\"

TOO_LARGE = N_(
    "Das Dokument ist zu groß: höchstens 256 KB Markdown. Bitte teilen Sie es auf mehrere Module auf."
)
TOO_MANY_OPENERS = N_(
    "Dieser Absatz enthält mehr als 500 der Zeichen [ ] < & * _ ! ` \\ – so viele kann die Plattform nicht "
    "zügig darstellen. Bitte kürzen Sie ihn."
)
TOO_MANY_IN_DOCUMENT = N_(
    "Bis hierher enthält das Dokument mehr als 5.000 der Zeichen [ ] < & * _ ! ` \\ – so viele kann die "
    "Plattform nicht zügig darstellen. Bitte kürzen Sie es oder teilen Sie es auf mehrere Module auf."
)
CONTROL_CHARACTERS_IN_LINE = N_(
    "Diese Zeile enthält unzulässige Steuerzeichen (%(characters)s), unsichtbar, meist aus kopiertem Text. "
    "Bitte entfernen Sie sie."
)
#: Lines with control characters reported per document (a broken file would otherwise list every line).
MAX_CONTROL_CHARACTER_LINES = 10

_OPENER_TABLE = str.maketrans("", "", OPENERS)


def _openers(line: str) -> int:
    """How many opener characters ``line`` holds (C-speed: the length lost by deleting them)."""
    return len(line) - len(line.translate(_OPENER_TABLE))


def control_character_problems(text: str, path: str, first_line: int = 1) -> list[Problem]:
    """One problem for each line of ``text`` (the first ten) that holds a control character; empty if none does."""
    if CONTROL_CHARACTERS.search(text) is None:  # the usual case: one search in C
        return []
    problems: list[Problem] = []
    for index, line in enumerate(text.split("\n")):
        if CONTROL_CHARACTERS.search(line):
            characters = control_character_names(line)
            problems.append(
                Problem.of(path, first_line + index, CONTROL_CHARACTERS_IN_LINE, characters=characters)
            )
            if len(problems) == MAX_CONTROL_CHARACTER_LINES:
                break
    return problems


def bound_problems(text: str, path: str, first_line: int = 1) -> list[Problem]:
    """Problems if ``text`` (starting at file line ``first_line``) is too large to parse or holds control
    characters; empty if it is fine."""
    if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
        return [Problem(path, first_line, TOO_LARGE)]
    problems = control_character_problems(text, path, first_line)
    block_start, in_block, in_document = 0, 0, 0
    for index, line in enumerate(text.split("\n")):
        if not line.strip():
            block_start, in_block = index + 1, 0
            continue
        openers = _openers(line)
        in_block += openers
        in_document += openers
        if in_block - openers <= MAX_OPENERS_PER_BLOCK < in_block:
            problems.append(Problem(path, first_line + block_start, TOO_MANY_OPENERS))
        if in_document - openers <= MAX_OPENERS_PER_DOCUMENT < in_document:
            problems.append(Problem(path, first_line + block_start, TOO_MANY_IN_DOCUMENT))
    return problems
