"""Ordering: steps that learners put back into the right order.

Written as a LiaScript matrix with one column per position under ``<!-- data-lms-ordering -->`` (LiaScript shows it
as a matrix quiz and reveals nothing before an answer), or in the older form ``[[1]] …``, ``[[2]] …`` (a survey in
LiaScript, which shows the explanation first). Both give the same definition.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

from markupsafe import Markup

from lms.errors import Terms
from lms.markdown.problems import Problem
from lms.markdown.render import render_inline
from lms.quizzes.question_types.base import QuestionType, ResponseInvalid, letter_id, text_list
from lms.quizzes.question_types.matrix import header_labels, row_cells
from lms.text import N_

MIN_STEPS = 3
#: More steps than this cannot be compared on one screen (and every select would list them all).
MAX_STEPS = 10
_LINE = re.compile(r"\[\[[ \t]*(?P<position>[0-9]{1,3})[ \t]*\]\](?P<text>.*)")
#: The settings comment that marks a matrix with the columns 1 … n as an ordering (the form LiaScript reads safely).
MARKER = "data-lms-ordering"
_MATRIX_HEADER = N_(
    "Eine Reihenfolge als Matrix („<!-- data-lms-ordering -->“) beginnt mit der Kopfzeile „[(1) (2) (3)]“: je "
    "Schritt eine Spalte, nummeriert von 1 an."
)
_MATRIX_COLUMNS = N_(
    "Die Kopfzeile hat %(columns)s Spalten, die Reihenfolge %(steps)s Schritte; je Schritt eine Spalte."
)
_MATRIX_ROW = N_(
    "Jeder Schritt braucht genau ein „(X)“ in der Spalte seiner Position, z. B. „[ ( ) (X) ( ) ] zweiter Schritt“."
)


def _numbers(positions: list[int]) -> str:
    """„Position 3“ / „Positionen 3 und 5“ for messages."""
    if len(positions) == 1:
        return f"Position {positions[0]}"
    return "Positionen " + ", ".join(map(str, positions[:-1])) + f" und {positions[-1]}"


class Ordering(QuestionType):
    """Steps numbering the correct order 1 … n (n from 3 to 10), in any file order: matrix rows or ``[[n]] Schritt``."""

    name = "ordering"
    label = N_("Reihenfolge")
    syntax = "„[[1]] erster Schritt“ / „[[2]] zweiter Schritt“"
    help_text = N_(
        "Lernende bringen drei bis zehn Schritte in die richtige Reihenfolge. Schreiben Sie die Frage als Matrix "
        "mit einer Spalte je Position und „<!-- data-lms-ordering -->“ darüber: Kopfzeile „[(1) (2) (3)]“, darunter "
        "je Schritt eine Zeile mit „(X)“ an seiner Position, die Zeilen in beliebiger Reihenfolge. So zeigt auch "
        "LiaScript die Frage als Quiz, ohne die Lösung vorab zu verraten; die ältere Form „[[1]] erster Schritt“ "
        "gilt weiter. Die Schritte erscheinen gemischt, nie schon richtig geordnet; wie bei der Mehrfachauswahl "
        "zählt die Frage nur als richtig, wenn alle Schritte an der richtigen Stelle stehen."
    )
    example = """\
## In welcher Reihenfolge gehen Sie vor, wenn Sie ein Antragsformular auf Benachteiligungen prüfen?

