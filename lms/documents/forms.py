"""Forms of the documents feature: a comment, the consultation window, an answer, the next version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.documents.models import VERDICT_LABELS, Verdict
from lms.documents.services import MAX_COMMENT_CHARS, MAX_REASON_CHARS
from lms.markdown.bounds import MAX_DOCUMENT_BYTES
from lms.web.forms import Form


class CommentForm(Form):
    """A comment on one section (the section is in the URL); the template gives each section's fields own ids."""

    body = TextAreaField(
        _l("Ihr Kommentar"),
        validators=[
            DataRequired(_l("Bitte schreiben Sie Ihren Kommentar.")),
            Length(max=MAX_COMMENT_CHARS, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    show_name = BooleanField(_l("Meinen Namen beim Kommentar zeigen"))


class WindowForm(Form):
    """The days of the consultation window, both included (German calendar days)."""

    opens_on = DateField(
        _l("Beginn"),
        description=_l("Ab diesem Tag kann kommentiert werden."),
        validators=[InputRequired(_l("Bitte geben Sie den ersten Tag an."))],
    )
    closes_on = DateField(
        _l("Ende"),
        description=_l(
            "Bis einschließlich diesem Tag kann kommentiert werden; danach sehen alle Beteiligten alle Kommentare."
        ),
        validators=[InputRequired(_l("Bitte geben Sie den letzten Tag an."))],
    )


class AnswerForm(Form):
    """The programme office's answer to one comment."""

    verdict = RadioField(
        _l("Entscheidung"),
        choices=[SelectChoice(v.value, _l(VERDICT_LABELS[v])) for v in Verdict],
        validators=[InputRequired(_l("Bitte wählen Sie eine Entscheidung."))],
    )
    reason = TextAreaField(
        _l("Begründung"),
        validators=[
            DataRequired(_l("Bitte begründen Sie die Entscheidung.")),
            Length(max=MAX_REASON_CHARS, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )


class PublishForm(Form):
    """The next version's Markdown (the current one, edited) and a note on what changed."""

    source = TextAreaField(
        _l("Markdown-Text der neuen Version"),
        description=_l("Erhöhen Sie „version“ im Front-Matter. Abschnitte beginnen mit „## “."),
        validators=[
            InputRequired(_l("Bitte geben Sie den Text der neuen Version ein.")),
            Length(max=MAX_DOCUMENT_BYTES, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    change_note = StringField(
        _l("Was hat sich geändert?"),
        description=_l("Ein Satz für die Versionsgeschichte, z. B. „Überarbeitet nach der Konsultation“."),
        validators=[
            DataRequired(_l("Bitte beschreiben Sie kurz, was sich geändert hat.")),
            Length(max=500, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
