"""The keyed hash that finds a person's survey link, and the random pseudonyms of the answers.

Threat model (docs/evaluation.md): the database alone must not tell whose answers are whose, and no page, export
or API of the application may either. So

* the answers carry a random pseudonym (``secrets``), never anything computed from the person;
* the link from a person to the pseudonym of their pre answers is found by HMAC-SHA256 over the user id and the
  module version, keyed with a key derived from the application's secret key (``LMS_SECRET_KEY``), which is not in
  the database: someone with a copy of the database cannot compute the key of any person's link;
* the link forgets the pseudonym once the post answers are stored, so from then on nobody, not even the running
  server, can find that person's answers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Separates this use of the secret key from every other (sessions, CSRF, client keys).
_PURPOSE = b"lms.evaluation.survey-link.v1"


def link_secret(secret_key: str) -> bytes:
    """The key of the link hashes, derived from the application's secret key (a rotation unlinks open pairs)."""
    return hmac.new(secret_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


def link_key(secret: bytes, user_id: int, module_version_id: int) -> str:
    """hex HMAC-SHA256 naming the link of one person and module version."""
    message = f"{user_id}:{module_version_id}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def random_token() -> str:
    """32 random hex digits: a pseudonym or a response id, unrelated to anyone and to the order of answers."""
    return secrets.token_hex(16)
