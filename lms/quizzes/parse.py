"""Quiz files in LiaScript quiz syntax: ``##`` questions, answer lines, explanations between ``***`` lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import PurePath
from typing import Any

from yaml.nodes import MappingNode

from lms.markdown.bounds import bound_problems
from lms.markdown.frontmatter import FieldReader, german_list, split_front_matter
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.render import find_markup_problems, render_inline, render_markdown
from lms.markdown.structure import (
    SLUG_PATTERN,
    RawSection,
    container_problems,
    content_hash,
    lines_outside_fences,
    normalise_source,
    split_sections,
)
from lms.quizzes.question_types import REGISTRY, Matrix, Ordering, type_for_answer_lines, types_for_line
from lms.quizzes.question_types.ordering import MARKER as ORDERING_MARKER
from lms.quizzes.question_types.text_input import match_key
from lms.quizzes.review import DEFAULT_REVIEW, REVIEW_KEYS, ReviewOptions, When
from lms.text import N_

QUIZ_FIELDS = (
    "module",
    "pass_mark",
    "shuffle",
    "max_attempts",
    "review",
    "draw",
    "scoring",
    "require_reading",
)
SCORING = ("all_or_nothing", "partial")
#: Defaults of the optional front-matter fields (docs/content-format.md, the help page /inhalte/hilfe).
DEFAULT_SHUFFLE = False
DEFAULT_MAX_ATTEMPTS = 0  # unlimited
ANSWER_PREFIXES = ("[(", "[[")
_STARS = re.compile(r"\*{3,}[ \t]*")
_LEVEL_ONE = re.compile(r"#(?:[ \t].*)?")
_MODULE_HINT = "„module“ muss der slug eines Moduls sein (a–z, Ziffern, Bindestriche), nicht „{value}“."
_NO_ANSWERS = N_(
    "Frage „%(title)s“ hat keine Antwortzeilen, z. B. „[( )] Antwort“ und „[(X)] richtige Antwort“."
)
_SCRIPT_MESSAGE = N_(
    "Skripte („<script>“, „@input“) und generische Quizze („[[!]]“) von LiaScript führt die Plattform nicht aus; "
    "bewertet wird nur, was die Antwortzeilen festlegen. Entfernen Sie das Skript."
)
_SURVEY_MESSAGE = N_(
    "Das ist eine Umfrage in LiaScript-Schreibweise (ohne richtige Antwort); Umfragen gehören nicht in ein Quiz. "
    "Markieren Sie richtige Antworten mit „X“, z. B. „[(X)] Antwort“ oder „[[X]] Antwort“."
)
_ORDERING_ONLY = N_(
    "„data-lms-ordering“ gilt nur für eine Reihenfolge als Matrix: Kopfzeile „[(1) (2) (3)]“, darunter je Schritt "
    "„[ ( ) (X) ( ) ] Schritt“ mit „(X)“ an seiner Position."
)
_OLD_ORDERING = N_(
    "Hinweis: LiaScript liest „[[1]] Schritt“ als Umfrage und zeigt die Erklärung – und damit die Lösung – vor "
    "der Antwort. Schreiben Sie die Reihenfolge als Matrix mit „<!-- data-lms-ordering -->“ darüber: Kopfzeile "
    "„[(1) (2) (3)]“, je Schritt „[ ( ) (X) ( ) ] Schritt“ mit „(X)“ an seiner Position. Die Bewertung bleibt gleich."
)
_OLD_VARIANTS = N_(
    "Hinweis: LiaScript liest „[[a | b]]“ als Umfrage und zeigt die Erklärung – und damit die Lösung – vor der "
    'Antwort. Schreiben Sie „[[%(first)s]]“ und darüber „<!-- data-lms-variants="%(others)s" -->“. Die '
    "Bewertung bleibt gleich."
)
#: The most attempts a quiz may allow (0 = unlimited) and the most trials a question's ``data-max-trials`` may give:
#: more than anyone takes, and far below the database's integer columns (a larger number stopped the import).
MAX_ATTEMPTS = 100
_ATTEMPTS_HINT = N_("„max_attempts“ muss eine ganze Zahl von 0 bis %(maximum)s sein (0 = unbegrenzt).")
_TRIALS_HINT = N_("„data-max-trials“ muss eine ganze Zahl von 1 bis %(maximum)s sein.")


@dataclass(frozen=True)
class QuizQuestion:
    """One question, frozen into a quiz version exactly like this (the definition is JSON)."""

    key: str
    type: str
    title: str
    stem_html: str
    explanation_html: str
    definition: dict[str, Any] = field(hash=False)
    line: int


@dataclass(frozen=True)
class QuizDocument:
    """A parsed, valid quiz file."""

    module_slug: str
    pass_mark: int
    shuffle: bool
    max_attempts: int
    questions: tuple[QuizQuestion, ...]
    source: str
    content_hash: str
    review: ReviewOptions = DEFAULT_REVIEW
    #: Questions drawn at random per attempt; None = all.
    draw: int | None = None
    scoring: str = "all_or_nothing"
    require_reading: bool = False
    #: Not errors: forms this platform accepts but LiaScript would show with their answer (``lms content check``
    #: and the editor list them as „Hinweis“; publishing is not stopped).
    warnings: tuple[Problem, ...] = field(default=(), compare=False)


@dataclass
class _Parts:
    """A question's body cut into stem, answer lines and explanation (None where missing)."""

    stem: str
    answers: list[tuple[int, str]]
    explanation: str | None
    hints: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


