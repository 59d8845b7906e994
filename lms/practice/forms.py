"""The form of a practice example."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.web.forms import Form


class ExampleForm(Form):
    """Title, module, text in Markdown and an optional file."""

    title = StringField(
        _l("Titel"), validators=[InputRequired(_l("Bitte geben Sie einen Titel an.")), Length(max=200)]
    )
    module_id = SelectField(
        _l("Schulungsmodul"), coerce=int, description=_l("Worauf sich das Beispiel bezieht.")
    )
    body = TextAreaField(
        _l("Was haben Sie gemacht, und was hat funktioniert?"),
        description=_l("Markdown: **fett**, Listen mit „- “, Links als [Text](https://…)."),
        validators=[
            InputRequired(_l("Bitte beschreiben Sie das Beispiel.")),
            Length(max=20_000, message=_l("Höchstens %(max)d Zeichen.")),
        ],
    )
    attachment = FileField(
        _l("Datei (freiwillig)"),
        description=_l(
            "PDF, Word, Excel, PowerPoint, OpenDocument oder ein Bild (PNG, JPEG), höchstens 5 MB."
        ),
    )
    remove_file = BooleanField(_l("Vorhandene Datei entfernen"))
