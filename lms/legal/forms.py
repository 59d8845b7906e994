"""Forms of the legal pages: „Barriere melden“ (public) and the status of a report (programme office)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from lms.legal.models import ReportStatus
from lms.web.forms import Form

MAX_DESCRIPTION = 5000
#: Enough to catch typos (one @, a dot in the domain, no spaces); the programme office answers by hand anyway.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

STATUS_LABELS = {
    ReportStatus.NEW.value: _l("neu"),
    ReportStatus.IN_PROGRESS.value: _l("in Bearbeitung"),
    ReportStatus.DONE.value: _l("erledigt"),
}


def _email(_form: Form, field: EmailField) -> None:
    if field.data and not _EMAIL.fullmatch(field.data.strip()):
        raise ValidationError(
            _l("Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de an, oder lassen Sie das Feld leer.")
        )


class BarrierReportForm(Form):
    """Where the barrier is, what it is, and (if wanted) where to answer; ``website`` is a trap for robots."""

    page_url = StringField(
        _l("Auf welcher Seite? (freiwillig)"),
        description=_l("Die Adresse der Seite oder ihr Titel, z. B. „Meine Module“."),
        validators=[Optional(), Length(max=500, message=_l("Bitte höchstens 500 Zeichen."))],
    )
    description = TextAreaField(
        _l("Beschreibung der Barriere"),
        description=_l("Was wollten Sie tun, und was hat nicht funktioniert? Höchstens 5.000 Zeichen."),
        validators=[
            DataRequired(_l("Bitte beschreiben Sie die Barriere.")),
            Length(
                max=MAX_DESCRIPTION, message=_l("Die Beschreibung darf höchstens 5.000 Zeichen lang sein.")
            ),
        ],
    )
    contact_email = EmailField(
        _l("Ihre E-Mail-Adresse für eine Antwort (freiwillig)"),
        description=_l("Nur wenn Sie eine Antwort wünschen. Wir verwenden sie nur für diese Meldung."),
        validators=[
            Optional(),
            Length(max=254, message=_l("Eine E-Mail-Adresse hat höchstens 254 Zeichen.")),
            _email,
        ],
    )
    #: Hidden from people (and from screen readers); a robot that fills every field gives itself away.
    website = StringField(_l("Bitte lassen Sie dieses Feld leer"))


class StatusForm(Form):
    """The new status of one report."""

    status = SelectField(
        _l("Stand"),
        choices=[SelectChoice(value, label) for value, label in STATUS_LABELS.items()],
        validators=[InputRequired()],
    )
