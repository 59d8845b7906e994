"""Forms of the certificates feature (CSRF comes with lms.web.forms.Form)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from lms.web.forms import Form


class VerifyForm(Form):
    """The code printed on a certificate."""

    code = StringField(
        _l("Prüfcode"),
        description=_l(
            "Steht unten auf dem Zertifikat, z. B. KFA-7K3M-Q9XD-2HNP-7. Groß- und Kleinschreibung, Leerzeichen und Bindestriche sind egal."
        ),
        validators=[DataRequired(_l("Bitte geben Sie den Prüfcode ein.")), Length(max=60)],
    )


class ExportForm(Form):
    """Which certificates of a municipality to download, and as what."""

    starts_on = DateField(
        _l("Abgeschlossen ab"), validators=[InputRequired(_l("Bitte geben Sie ein Datum ein."))]
    )
    ends_on = DateField(
        _l("Abgeschlossen bis"), validators=[InputRequired(_l("Bitte geben Sie ein Datum ein."))]
    )
    #: (value, label) of the format radio buttons.
    FORMATS = (
        ("zip", _l("ZIP-Archiv: ein PDF je Zertifikat und eine Liste (manifest.csv)")),
        ("pdf", _l("Ein PDF mit allen Zertifikaten zum Drucken")),
    )
    module = StringField(_l("Modul"))
    org_unit = StringField(_l("Organisationseinheit"))
    #: (id as text, name) of the municipality's org units; "" = all.
    org_unit_choices: tuple[tuple[str, str], ...] = ()

    def validate_org_unit(self, field: StringField) -> None:
        if field.data and field.data not in {value for value, _name in self.org_unit_choices}:
            raise ValidationError(_l("Diese Organisationseinheit gibt es nicht."))

    format = StringField(
        _l("Format"), default="zip", validators=[AnyOf([value for value, _label in FORMATS])]
    )

    #: (slug, title) the module select offers; "" = all modules.
    module_choices: tuple[tuple[str, str], ...] = ()

    def validate_module(self, field: StringField) -> None:
        if field.data and field.data not in {slug for slug, _title in self.module_choices}:
            raise ValidationError(_l("Dieses Modul gibt es nicht."))

    def validate_ends_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Das Enddatum liegt vor dem Anfangsdatum."))

    @classmethod
    def for_year(cls, year: int, modules: list[tuple[str, str]]) -> ExportForm:
        """The form with the calendar year as default period and the module choices filled in."""
        return cls.for_range(date(year, 1, 1), date(year, 12, 31), modules)

    @classmethod
    def for_range(cls, starts_on: date, ends_on: date, modules: list[tuple[str, str]]) -> ExportForm:
        """The form with a default date range (e.g. a programme period) and the module choices filled in."""
        form = cls()
        form.module_choices = tuple(modules)
        if not form.is_submitted():
            form.starts_on.data = starts_on
            form.ends_on.data = ends_on
        return form


class RevokeForm(Form):
    """The reason for revoking a certificate."""

    reason = TextAreaField(
        _l("Grund des Widerrufs"),
        description=_l(
            "Wird im Audit-Protokoll gespeichert, nicht auf der öffentlichen Prüfseite angezeigt."
        ),
        validators=[
            DataRequired(_l("Bitte geben Sie einen Grund an.")),
            Length(min=5, max=1000, message=_l("Der Grund muss zwischen 5 und 1000 Zeichen lang sein.")),
        ],
    )
