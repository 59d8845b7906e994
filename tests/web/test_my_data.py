"""„Meine Daten“: a person downloads what the platform keeps about them (GDPR Art. 15 and 20), and only that."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.workshops import network
from tests import factories as f
from tests import factories_documents as fd


def test_a_person_downloads_their_own_data_and_nobody_elses(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A data-protection review: the privacy notice names Art. 15 and 20, but the platform offered no way to see
    or take one's quiz answers, reading progress, registrations or consent record."""
    town = f.municipality(db, "Musterstadt")
    version = f.published_module(db)
    person = f.user(db, Role.LEARNER, municipality_id=town.id, name="Deniz Arslan")
    colleague = f.user(db, Role.LEARNER, municipality_id=town.id, name="Karl Meier")
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    f.completion(db, person, version)
    f.completion(db, colleague, version)
    network.add_member(db, facilitator, town.id, person.email)
    network.answer(db, person, agrees=True)
    document = fd.published_document(db)
    fd.open_window(db, document)
    db.flush()

    f.login(client, person.email)
    assert "/profil/meine-daten.json" in client.get("/profil").text
    download = client.get("/profil/meine-daten.json")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.data)
    assert data["konto"]["name"] == "Deniz Arslan" and data["konto"]["kommune"] == "Musterstadt"
    assert data["konto"]["e_mail"] == person.email
    assert len(data["abschluesse"]) == 1 and data["abschluesse"][0]["modul"] == version.title
    assert data["empowerment_netzwerk"]["fassung_der_einwilligung"] == network.CONSENT_VERSION
    assert data["empowerment_netzwerk"]["eingewilligt"] is not None
    assert any("Selbsteinschätzung" in line for line in data["nicht_enthalten"])
    assert data["kommentare_zu_dokumenten"] == []
    # What a person wrote is theirs too (a QA check found consultation comments missing): the facilitator comments.
    f.login(client, facilitator.email)
    sent = client.post(
        f"/dokumente/{fd.SLUG}/versionen/1/abschnitte/2/kommentare",
        data={"csrf_token": f.csrf_token(client, "/profil"), "body": "Bitte ein Beispiel aus dem Bürgeramt."},
    )
    assert sent.status_code == 303
    data = json.loads(client.get("/profil/meine-daten.json").data)
    [comment] = data["kommentare_zu_dokumenten"]
    assert comment["text"] == "Bitte ein Beispiel aus dem Bürgeramt." and comment["dokument"]
    # The sentences in the person's language; the keys stay (a stable format).
    english = json.loads(client.get("/profil/meine-daten.json", headers={"Accept-Language": "en"}).data)
    assert any("self-assessment" in line for line in english["nicht_enthalten"])
    assert not any("Selbsteinschätzung" in line for line in english["nicht_enthalten"])
    text = download.data.decode()
    assert "Karl Meier" not in text and colleague.email not in text
    assert "password_hash" not in text and "$argon2" not in text  # secrets never leave

    f.login(client, colleague.email)
    theirs = json.loads(client.get("/profil/meine-daten.json").data)
    assert theirs["empowerment_netzwerk"] is None and theirs["konto"]["name"] == "Karl Meier"
