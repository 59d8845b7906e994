"""`lms staff import` and `lms report …` on a real database file, as an administrator or a cron job runs them."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lms import migrate
from lms.auth.models import User
from lms.cli import main
from lms.commands import database_unavailable
from lms.db import make_engine
from lms.orgs.models import Municipality

CSV = (
    "\ufeffE-Mail;Name;Organisationseinheit\r\n"
    "a.yilmaz@kreis.example;Ayşe Yılmaz;Amt für Soziales\r\n"
    "kaputt;Paul Becker;Bauamt\r\n"
    "j.schmidt@kreis.example;Jürgen Schmidt;Bürgerservice\r\n"
)


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `lms …` against a fresh migrated SQLite file with one municipality; returns (run, database URL, outbox)."""
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        session.add(Municipality(slug="darmstadt-dieburg", name="Landkreis Darmstadt-Dieburg"))
        session.commit()
    outbox = tmp_path / "outbox"
    env = {"LMS_DATABASE_URL": url, "LMS_OUTBOX_DIR": str(outbox), "LMS_TEST_DATABASE_URL": ""}

    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield run, engine, outbox
    engine.dispose()


def count_staff(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def test_staff_import_reports_rows_as_file_line_and_applies_only_when_told(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, engine, outbox = cli
    path = tmp_path / "personal.csv"
    path.write_bytes(CSV.encode())
    dry = run("staff", "import", str(path), "--municipality", "darmstadt-dieburg", "--dry-run")
    assert dry.exit_code == 1
    assert f"{path}:3: „kaputt“ ist keine gültige E-Mail-Adresse." in dry.stderr
    assert "2 neu, 0 geändert" in dry.stdout and "Probelauf: nichts übernommen." in dry.stdout
    refused = run("staff", "import", str(path), "--municipality", "darmstadt-dieburg")
    assert refused.exit_code == 1 and "Nichts übernommen" in refused.stderr
    assert count_staff(engine) == 0
    done = run("staff", "import", str(path), "--municipality", "darmstadt-dieburg", "--skip-invalid")
    assert done.exit_code == 0, done.output
    assert f"Einladungen: 2 (als .eml-Dateien in {outbox})" in done.stdout
    assert count_staff(engine) == 2 and len(list(outbox.glob("*.eml"))) == 2
    again = run("staff", "import", str(path), "--municipality", "darmstadt-dieburg", "--skip-invalid")
    assert "0 neu, 0 geändert, 0 reaktiviert, 2 unverändert" in again.stdout
    assert count_staff(engine) == 2 and len(list(outbox.glob("*.eml"))) == 2


def test_staff_import_refuses_unknown_municipalities_and_unreadable_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, _engine, _outbox = cli
    path = tmp_path / "leer.csv"
    path.write_bytes(b"")
    unknown = run("staff", "import", str(path), "--municipality", "gibt-es-nicht")
    assert unknown.exit_code != 0 and "Kommune „gibt-es-nicht“ gibt es nicht." in unknown.output
    empty = run("staff", "import", str(path), "--municipality", "darmstadt-dieburg")
    assert empty.exit_code == 1 and f"{path}: Die Datei ist leer." in empty.stderr


def test_programme_report_as_csv_on_stdout_and_as_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, _engine, _outbox = cli
    result = run("report", "programme", "--period", "1")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")), delimiter=";"))
    assert (
        rows[0][0] == "Kommune" and rows[1][0] == "Landkreis Darmstadt-Dieburg" and rows[1][1] == "0"
    )  # no staff: „0“ (issue 10)
    xlsx = tmp_path / "programm.xlsx"
    assert run("report", "programme", "--format", "xlsx", "--output", str(xlsx)).exit_code == 0
    assert load_workbook(xlsx).active.cell(row=2, column=1).value == "Landkreis Darmstadt-Dieburg"
    pdf = tmp_path / "programm.pdf"
    assert run("report", "programme", "--format", "pdf", "--output", str(pdf), "--period", "2").exit_code == 0
    assert "Programmübersicht Programmjahr 2027" in PdfReader(pdf).pages[0].extract_text()
    missing = run("report", "programme", "--period", "99")
    assert missing.exit_code != 0 and "Zeitraum 99 gibt es nicht." in missing.output
    beyond = run("report", "programme", "--period", "2147483648")  # PostgreSQL's integer ends one below
    assert beyond.exit_code != 0 and "Zeitraum 2147483648 gibt es nicht." in beyond.output
    nowhere = run("report", "programme", "--format", "pdf", "--output", str(tmp_path / "fehlt" / "x.pdf"))
    assert nowhere.exit_code != 0 and "kann nicht geschrieben werden" in nowhere.output
    assert "Traceback" not in nowhere.output


def test_municipality_report_gives_the_evidence_pdf_and_the_completion_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, _engine, _outbox = cli
    pdf = tmp_path / "nachweis.pdf"
    assert (
        run("report", "municipality", "darmstadt-dieburg", "--format", "pdf", "--output", str(pdf)).exit_code
        == 0
    )
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Jahresnachweis" in text and "Landkreis Darmstadt-Dieburg" in text
    listing = run("report", "municipality", "darmstadt-dieburg")
    assert listing.exit_code == 0 and listing.stdout_bytes.decode("utf-8-sig").startswith(
        "Name;E-Mail-Adresse"
    )
    unknown = run("report", "municipality", "nirgendwo")
    assert unknown.exit_code != 0 and "Kommune „nirgendwo“ gibt es nicht." in unknown.output


def test_municipalities_create_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    run, _engine, _outbox = cli
    done = run("municipalities", "create", "giessen", "--name", "Stadt Gießen", "--state", "hessen")
    assert done.exit_code == 0 and "Stadt Gießen" in done.output and "Hessen" in done.output
    twice = run("municipalities", "create", "giessen", "--name", "Gießen", "--state", "Hessen")
    assert twice.exit_code == 1 and "hat bereits eine andere Kommune" in twice.output
    nowhere = run("municipalities", "create", "x-stadt", "--name", "X", "--state", "Bayernland")
    assert nowhere.exit_code == 1 and "kein Bundesland" in nowhere.output
    listing = run("municipalities", "list")
    assert "giessen\tHessen\tStadt Gießen" in listing.output and "darmstadt-dieburg" in listing.output


def test_rebuild_summary_restores_what_the_programme_office_counts(cli) -> None:  # type: ignore[no-untyped-def]
    """Completions written past the application (a bulk load) reach the programme office after a rebuild."""
    from datetime import date

    from sqlalchemy import delete, insert

    from lms import time as clock
    from lms.progress.models import Completion
    from lms.reports.models import PeriodModuleStaff, PeriodPerson
    from tests import factories as f

    run, engine, _outbox = cli
    with Session(engine) as session:
        town = session.scalar(select(Municipality))
        assert town is not None
        version = f.training_module(session, "grundlagen")
        people = [f.staff_member(session, town.id) for _ in range(5)]  # a module counts from 5 staff
        at = clock.at_local(date(2027, 5, 4), 10)
        # As a COPY would: no ORM, so the summary does not see them.
        session.execute(
            insert(Completion),
            [
                {
                    "user_id": p.id,
                    "module_id": version.module_id,
                    "module_version_id": version.id,
                    "completed_at": at,
                }
                for p in people
            ],
        )
        session.execute(delete(PeriodPerson))
        session.execute(delete(PeriodModuleStaff))
        session.commit()
    before = run("report", "programme", "--period", "2")
    assert list(csv.reader(io.StringIO(before.stdout_bytes.decode("utf-8-sig")), delimiter=";"))[1][2] == "0"
    rebuilt = run("report", "rebuild-summary")
    assert rebuilt.exit_code == 0 and "Zusammenfassung für 3 Zeiträume neu berechnet." in rebuilt.stdout
    after = run("report", "programme", "--period", "2")
    assert list(csv.reader(io.StringIO(after.stdout_bytes.decode("utf-8-sig")), delimiter=";"))[1][2] == "1"


def test_staff_import_that_deactivates_a_network_member_ends_membership_and_registrations(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from datetime import time, timedelta

    from lms import time as clock
    from lms.auth.models import Role
    from lms.workshops import network
    from lms.workshops.models import PlannedSession, SessionKind, SessionRegistration
    from lms.workshops.planning import PlanInput, register, schedule_session
    from tests import factories as f

    run, engine, _outbox = cli
    with Session(engine) as session:
        town = session.scalar(select(Municipality))
        assert town is not None
        facilitator = f.user(
            session, Role.FACILITATOR, municipality_id=town.id, email="moderation@kreis.example"
        )
        member = f.user(session, Role.LEARNER, municipality_id=town.id, email="mitglied@kreis.example")
        network.add_member(session, facilitator, town.id, member.email)
        network.answer(session, member, agrees=True)  # the person agrees under „Termine“
        workshop = schedule_session(
            session,
            facilitator,
            PlanInput(
                kind=SessionKind.WORKSHOP,
                municipality_id=town.id,
                module_version_id=f.workshop_script(session).id,
                held_on=clock.today() + timedelta(days=6),
                starts_at=time(17),
                ends_at=time(19),
                place="Stadtteilzentrum",
                capacity=5,
                facilitator_ids=frozenset({facilitator.id}),
            ),
        )
        register(session, member, workshop)
        session.commit()
        member_id, workshop_id = member.id, workshop.id
    path = tmp_path / "personal.csv"
    path.write_bytes(
        "\ufeffE-Mail;Name;Organisationseinheit\r\nmoderation@kreis.example;Aylin Kaya;Amt\r\n".encode()
    )
    done = run("staff", "import", str(path), "--municipality", "darmstadt-dieburg", "--deactivate-missing")
    assert done.exit_code == 0, done.output
    assert "Netzwerk" not in done.output
    with Session(engine) as session:
        person = session.get(User, member_id)
        assert person is not None and not person.is_active and not network.is_member(session, person)
        assert session.get(PlannedSession, workshop_id) is not None
        assert (
            session.scalar(select(SessionRegistration).where(SessionRegistration.user_id == member_id))
            is None
        )


def test_staff_import_refuses_control_characters_as_file_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """NUL passed `--dry-run` and gave a traceback on PostgreSQL (SQLite stored it); \\x01 and ESC were imported."""
    run, engine, _outbox = cli
    path = tmp_path / "personal.csv"
    path.write_bytes(
        b"E-Mail;Name;Organisationseinheit;\n"
        b"nul@x.example;Nul\x00Name;Fachbereich Soziales;\n"
        b"soh@x.example;Soh Name;Fach\x01bereich;\n"
        b"esc@x.example;Esc\x1bName;Fachbereich Soziales;\n"
    )
    for options in (["--dry-run"], []):
        result = run(
            "staff", "import", "--municipality", "darmstadt-dieburg", "--no-invitations", *options, str(path)
        )
        assert result.exit_code == 1
        assert f"{path}:2: Name enthält unzulässige Steuerzeichen." in result.stderr
        assert f"{path}:3: Organisationseinheit enthält unzulässige Steuerzeichen." in result.stderr
        assert f"{path}:4: Name enthält unzulässige Steuerzeichen." in result.stderr
    assert count_staff(engine) == 0


def test_names_on_the_command_line_are_bounded_and_without_control_characters(cli) -> None:  # type: ignore[no-untyped-def]
    """A 5000-character name was a traceback on PostgreSQL (varchar(200)) and stored whole on SQLite, a
    municipality's cut off without a word; names with \\x01 were accepted."""
    run, engine, _outbox = cli
    long_name, password = "x" * 5000, "ein-sehr-langes-passwort"
    too_long = run("users", "create", "qa@x.example", "--name", long_name, "--password", password)
    assert too_long.exit_code == 1 and "Der Name darf höchstens 200 Zeichen lang sein." in too_long.output
    control = run("users", "create", "qa@x.example", "--name", "Q\x01A", "--password", password)
    assert control.exit_code == 1 and "Der Name enthält unzulässige Steuerzeichen." in control.output
    assert count_staff(engine) == 0
    town = run("municipalities", "create", "lang", "--name", long_name, "--state", "Hessen")
    assert town.exit_code == 1 and "Der Name der Kommune darf höchstens 200 Zeichen lang sein." in town.output
    town = run("municipalities", "create", "steuer", "--name", "Stadt\x1bA", "--state", "Hessen")
    assert town.exit_code == 1 and "Der Name der Kommune enthält unzulässige Steuerzeichen." in town.output
    assert "lang" not in run("municipalities", "list").output
    fine = run("users", "create", "qa@x.example", "--name", "x" * 200, "--password", password)
    assert fine.exit_code == 0, fine.output


def test_names_a_certificate_could_not_print_are_refused_with_the_characters_named(cli) -> None:  # type: ignore[no-untyped-def]
    """fpdf2 leaves out a letter its font lacks without a word: „王芳“ came out of the certificate empty."""
    run, engine, _outbox = cli
    password = "ein-sehr-langes-passwort"
    refused = run("users", "create", "wang@x.example", "--name", "王芳", "--password", password)
    assert refused.exit_code == 1
    assert "nicht gedruckt werden können: „王“ (U+738B), „芳“ (U+82B3)." in refused.output
    assert "lateinischer, griechischer oder kyrillischer Schrift" in refused.output
    town = run("municipalities", "create", "emoji", "--name", "Stadt 🏛", "--state", "Hessen")
    assert town.exit_code == 1 and "„🏛“ (U+1F3DB)" in town.output
    assert count_staff(engine) == 0
    # Vietnamese written with a combining accent is stored as the one letter a certificate prints.
    fine = run(
        "users",
        "create",
        "nguyen@x.example",
        "--name",
        "Nguye\u0302\u0303n Thi\u0323",
        "--password",
        password,
    )
    assert fine.exit_code == 0, fine.output
    with engine.connect() as connection:
        stored = connection.scalar(
            sql_text("SELECT display_name FROM users WHERE email = 'nguyen@x.example'")
        )
    assert stored == "Nguyễn Thị"


def test_a_staff_file_over_the_limit_is_refused_without_reading_it_whole(cli) -> None:  # type: ignore[no-untyped-def]
    """/dev/zero ran until the process was killed: the file was read whole before its size was checked."""
    run, engine, _outbox = cli
    result = run("staff", "import", "--municipality", "darmstadt-dieburg", "--no-invitations", "/dev/zero")
    assert result.exit_code == 1 and "/dev/zero: die Datei ist größer als" in result.output
    assert count_staff(engine) == 0


def test_a_database_that_refuses_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    """A PostgreSQL that is down, or a SQLite file another writer holds, printed a SQLAlchemy traceback."""
    env = {
        "LMS_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nirgends",
        "LMS_TEST_DATABASE_URL": "",
    }
    result = CliRunner().invoke(main, ["municipalities", "list"], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert "Die Datenbank ist nicht erreichbar (" in result.output and "Traceback" not in result.output
    upgrade = CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert upgrade.exit_code == 1 and "Die Datenbank ist nicht erreichbar (" in upgrade.output

    # A database that was never migrated refuses the statement: the message says what to do.
    empty = {"LMS_DATABASE_URL": "sqlite:///" + str(tmp_path / "leer.sqlite3"), "LMS_TEST_DATABASE_URL": ""}
    unmigrated = CliRunner().invoke(main, ["municipalities", "list"], env=empty, catch_exceptions=False)
    assert unmigrated.exit_code == 1 and "abgelehnt (no such table" in unmigrated.output
    assert "lms db upgrade" in unmigrated.output
    # SQLite's answer when another process holds the write lock longer than the busy timeout (15 s):
    locked = OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))
    assert "gerade von einem anderen Vorgang gesperrt" in database_unavailable(locked)
