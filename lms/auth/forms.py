"""Forms of the auth feature (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-Mail-Adresse"), validators=[DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein."))]
    )
    password = PasswordField(
        _l("Passwort"), validators=[DataRequired(_l("Bitte geben Sie Ihr Passwort ein."))]
    )


class TokenForm(FlaskForm):
    """Name of a new personal API token."""

    name = StringField(
        _l("Bezeichnung"),
        description=_l("Wofür Sie das Token verwenden, z. B. „Personalverwaltung“."),
        validators=[DataRequired(_l("Bitte geben Sie eine Bezeichnung ein.")), Length(max=100)],
    )


class LanguageForm(FlaskForm):
    """The interface language a person prefers."""

    #: (value, label) of the select; "" follows the browser.
    CHOICES = (("", _l("Wie im Browser eingestellt")), ("de", "Deutsch"), ("en", "English"))

    locale = StringField(
        _l("Sprache der Oberfläche"), validators=[AnyOf([value for value, _label in CHOICES])]
    )
