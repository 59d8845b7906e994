"""Forms of authoring (CSRF comes with lms.web.forms.Form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from lms.authoring.drafts import CHANGE_NOTE_TOO_LONG, MAX_CHANGE_NOTE, normalise_change_note
from lms.content.models import ChangeKind, ModuleKind
from lms.web.forms import Form

#: Largest Markdown text the editor accepts (the same limit as an uploaded file).
MAX_SOURCE_CHARS = 1024 * 1024


class NewDraftForm(Form):
    """Start a new module or workshop script."""

    kind = StringField(validators=[AnyOf([k.value for k in ModuleKind])])


class DraftForm(Form):
    """The editor's text; ``revision`` is the draft revision the editor was loaded with."""

    source = TextAreaField(
        _l("Markdown-Text"),
        validators=[InputRequired(), Length(max=MAX_SOURCE_CHARS)],
        render_kw={"spellcheck": "true"},
    )
    revision = IntegerField(validators=[InputRequired()])


class PublishForm(Form):
    """Publish a draft: what kind of change, and a note for the history (and for learners, if material)."""

    revision = HiddenField(validators=[InputRequired()])
    change_kind = StringField(
        _l("Art der Änderung"),
        validators=[
            InputRequired(_l("Bitte wählen Sie die Art der Änderung.")),
            AnyOf([k.value for k in ChangeKind], message=_l("Bitte wählen Sie die Art der Änderung.")),
        ],
        default=ChangeKind.MATERIAL.value,
    )
    #: (value, explanation) of the radio buttons; rendered by hand because they need a longer text each.
    CHANGE_KIND_CHOICES = (
        (
            ChangeKind.EDITORIAL.value,
            _l("Redaktionell (Formulierung, Tippfehler): bisherige Abschlüsse bleiben voll gültig."),
        ),
        (
            ChangeKind.MATERIAL.value,
            _l(
                "Inhaltlich (neuer Inhalt, korrigierte Aussage): Wer eine ältere Version abgeschlossen hat, "
                "sieht die Änderungsnotiz und kann die neue Version ablegen; der alte Abschluss bleibt erhalten."
            ),
        ),
    )
    change_note = TextAreaField(
        _l("Änderungsnotiz"),
        description=_l(
            "Was hat sich geändert und warum? Bei inhaltlichen Änderungen lesen das die Teilnehmenden."
        ),
        validators=[
            DataRequired(_l("Bitte beschreiben Sie, was sich geändert hat.")),
            Length(max=MAX_CHANGE_NOTE, message=_l(CHANGE_NOTE_TOO_LONG)),
        ],
        # Counted as the service counts it: without blanks at either end (lms.web.forms.Form made CRLF an LF).
        filters=[lambda note: note if note is None else normalise_change_note(note)],
    )


class ReasonForm(Form):
    """Retire a module or a version, with a reason for the audit log."""

    reason = StringField(
        _l("Grund"),
        description=_l("Wird im Protokoll gespeichert, z. B. „durch Version 2.0 ersetzt“."),
        validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=500)],
    )


class ConfirmForm(Form):
    """A button that changes something (restore, discard, start a draft): only the CSRF token."""


class UploadForm(Form):
    """A Markdown file or a zip of them."""

    file = FileField(
        _l("Datei"),
        description=_l(
            "Eine Markdown-Datei (.md, höchstens 1 MB) oder ein Zip-Archiv mit Ordnern „modules/“ und „quizzes/“."
        ),
        validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
    )
    replace_drafts = BooleanField(_l("Vorhandene Entwürfe derselben Module ersetzen"))


class ImageForm(Form):
    """An image for modules."""

    file = FileField(
        _l("Bild"),
        description=_l(
            "PNG, JPEG oder WebP, höchstens 3 MB und 4000 Pixel je Seite. Metadaten (z. B. GPS) werden entfernt."
        ),
        validators=[FileRequired(_l("Bitte wählen Sie ein Bild aus."))],
    )