#: LiaScript reads answer lines the same with a list bullet ("- ") or indented (4 spaces = Markdown code).
_LEAD = re.compile(r"[ \t]*(?:[-*+][ \t]+)?")
#: ``[[?]] hint`` after the answer lines: a hint learners may open (LiaScript „Hints“).
_HINT = re.compile(r"\[\[\?\]\][ \t]*(?P<text>.*)")
#: A gap inside a sentence: ``[[ … ]]`` with anything but the choice markers, hints and the generic quiz.
_GAP = re.compile(r"\[\[(?![ Xx?!]\]\])[^\[\]\n]+\]\]")
#: LiaScript matrix rows: ``[ [X] ( ) [ ] ] statement`` (a space after the opening bracket).
_MATRIX_ROW = re.compile(r"\[[ \t]+(?:[\[(][ Xx]?[\])][ \t]*)+\]")
#: LiaScript surveys (docs, chapter „Surveys“): "[(1)] option", "[[rot]] text", "[[___ ___]]", "[(a)(b)]" headers.
_SURVEY = re.compile(
    r"\[\((?:\w{2,}|\d)\)\]|\[\[\w[^\[\]|]*\]\][ \t]+\S|\[\[_+[ _]*\]\]|\[(?:\([^()]*\)){2,}\]|\[(?:\[[^\[\]]*\]){2,}\]"
    r"|\[[ \t]+\][ \t]+\S"
)
#: A row of a LiaScript survey matrix: "[        ] statement" (no cells: nothing is right).
_EMPTY_ROW = re.compile(r"\[[ \t]+\][ \t]+\S")
#: LiaScript scripts are blocks of their own ("<script>…" on a line, attached to the quiz above) and the generic
#: quiz "[[!]]"; a "<script>" inside a sentence is only text (shown escaped, like any raw HTML here).
_SCRIPT = re.compile(r"[ \t]*(?:[-*+][ \t]+)?(?:<script\b|\[\[!\]\])", re.IGNORECASE)
_SETTING = re.compile(
    r"""(?P<name>[A-Za-z][\w-]*)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'>]+)))?"""
)
#: The LiaScript settings comments this platform understands (docs/content-format.md, „Einstellungen je Frage“).
SETTINGS = (
    "data-randomize",
    "data-max-trials",
    "data-solution-button",
    "data-lms-variants",
    "data-lms-ordering",
)
_OFF = ("off", "false", "disable", "no")
_ON = ("on", "true", "enable", "yes", "")


def strip_lead(line: str) -> str:
    """An answer line without its optional list bullet and indentation, as LiaScript reads it."""
    return line[_LEAD.match(line).end() :]  # type: ignore[union-attr]  # the pattern matches every string


