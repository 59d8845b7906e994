"""LiaScript's matrix quiz: a header of columns, one row per statement, each row a single or multiple choice.

```
[[Gesetz] (Verordnung) [Satzung]]
[  ( )       (X)         ( )    ]  Statement with one right column (radio buttons)
[  [X]       [ ]         [X]    ]  Statement with several right columns (checkboxes)
```
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from markupsafe import Markup

from lms.markdown.problems import Problem
from lms.markdown.render import render_inline
from lms.quizzes.question_types.base import QuestionType, ResponseInvalid, letter_id, text_list
from lms.text import N_

#: The header: ``[`` then columns ``[label]`` or ``(label)`` then ``]``; a label may hold the other bracket.
_HEADER = re.compile(r"\[(?P<cells>(?:[ \t]*(?:\[[^\[\]]*\]|\([^()]*\)))+)[ \t]*\]")
_HEADER_CELL = re.compile(r"\[(?P<a>[^\[\]]*)\]|\((?P<b>[^()]*)\)")
#: A row: ``[`` whitespace, cells ``[X]``/``[ ]`` or ``(X)``/``( )``, ``]``, the statement.
_ROW = re.compile(r"\[(?P<cells>[ \t]+(?:[\[(][ Xx]?[\])][ \t]*)+)\][ \t]*(?P<text>.*)")
_ROW_CELL = re.compile(r"(?P<open>[\[(])(?P<mark>[ Xx]?)[\])]")
MAX_ROWS = 20


def header_labels(line: str) -> list[str]:
    """The column labels of a header line ``[(1) (2) [c]]`` (at least two), or [] if the line is no header."""
    match = _HEADER.fullmatch(line.strip())
    cells = list(_HEADER_CELL.finditer(match["cells"])) if match else []
    return (
        [(cell["a"] if cell["a"] is not None else cell["b"]).strip() for cell in cells]
        if len(cells) >= 2
        else []
    )


def row_cells(line: str) -> tuple[list[tuple[str, bool]], str] | None:
    """A row ``[ ( ) (X) ] text`` as ([(opening bracket, marked)], text), or None if the line is no row."""
    match = _ROW.fullmatch(line)
    if match is None:
        return None
    cells = [(cell["open"], bool(cell["mark"].strip())) for cell in _ROW_CELL.finditer(match["cells"])]
    return cells, match["text"].strip()


MAX_COLUMNS = 8


class Matrix(QuestionType):
    """Rows of single (``( )``) or multiple (``[ ]``) choices under one header of columns."""

    name = "matrix"
    label = N_("Matrix")
    syntax = N_("„[[Spalte A] (Spalte B)]“, darunter Zeilen „[ ( ) (X) ] Aussage“ oder „[ [X] [ ] ] Aussage“")
    help_text = N_(
        "Mehrere Aussagen, jede einer oder mehreren Spalten zuzuordnen (LiaScripts Matrix-Quiz): eine Kopfzeile "
        "mit den Spalten in eckigen oder runden Klammern, darunter je Aussage eine Zeile. Runde Klammern „( )“ "
        "machen die Zeile zur Einfachauswahl, eckige „[ ]“ zur Mehrfachauswahl; „X“ markiert die richtigen "
        "Spalten. Die Frage ist richtig, wenn jede Zeile richtig ist; mit „scoring: partial“ zählt jede richtige "
        "Zeile anteilig."
    )
    example = """\
## Welche Rechtsquelle regelt was?

