"""Funding and measures per municipality and programme year, their import, and the migrant organisation register."""

from __future__ import annotations

import io
import re

import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.programme.models import Funding, Measure, MigrantOrganisation
from tests import factories as f


def _post(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, "/profil"), **fields})


def test_office_records_grant_and_measures_coordinator_sees_own(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, other = f.municipality(db, "Stadt Nord"), f.municipality(db, "Stadt Süd")
    period = f.period(db)
    admin = f.user(db, Role.ADMIN)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, admin.email)
    base = f"/kommunen/{town.slug}/foerderung"
    assert _post(client, f"{base}/bewilligung?zeitraum={period.id}", amount="9.500,00").status_code == 303
    day = period.starts_on.isoformat()
    for amount, kind, text in (
        ("4.000,00", "personnel", "Halbe Stelle"),
        ("6.000,01", "training", "Schulungen"),
    ):
        done = _post(
            client, f"{base}/massnahmen", kind=kind, amount=amount, occurred_on=day, description=text
        )
        assert done.status_code == 303
    funding = db.scalar(select(Funding).where(Funding.municipality_id == town.id))
    assert funding is not None and funding.granted_cents == 950_000  # exact cents, no float
    assert db.scalar(select(func.sum(Measure.amount_cents))) == 1_000_001
    page = client.get(f"{base}?zeitraum={period.id}").text
    assert "9.500,00\xa0€" in page and "10.000,01\xa0€" in page and "Über der Förderobergrenze" in page
    overview = client.get(f"/programmbuero/foerderung?zeitraum={period.id}").text
    assert "Stadt Nord" in overview and "Stadt Süd" in overview and "über 10.000,00\xa0€" in overview
    # The audit log says whose money it was, and what the grant was before (a QA sweep: with several
    # municipalities side by side, „Fördersumme … festgelegt“ did not say whose).
    assert _post(client, f"{base}/bewilligung?zeitraum={period.id}", amount="9.000,00").status_code == 303
    log = client.get("/inhalte/protokoll?was=funding").text
    assert "Fördersumme von „Stadt Nord“ für den Zeitraum „Programmjahr 2026“ festgelegt: – → 9.500,00" in log
    assert "festgelegt: 9.500,00\xa0€ → 9.000,00\xa0€." in log
    assert "Maßnahme für „Stadt Nord“ erfasst (4.000,00\xa0€)." in log

    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, coordinator.email)
    own = client.get(f"{base}?zeitraum={period.id}")
    assert own.status_code == 200 and "Halbe Stelle" in own.text and "Maßnahme erfassen" not in own.text
    assert client.get(f"/kommunen/{other.slug}/foerderung").status_code == 404
    refused = _post(client, f"{base}/massnahmen", kind="other", amount="1", occurred_on=day, description="x")
    assert refused.status_code == 403


