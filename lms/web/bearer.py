"""The person behind the request's bearer token (the API's ``Authorization: Bearer …``), looked up once per request.

Two places need it: the API's authentication, and the choice of language — which is made earlier when the request is
refused before the API's own check runs (malformed JSON, control characters, an unknown address), and the account's
language must answer then too, as the API promises.
"""

from __future__ import annotations

from flask import g, request

from lms.auth.models import User
from lms.auth.services import user_for_api_token
from lms.web.database import get_db

_UNSET = object()


def bearer_token() -> str | None:
    """The token the request carries, or None without an ``Authorization: Bearer`` header."""
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


def bearer_token_person() -> User | None:
    """The active owner of the request's valid token, or None (no token, or one that is invalid or revoked)."""
    found = g.get("_lms_bearer_person", _UNSET)
    if found is _UNSET:
        token = bearer_token()
        found = user_for_api_token(get_db(), token) if token is not None else None
        g._lms_bearer_person = found
    assert found is None or isinstance(found, User)
    return found
