"""Validity of completions (``valid_for_months``): coverage, the certificate's „gültig bis“, the export manifest."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from lms.certificates import queries as certificate_queries
from lms.certificates import services as certificates
from lms.certificates.export import MANIFEST_COLUMNS, zip_stream
from lms.certificates.models import Certificate
from lms.content.modules import ModuleDocument, parse_module
from lms.orgs.models import OrgUnit
from lms.reports.compliance import range_of
from lms.reports.queries import coverage_counts, module_counts, programme_counts, trained_staff
from tests import factories as f
from tests.integration.test_reminders import module

BASE = "https://lernen.example"


def berlin(day: date) -> object:
    return clock.at_local(day, 10)


def test_valid_for_months_is_read_from_the_front_matter_and_checked() -> None:
    source = f.module_source().replace("language: de\n", "language: de\nvalid_for_months: 24\n")
    doc: ModuleDocument = parse_module(source, "modules/testmodul.md")
    assert doc.valid_for_months == 24 and doc.front_matter["valid_for_months"] == 24
    assert parse_module(f.module_source(), "modules/testmodul.md").valid_for_months is None
    from lms.markdown.problems import ContentInvalid

    with pytest.raises(ContentInvalid) as refused:
        parse_module(source.replace("valid_for_months: 24", "valid_for_months: zwei"), "modules/testmodul.md")
    assert "„valid_for_months“ muss eine ganze Zahl von 1 bis 120 sein" in str(refused.value.problems[0])


def test_an_expired_completion_leaves_coverage_but_counts_for_the_period_it_was_earned_in(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(date(2026, 1, 5), 9), tick=False)
    town = f.municipality(db)
    short, yearly = module(db, "kurz", months=1), module(db, "jaehrlich", months=12)
    expired, valid = (
        f.user(db, Role.LEARNER, municipality_id=town.id),
        f.user(db, Role.LEARNER, municipality_id=town.id),
    )
    f.completion(db, expired, short, at=berlin(date(2026, 2, 1)))  # valid until 1 March 2026
    f.completion(db, valid, yearly, at=berlin(date(2026, 3, 1)))  # valid until 1 March 2027
    period = f.period(db)

    time_machine.move_to(clock.at_local(date(2026, 6, 10), 9), tick=False)
    running = range_of(period, clock.today())
    [coverage] = coverage_counts(db, running, town.id)
    assert (coverage.staff, coverage.at_least_one) == (2, 1)  # the expired one no longer covers its holder
    assert {c.module_id: c.staff for c in module_counts(db, running, town.id)} == {
        short.module_id: 1,
        yearly.module_id: 1,
    }  # both count for the period in which they were earned
    assert trained_staff(db, running, town.id) == {town.id: 2}
    programme = programme_counts(db, period.id, running, min_staff=1)
    assert [(c.staff, c.at_least_one) for c in programme.coverage if c.municipality_id == town.id] == [(2, 1)]
    assert programme.trained[town.id] == 2

    # After the period, its report counts coverage on its last day: the yearly one was valid then.
    time_machine.move_to(clock.at_local(date(2027, 6, 10), 9), tick=False)
    ended = range_of(period, clock.today())
    [coverage] = coverage_counts(db, ended, town.id)
    assert (coverage.staff, coverage.at_least_one) == (2, 1)
    assert sum(c.staff for c in module_counts(db, ended, town.id)) == 2


def test_the_certificate_shows_gueltig_bis_fixed_at_issue(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(date(2026, 6, 10), 9), tick=False)
    town = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    lea = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lea Schneider")
    yearly, unlimited = module(db, "jaehrlich", months=12), module(db, "grundlagen")
    limited = certificates.issue_for_completion(
        db, f.completion(db, lea, yearly, at=berlin(date(2026, 5, 4))), actor_id=None, base_url=BASE
    )
    forever = certificates.issue_for_completion(
        db, f.completion(db, lea, unlimited, at=berlin(date(2026, 5, 4))), actor_id=None, base_url=BASE
    )

    def text(certificate) -> str:  # type: ignore[no-untyped-def]
        data = certificates.certificate_document(db, certificate)
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    assert limited.snapshot["valid_until"] == "2027-05-04" and limited.valid_until == date(2027, 5, 4)
    assert "Gültig bis 04.05.2027" in text(limited)
    assert "Gültig bis" not in text(forever) and "valid_until" not in forever.snapshot
    # A new version with another validity changes nothing on the certificate already issued.
    module(db, "jaehrlich", version="2.0", months=6)
    db.refresh(limited)
    assert "Gültig bis 04.05.2027" in text(limited)


def test_the_export_manifest_has_personalnummer_and_org_unit(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(date(2026, 6, 10), 9), tick=False)
    town = f.municipality(db)
    unit = OrgUnit(municipality_id=town.id, name="Amt für Soziales")
    db.add(unit)
    db.flush()
    lea = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lea Schneider")
    lea.personnel_number, lea.org_unit_id = "P-4711", unit.id
    jonas = f.user(db, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    version = module(db, "grundlagen")
    for person in (lea, jonas):
        certificates.issue_for_completion(
            db, f.completion(db, person, version, at=berlin(date(2026, 5, 4))), actor_id=None, base_url=BASE
        )
    selection = certificate_queries.export_selection(town.id, date(2026, 1, 1), date(2026, 12, 31))
    archive = zipfile.ZipFile(
        io.BytesIO(
            b"".join(
                zip_stream(
                    lambda: db.execute(selection),
                    lambda: certificates.STORE.stream(db, certificate_queries.only_valid(selection)),
                    created=datetime(2027, 1, 4, 7, 30, tzinfo=UTC),
                )
            )
        )
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == MANIFEST_COLUMNS
    by_name = {row["Name"]: row for row in rows}
    assert (by_name["Lea Schneider"]["Personalnummer"], by_name["Lea Schneider"]["Organisationseinheit"]) == (
        "P-4711",
        "Amt für Soziales",
    )
    assert (by_name["Jonas Weber"]["Personalnummer"], by_name["Jonas Weber"]["Organisationseinheit"]) == (
        "",
        "",
    )
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
    # Each file carries when it was made, in German time: the manifest the export, a PDF its certificate's issue.
    assert archive.getinfo("manifest.csv").date_time == (2027, 1, 4, 8, 30, 0)
    issued = {certificate.issued_at for certificate in db.scalars(select(Certificate))}
    days = {info.date_time[:3] for info in archive.infolist() if info.filename.endswith(".pdf")}
    assert days == {clock.local_date(moment).timetuple()[:3] for moment in issued}
