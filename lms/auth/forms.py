"""Forms of the auth feature (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from lms.auth.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
            # RFC 5321: an address has at most 254 characters; longer input is no account's address.
            Length(max=254, message=_l("Eine E-Mail-Adresse hat höchstens 254 Zeichen.")),
        ],
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


class SetPasswordForm(FlaskForm):
    """Choosing a password from an invitation or password link."""

    password = PasswordField(
        _l("Neues Passwort"),
        description=_l(
            "Mindestens %(n)s Zeichen. Ein Satz aus mehreren Wörtern ist gut zu merken und sicher.",
            n=MIN_PASSWORD_LENGTH,
        ),
        validators=[DataRequired(_l("Bitte geben Sie ein Passwort ein."))],
    )
    confirmation = PasswordField(
        _l("Passwort wiederholen"), validators=[DataRequired(_l("Bitte wiederholen Sie das Passwort."))]
    )
