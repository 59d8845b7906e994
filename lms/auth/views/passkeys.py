"""Passkeys in the browser: registering one in the profile, confirming a login with one, renaming and removing.

The two ceremonies are JSON requests from static/js/passkeys.js (the CSRF token travels in the X-CSRFToken header,
checked by CSRFProtect like every POST). Each first asks for options — a new challenge, which this browser's
session keeps — and then sends the authenticator's answer, which uses that challenge up. Renaming and removing are
ordinary forms.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from lms import time as clock
from lms.auth.forms import PasskeyNameForm
from lms.auth.mfa import parse_roles
from lms.auth.models import User
from lms.auth.passkeys import (
    CHALLENGE_LIFETIME,
    LOGIN,
    REGISTER,
    PasskeyError,
    authentication_options,
    clean_name,
    own_passkey,
    register_passkey,
    registration_options,
    remove_passkey,
    rename_passkey,
    verify_passkey,
)
from lms.auth.services import LoginRefused, begin_login
from lms.auth.views import (
    finish_second_step,
    login_throttle,
    pending_login,
    relying_party,
)
from lms.config import Settings
from lms.web.access import acting_user
from lms.web.clients import client_key, trusted_device
from lms.web.database import commit_midway, get_db, keep_changes_on_client_error
from lms.web.i18n import translate_error

bp = Blueprint("passkeys", __name__, template_folder="../templates")

#: Where the session keeps the challenge of the ceremony in progress (one at a time per browser).
_CHALLENGE_KEY = "webauthn"
#: The largest answer from a browser we look at (an attestation is a few kB; the request limit is far higher).
_MAX_ANSWER_BYTES = 64 * 1024


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def _refuse(message: str, status: int = 400) -> ResponseReturnValue:
    return jsonify(error=message), status


def _payload() -> dict[str, Any] | None:
    """The request's JSON object, or None if it is none (or too big to be an authenticator's answer)."""
    if (request.content_length or 0) > _MAX_ANSWER_BYTES:
        return None
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else None


def _user_handle(user: User) -> bytes:
    """A stable identifier of the account for authenticators that says nothing about the person (no e-mail)."""
    return hmac.new(
        str(current_app.secret_key).encode(), f"webauthn-user:{user.id}".encode(), hashlib.sha256
    ).digest()


def _remember(challenge: bytes, purpose: str, user_id: int) -> None:
    session[_CHALLENGE_KEY] = {
        "challenge": challenge.hex(),
        "purpose": purpose,
        "user_id": user_id,
        "at": int(clock.now().timestamp()),
    }


def _take_challenge(purpose: str, user_id: int) -> bytes:
    """The challenge this session was given for the purpose (once: it leaves the session); b"" if there is none.

    The database row decides whether it is still valid (``lms.auth.passkeys``); b"" is refused there too.
    """
    stored = session.pop(_CHALLENGE_KEY, None)
    if not isinstance(stored, dict) or stored.get("purpose") != purpose or stored.get("user_id") != user_id:
        return b""
    at = stored.get("at")
    if not isinstance(at, int) or clock.now().timestamp() - at > CHALLENGE_LIFETIME.total_seconds():
        return b""
    try:
        return bytes.fromhex(str(stored.get("challenge")))
    except ValueError:
        return b""


def _no_passkeys_here() -> ResponseReturnValue:
    return _refuse(
        _(
            "Passkeys sind unter einer IP-Adresse nicht möglich. Bitte öffnen Sie die Lernplattform über ihren "
            "Domainnamen (z. B. http://localhost:5000 statt http://127.0.0.1:5000)."
        )
    )


# --- registering in the profile --------------------------------------------------------------------------------


@bp.post("/profil/zwei-faktor/passkeys/optionen", endpoint="registration_options")
@login_required
def registration_options_view() -> ResponseReturnValue:
    """Options for ``navigator.credentials.create`` (JSON), with a new challenge kept in this session."""
    rp = relying_party()
    if rp is None:
        return _no_passkeys_here()
    payload = _payload()
    if payload is None:
        return _refuse(_("Die Anfrage ist ungültig."))
    user = acting_user()
    try:
        clean_name(str(payload.get("name") or ""))
    except PasskeyError as error:
        return _refuse(translate_error(error))
    options, challenge = registration_options(get_db(), user, rp, _user_handle(user))
    _remember(challenge, REGISTER, user.id)
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/profil/zwei-faktor/passkeys")
@login_required
def register() -> ResponseReturnValue:
    """Store the passkey the browser created; a first factor brings recovery codes, shown on the next page."""
    rp = relying_party()
    if rp is None:
        return _no_passkeys_here()
    payload = _payload()
    user = acting_user()
    challenge = _take_challenge(REGISTER, user.id)
    if payload is None:
        return _refuse(_("Die Anfrage ist ungültig."))
    try:
        row, codes = register_passkey(
            get_db(),
            user,
            rp,
            challenge=challenge,
            credential=payload.get("credential"),
            name=str(payload.get("name") or ""),
        )
    except PasskeyError as error:
        # A used-up challenge stays used up, and the refusal is worth keeping in the audit trail's context.
        keep_changes_on_client_error()
        return _refuse(translate_error(error))
    if codes:
        # Shown once, by the page the script goes to next (the session lives on the server).
        session["mfa_new_codes"] = codes
    flash(_("Der Passkey „%(name)s“ ist hinzugefügt.", name=row.name), "success")
    return jsonify(redirect=url_for("auth.mfa_setup"))


@bp.route("/profil/zwei-faktor/passkeys/<int:passkey_id>/umbenennen", methods=["GET", "POST"])
@login_required
def rename(passkey_id: int) -> ResponseReturnValue:
    """Give one of one's passkeys a new name."""
    db = get_db()
    try:
        row = own_passkey(db, acting_user(), passkey_id)
    except PasskeyError as error:
        flash(translate_error(error), "danger")
        return redirect(url_for("auth.mfa_setup"))
    form = PasskeyNameForm(data={"name": row.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            rename_passkey(db, acting_user(), passkey_id, form.name.data or "")
        except PasskeyError as error:
            form.name.errors = [translate_error(error)]
        else:
            flash(_("Der Passkey heißt jetzt „%(name)s“.", name=row.name), "success")
            return redirect(url_for("auth.mfa_setup"), 303)
    return render_template("auth/passkey_rename.html", form=form, passkey=row), (400 if form.errors else 200)


@bp.post("/profil/zwei-faktor/passkeys/<int:passkey_id>/entfernen")
@login_required
def remove(passkey_id: int) -> ResponseReturnValue:
    """Remove one of one's passkeys (not the last factor of a role that requires one)."""
    db = get_db()
    user = acting_user()
    try:
        name = own_passkey(db, user, passkey_id).name
        remove_passkey(db, user, passkey_id, parse_roles(_settings().mfa_required_roles))
    except PasskeyError as error:
        flash(translate_error(error), "danger")
    else:
        flash(_("Der Passkey „%(name)s“ ist entfernt.", name=name), "success")
    return redirect(url_for("auth.mfa_setup"), 303)


# --- the second step of a login ------------------------------------------------------------------------------


@bp.post("/anmelden/zweiter-faktor/passkey/optionen")
def login_options() -> ResponseReturnValue:
    """Options for ``navigator.credentials.get`` with the half-logged-in person's passkeys (JSON)."""
    found = pending_login()
    if found is None:
        return _refuse(_("Bitte melden Sie sich erneut an."), 401)
    rp = relying_party()
    if rp is None:
        return _no_passkeys_here()
    user, _pending = found
    try:
        options, challenge = authentication_options(get_db(), user, rp)
    except PasskeyError as error:
        return _refuse(translate_error(error))
    _remember(challenge, LOGIN, user.id)
    return current_app.response_class(options, mimetype="application/json")


@bp.post("/anmelden/zweiter-faktor/passkey")
def login() -> ResponseReturnValue:
    """Check the passkey's answer; right: logged in, and the script goes on to the page the person wanted."""
    found = pending_login()
    if found is None:
        return _refuse(_("Bitte melden Sie sich erneut an."), 401)
    rp = relying_party()
    if rp is None:
        return _no_passkeys_here()
    user, pending = found
    challenge = _take_challenge(LOGIN, user.id)
    payload = _payload()
    db = get_db()
    email = user.email
    try:
        # A passkey's answer is checked like a code: it counts against the same login throttling.
        attempt = begin_login(
            db, email, login_throttle(), client_key=client_key(), device=trusted_device(email)
        )
        commit_midway(db)
    except LoginRefused as refused:
        keep_changes_on_client_error()
        session.pop("mfa_pending", None)
        return _refuse(translate_error(refused), 429)
    try:
        verify_passkey(
            db, user, rp, challenge=challenge, credential=payload.get("credential") if payload else None
        )
    except PasskeyError as error:
        keep_changes_on_client_error()  # the failed attempt counts; a clone's audit event stays
        return _refuse(translate_error(error), 401)
    attempt.succeeded = True
    return finish_second_step(user, pending, as_json=True)