def is_answer_line(line: str) -> bool:
    """LiaScript answer lines start with ``[(`` or ``[[`` (a matrix row with ``[ ``), after an optional bullet."""
    text = strip_lead(line)
    return (
        text.startswith(ANSWER_PREFIXES)
        or _MATRIX_ROW.match(text) is not None
        or _EMPTY_ROW.match(text) is not None
    )


def _is_stars(line: str) -> bool:
    return _STARS.fullmatch(line) is not None


def _first_nonblank(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


def _answer_start(lines: list[str], outside: set[int]) -> tuple[int | None, bool]:
    """Where the answer lines start, and whether they are a sentence with gaps (LiaScript gap text)."""
    start = next(
        (
            i
            for i in range(len(lines))
            if i in outside and is_answer_line(lines[i]) and not _HINT.fullmatch(strip_lead(lines[i]))
        ),
        None,
    )
    if start is not None:
        return start, False
    gap = next((i for i in range(len(lines)) if i in outside and _GAP.search(lines[i])), None)
    if gap is None:
        return None, False
    while (
        gap > 0
        and lines[gap - 1].strip()
        and (gap - 1) in outside
        and not lines[gap - 1].lstrip().startswith(("<!--", "-->"))
    ):
        gap -= 1  # the whole paragraph the gap stands in
    return gap, True


def _settings_comment(stem: list[str], first: int, path: str) -> tuple[int, dict[str, Any], list[Problem]]:
    """A LiaScript settings comment directly above the answers (``<!-- data-randomize -->``), cut off the stem."""
    end = len(stem)
    while end > 0 and not stem[end - 1].strip():
        end -= 1
    if end == 0 or not stem[end - 1].rstrip().endswith("-->"):
        return len(stem), {}, []
    begin = next((i for i in range(end - 1, -1, -1) if "<!--" in stem[i]), None)
    if begin is None or stem[begin].strip()[:4] != "<!--":
        return len(stem), {}, []
    body = "\n".join(stem[begin:end]).strip()[4:-3]
    settings: dict[str, Any] = {}
    problems: list[Problem] = []
    for match in _SETTING.finditer(body):
        name = match["name"].lower()
        value = next((v for v in (match["dq"], match["sq"], match["bare"]) if v is not None), "").strip()
        if name == "data-randomize":
            settings["randomize"] = value.lower() not in _OFF
        elif name == "data-max-trials" and value.isascii() and value.isdigit():
            # The length first: Python refuses to convert thousands of digits at all.
            trials = int(value) if len(value.lstrip("0")) <= len(str(MAX_ATTEMPTS)) else 0
            if 1 <= trials <= MAX_ATTEMPTS:
                settings["max_trials"] = trials
            else:
                problems.append(Problem.of(path, first + begin, _TRIALS_HINT, maximum=MAX_ATTEMPTS))
        elif name == "data-solution-button" and value.lower() in (*_OFF, *_ON):
            settings["solution_button"] = value.lower() in _ON
        elif name == "data-solution-button" and value.isascii() and value.isdigit():
            settings["solution_button"] = (
                True  # shown after n wrong trials in LiaScript; here after the attempt
            )
        elif name == "data-lms-variants" and value:
            settings["variants"] = [variant.strip() for variant in value.split("|") if variant.strip()]
        elif name == ORDERING_MARKER and value.lower() in _ON:
            settings["ordering"] = True
        elif name in SETTINGS:
            problems.append(
                Problem.of(path, first + begin, N_("Der Wert von „%(name)s“ ist ungültig."), name=name)
            )
        else:
            message = N_("Die Einstellung „%(name)s“ wird hier nicht unterstützt; möglich sind: %(allowed)s.")
            problems.append(Problem.of(path, first + begin, message, name=name, allowed=", ".join(SETTINGS)))
    return begin, settings, problems


def _join_selection_lines(lines: list[str], indexes: list[int]) -> list[tuple[int, str]]:
    """LiaScript lets a selection ``[[ a | (b) | c ]]`` run over several lines; join those into one answer line."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for i in indexes:
        text = strip_lead(lines[i]).rstrip()
        if pending is not None:
            pending = (pending[0], f"{pending[1]} {text.strip()}")
            if "]]" in text:
                joined.append(pending)
                pending = None
        elif text.startswith("[[") and "]]" not in text:
            pending = (i, text)
        else:
            joined.append((i, text))
    if pending is not None:
        joined.append(pending)
    return joined


def _split_question(raw: RawSection, title: str, path: str) -> tuple[_Parts | None, list[Problem]]:
    """Cut a question body into stem, answers, hints and explanation, reporting what is missing or out of place."""
    lines = raw.body.split("\n")
    first = raw.body_line
    outside = {index for index, _ in lines_outside_fences(lines)}
    start, is_gap_text = _answer_start(lines, outside)
    if start is None:
        return None, [Problem.of(path, raw.line, _NO_ANSWERS, title=title)]
    stars = next((i for i in range(start, len(lines)) if _is_stars(lines[i])), None)
    stop = len(lines) if stars is None else stars
    if is_gap_text:
        # The paragraph with the gaps, then (as for every quiz) hint lines "[[?]] …" directly below it.
        end = next(
            (i for i in range(start, stop) if not lines[i].strip() or _HINT.fullmatch(strip_lead(lines[i]))),
            stop,
        )
        hint_end = next((i for i in range(end, stop) if not _HINT.fullmatch(strip_lead(lines[i]))), stop)
        hint_indexes = list(range(end, hint_end))
        indexes = list(range(start, hint_end))
        answers = [(first + start, "\n".join(lines[i] for i in range(start, end)))]
    else:
        # Every answer line up to the explanation counts, so a stray blank line yields one clear
        # problem instead of a wrong count of options as well. Lines between a multi-line selection's
        # "[[" and "]]" belong to it.
        indexes = []
        open_selection = False
        for i in range(start, stop):
            text = strip_lead(lines[i])
            if open_selection or is_answer_line(lines[i]) or _HINT.fullmatch(text):
                indexes.append(i)
                if text.startswith("[[") and "]]" not in text:
                    open_selection = True
                elif open_selection and "]]" in text:
                    open_selection = False
        hint_indexes = [i for i in indexes if _HINT.fullmatch(strip_lead(lines[i]))]
        answer_indexes = [i for i in indexes if i not in hint_indexes]
        answers = [(first + i, text) for i, text in _join_selection_lines(lines, answer_indexes)]
    stem_end, settings, problems = _settings_comment(lines[:start], first, path)
    hints = [_HINT.fullmatch(strip_lead(lines[i]))["text"].strip() for i in hint_indexes]  # type: ignore[index]
    parts = _Parts("\n".join(lines[:stem_end]), answers, None, hints, settings)
    if not answers:
        return None, [*problems, Problem.of(path, raw.line, _NO_ANSWERS, title=title)]
    problems += _answer_block_problems(lines, indexes, stars, first, path)
    if stars is None:
        return parts, problems
    return parts, problems + _read_explanation(lines, stars, first, parts, path)


def _answer_block_problems(
    lines: list[str], indexes: list[int], stars: int | None, first: int, path: str
) -> list[Problem]:
    """Answer lines (and hints) must be contiguous; after them only the optional ``***`` explanation follows."""
    problems = []
    gap = next((i for previous, i in pairwise(indexes) if i != previous + 1), None)
    if gap is not None:
        message = N_(
            "Antwortzeilen einer Frage müssen direkt untereinander stehen (ohne Leerzeilen oder Text)."
        )
        problems.append(Problem(path, first + gap, message))
    after = _first_nonblank(lines, indexes[-1] + 1)
    if stars is None and after is not None:
        message = N_(
            "Nach den Antwortzeilen darf nur die Erklärung stehen, zwischen zwei Zeilen aus Sternchen („***“); "
            "eine neue Frage beginnt mit „## “."
        )
        problems.append(Problem(path, first + after, message))
    elif stars is not None and after is not None and after != stars:
        message = N_("Zwischen den Antwortzeilen und der Erklärung („***“) darf kein Text stehen.")
        problems.append(Problem(path, first + after, message))
    return problems


def _read_explanation(lines: list[str], opening: int, first: int, parts: _Parts, path: str) -> list[Problem]:
    """The explanation between two ``***`` lines; nothing may follow it."""
    closing = next((i for i in range(opening + 1, len(lines)) if _is_stars(lines[i])), None)
    if closing is None:
        message = N_("Die Erklärung wird nicht mit einer Zeile aus Sternchen („***“) abgeschlossen.")
        return [Problem(path, first + opening, message)]
    parts.explanation = "\n".join(lines[opening + 1 : closing])
    problems = []
    if not parts.explanation.strip():
        problems.append(Problem(path, first + opening, N_("Die Erklärung ist leer.")))
    stray = _first_nonblank(lines, closing + 1)
    if stray is not None:
        message = "Text nach der Erklärung gehört zu keiner Frage; eine neue Frage beginnt mit „## “."
        problems.append(Problem(path, first + stray, message))
    return problems


def _definition(
    answers: list[tuple[int, str]], path: str
) -> tuple[str | None, dict[str, Any], list[Problem]]:
    """Ask the registry which question type the answer lines are, and let it build the definition."""
    question_type = type_for_answer_lines([text for _, text in answers])
    first_line = answers[0][0]
    if question_type is None:
        return None, {}, _marker_problems(answers, path)
    definition, problems = question_type.parse(answers, path)
    problems += [Problem(path, first_line, message) for message in question_type.validate(definition)]
    return question_type.name, definition, problems


def _marker_problems(answers: list[tuple[int, str]], path: str) -> list[Problem]:
    """Explain why no type claimed the lines: an unknown marker, or two kinds mixed."""
    allowed = "; ".join(cls.syntax for cls in REGISTRY.values())
    problems = []
    labels: list[str] = []
    if any(not types_for_line(text) and _SURVEY.match(text) for _, text in answers):
        # A survey; its first line may look like a matrix header ("[(stimme zu)(lehne ab)]"): name that line.
        first = next(line for line, text in answers if _SURVEY.match(text))
        return [Problem(path, first, _SURVEY_MESSAGE)]
    for line_number, text in answers:
        candidates = types_for_line(text)
        if not candidates:
            shown = text if len(text) <= 30 else text[:29] + "…"
            problems.append(
                Problem(path, line_number, f"Unbekannte Antwortzeile „{shown}“ – erlaubt sind: {allowed}.")
            )
        # Specialised types register first (true/false before single choice), so the last candidate is
        # the most general reading of the line: "[(X)] Wahr" beside "[[ ]] …" mixes single and multiple choice.
        elif candidates[-1].label not in labels:
            labels.append(candidates[-1].label)
    if not problems:
        message = (
            f"Eine Frage verwendet nur eine Art von Antwortzeilen; hier sind {german_list(labels)} gemischt."
        )
        problems.append(Problem(path, answers[0][0], message))
    return problems


def _parse_question(
    raw: RawSection, key: str, path: str, warnings: list[Problem] | None = None
) -> tuple[QuizQuestion | None, list[Problem]]:
    """One ``##`` section -> one question (None if it is too broken to build); ``warnings`` collects hints."""
    title = raw.heading
    problems = (
        [] if title else [Problem(path, raw.line, "Die Frage hat keinen Text: „## “ ohne Überschrift.")]
    )
    script = next((i for i, line in lines_outside_fences(raw.body.split("\n")) if _SCRIPT.match(line)), None)
    if script is not None:
        return None, [*problems, Problem(path, raw.body_line + script, _SCRIPT_MESSAGE)]
    parts, split_problems = _split_question(raw, title, path)
    problems += split_problems
    if parts is None:
        return None, problems
    settings = dict(parts.settings)
    type_name: str | None
    if settings.pop("ordering", False) and Matrix.claims([text for _, text in parts.answers]):
        # "<!-- data-lms-ordering -->" above "[(1) (2) (3)]": an ordering LiaScript shows as a matrix quiz.
        type_name, (definition, definition_problems) = (
            Ordering.name,
            Ordering.parse_matrix(parts.answers, path),
        )
        if not definition_problems:
            definition_problems = [
                Problem(path, parts.answers[0][0], m) for m in Ordering.validate(definition)
            ]
    else:
        type_name, definition, definition_problems = _definition(parts.answers, path)
        if "ordering" in parts.settings and type_name not in (None, Ordering.name):
            definition_problems.append(Problem.of(path, raw.line, _ORDERING_ONLY))
        if warnings is not None:
            warnings += _liascript_warnings(type_name, definition, parts.answers[0][0], path)
    problems += definition_problems
    if type_name is None:
        return None, problems
    if parts.hints:
        definition["hints"] = [render_inline(hint) for hint in parts.hints]
    if variants := settings.pop("variants", None):
        # "<!-- data-lms-variants="…" -->" above "[[AGG]]": further spellings in a form LiaScript keeps silent.
        if type_name == "text_input":
            known = {match_key(text) for text in definition["accepted"]}
            definition["accepted"] += [v for v in variants if match_key(v) and match_key(v) not in known]
        else:
            message = N_("„data-lms-variants“ gilt nur für eine Texteingabe „[[Antwort]]“.")
            problems.append(Problem(path, raw.line, message))
    if settings:
        definition["settings"] = settings
    explanation = parts.explanation
    question = QuizQuestion(
        key=key,
        type=type_name,
        title=title,
        stem_html=render_markdown(parts.stem, doc_id=key) if parts.stem.strip() else "",
        explanation_html=render_markdown(explanation, doc_id=f"{key}-e") if explanation else "",
        definition=definition,
        line=raw.line,
    )
    return question, problems


def _liascript_warnings(
    type_name: str | None, definition: dict[str, Any], line: int, path: str
) -> list[Problem]:
    """Hints for forms accepted here that LiaScript reads as a survey (showing the explanation before an answer)."""
    if type_name == Ordering.name:
        return [Problem.of(path, line, _OLD_ORDERING)]
    accepted = definition.get("accepted") or []
    if type_name == "text_input" and len(accepted) > 1:
        return [Problem.of(path, line, _OLD_VARIANTS, first=accepted[0], others="|".join(accepted[1:]))]
    return []


def _intro_problems(intro: str, first_line: int, path: str) -> list[Problem]:
    """Before the first question only blank lines and the LiaScript title (``# …``) may stand."""
    for index, line in enumerate(intro.split("\n")):
        if line.strip() and not _LEVEL_ONE.fullmatch(line):
            message = "Text vor der ersten Frage gehört zu keiner Frage; jede Frage beginnt mit „## “."
            return [Problem(path, first_line + index, message)]
    return []


def _count_problem(raw_sections: list[RawSection], path: str) -> list[Problem]:
    """A quiz without questions. One question is enough (the shipped curriculum's six are checked by its test)."""
    if not raw_sections:
        return [Problem(path, 1, "Das Quiz enthält keine Fragen; jede Frage beginnt mit „## “.")]
    return []


def _review_options(reader: FieldReader, path: str) -> tuple[ReviewOptions, list[Problem]]:
    """The optional ``review:`` mapping; a part left out keeps its default (see lms/quizzes/review.py)."""
    if not reader.has("review"):
        return DEFAULT_REVIEW, []
    node = reader.fields["review"][1]
    if not isinstance(node, MappingNode):
        message = (
            "„review“ muss Zeilen der Form „correctness: always“ enthalten (eingerückt unter „review:“) "
            "oder „{correctness: always, right_answer: never}“ sein."
        )
        return DEFAULT_REVIEW, [Problem(path, reader.line("review"), message)]
    inner = FieldReader(node, path, REVIEW_KEYS)
    values = [w.value for w in When]
    chosen = {key: inner.choice(key, values, required=False) for key in REVIEW_KEYS}
    problems = list(inner.problems)
    correctness = When(chosen["correctness"] or DEFAULT_REVIEW.correctness)
    right_answer = When(chosen["right_answer"]) if chosen["right_answer"] else DEFAULT_REVIEW.right_answer
    if chosen["right_answer"] and right_answer.openness > correctness.openness:
        message = (
            f"„right_answer: {right_answer}“ zeigt die richtigen Antworten früher, als „correctness: "
            f"{correctness}“ zeigt, ob eine Antwort richtig war; die richtige Antwort verriete das. Wählen Sie "
            "für „right_answer“ denselben oder einen späteren Zeitpunkt („never“ ist der späteste)."
        )
        problems.append(Problem(path, inner.line("right_answer"), message))
    elif right_answer.openness > correctness.openness:
        right_answer = correctness  # left out: never shown before correctness is
    explanation = When(chosen["explanation"] or DEFAULT_REVIEW.explanation)
    return ReviewOptions(correctness, right_answer, explanation), problems


def parse_question(source: str, path: str, key: str = "q1") -> QuizQuestion:
    """Parse one question on its own (``## …``, answer lines, explanation), e.g. a help page's example.

    Raises ContentInvalid, with lines counted from the start of ``source``, like ``parse_quiz``.
    """
    text = normalise_source(source)
    if too_large := bound_problems(text, path):
        raise ContentInvalid(too_large)  # before any parser: these would take seconds
    intro, raw_sections = split_sections(text, 1)
    problems = _intro_problems(intro, 1, path)
    if len(raw_sections) != 1:
        message = f"Erwartet wird genau eine Frage („## …“); gefunden: {len(raw_sections)}."
        problems.append(Problem(path, 1, message))
    question, question_problems = (None, []) if problems else _parse_question(raw_sections[0], key, path)
    problems += question_problems
    problems += find_markup_problems(text, path, 0)
    problems += container_problems(text.split("\n"), 1, "training", path)
    if problems or question is None:
        raise ContentInvalid(problems)
    return question


def parse_quiz(source: str, path: str) -> QuizDocument:
    """Parse and validate a quiz file; raise ContentInvalid listing every problem with its line."""
    text = normalise_source(source)
    if too_large := bound_problems(text, path):
        raise ContentInvalid(too_large)  # before any parser: these would take seconds
    node, body, body_line, problems = split_front_matter(text, path)
    reader = FieldReader(node, path, QUIZ_FIELDS)
    module = reader.text("module", pattern=SLUG_PATTERN, hint=_MODULE_HINT)
    pass_mark = reader.integer("pass_mark", minimum=1, maximum=100)
    shuffle = reader.boolean("shuffle", required=False)
    max_attempts = reader.integer(
        "max_attempts", minimum=0, maximum=MAX_ATTEMPTS, hint=_ATTEMPTS_HINT, required=False
    )
    draw = reader.integer("draw", minimum=1, required=False)
    scoring = reader.choice("scoring", SCORING, required=False) or "all_or_nothing"
    require_reading = bool(reader.boolean("require_reading", required=False))
    shuffle = DEFAULT_SHUFFLE if shuffle is None else shuffle  # left out or empty: the default
    max_attempts = DEFAULT_MAX_ATTEMPTS if max_attempts is None else max_attempts
    problems += reader.problems
    review, review_problems = _review_options(reader, path)
    problems += review_problems
    name = PurePath(path).name
    if module and name.endswith(".md") and name[:-3] != module:
        message = f"Die Quizdatei muss wie ihr Modul heißen: „{module}.md“, nicht „{name}“."
        problems.append(Problem(path, reader.line("module"), message))
    intro, raw_sections = split_sections(body, body_line)
    problems += _intro_problems(intro, body_line, path)
    questions = []
    warnings: list[Problem] = []
    for number, raw in enumerate(raw_sections, start=1):
        question, question_problems = _parse_question(raw, f"q{number}", path, warnings)
        problems += question_problems
        if question is not None:
            questions.append(question)
    if node is not None or body.strip():
        problems += _count_problem(raw_sections, path)
    if draw is not None and raw_sections and draw > len(raw_sections):
        message = f"„draw“ zieht {draw} Fragen, das Quiz hat aber nur {len(raw_sections)}."
        problems.append(Problem(path, reader.line("draw"), message))
    problems += find_markup_problems(body, path, body_line - 1)
    # Quizzes are read by learners: facilitator notes would leak, like in training modules.
    problems += container_problems(body.split("\n"), body_line, "training", path)
    if problems:
        raise ContentInvalid(problems)
    assert module is not None and pass_mark is not None and shuffle is not None and max_attempts is not None
    return QuizDocument(
        module,
        pass_mark,
        shuffle,
        max_attempts,
        tuple(questions),
        text,
        content_hash(text),
        review,
        draw=draw,
        scoring=scoring,
        require_reading=require_reading,
        warnings=tuple(warnings),
    )
