"""Forms of the auth feature (CSRF comes with lms.web.forms.Form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from lms.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from lms.auth.services import DEFAULT_TOKEN_DAYS, TOKEN_LIFETIMES_DAYS
from lms.web.forms import Form


class LoginForm(Form):
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


class TokenForm(Form):
    """Name of a new personal API token."""

    name = StringField(
        _l("Bezeichnung"),
        description=_l("Wofür Sie das Token verwenden, z. B. „Personalverwaltung“."),
        validators=[DataRequired(_l("Bitte geben Sie eine Bezeichnung ein.")), Length(max=100)],
    )
    #: (value, label) of the lifetime select, in days; see lms.auth.services.TOKEN_LIFETIMES_DAYS.
    DAY_CHOICES = (("30", _l("30 Tage")), ("90", _l("90 Tage")), ("365", _l("1 Jahr")))

    days = StringField(
        _l("Gültig für"),
        default=str(DEFAULT_TOKEN_DAYS),
        description=_l(
            "Danach weist die Schnittstelle das Token ab; Sie können jederzeit ein neues erstellen."
        ),
        validators=[
            AnyOf(
                [str(days) for days in TOKEN_LIFETIMES_DAYS],
                message=_l("Bitte wählen Sie eine Gültigkeit von 30 Tagen, 90 Tagen oder einem Jahr."),
            )
        ],
    )


class LanguageForm(Form):
    """The interface language a person prefers."""

    #: (value, label) of the select; "" follows the browser.
    CHOICES = (("", _l("Wie im Browser eingestellt")), ("de", "Deutsch"), ("en", "English"))

    locale = StringField(
        _l("Sprache der Oberfläche"), validators=[AnyOf([value for value, _label in CHOICES])]
    )


class ReminderForm(Form):
    """Which reminder mails a person wants."""

    reminders = BooleanField(
        _l("Erinnerungen per E-Mail erhalten"),
        description=_l(
            "Module Ihres Schulungsplans, die bald oder überfällig sind, Abschlüsse, deren Gültigkeit bald endet, "
            "und wesentliche Änderungen an Modulen, die Sie abgeschlossen haben."
        ),
    )
    digest = BooleanField(
        _l("Wöchentliche Übersicht für die Koordination erhalten"),
        description=_l(
            "Einmal pro Woche: was bald fällig und was überfällig ist, und der Stand im Zeitraum."
        ),
    )


#: The policy in a sentence, under every new-password field.
PASSWORD_HINT = _l(
    "Mindestens %(min)s, höchstens %(max)s Zeichen, gern mit Leerzeichen und Umlauten. Ein Satz aus mehreren "
    "Wörtern ist gut zu merken und sicher. Häufige Passwörter und solche mit Ihrem Namen werden abgelehnt.",
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
)


class SetPasswordForm(Form):
    """Choosing a password from an invitation or password link."""

    password = PasswordField(
        _l("Neues Passwort"),
        description=PASSWORD_HINT,
        validators=[DataRequired(_l("Bitte geben Sie ein Passwort ein."))],
    )
    confirmation = PasswordField(
        _l("Passwort wiederholen"), validators=[DataRequired(_l("Bitte wiederholen Sie das Passwort."))]
    )


class ChangePasswordForm(SetPasswordForm):
    """Changing one's own password: the current one first."""

    current = PasswordField(
        _l("Aktuelles Passwort"), validators=[DataRequired(_l("Bitte geben Sie Ihr aktuelles Passwort ein."))]
    )


class ForgotPasswordForm(Form):
    """The address to send a reset link to."""

    email = EmailField(
        _l("E-Mail-Adresse"),
        description=_l("Die dienstliche E-Mail-Adresse, mit der Sie sich anmelden."),
        validators=[
            DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
            Length(max=254, message=_l("Eine E-Mail-Adresse hat höchstens 254 Zeichen.")),
        ],
    )


class FindAccountForm(Form):
    """The programme office looks an account up by its address."""

    email = EmailField(
        _l("E-Mail-Adresse des Kontos"),
        validators=[
            DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse ein.")),
            Length(max=254, message=_l("Eine E-Mail-Adresse hat höchstens 254 Zeichen.")),
        ],
    )


class SecondFactorForm(Form):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        description=_l("Die 6 Ziffern aus Ihrer Authenticator-App oder einer Ihrer Wiederherstellungscodes."),
        validators=[DataRequired(_l("Bitte geben Sie den Code ein.")), Length(max=20)],
    )


class PasskeyNameForm(Form):
    """The name a person gives a passkey, so they can tell several apart."""

    name = StringField(
        _l("Name des Passkeys"),
        description=_l("Zum Beispiel „Laptop Büro“ oder „Sicherheitsschlüssel“."),
        validators=[
            DataRequired(_l("Bitte geben Sie dem Passkey einen Namen.")),
            Length(max=100, message=_l("Der Name darf höchstens 100 Zeichen lang sein.")),
        ],
    )
