"""`lms certificates export` and `lms certificates verify` on their own database, as an operator runs them."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from lms import migrate
from lms.auth.models import Role
from lms.certificates import services
from lms.cli import main
from lms.db import make_engine
from tests import factories as f


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A migrated SQLite file the CLI uses through LMS_DATABASE_URL; yields a session to fill it."""
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    monkeypatch.setenv("LMS_BASE_URL", "https://lernen.example")
    engine = make_engine(url)
    with Session(bind=engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def _fill(session: Session):  # type: ignore[no-untyped-def]
    home = f.municipality(session, "Landkreis Darmstadt-Dieburg")
    elsewhere = f.municipality(session, "Stadt Offenbach am Main")
    version = f.published_module(session)
    for n, municipality in enumerate([home, home, home, elsewhere]):
        person = f.user(session, Role.LEARNER, municipality_id=municipality.id, name=f"Beschäftigte {n}")
        f.completion(session, person, version, completed_at=datetime(2026, 2, 1 + n, 10, tzinfo=UTC))
    session.commit()
    return home


def test_export_writes_the_same_archive_as_the_download(cli_database: Session, tmp_path: Path) -> None:
    home = _fill(cli_database)
    output = tmp_path / "zertifikate.zip"
    result = CliRunner().invoke(
        main,
        [
            "certificates",
            "export",
            "--municipality",
            home.slug,
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--output",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 Zertifikate neu ausgestellt" in result.output
    archive = zipfile.ZipFile(io.BytesIO(output.read_bytes()))
    names = archive.namelist()
    assert names[0] == "manifest.csv" and len([n for n in names if n.endswith(".pdf")]) == 3
    assert "https://lernen.example/verify/KFA-" in archive.read("manifest.csv").decode("utf-8-sig")
    again = CliRunner().invoke(
        main,
        [
            "certificates",
            "export",
            "--municipality",
            home.slug,
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--output",
            str(tmp_path / "nochmal.zip"),
        ],
    )
    assert "0 Zertifikate neu ausgestellt" in again.output
    pdfs = sorted(n for n in names if n.endswith(".pdf"))
    second = zipfile.ZipFile(tmp_path / "nochmal.zip")
    assert [second.read(n) for n in pdfs] == [archive.read(n) for n in pdfs]  # bit-identical rebuilds


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipality", "gibt-es-nicht"], "Kommune „gibt-es-nicht“ gibt es nicht"),
        (["--from", "2026-13-01"], "ist kein Datum"),
        (["--from", "2026-12-01", "--to", "2026-01-01"], "Enddatum"),
        (["--period", "999"], "Einen Zeitraum mit der ID 999 gibt es nicht"),
        # Beyond PostgreSQL's integer, and days whose first moment in UTC Python cannot hold: tracebacks before.
        (["--period", "100000000000000000000"], "ID 100000000000000000000 gibt es nicht"),
        (["--from", "0001-01-01"], "zwischen 01.01.2000 und 31.12.2099"),
        (["--to", "9999-12-31"], "zwischen 01.01.2000 und 31.12.2099"),
        (["--period", "1", "--from", "2026-01-01"], "nicht beides"),
    ],
)
def test_export_refuses_bad_input_with_a_german_message(
    cli_database: Session, tmp_path: Path, args, message
) -> None:  # type: ignore[no-untyped-def]
    home = _fill(cli_database)
    base = ["certificates", "export", "--municipality", home.slug, "--output", str(tmp_path / "x.zip")]
    result = CliRunner().invoke(main, base + args)
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "x.zip").exists()


def test_export_of_a_programme_period_uses_its_dates(cli_database: Session, tmp_path: Path) -> None:
    from sqlalchemy import select

    from lms.orgs.models import ProgrammePeriod

    home = _fill(cli_database)
    first = cli_database.scalars(select(ProgrammePeriod).order_by(ProgrammePeriod.starts_on)).first()
    assert first is not None and first.starts_on <= datetime(2026, 2, 1).date() <= first.ends_on
    output = tmp_path / "zeitraum.zip"
    base = ["certificates", "export", "--municipality", home.slug, "--period", str(first.id), "--output"]
    result = CliRunner().invoke(main, [*base, str(output)])
    assert result.exit_code == 0, result.output
    assert f"{first.starts_on:%d.%m.%Y} bis {first.ends_on:%d.%m.%Y}" in result.output
    assert len([n for n in zipfile.ZipFile(output).namelist() if n.endswith(".pdf")]) == 3


def test_verify_prints_what_the_page_says(cli_database: Session) -> None:
    home = _fill(cli_database)
    from sqlalchemy import select

    from lms.progress.models import Completion

    completions = cli_database.scalars(select(Completion).order_by(Completion.id)).all()
    valid = services.issue_for_completion(cli_database, completions[0], actor_id=None, base_url="https://x")
    revoked = services.issue_for_completion(cli_database, completions[1], actor_id=None, base_url="https://x")
    services.revoke_certificate(cli_database, revoked, actor=None, reason="Test des Widerrufs")
    cli_database.commit()
    assert home is not None
    runner = CliRunner()
    ok = runner.invoke(main, ["certificates", "verify", valid.code.lower().replace("-", " ")])
    assert ok.exit_code == 0 and f"Gültig: {valid.code}" in ok.output and "Beschäftigte 0" in ok.output
    gone = runner.invoke(main, ["certificates", "verify", revoked.code])
    assert gone.exit_code == 1 and "Widerrufen" in gone.output
    from lms.certificates.codes import generate_code

    unknown = runner.invoke(main, ["certificates", "verify", generate_code()])
    assert unknown.exit_code == 2 and "Unbekannt" in unknown.output
    typo = runner.invoke(
        main, ["certificates", "verify", valid.code[:-1] + ("0" if valid.code[-1] != "0" else "1")]
    )
    assert typo.exit_code == 3 and "Tippfehler" in typo.output


def test_store_missing_keeps_the_pdfs_of_older_certificates_in_batches(cli_database: Session) -> None:
    from sqlalchemy import delete, func, select

    from lms.certificates.models import CertificateDocument
    from lms.certificates.pdf import certificate_pdf
    from lms.progress.models import Completion

    _fill(cli_database)
    issued = [
        services.issue_for_completion(cli_database, completion, actor_id=None, base_url="https://x")
        for completion in cli_database.scalars(select(Completion).order_by(Completion.id))
    ]
    cli_database.execute(delete(CertificateDocument))  # as if issued before PDFs were stored
    cli_database.commit()
    result = CliRunner().invoke(main, ["certificates", "store-missing", "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert "3 PDFs abgelegt …" in result.output and "Fertig: 4 PDFs neu abgelegt." in result.output
    cli_database.expire_all()
    stored = {d.certificate_id: d.content for d in cli_database.scalars(select(CertificateDocument))}
    assert stored == {c.id: certificate_pdf(c.snapshot) for c in issued}
    again = CliRunner().invoke(main, ["certificates", "store-missing"])
    assert again.exit_code == 0 and "Fertig: 0 PDFs neu abgelegt." in again.output
    assert cli_database.scalar(select(func.count()).select_from(CertificateDocument)) == 4
