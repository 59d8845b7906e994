"""Forms of the orgs feature: staff import, training plan, programme periods (CSRF comes with lms.web.forms.Form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from lms.web.forms import Form, PrintableName


class StaffImportForm(Form):
    """Upload of a staff list."""

    file = FileField(
        _l("Beschäftigtenliste (CSV-Datei)"),
        description=_l(
            "Aus Excel „Speichern unter“ → „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“. Spalten: E-Mail, Name "
            "(oder Vorname und Nachname), Organisationseinheit; optional Personalnummer."
        ),
        validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
    )
    send_invitations = BooleanField(_l("Neuen Beschäftigten eine Einladung per E-Mail senden"), default=True)
    deactivate_missing = BooleanField(
        _l("Beschäftigte, die nicht mehr in der Liste stehen, deaktivieren"),
        description=_l(
            "Für den Abgleich mit der vollständigen Personalliste. Deaktivierte Personen behalten ihre Nachweise; "
            "Koordinatorinnen und Koordinatoren werden nie automatisch deaktiviert."
        ),
    )


class ApplyImportForm(Form):
    """Confirming a previewed staff list."""

    skip_invalid = BooleanField(_l("Fehlerhafte Zeilen überspringen und die übrigen übernehmen"))
    #: Asked for when the list would deactivate many (lms.orgs.staff.needs_confirmation); the view names the number.
    confirm_deactivation = BooleanField(_l("Ja, die Personen deaktivieren"))


class PlanForm(Form):
    """A module for the training plan."""

    module_id = SelectField(_l("Schulungsmodul"), coerce=int, validators=[InputRequired()])
    org_unit_ids = SelectMultipleField(
        _l("Zielgruppe"),
        coerce=int,
        description=_l("Keine Auswahl: alle Beschäftigten. Sonst nur die gewählten Organisationseinheiten."),
    )
    due_on = DateField(_l("Fällig am"), validators=[InputRequired(_l("Bitte geben Sie ein Datum an."))])


class PeriodForm(Form):
    """A programme period with its targets."""

    label = StringField(
        _l("Bezeichnung"),
        description=_l("z. B. „Programmjahr 2027“"),
        validators=[DataRequired(_l("Bitte geben Sie eine Bezeichnung ein.")), Length(max=100)],
    )
    starts_on = DateField(_l("Beginn"), validators=[InputRequired(_l("Bitte geben Sie ein Datum an."))])
    ends_on = DateField(
        _l("Ende (letzter Tag)"), validators=[InputRequired(_l("Bitte geben Sie ein Datum an."))]
    )
    min_training_modules = IntegerField(
        _l("Mindestzahl Schulungsmodule"),
        default=2,
        validators=[InputRequired(_l("Bitte geben Sie eine Zahl an.")), NumberRange(min=0, max=50)],
    )
    min_staff_per_module = IntegerField(
        _l("Mindestzahl Beschäftigte je Modul"),
        default=5,
        description=_l("Ein Modul zählt, wenn so viele Beschäftigte es im Zeitraum abgeschlossen haben."),
        validators=[InputRequired(_l("Bitte geben Sie eine Zahl an.")), NumberRange(min=1, max=100000)],
    )
    min_workshops = IntegerField(
        _l("Mindestzahl Empowerment-Workshops"),
        default=2,
        validators=[InputRequired(_l("Bitte geben Sie eine Zahl an.")), NumberRange(min=0, max=50)],
    )


class FacilitatorRoleForm(Form):
    """The programme office grants or removes the facilitator role, always with a reason."""

    email = StringField(
        _l("E-Mail-Adresse der Person"),
        validators=[DataRequired(_l("Bitte geben Sie die E-Mail-Adresse an.")), Length(max=254)],
    )
    change = SelectField(
        _l("Änderung"),
        choices=[
            SelectChoice("grant", _l("Moderation vergeben")),
            SelectChoice("revoke", _l("Moderation entziehen")),
        ],
        validators=[InputRequired()],
    )
    reason = StringField(
        _l("Grund"),
        description=_l("z. B. „Benannt vom Netzwerk, E-Mail vom 3. März“. Der Grund steht im Protokoll."),
        validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=300)],
    )


class RoleChangeForm(Form):
    """A change of one role of an existing account, always with a reason (the choices depend on who changes)."""

    role = SelectField(_l("Rolle"), validators=[InputRequired()])
    change = SelectField(
        _l("Änderung"),
        choices=[
            SelectChoice("grant", _l("vergeben (bei einer Leitung: Organisationseinheiten ändern)")),
            SelectChoice("revoke", _l("entziehen")),
        ],
        validators=[InputRequired()],
    )
    org_unit_ids = SelectMultipleField(
        _l("Organisationseinheiten"),
        coerce=int,
        description=_l(
            "Nur für die Rolle „Leitung Organisationseinheit“: die Einheiten, die die Person leitet."
        ),
    )
    board_id = SelectField(
        _l("Beirat der Kommune"),
        coerce=int,
        default=0,
        description=_l("Nur für die Rolle „Beirat“: die Kommune, deren Beirat die Person angehört."),
    )
    reason = StringField(
        _l("Grund"),
        description=_l(
            "z. B. „Leitung des Bauamts seit 1. März, E-Mail der Koordination“. Der Grund steht im Protokoll."
        ),
        validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=300)],
    )


class MunicipalityForm(Form):
    """A municipality as the programme office enters it (the slug only when it is created)."""

    name = StringField(
        _l("Name"),
        description=_l("z. B. „Landkreis Darmstadt-Dieburg“"),
        validators=[
            DataRequired(_l("Bitte geben Sie den Namen der Kommune an.")),
            Length(max=200),
            PrintableName(municipality=True),
        ],
    )
    slug = StringField(
        _l("Kürzel in Adressen"),
        description=_l(
            "Kleinbuchstaben, Ziffern und Bindestriche; leer lassen, um es aus dem Namen zu bilden. Es steht in "
            "Adressen, Exporten und Skripten und lässt sich später nicht mehr ändern."
        ),
        validators=[Length(max=80)],
    )
    federal_state = SelectField(
        _l("Bundesland"), validators=[InputRequired(_l("Bitte wählen Sie ein Bundesland."))]
    )


class AccountEditForm(Form):
    """The name and e-mail address of an existing account, corrected by the programme office."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Bitte geben Sie den Namen an.")), Length(max=200), PrintableName()],
    )
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(_l("Bitte geben Sie die E-Mail-Adresse an.")), Length(max=254)],
    )


