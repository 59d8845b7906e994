"""LiaScript's selection and gap text: ``[[ a | (b) | c ]]`` selections and ``[[Antwort]]`` gaps inside a sentence.

``Die Frist beträgt [[ zwei Wochen | (zwei Monate) | ein Jahr ]] ab Kenntnis.`` is a sentence with one selection;
a line that is nothing but ``[[ a | (b) ]]`` is LiaScript's selection quiz (one gap, no sentence around it).
Text gaps ``[[ … ]]`` inside a sentence are compared like a text input (see ``text_input.match_key``).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from markupsafe import Markup, escape

from lms.markdown.problems import Problem
from lms.markdown.render import render_inline
from lms.quizzes.question_types.base import QuestionType, ResponseInvalid, letter_id, text_list
from lms.quizzes.question_types.text_input import MAX_LENGTH, match_key, tidy_text
from lms.text import N_

_GAP = re.compile(r"\[\[(?![ Xx?!]\]\])(?P<body>[^\[\]]+)\]\]")
_CHOSEN = re.compile(r"\((?P<text>.*)\)")
MAX_GAPS = 20
#: Tally key of a text gap's answer: "g1=typed text" (a select gap's key is "g1:option id").
_TEXT_KEY = "="
#: Marks a gap's place while the sentence is rendered (letters only, so Markdown leaves it alone).
_PLACEHOLDER = "LMSGAPPLACEHOLDER"
_KEY = re.compile(r"(?P<gap>g\d+)(?P<kind>[:=])(?P<value>.*)", re.DOTALL)


def _gap_id(index: int) -> str:
    return f"g{index + 1}"


class GapText(QuestionType):
    """A sentence (or a line of its own) with selections ``[[a | (b)]]`` and text gaps ``[[Antwort]]``."""

    name = "gap_text"
    label = N_("Auswahl im Satz")
    syntax = N_("„Text [[ Option | (richtige Option) | Option ]] Text“")
    help_text = N_(
        "Ein Satz mit Lücken (LiaScripts Auswahl und Lückentext): „[[ Option A | (richtige Option) | Option C ]]“ "
        "wird zur Auswahlliste im Satz, die richtige Option steht in runden Klammern (mehrere sind möglich, jede "
        "zählt). „[[Antwort]]“ mitten im Satz wird zum Textfeld und wie eine Texteingabe verglichen. Die Frage "
        "ist richtig, wenn jede Lücke richtig ist; mit „scoring: partial“ zählt jede richtige Lücke anteilig."
    )
    example = """\
## Ergänzen Sie den Satz zum AGG.

