"""Forms of the evaluation feature: the advisory board's assessment, the programme office's board membership."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.web.forms import Form, PrintableName


class AssessmentForm(Form):
    """The board's assessment of one period."""

    period_id = SelectField(_l("Zeitraum"), coerce=int, validators=[InputRequired()])
    assessed_on = DateField(
        _l("Datum der Einschätzung"),
        description=_l("Zum Beispiel der Tag der Beiratssitzung."),
        validators=[InputRequired(_l("Bitte geben Sie ein Datum an."))],
    )
    authors = StringField(
        _l("Verfasst von"),
        description=_l(
            "Namen wie der Beirat sie nennen möchte, z. B. „A. Yilmaz und B. Schulz für den Beirat“."
        ),
        validators=[
            DataRequired(_l("Bitte nennen Sie, wer die Einschätzung verfasst hat.")),
            Length(max=300),
        ],
    )
    text = TextAreaField(
        _l("Einschätzung des Beirats"),
        description=_l(
            "Was läuft gut, was fehlt, was empfiehlt der Beirat? Bitte nennen Sie keine Beschäftigten mit Namen."
        ),
        validators=[
            DataRequired(_l("Bitte schreiben Sie die Einschätzung des Beirats.")),
            Length(max=10_000),
        ],
    )


class BoardMemberForm(Form):
    """Appoint a person to a municipality's board, or end a membership (programme office)."""

    change = SelectField(
        _l("Änderung"),
        choices=[
            SelectChoice("grant", _l("in den Beirat aufnehmen")),
            SelectChoice("revoke", _l("aus dem Beirat entlassen")),
        ],
        validators=[InputRequired()],
    )
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse an.")), Length(max=254)],
    )
    name = StringField(
        _l("Name"),
        description=_l("Nur für ein neues Konto nötig; es erhält eine Einladung per E-Mail."),
        validators=[Length(max=200), PrintableName()],
    )
    municipality_id = SelectField(_l("Kommune"), coerce=int, validators=[InputRequired()])
    reason = StringField(
        _l("Grund"),
        description=_l("Zum Beispiel „Berufung durch den Beirat vom 12. 3. 2026“. Wird protokolliert."),
        validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=300)],
    )
