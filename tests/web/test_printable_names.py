"""Every form that takes a person's or a municipality's name refuses what a certificate could not print.

fpdf2 leaves out a character its font has no glyph for without a word: „王芳“ came out of the certificate empty.
The forms name the characters; the name is kept in the field to be corrected, nothing is saved.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import Role, User
from lms.orgs.accounts import AccountRefused, update_account
from lms.orgs.models import Municipality
from tests import factories as f
from tests.web.test_staff_import import upload

REFUSED = "nicht gedruckt werden können: „王“ (U+738B), „芳“ (U+82B3)."


def _post(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, url), **fields})


def _people(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_the_coordinator_adds_and_renames_staff_only_with_printable_names(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt West")
    me = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, me.email)
    url = f"/kommunen/{town.slug}/beschaeftigte/neu"
    fields = {"org_unit": "Amt für Soziales", "email": "wang@west.example"}
    before = _people(db)
    refused = _post(client, url, name="王芳", **fields)
    assert refused.status_code == 400 and REFUSED in refused.text and 'value="王芳"' in refused.text
    assert _people(db) == before
    # At the field, with the form's other errors in the same round (it came only after they were fixed).
    both = _post(client, url, name="王芳", email="wang@west.example", org_unit="")
    assert (
        both.status_code == 400
        and REFUSED in both.text
        and "Bitte geben Sie die Organisationseinheit an." in both.text
    )
    assert re.search(r'<input[^>]*id="name"[^>]*aria-invalid="true"', both.text) or re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="name"', both.text
    )
    assert 'href="#name"' in both.text  # the error summary links to the field
    done = _post(client, url, name="Nguyễn Thị Hương", **fields)
    assert done.status_code == 303
    person = db.scalar(select(User).where(User.email == "wang@west.example"))
    assert person is not None and person.display_name == "Nguyễn Thị Hương"
    edit = f"/kommunen/{town.slug}/beschaeftigte/{person.id}/bearbeiten"
    renamed = _post(client, edit, name="Hương 王", **fields)
    assert renamed.status_code == 400 and "„王“ (U+738B)." in renamed.text
    db.refresh(person)
    assert person.display_name == "Nguyễn Thị Hương"


def test_the_programme_office_creates_accounts_board_members_and_towns_with_printable_names(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt Nord")
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    before = _people(db)
    account = _post(
        client,
        "/programmbuero/konten/neu",
        name="王芳",
        email="wang@nord.example",
        role="coordinator",
        municipality_id=str(town.id),
    )
    assert account.status_code == 400 and REFUSED in account.text
    board = _post(
        client,
        "/programmbuero/beirat",
        change="grant",
        email="beirat@verein.example",
        name="王芳",
        municipality_id=str(town.id),
        reason="Berufung durch den Beirat",
    )
    assert board.status_code == 400 and REFUSED in board.text
    assert _people(db) == before
    # Correcting an existing account's name takes the same check (it went past it).
    person = f.user(db, Role.TRAINER, name="Lea Schneider")
    edit = f"/programmbuero/konten/{person.id}/bearbeiten"
    corrected = _post(client, edit, name="Lea 王", email=person.email)
    assert corrected.status_code == 400 and "„王“ (U+738B)" in corrected.text
    db.refresh(person)
    assert person.display_name == "Lea Schneider"
    towns = db.scalar(select(func.count()).select_from(Municipality))
    created = _post(client, "/programmbuero/kommunen/neu", name="Stadt 🏛", slug="", federal_state="Hessen")
    assert created.status_code == 400 and "„🏛“ (U+1F3DB)" in created.text
    assert db.scalar(select(func.count()).select_from(Municipality)) == towns


def test_the_services_refuse_such_names_whichever_way_they_come(db: Session) -> None:
    """The forms check first; the services check again for every other caller (command line, imports, tests)."""
    admin = f.user(db, Role.ADMIN)
    person = f.user(db, Role.TRAINER, name="Lea Schneider")
    with pytest.raises(AccountRefused) as refused:
        update_account(db, admin, person, name="Lea 王", email=person.email)
    assert refused.value.code == "auth.name_unprintable"
    assert person.display_name == "Lea Schneider"


def test_the_english_interface_quotes_the_characters_as_english_does(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt West")
    me = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    me.locale = "en"
    db.flush()
    f.login(client, me.email)
    url = f"/kommunen/{town.slug}/beschaeftigte/neu"
    refused = _post(client, url, name="王芳", email="wang@west.example", org_unit="Amt für Soziales")
    assert refused.status_code == 400
    assert "cannot be printed on certificates: “王” (U+738B), “芳” (U+82B3)." in refused.text
    raw = "E-Mail;Name;Organisationseinheit\r\nwang@west.example;王芳;Amt\r\n".encode()
    preview = client.get(upload(client, town, raw).headers["Location"]).text
    assert "“王” (U+738B)" in preview and "„王“" not in preview


def test_white_space_from_a_spreadsheet_is_one_space_not_a_refused_character(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt West")
    me = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, me.email)
    url = f"/kommunen/{town.slug}/beschaeftigte/neu"
    done = _post(client, url, name=" Nguyễn\tThị\u202fHương ", email="nguyen@west.example", org_unit="Amt")
    assert done.status_code == 303
    person = db.scalar(select(User).where(User.email == "nguyen@west.example"))
    assert person is not None and person.display_name == "Nguyễn Thị Hương"