<!-- data-lms-ordering -->
[(1) (2) (3)]
[ ( ) (X) ( ) ] Das Formular im Team mit den Prüffragen der Checkliste durchgehen
[ (X) ( ) ( ) ] Das Formular auswählen und ein konkretes Ziel für die Prüfung festlegen
[ ( ) ( ) (X) ] Festhalten, was geändert wurde, warum, und wie die Wirkung überprüft wird
***
Erst die Routine und das Ziel wählen, dann gemeinsam prüfen, zuletzt die Änderungen und ihre Überprüfung
festhalten.
***
"""
    arranged = "steps"

    @classmethod
    def claims_line(cls, line: str) -> bool:
        """``[[1]] Schritt``: a number (up to three digits) in double brackets, then the step."""
        match = _LINE.fullmatch(line)
        return match is not None and "[[" not in match["text"]  # "[[2]] + [[5]] = [[7]]" is a gap text

    @classmethod
    def parse(cls, answer_lines: list[tuple[int, str]], path: str) -> tuple[dict[str, Any], list[Problem]]:
        """Steps get ids a, b, c … in file order and keep their number as ``position``."""
        count = len(answer_lines)
        steps: list[dict[str, Any]] = []
        problems: list[Problem] = []
        first_line: dict[int, int] = {}
        for line_number, line in answer_lines:
            match = _LINE.fullmatch(line)
            if match is None:
                problems.append(Problem(path, line_number, f"Keine Antwortzeile der Form {cls.syntax}."))
                continue
            position, text = int(match["position"]), match["text"].strip()
            if not text:
                problems.append(Problem(path, line_number, N_("Der Schritt hat keinen Text.")))
            if not 1 <= position <= count:
                message = (
                    f"Position {position} gibt es hier nicht: Bei {count} Schritten sind es 1 bis {count}."
                )
                problems.append(Problem(path, line_number, message))
            elif position in first_line:
                message = f"Position {position} ist doppelt vergeben (schon in Zeile {first_line[position]})."
                problems.append(Problem(path, line_number, message))
            else:
                first_line[position] = line_number
            steps.append({"id": letter_id(len(steps)), "html": render_inline(text), "position": position})
        return {"steps": steps}, problems

    @classmethod
    def parse_matrix(
        cls, answer_lines: list[tuple[int, str]], path: str
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The form LiaScript reads safely: a matrix ``[(1) (2) (3)]`` under ``<!-- data-lms-ordering -->``, one row
        ``[ ( ) (X) ( ) ] Schritt`` per step with its position marked. The same definition as ``[[2]] Schritt``."""
        (header_line, header), rows = answer_lines[0], answer_lines[1:]
        labels = header_labels(header)
        if not labels or labels != [str(number) for number in range(1, len(labels) + 1)]:
            return {"steps": []}, [Problem.of(path, header_line, _MATRIX_HEADER)]
        problems: list[Problem] = []
        if len(labels) != len(rows):
            problems.append(
                Problem.of(path, header_line, _MATRIX_COLUMNS, columns=len(labels), steps=len(rows))
            )
        steps: list[tuple[int, str]] = []
        for line_number, line in rows:
            row = row_cells(line)
            marked = [
                n for n, (bracket, mark) in enumerate(row[0] if row else [], 1) if mark and bracket == "("
            ]
            if row is None or len(marked) != 1 or any(bracket != "(" for bracket, _ in row[0]):
                problems.append(Problem.of(path, line_number, _MATRIX_ROW))
            elif len(row[0]) != len(labels):
                message = N_("Die Zeile hat %(cells)s Felder, die Kopfzeile %(columns)s Spalten.")
                problems.append(
                    Problem.of(path, line_number, message, cells=len(row[0]), columns=len(labels))
                )
            else:
                steps.append((line_number, f"[[{marked[0]}]] {row[1]}"))
        if problems:
            return {"steps": []}, problems
        return cls.parse(steps, path)

    @classmethod
    def validate(cls, definition: dict[str, Any]) -> list[str]:
        """3 to 10 steps with unique ids whose positions are exactly 1 … n."""
        steps = definition.get("steps", [])
        count = len(steps)
        messages = []
        if count < MIN_STEPS:
            messages.append(f"Eine Reihenfolge braucht mindestens {MIN_STEPS} Schritte; gefunden: {count}.")
        if count > MAX_STEPS:
            messages.append(f"Eine Reihenfolge hat höchstens {MAX_STEPS} Schritte; gefunden: {count}.")
        ids = [step.get("id") for step in steps]
        if len(set(ids)) != len(ids):
            messages.append(N_("Schritt-Kennungen sind doppelt vergeben."))
        positions = {step.get("position") for step in steps}
        missing = [number for number in range(1, count + 1) if number not in positions]
        if missing:
            verb = "fehlt" if len(missing) == 1 else "fehlen"
            messages.append(
                f"{_numbers(missing)} {verb}: Die Schritte brauchen die Nummern 1 bis {count}, jede genau einmal."
            )
        return messages

    @classmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Steps with id and html, in file order; never their position."""
        return {"steps": [{"id": step["id"], "html": step["html"]} for step in definition["steps"]]}

    @classmethod
    def arrange(cls, definition: dict[str, Any], rng: random.Random, shuffle: bool) -> list[str]:
        """Always shuffled, even in quizzes without ``shuffle``, and never already in the correct order."""
        ids = [step["id"] for step in definition["steps"]]
        rng.shuffle(ids)
        if tuple(ids) == cls.correct_response(definition):
            ids = ids[1:] + ids[:1]  # a rotation of three or more distinct steps is never the same order
        return ids

    @classmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> tuple[str, ...]:
        """Step ids in the learner's order; () = unanswered.

        Accepts the ids in order (``["c", "a", "b"]``, the API) or one ``"id:position"`` per step (the
        form's selects, where an unselected step posts ""). Partly placed steps or a position used twice are
        refused with a message the learner can act on.
        """
        entries = text_list(raw)
        filled = [entry for entry in entries if entry != ""]
        if not filled:
            return ()
        known = [step["id"] for step in definition["steps"]]
        count = len(known)
        if all(":" in entry for entry in filled):
            return cls._from_positions(filled, known)
        if len(filled) != len(entries) or any(":" in entry for entry in filled):
            raise ResponseInvalid("response.shape")
        unknown = [entry for entry in filled if entry not in known]
        if unknown:
            raise ResponseInvalid("response.unknown_step", step=unknown[0])
        if len(set(filled)) != len(filled) or len(filled) != count:
            raise ResponseInvalid("response.order_incomplete", count=count)
        return tuple(filled)

    @classmethod
    def _from_positions(cls, entries: list[str], known: list[str]) -> tuple[str, ...]:
        """``["a:2", "b:1", "c:3"]`` → ``("b", "a", "c")``."""
        count = len(known)
        placed: dict[str, int] = {}
        for entry in entries:
            step_id, _, position = entry.partition(":")
            if step_id not in known:
                raise ResponseInvalid("response.unknown_step", step=step_id)
            if step_id in placed:
                raise ResponseInvalid("response.step_placed_twice")
            if not (position.isascii() and position.isdigit() and 1 <= int(position) <= count):
                raise ResponseInvalid("response.unknown_position", position=position)
            placed[step_id] = int(position)
        if len(placed) < count:
            raise ResponseInvalid("response.positions_missing", count=count)
        twice = sorted(number for number, used in Counter(placed.values()).items() if used > 1)
        if twice:
            raise ResponseInvalid(
                "response.position_reused", n=len(twice), positions=Terms(tuple(map(str, twice)))
            )
        return tuple(sorted(placed, key=placed.__getitem__))

    @classmethod
    def grade(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """All or nothing: 1.0 only if every step stands at its position (see docs/content-format.md)."""
        return 1.0 if tuple(response) == cls.correct_response(definition) else 0.0

    @classmethod
    def correct_response(cls, definition: dict[str, Any]) -> tuple[str, ...]:
        """The step ids sorted by their position."""
        return tuple(step["id"] for step in sorted(definition["steps"], key=lambda step: step["position"]))

    @classmethod
    def review(cls, definition: dict[str, Any], response: Any) -> dict[str, Any]:
        """The learner's order (each step marked right where it stands at its position) and the correct one."""
        html = {step["id"]: step["html"] for step in definition["steps"]}
        correct = cls.correct_response(definition)
        given = [
            {"html": html.get(step_id, ""), "is_right": index < len(correct) and correct[index] == step_id}
            for index, step_id in enumerate(response or ())
        ]
        return {"given": given, "expected": [html[step_id] for step_id in correct]}

    @classmethod
    def tally_keys(cls, definition: dict[str, Any], response: Any) -> list[str]:
        """The whole order as one key, e.g. "b,a,c"."""
        return [",".join(response)] if response else []

    @classmethod
    def describe_tally_key(cls, definition: dict[str, Any], key: str) -> str:
        """„1. first step; 2. second step …“ from the steps' sanitised HTML."""
        html = {step["id"]: step["html"] for step in definition["steps"]}
        ids = key.split(",")
        if not all(step_id in html for step_id in ids):
            return key
        return Markup("; ").join(Markup(f"{number}. ") + Markup(html[i]) for number, i in enumerate(ids, 1))
