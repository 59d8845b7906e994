"""`lms documents check|import` on their own database, as an operator runs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import migrate
from lms.cli import main
from lms.db import make_engine
from lms.documents.models import DocumentVersion
from lms.documents.queries import current_document
from tests import factories_documents as fd


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    engine = make_engine(url)
    with Session(bind=engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_shipped_documents_check_clean() -> None:
    result = _run("documents", "check")
    assert result.exit_code == 0 and "Keine Probleme gefunden." in result.output


def test_import_publishes_all_or_nothing_and_waits_for_the_consultation(  # type: ignore[no-untyped-def]
    cli_database: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / f"{fd.SLUG}.md").write_text(fd.document_source(), encoding="utf-8")
    (folder / "kaputt.md").write_text("---\nslug: kaputt\n---\n", encoding="utf-8")
    refused = _run("documents", "import", str(folder))
    assert (
        refused.exit_code == 1 and f"{folder / 'kaputt.md'}:1: Pflichtfeld „title“ fehlt." in refused.output
    )
    assert cli_database.scalar(select(func.count()).select_from(DocumentVersion)) == 0

    (folder / "kaputt.md").unlink()
    first = _run("documents", "import", str(folder))
    assert first.exit_code == 0 and "Version 0.1 veröffentlicht" in first.output
    again = _run("documents", "import", str(folder))
    assert again.exit_code == 0 and "unverändert (Version 0.1)" in again.output

    cli_database.rollback()  # end the read transaction begun before the import: see what the command committed
    version = cli_database.scalars(select(DocumentVersion)).one()
    fd.open_window(cli_database, version)
    cli_database.commit()
    (folder / f"{fd.SLUG}.md").write_text(fd.document_source("0.2", extra=" Neu."), encoding="utf-8")
    running = _run("documents", "import", str(folder), "--note", "Zu früh")
    assert (
        running.exit_code == 1 and "Die Konsultation zu Version 0.1 ist noch nicht beendet." in running.output
    )
    cli_database.expire_all()
    summary = current_document(cli_database, fd.SLUG)
    assert summary is not None and summary.version_label == "0.1" and summary.consultation_status == "open"


def test_check_and_import_refuse_control_characters_with_their_line(  # type: ignore[no-untyped-def]
    cli_database: Session, tmp_path: Path
) -> None:
    """A NUL in a document passed `documents check` and broke the import on PostgreSQL."""
    folder = tmp_path / "documents"
    folder.mkdir()
    lines = fd.document_source().split("\n")
    lines[-2] += " Nul\x00"
    (folder / f"{fd.SLUG}.md").write_text("\n".join(lines), encoding="utf-8")
    for command in ("check", "import"):
        result = _run("documents", command, str(folder))
        assert result.exit_code == 1
        where = f"{folder / f'{fd.SLUG}.md'}:{len(lines) - 1}"
        assert f"{where}: Diese Zeile enthält unzulässige Steuerzeichen (U+0000)" in result.output
    assert cli_database.scalar(select(func.count()).select_from(DocumentVersion)) == 0
