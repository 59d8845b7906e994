"""What a page says after a failed submission: the error summary and the „Fehler:“ in its title (WCAG 3.3.1, 4.1.3).

One way for every form page. base.html renders the page's content first; while it does, the field macros (and the
few hand-written fields) note each inline error they show with the id of its field (``note_error``). Then base.html
asks ``page_problems`` for everything to report: the page's ``error`` (a message about the whole form, which views
pass to the template), the inline errors in the order the page shows them, each linking to its field, and any error
of a form of this request that the page did not show at a field (a hidden field, a forged choice), in words only.
Where there are problems, the title starts with „Fehler: “ and the summary at the top of <main> takes the focus
(static/js/error-summary.js), so a screen reader says at once that the submission failed and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context

#: Where a request keeps its forms (lms.web.forms.Form registers itself) and the errors its page showed.
_FORMS = "lms_forms"
_SHOWN = "lms_shown_errors"


@dataclass(frozen=True)
class Problem:
    """One item of the error summary."""

    message: str
    #: The id of the field (or question) it links to; None for a problem of the whole form.
    target: str | None = None


def register_form(form: Any) -> None:
    """Remember a form of this request, so that an error no field shows still reaches the summary."""
    if has_request_context():
        g.setdefault(_FORMS, []).append(form)


def forget_forms() -> None:
    """An error page shows no form: the forms of the failed request and their errors are not its problems."""
    if has_request_context():
        g.pop(_FORMS, None)
        g.pop(_SHOWN, None)


def note_error(target: str | None, label: Any, message: Any, field: Any = None) -> str:
    """Note an error the page shows at a field (``target``: the field's id; ``label``: its label, or None) for the
    summary; ``field``: the WTForms field it belongs to, if any. Returns "" so that a template can call it inline."""
    text = f"{label}: {message}" if label else str(message)
    g.setdefault(_SHOWN, []).append(
        (Problem(text, target), id(field) if field is not None else None, str(message))
    )
    return ""


def page_problems(*messages: Any) -> list[Problem]:
    """Everything the page's error summary lists: whole-form messages, the errors shown at fields, the rest."""
    shown: list[tuple[Problem, int | None, str]] = g.get(_SHOWN, [])
    # A view's message that the page shows at a field (a search box's) is listed once, as the field's.
    at_fields = {message for _problem, _key, message in shown}
    problems = [Problem(str(message)) for message in messages if message and str(message) not in at_fields]
    seen = set(problems)
    for problem, _key, _message in shown:
        if problem not in seen:
            problems.append(problem)
            seen.add(problem)
    shown_fields = {key for _problem, key, _message in shown if key is not None}
    for form in g.get(_FORMS, []):
        for field in form:
            if field.errors and id(field) not in shown_fields:
                problem = Problem(f"{field.label.text}: {field.errors[0]}")
                if problem not in seen:
                    problems.append(problem)
                    seen.add(problem)
        for message in getattr(form, "form_errors", []):
            problem = Problem(str(message))
            if problem not in seen:
                problems.append(problem)
                seen.add(problem)
    return problems