[[Grundgesetz] [AGG] [Landesrecht]]
[    (X)         ( )      ( )      ]  Gleichheit vor dem Gesetz (Art. 3 Abs. 1)
[    ( )         (X)      ( )      ]  Entschädigung nach einer Benachteiligung im Arbeitsleben
[    [X]         [X]      [ ]      ]  Schutz vor Benachteiligung wegen der ethnischen Herkunft
***
Art. 3 GG bindet alle staatliche Gewalt; das AGG regelt Beschäftigung und Zivilrecht, auch Entschädigungen.
***
"""
    arranged = "rows"

    @classmethod
    def _header_cells(cls, line: str) -> list[re.Match[str]]:
        """The column cells of a header line (at least two), or [] if the line is no header."""
        match = _HEADER.fullmatch(line.strip())
        cells = list(_HEADER_CELL.finditer(match["cells"])) if match else []
        return cells if len(cells) >= 2 else []

    @classmethod
    def claims_line(cls, line: str) -> bool:
        """A header ``[[…] (…)]`` or a row ``[ (X) [ ] ] text``."""
        return _ROW.fullmatch(line) is not None or bool(cls._header_cells(line))

    @classmethod
    def claims(cls, answer_lines: list[str]) -> bool:
        """A header first, then at least one row."""
        return (
            len(answer_lines) >= 2
            and bool(cls._header_cells(answer_lines[0]))
            and all(_ROW.fullmatch(line) for line in answer_lines[1:])
        )

    @classmethod
    def parse(cls, answer_lines: list[tuple[int, str]], path: str) -> tuple[dict[str, Any], list[Problem]]:
        """Columns and rows get ids a, b, c … in file order; each row keeps whether it is single or multiple."""
        header = answer_lines[0][1]
        columns = [
            {"id": letter_id(i), "html": render_inline((m["a"] if m["a"] is not None else m["b"]).strip())}
            for i, m in enumerate(cls._header_cells(header))
        ]
        problems: list[Problem] = []
        rows: list[dict[str, Any]] = []
        for line_number, line in answer_lines[1:]:
            match = _ROW.fullmatch(line)
            if match is None:  # pragma: no cover - claims() checked every row
                continue
            cells = list(_ROW_CELL.finditer(match["cells"]))
            kinds = {cell["open"] for cell in cells}
            if len(kinds) > 1:
                message = N_("Eine Matrix-Zeile verwendet nur „( )“ oder nur „[ ]“, nicht beides.")
                problems.append(Problem(path, line_number, message))
            if len(cells) != len(columns):
                problems.append(
                    Problem.of(
                        path,
                        line_number,
                        N_("Die Zeile hat %(cells)s Felder, die Kopfzeile %(columns)s Spalten."),
                        cells=len(cells),
                        columns=len(columns),
                    )
                )
            text = match["text"].strip()
            if not text:
                problems.append(Problem(path, line_number, N_("Die Matrix-Zeile hat keinen Text.")))
            correct = [
                columns[i]["id"] for i, cell in enumerate(cells) if cell["mark"].strip() and i < len(columns)
            ]
            rows.append(
                {
                    "id": letter_id(len(rows)),
                    "html": render_inline(text),
                    "multiple": "[" in kinds,
                    "correct": correct,
                }
            )
        return {"columns": columns, "rows": rows}, problems

    @classmethod
    def validate(cls, definition: dict[str, Any]) -> list[str]:
        """2 to 8 columns, 1 to 20 rows, each row with at least one right column."""
        columns, rows = definition.get("columns", []), definition.get("rows", [])
        messages = []
        if not 2 <= len(columns) <= MAX_COLUMNS:
            messages.append(N_("Eine Matrix hat 2 bis 8 Spalten."))
        if not 1 <= len(rows) <= MAX_ROWS:
            messages.append(N_("Eine Matrix hat 1 bis 20 Zeilen."))
        if any(not row.get("correct") for row in rows):
            messages.append(N_("Jede Matrix-Zeile braucht mindestens eine richtige Spalte „(X)“ oder „[X]“."))
        return messages

    @classmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Columns and rows without the right columns."""
        return {
            "columns": definition["columns"],
            "rows": [
                {"id": r["id"], "html": r["html"], "multiple": r["multiple"]} for r in definition["rows"]
            ],
        }

    @classmethod
    def arrange(cls, definition: dict[str, Any], rng: Any, shuffle: bool) -> list[str]:
        """Rows shuffled if the quiz or the question (``data-randomize``) asks; columns stay in order."""
        ids = [row["id"] for row in definition["rows"]]
        if shuffle:
            rng.shuffle(ids)
        return ids

    @classmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> tuple[str, ...]:
        """Chosen cells as ``"row:column"`` in row and column order; () = unanswered."""
        rows = {row["id"]: row for row in definition["rows"]}
        columns = [column["id"] for column in definition["columns"]]
        chosen: dict[str, set[str]] = {}
        for entry in text_list(raw):
            if entry == "":
                continue
            row_id, separator, column_id = entry.partition(":")
            if not separator or row_id not in rows or column_id not in columns:
                raise ResponseInvalid("response.unknown_option", option=entry)
            chosen.setdefault(row_id, set()).add(column_id)
        if any(len(cells) > 1 and not rows[row_id]["multiple"] for row_id, cells in chosen.items()):
            raise ResponseInvalid("response.single_choice")
        return tuple(
            f"{row_id}:{column_id}"
            for row_id in rows
            for column_id in columns
            if column_id in chosen.get(row_id, ())
        )

    @classmethod
    def _rows_right(cls, definition: dict[str, Any], response: tuple[str, ...]) -> list[bool]:
        """Per row: right as LiaScript grades it (multiple: exactly the marked columns; single: one of them)."""
        given: dict[str, set[str]] = {}
        for cell in response:
            row_id, _, column_id = cell.partition(":")
            given.setdefault(row_id, set()).add(column_id)
        verdicts = []
        for row in definition["rows"]:
            cells = given.get(row["id"], set())
            if row["multiple"]:
                verdicts.append(cells == set(row["correct"]))
            else:
                verdicts.append(len(cells) == 1 and next(iter(cells)) in row["correct"])
        return verdicts

    @classmethod
    def grade(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """All or nothing: every row right."""
        return 1.0 if all(cls._rows_right(definition, response)) else 0.0

    @classmethod
    def grade_partial(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """``scoring: partial``: the share of rows answered right."""
        verdicts = cls._rows_right(definition, response)
        return float(Fraction(sum(verdicts), len(verdicts)))

    @classmethod
    def correct_response(cls, definition: dict[str, Any]) -> tuple[str, ...]:
        """Every right cell (a single-choice row with several right columns lists each)."""
        return tuple(f"{row['id']}:{column}" for row in definition["rows"] for column in row["correct"])

    @classmethod
    def review(cls, definition: dict[str, Any], response: Any) -> dict[str, Any]:
        """Per row whether it was right, for the result page."""
        verdicts = cls._rows_right(definition, tuple(response or ()))
        return {"rows_right": {row["id"]: ok for row, ok in zip(definition["rows"], verdicts, strict=True)}}

    @classmethod
    def listed_keys(cls, definition: dict[str, Any]) -> list[str]:
        """Every cell, row by row: the statistics table lists each, chosen or not."""
        return [
            f"{row['id']}:{column['id']}" for row in definition["rows"] for column in definition["columns"]
        ]

    @classmethod
    def tally_keys(cls, definition: dict[str, Any], response: Any) -> list[str]:
        """Each chosen cell ``"row:column"``."""
        return [str(cell) for cell in response or ()]

    @classmethod
    def describe_tally_key(cls, definition: dict[str, Any], key: str) -> str:
        """„statement → column“ from the sanitised HTML."""
        row_id, _, column_id = key.partition(":")
        row = next((r["html"] for r in definition["rows"] if r["id"] == row_id), None)
        column = next((c["html"] for c in definition["columns"] if c["id"] == column_id), None)
        if row is None or column is None:
            return key
        return Markup(row) + Markup(" → ") + Markup(column)