Ansprüche nach § 15 AGG müssen innerhalb von [[ zwei Wochen | (zwei Monaten) | einem Jahr ]] schriftlich
geltend gemacht werden.
***
§ 15 Abs. 4 AGG: Die Frist beträgt zwei Monate, soweit Tarifparteien nichts anderes vereinbart haben.
***
"""
    arranged = None

    @classmethod
    def claims_line(cls, line: str) -> bool:
        """A line with a gap ``[[…]]`` (not a choice marker, hint or generic quiz). A line that starts with a plain
        ``[[word]]`` followed by text is not: that is an ordering step or LiaScript's survey ``[[red]] is it red``; alone it is a text input."""
        first = _GAP.search(line)
        if first is None:
            return False
        plain = "|" not in first["body"] and _CHOSEN.fullmatch(first["body"].strip()) is None
        # "[[AGG]]" alone is a text input, "[[2]] Schritt" an ordering step; "[[ 2 ]] + [[ 5 ]] = [[ 7 ]]" has gaps.
        return not (first.start() == 0 and plain and len(_GAP.findall(line)) == 1)

    @classmethod
    def claims(cls, answer_lines: list[str]) -> bool:
        """One block (the paragraph joined, or one selection line, joined if it ran over several lines)."""
        return len(answer_lines) == 1 and cls.claims_line(answer_lines[0])

    @classmethod
    def parse(cls, answer_lines: list[tuple[int, str]], path: str) -> tuple[dict[str, Any], list[Problem]]:
        """Text between gaps as sanitised inline HTML; each gap a selection or a text with its answers."""
        line_number = answer_lines[0][0]
        # A gap sentence may stand in a quotation ("> … [[ a | (b) ]]"): the quote marks are not part of the text.
        lines = [line for _, text in answer_lines for line in text.split("\n")]
        if all(line.lstrip().startswith(">") for line in lines):
            lines = [line.lstrip()[1:] for line in lines]
        source = " ".join(" ".join(line.split()) for line in lines if line.strip())
        gaps: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for index, match in enumerate(_GAP.finditer(source)):
            gap_id = _gap_id(index)
            variants = [variant.strip() for variant in match["body"].split("|")]
            if any(not variant for variant in variants):
                problems.append(Problem(path, line_number, N_("Zwischen „|“ fehlt eine Antwort.")))
            if len(variants) > 1 or any(_CHOSEN.fullmatch(variant) for variant in variants):
                options: list[dict[str, Any]] = []
                for variant in variants:
                    chosen = _CHOSEN.fullmatch(variant)
                    text = chosen["text"].strip() if chosen else variant
                    options.append(
                        {"id": letter_id(len(options)), "html": render_inline(text), "correct": bool(chosen)}
                    )
                if not any(option["correct"] for option in options):
                    message = N_(
                        "Eine Auswahl braucht mindestens eine richtige Option in runden Klammern, "
                        "z. B. „[[ a | (b) | c ]]“."
                    )
                    problems.append(Problem(path, line_number, message))
                gaps.append({"gap": gap_id, "kind": "select", "options": options})
            else:
                accepted = variants[0]
                if not match_key(accepted) or len(accepted) > MAX_LENGTH:
                    problems.append(Problem(path, line_number, N_("Eine richtige Antwort ist leer.")))
                gaps.append({"gap": gap_id, "kind": "text", "accepted": [accepted], "max_length": MAX_LENGTH})
        # The sentence is rendered once with a placeholder per gap, so emphasis around a gap ("__4 [[…]]__") stays
        # one element; the HTML between placeholders is stored in order (pieces may open or close a tag: the
        # template writes them all, in order, so the whole is the sanitiser's balanced HTML).
        marked = _GAP.sub(lambda _: f"{_PLACEHOLDER}x", source)
        pieces = render_inline(marked).split(f"{_PLACEHOLDER}x")
        parts: list[dict[str, Any]] = []
        for piece, gap in zip(pieces, [*gaps, None], strict=True):
            if piece:
                parts.append({"html": piece})
            if gap is not None:
                parts.append(gap)
        return {"parts": parts}, problems

    @classmethod
    def gaps(cls, definition: dict[str, Any]) -> list[dict[str, Any]]:
        """The gaps of a definition, in reading order."""
        return [part for part in definition.get("parts", []) if "gap" in part]

    @classmethod
    def validate(cls, definition: dict[str, Any]) -> list[str]:
        """1 to 20 gaps; each selection with at least two options, one of them right."""
        gaps = cls.gaps(definition)
        messages = []
        if not 1 <= len(gaps) <= MAX_GAPS:
            messages.append(N_("Ein Satz mit Auswahl hat 1 bis 20 Lücken."))
        for gap in gaps:
            if gap["kind"] == "select" and len(gap["options"]) < 2:
                messages.append(N_("Eine Auswahl braucht mindestens zwei Optionen, getrennt durch „|“."))
        return list(dict.fromkeys(messages))

    @classmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Text, selections with their options (never which is right), text gaps with their length limit."""
        public_parts = []
        for part in definition["parts"]:
            if "gap" not in part:
                public_parts.append(part)
            elif part["kind"] == "select":
                options = [{"id": o["id"], "html": o["html"]} for o in part["options"]]
                public_parts.append({"gap": part["gap"], "kind": "select", "options": options})
            else:
                public_parts.append({"gap": part["gap"], "kind": "text", "max_length": part["max_length"]})
        return {"parts": public_parts}

    @classmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> tuple[str, ...]:
        """One ``"gap:value"`` per answered gap in reading order (option id or typed text); () = unanswered."""
        gaps = {gap["gap"]: gap for gap in cls.gaps(definition)}
        given: dict[str, str] = {}
        for entry in text_list(raw):
            gap_id, separator, value = entry.partition(":")
            if not separator or gap_id not in gaps:
                raise ResponseInvalid("response.unknown_option", option=entry)
            gap = gaps[gap_id]
            if gap["kind"] == "select":
                if value == "":
                    continue
                if value not in {option["id"] for option in gap["options"]}:
                    raise ResponseInvalid("response.unknown_option", option=entry)
            else:
                value = tidy_text(value)
                if not value:
                    continue
                if len(value) > gap["max_length"]:
                    raise ResponseInvalid("response.too_long", max=gap["max_length"])
            if gap_id in given:
                raise ResponseInvalid("response.single_choice")
            given[gap_id] = value
        return tuple(f"{gap_id}:{given[gap_id]}" for gap_id in gaps if gap_id in given)

    @classmethod
    def _gaps_right(cls, definition: dict[str, Any], response: tuple[str, ...]) -> list[bool]:
        given = dict(entry.partition(":")[::2] for entry in response)
        verdicts = []
        for gap in cls.gaps(definition):
            value = given.get(gap["gap"])
            if value is None:
                verdicts.append(False)
            elif gap["kind"] == "select":
                verdicts.append(value in {o["id"] for o in gap["options"] if o["correct"]})
            else:
                verdicts.append(
                    bool(match_key(value)) and match_key(value) in map(match_key, gap["accepted"])
                )
        return verdicts

    @classmethod
    def grade(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """All or nothing: every gap right."""
        return 1.0 if all(cls._gaps_right(definition, response)) else 0.0

    @classmethod
    def grade_partial(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """``scoring: partial``: the share of gaps answered right."""
        verdicts = cls._gaps_right(definition, response)
        return float(Fraction(sum(verdicts), len(verdicts)))

    @classmethod
    def correct_response(cls, definition: dict[str, Any]) -> tuple[str, ...]:
        """Per gap its right option ids (each one, where several are right) or its accepted text."""
        cells = []
        for gap in cls.gaps(definition):
            if gap["kind"] == "select":
                cells += [f"{gap['gap']}:{o['id']}" for o in gap["options"] if o["correct"]]
            else:
                cells.append(f"{gap['gap']}:{gap['accepted'][0]}")
        return tuple(cells)

    @classmethod
    def review(cls, definition: dict[str, Any], response: Any) -> dict[str, Any]:
        """Per gap: what was given, whether it was right, and the right answer (sanitised HTML or text)."""
        response = tuple(response or ())
        given = dict(entry.partition(":")[::2] for entry in response)
        rows = []
        for gap, right in zip(cls.gaps(definition), cls._gaps_right(definition, response), strict=True):
            value = given.get(gap["gap"], "")
            if gap["kind"] == "select":
                html = {o["id"]: o["html"] for o in gap["options"]}
                shown = Markup(html.get(value, ""))
                expected = Markup(" / ").join(Markup(o["html"]) for o in gap["options"] if o["correct"])
            else:
                shown, expected = escape(value), escape(gap["accepted"][0])
            rows.append({"given": shown, "is_right": right, "expected": expected})
        return {"gaps": rows}

    @classmethod
    def listed_keys(cls, definition: dict[str, Any]) -> list[str]:
        """Every option of every selection, gap by gap (text gaps list their accepted answer)."""
        keys = []
        for gap in cls.gaps(definition):
            if gap["kind"] == "select":
                keys += [f"{gap['gap']}:{o['id']}" for o in gap["options"]]
            else:
                keys.append(f"{gap['gap']}{_TEXT_KEY}{match_key(gap['accepted'][0])}")
        return keys

    @classmethod
    def tally_keys(cls, definition: dict[str, Any], response: Any) -> list[str]:
        """Per answered gap: ``"g1:b"`` (the chosen option) or ``"g2=typed text"`` (normalised)."""
        gaps = {gap["gap"]: gap for gap in cls.gaps(definition)}
        keys = []
        for entry in response or ():
            gap_id, _, value = str(entry).partition(":")
            gap = gaps.get(gap_id)
            if gap is None:
                continue
            if gap["kind"] == "select":
                keys.append(f"{gap_id}:{value}")
            else:
                key = match_key(value)
                right = key in map(match_key, gap["accepted"])
                keys.append(f"{gap_id}{_TEXT_KEY}{match_key(gap['accepted'][0]) if right else key}")
        return keys

    @classmethod
    def describe_tally_key(cls, definition: dict[str, Any], key: str) -> str:
        """„Lücke 1: option“ (Markup from the sanitised option HTML, or the escaped typed text)."""
        gaps = {gap["gap"]: gap for gap in cls.gaps(definition)}
        match = _KEY.fullmatch(key)
        if match is None or match["gap"] not in gaps:
            return key
        gap_id, option_id = match["gap"], match["value"]
        if match["kind"] == _TEXT_KEY:
            return Markup(f"{escape(gap_id[1:])}. ") + escape(option_id)
        gap = gaps.get(gap_id)
        html = next((o["html"] for o in (gap or {}).get("options", []) if o["id"] == option_id), None)
        if html is None:
            return key
        return Markup(f"{escape(gap_id[1:])}. ") + Markup(html)
