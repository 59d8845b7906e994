"""Who is asking: a keyed hash of the client address, and the trusted-device cookie of earlier logins.

The client address is ``request.remote_addr``: the peer, or — only with ``LMS_PROXY_COUNT`` > 0, through
werkzeug's ProxyFix — the address the configured proxies saw. A client-set X-Forwarded-For is never read here.

The device cookie follows OWASP's "Slow down online guessing attacks with device cookies": a browser that has
logged in to an account successfully carries a signed cookie naming that account (a keyed digest, not the
address) and a random nonce. Its attempts are throttled per nonce instead of per account, so other people's
failures do not lock the owner out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

#: How many accounts one browser remembers (a shared office PC); the oldest is forgotten first.
MAX_ACCOUNTS = 5


def client_key() -> str:
    """A keyed hash of the client address: enough to count requests, useless to identify anyone."""
    secret = current_app.config["SECRET_KEY"]
    return hashlib.sha256(f"{secret}|{request.remote_addr or '-'}".encode()).hexdigest()


def _cookie_name() -> str:
    secure = current_app.extensions["lms.settings"].secure_cookies
    return "__Host-lms_device" if secure else "lms_device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lms.device")


def _account_digest(email: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"device|" + email.encode(), hashlib.sha256).hexdigest()[:32]


def _read() -> tuple[str, list[str]] | None:
    raw = request.cookies.get(_cookie_name())
    if not raw:
        return None
    days = current_app.extensions["lms.settings"].login_device_days
    try:
        data = _serializer().loads(raw, max_age=int(timedelta(days=days).total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    nonce, accounts = data.get("n"), data.get("a")
    if not isinstance(nonce, str) or not isinstance(accounts, list):
        return None
    return nonce, [a for a in accounts if isinstance(a, str)]


def trusted_device(email: str) -> str | None:
    """The nonce of this browser's device cookie if it is trusted for this (normalised) address, else None."""
    cookie = _read()
    if cookie is None or _account_digest(email) not in cookie[1]:
        return None
    return cookie[0]


def remember_device(response: Response, email: str) -> None:
    """After a successful login: trust this browser for this (normalised) address from now on."""
    nonce, accounts = _read() or (secrets.token_urlsafe(24), [])
    digest = _account_digest(email)
    accounts = [a for a in accounts if a != digest] + [digest]
    days = current_app.extensions["lms.settings"].login_device_days
    name = _cookie_name()
    response.set_cookie(
        name,
        _serializer().dumps({"n": nonce, "a": accounts[-MAX_ACCOUNTS:]}),
        max_age=int(timedelta(days=days).total_seconds()),
        path="/",
        secure=name.startswith("__Host-"),
        httponly=True,
        samesite="Lax",
    )