class AccountForm(Form):
    """A new coordinator, trainer or facilitator, created by the programme office."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Bitte geben Sie den Namen an.")), Length(max=200), PrintableName()],
    )
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(_l("Bitte geben Sie die E-Mail-Adresse an.")), Length(max=254)],
    )
    role = SelectField(
        _l("Rolle"),
        choices=[
            SelectChoice("coordinator", _l("Koordination einer Kommune")),
            SelectChoice("trainer", _l("Trainerin oder Trainer")),
            SelectChoice("facilitator", _l("Moderation von Empowerment-Workshops")),
        ],
        validators=[InputRequired()],
    )
    municipality_id = SelectField(
        _l("Kommune"),
        coerce=int,
        description=_l("Für Koordination und Moderation erforderlich."),
    )
    reason = StringField(
        _l("Grund"),
        description=_l(
            "Für die Moderation erforderlich, z. B. „Vom Netzwerk benannt“. Der Grund steht im Protokoll."
        ),
        validators=[Length(max=300)],
    )


class PersonForm(Form):
    """One member of staff, added or changed without a CSV file."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Bitte geben Sie den Namen an.")), Length(max=200), PrintableName()],
    )
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(_l("Bitte geben Sie die E-Mail-Adresse an.")), Length(max=254)],
    )
    org_unit = StringField(
        _l("Organisationseinheit"),
        description=_l(
            "Wie in der Personalliste, z. B. „Amt für Soziales“; eine neue Einheit wird angelegt."
        ),
        validators=[DataRequired(_l("Bitte geben Sie die Organisationseinheit an.")), Length(max=200)],
    )
    personnel_number = StringField(_l("Personalnummer (optional)"), validators=[Length(max=50)])
    send_invitation = BooleanField(_l("Einladung per E-Mail senden"), default=True)
