"""The pseudonym cannot be joined to people: not by the schema, not by any value, not by the order of rows.

The answer tables have no column that refers to users and no time stamp; no value in them equals anything that can
be computed from a person without the key that is not in the database; and once the post answers are in, the link
from the person is gone. Application code that reads the answer tables is listed, and none of it reads users with them.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import Date, DateTime, String, Text, inspect, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.db import Base
from lms.evaluation.models import Phase, SurveyLink, SurveyResponse
from lms.evaluation.pseudonyms import link_key, link_secret
from lms.evaluation.services import submit_answers
from tests import factories as f

ANSWER_TABLES = ("survey_responses", "survey_answers", "survey_links")
SECRET_KEY = "the-application-secret"


def test_no_column_of_the_answer_tables_refers_to_people_or_time(engine) -> None:  # type: ignore[no-untyped-def]
    inspector = inspect(engine)
    for table in ANSWER_TABLES:
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert "users" not in targets, table
        for column in Base.metadata.tables[table].columns:
            assert not isinstance(column.type, DateTime | Date), f"{table}.{column.name} is a time stamp"
            assert not any(word in column.name for word in ("user", "email", "name", "_at", "_by")), (
                column.name
            )
    # Nothing else in the schema points at the answers either (they stay a closed world).
    for table in inspector.get_table_names():
        if table in ANSWER_TABLES:
            continue
        assert not {fk["referred_table"] for fk in inspector.get_foreign_keys(table)} & set(ANSWER_TABLES), (
            table
        )


def _derivations(user_id: int, email: str, name: str, module_version_id: int) -> set[str]:
    """What someone without the key might try: ids, addresses and their plain or unkeyed hashes."""
    plain = [str(user_id), email, name, f"{user_id}:{module_version_id}", f"{module_version_id}:{user_id}"]
    found = set(plain)
    for text in plain:
        data = text.encode()
        for algorithm in ("md5", "sha1", "sha256", "sha512"):
            found.add(hashlib.new(algorithm, data).hexdigest())
        for key in (b"", SECRET_KEY.encode()):  # an empty key, or the secret key used directly
            found.add(hmac.new(key, data, hashlib.sha256).hexdigest())
    return found


def test_no_stored_value_can_be_computed_from_a_person(db: Session, surveyed) -> None:  # type: ignore[no-untyped-def]
    version, _survey = surveyed
    secret = link_secret(SECRET_KEY)
    town = f.municipality(db)
    people = [f.staff_member(db, town.id) for _ in range(7)]
    order = []
    for number, person in enumerate(people):
        order.append(submit_answers(db, secret, person, version, Phase.PRE, {"i1": "3"}, clock.today()).id)
        if number < 5:  # two never come back
            f.completion(db, person, version)
            order.append(
                submit_answers(db, secret, person, version, Phase.POST, {"i1": "4"}, clock.today()).id
            )
    # Integer columns refer to versions, municipalities and periods (checked above) or hold a scale value; every
    # text column is compared with what can be derived from each person.
    cells = set()
    for table in ANSWER_TABLES:
        texts = [c for c in Base.metadata.tables[table].columns if isinstance(c.type, String | Text)]
        for row in db.execute(select(*texts)):
            cells |= {str(value) for value in row if value is not None}
    for person in people:
        assert not cells & _derivations(person.id, person.email, person.display_name, version.id)
    # Only with the key (derived from the secret key, which is not in the database) is a link found ...
    links = {link.key: link for link in db.scalars(select(SurveyLink))}
    assert {link_key(secret, p.id, version.id) for p in people} == set(links)
    # ... and for the five complete pairs it no longer leads anywhere.
    assert sum(1 for link in links.values() if link.pseudonym is None) == 5
    # The response ids do not give away the order of answering (random, not increasing).
    assert sorted(order) != order and all(len(i) == 32 for i in order)
    assert db.scalar(select(SurveyResponse.id).where(SurveyResponse.id == order[0])) == order[0]


def test_only_the_evaluation_reads_the_answer_tables_and_the_api_never(db: Session) -> None:
    package = Path(__file__).resolve().parents[3] / "lms"
    readers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "SurveyResponse" in path.read_text(encoding="utf-8")
        or "SurveyAnswer" in path.read_text(encoding="utf-8")
    )
    assert readers == [
        "demo_evaluation.py",
        "evaluation/export.py",
        "evaluation/indicators.py",
        "evaluation/models.py",
        "evaluation/queries.py",
        "evaluation/services.py",
        "models.py",
    ]
    for path in (package / "api").rglob("*.py"):
        assert "evaluation" not in path.read_text(encoding="utf-8"), path