def test_the_funding_page_names_each_amount_field_and_links_its_error_to_it(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The grant's and the measure's forms both had id="amount": the measure's field had no accessible name (its label
    pointed to the grant's field) and its error link jumped to the grant (a QA sweep). Every id on the page is unique."""
    town, period = f.municipality(db), f.period(db)
    f.login(client, f.user(db, Role.ADMIN).email)
    base = f"/kommunen/{town.slug}/foerderung"
    page = client.get(f"{base}?zeitraum={period.id}").text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="grant-amount"' in page and 'for="measure-amount"' in page
    refused = _post(
        client, f"{base}/massnahmen?zeitraum={period.id}", kind="training", amount="", occurred_on=""
    )
    assert refused.status_code in (400, 422) and 'href="#measure-amount"' in refused.text
    assert 'href="#grant-amount"' not in refused.text


def test_bad_amounts_and_dates_get_a_message_nothing_is_saved(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    base = f"/kommunen/{town.slug}/foerderung"
    cases = {
        "-100": "ohne Minuszeichen",
        "1e9": "ohne Minuszeichen",
        "99999999999999999999": "zu groß",
        "12\x00": "Steuerzeichen",
        "   ": "Bitte geben Sie einen Betrag an.",  # was a 500: InputRequired let the spaces through
    }
    for amount, text in cases.items():
        answer = _post(client, f"{base}/bewilligung", amount=amount)
        assert answer.status_code in (400, 422) and text in answer.text, (amount, answer.status_code)
    outside = _post(
        client, f"{base}/massnahmen", kind="other", amount="10", occurred_on="2010-01-01", description="Alt"
    )
    assert outside.status_code == 422 and "in keinem Programmjahr" in outside.text
    blank = _post(
        client, f"{base}/massnahmen", kind="other", amount=" ", occurred_on="2026-03-01", description="X"
    )
    assert blank.status_code == 422 and "Bitte geben Sie einen Betrag an." in blank.text
    assert db.scalar(select(func.count()).select_from(Measure)) == 0
    assert db.scalar(select(func.count()).select_from(Funding)) == 0


def test_english_interface_reads_and_shows_english_amounts(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    period = f.period(db)
    admin = f.user(db, Role.ADMIN)
    admin.locale = "en"
    db.flush()
    f.login(client, admin.email)
    assert (
        _post(
            client, f"/kommunen/{town.slug}/foerderung/bewilligung?zeitraum={period.id}", amount="€10,000.50"
        ).status_code
        == 303
    )
    page = client.get(f"/kommunen/{town.slug}/foerderung?zeitraum={period.id}").text
    assert "€10,000.50" in page and "Funding" in page
    # The grant's field is filled in as the page reads it back: saving it unchanged keeps the amount (it was „10.000,50“,
    # which the English form then refused).
    prefilled = re.search(r'name="amount"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="amount"', page)
    assert prefilled is not None and (prefilled.group(1) or prefilled.group(2)) == "10,000.50"
    again = _post(
        client, f"/kommunen/{town.slug}/foerderung/bewilligung?zeitraum={period.id}", amount="10,000.50"
    )
    assert again.status_code == 303
    assert db.scalar(select(Funding.granted_cents)) == 1_000_050


def _xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def test_import_previews_applies_once_and_skips_known_rows(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt Offenbach am Main")
    period = f.period(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    day = period.starts_on.strftime("%d.%m.%Y")
    raw = _xlsx(
        [
            ["Kommune", "Art", "Betrag", "Datum", "Beschreibung"],
            [town.slug, "Fortbildungen", 1999.99, day, "Workshopreihe"],
            ["Stadt Offenbach am Main", "Bewilligung", "10.000,00", day, ""],
            ["Atlantis", "Sonstige", 5, day, "?"],
        ]
    )
    upload = _upload_funding(client, raw, "f.xlsx")
    assert upload.status_code == 303
    preview_url = upload.headers["Location"]
    preview = client.get(preview_url).text
    assert "Neue Maßnahmen: 1" in preview and "Bewilligungen: 1" in preview
    assert "Zeile 4" in preview and "Atlantis" in preview
    refused = _post(client, preview_url)
    assert refused.status_code == 422 and "fehlerhafte Zeile" in refused.text
    assert db.scalar(select(func.count()).select_from(Measure)) == 0
    applied = _post(client, preview_url, skip_invalid="y")
    assert applied.status_code == 303
    assert "Neue Maßnahmen: 1, Bewilligungen: 1, bereits erfasst: 0, fehlerhafte Zeilen übersprungen: 1." in (
        client.get(applied.headers["Location"]).text
    )  # not „1 Bewilligungen“
    assert _post(client, preview_url, skip_invalid="y").status_code == 422  # applied already
    assert db.scalar(select(Measure.amount_cents)) == 199_999
    assert db.scalar(select(Funding.granted_cents)) == 1_000_000
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "funding.imported"))
        == 1
    )

    again = _upload_funding(client, raw, "f.xlsx")
    second = client.get(again.headers["Location"]).text
    assert "Neue Maßnahmen: 0" in second and "bereits erfasst: 1" in second


def test_broken_upload_gets_a_message(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    upload = _upload_funding(client, b"PK\x03\x04kaputt", "f.xlsx")
    preview = client.get(upload.headers["Location"])
    assert preview.status_code == 422 and "beschädigt" in preview.text
    # A „Unicode-Text“ export from Excel that was cut off (an odd number of bytes after the UTF-16 mark): the same
    # message as the staff import gives, on the preview and when „Übernehmen“ is pressed (a QA sweep found a 500).
    upload = _upload_funding(client, b"\xff\xfe\x00\x00garbage\x00\x01", "f.csv")
    url = upload.headers["Location"]
    preview = client.get(url)
    assert preview.status_code == 422 and "UTF-16" in preview.text and "beschädigt" in preview.text
    applied = client.post(url, data={"csrf_token": f.csrf_token(client, url)})
    assert applied.status_code == 422 and "UTF-16" in applied.text


def test_organisations_register_with_consent(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, other = f.municipality(db, "Stadt Nord"), f.municipality(db, "Stadt Süd")
    period = f.period(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    url = f"/kommunen/{town.slug}/organisationen/neu"
    assert client.get(url).status_code == 200
    missing = _post(client, url, name="", seat="Nord", participation="survey", period_id=str(period.id))
    assert missing.status_code == 422 and "Bitte geben Sie den Namen an." in missing.text
    done = _post(
        client,
        url,
        name="Verein Brücken e. V.",
        seat="Nordstadt",
        participation="advisory_board",
        period_id=str(period.id),
    )
    assert done.status_code == 303
    organisation = db.scalar(select(MigrantOrganisation))
    assert organisation is not None and organisation.may_be_named is False  # consent is never assumed
    listing = client.get(f"/kommunen/{town.slug}/organisationen").text
    assert "Verein Brücken e. V." in listing and "nur gezählt" in listing and "Beirat" in listing
    assert client.get(f"/kommunen/{other.slug}/organisationen").status_code == 404
    assert client.get(f"/kommunen/{town.slug}/organisationen/{organisation.id + 1000}").status_code == 404
    removed = _post(client, f"/kommunen/{town.slug}/organisationen/{organisation.id}/loeschen")
    assert (
        removed.status_code == 303 and db.scalar(select(func.count()).select_from(MigrantOrganisation)) == 0
    )


def test_federal_state_is_one_of_sixteen(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    assert _post(client, f"/kommunen/{town.slug}/bundesland", federal_state="Atlantis").status_code == 422
    assert _post(client, f"/kommunen/{town.slug}/bundesland", federal_state="Hessen").status_code == 303
    db.refresh(town)
    assert town.federal_state == "Hessen"


def _upload_funding(client, raw: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/programmbuero/foerderung/import",
        data={
            "csrf_token": f.csrf_token(client, "/programmbuero/foerderung/import"),
            "file": (io.BytesIO(raw), name),
        },
        content_type="multipart/form-data",
    )


def test_control_characters_in_a_funding_row_are_a_row_error(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A NUL in the description was a 500 on PostgreSQL already at the preview (looking the measure up)."""
    town = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    period = f.period(db)
    f.login(client, f.user(db, Role.ADMIN).email)
    day = period.starts_on.strftime("%d.%m.%Y")
    raw = (
        "Kommune;Art;Betrag;Datum;Beschreibung\n"
        f"{town.slug};Fortbildungen;100,00;{day};Q\x00A\n"
        f"{town.slug};Fortbildungen;200,00;{day};Q\x1bA\n"
        f"{town.slug};Fortbildungen;300,00;{day};Workshop\n"
    ).encode()
    upload = _upload_funding(client, raw, "f.csv")
    assert upload.status_code == 303
    preview = client.get(upload.headers["Location"])
    assert preview.status_code == 200
    assert "Zeile 2: Beschreibung enthält unzulässige Steuerzeichen." in preview.text
    assert "Zeile 3: Beschreibung enthält unzulässige Steuerzeichen." in preview.text
    assert "Neue Maßnahmen: 1" in preview.text
    assert _post(client, upload.headers["Location"], skip_invalid="y").status_code == 303
    assert db.scalars(select(Measure.description)).all() == ["Workshop"]


def _xlsx_with_amount(raw_value: bytes, day: str, slug: str) -> bytes:
    """A workbook whose amount cell holds ``raw_value`` as written in the sheet's XML (as other programs write it)."""
    import zipfile

    book = _xlsx(
        [["Kommune", "Art", "Betrag", "Datum", "Beschreibung"], [slug, "Sonstige", 1.5, day, "Test"]]
    )
    source, result = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(result, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>1.5</v>", b"<v>" + raw_value + b"</v>")
            target.writestr(info, data)
    return result.getvalue()


def test_an_infinite_or_unreadable_amount_is_named_as_such(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """An amount too large for a float (1E+400 is infinite) was „Betrag fehlt“; „NaN“ in a number cell a 500."""
    town = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    period = f.period(db)
    f.login(client, f.user(db, Role.ADMIN).email)
    day = period.starts_on.strftime("%d.%m.%Y")
    infinite = _upload_funding(client, _xlsx_with_amount(b"1.0E+400", day, town.slug), "f.xlsx")
    text = client.get(infinite.headers["Location"]).text
    assert "Zeile 2: Der Betrag ist keine endliche Zahl" in text and "Betrag fehlt" not in text
    for literal in (b"NaN", b"inf"):
        unreadable = _upload_funding(client, _xlsx_with_amount(literal, day, town.slug), "f.xlsx")
        page = client.get(unreadable.headers["Location"])
        assert (
            page.status_code == 200
            and "Zeile 2: Eine Zahl in dieser Zeile ist keine gültige Zahl" in page.text
        )
    errors = xlsxwriter.Workbook(buffer := io.BytesIO(), {"in_memory": True, "nan_inf_to_errors": True})
    sheet = errors.add_worksheet()
    sheet.write_row(0, 0, ["Kommune", "Art", "Betrag", "Datum", "Beschreibung"])
    sheet.write_row(1, 0, [town.slug, "Sonstige", float("inf"), day, "Test"])
    errors.close()
    division = _upload_funding(client, buffer.getvalue(), "f.xlsx")
    assert "Im Betrag steht der Excel-Fehler „#DIV/0!“" in client.get(division.headers["Location"]).text
    assert db.scalar(select(func.count()).select_from(Measure)) == 0


def test_a_number_cell_with_fractions_of_a_cent_is_named_as_a_german_reader_writes_it(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    """An XLSX amount of 12.345 was reported as „„12.345“ ist kein Betrag“, which a German reader takes for twelve
    thousand (a QA sweep). Now it says why, without the number, and a negative number says that it is negative."""
    town = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    period = f.period(db)
    f.login(client, f.user(db, Role.ADMIN).email)
    day = period.starts_on.strftime("%d.%m.%Y")
    header = ["Kommune", "Art", "Betrag", "Datum", "Beschreibung"]
    rows = [header, [town.slug, "Sonstige", 12.345, day, "A"], [town.slug, "Sonstige", -1234.5, day, "B"]]
    text = client.get(_upload_funding(client, _xlsx(rows), "f.xlsx").headers["Location"]).text
    assert (
        "Zeile 2: Der Betrag hat mehr als zwei Nachkommastellen. Bitte runden Sie ihn auf volle Cent." in text
    )
    assert "Zeile 3: Der Betrag ist negativ." in text
    assert "„12.345“" not in text
