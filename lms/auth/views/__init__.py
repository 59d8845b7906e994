"""Login, logout and the personal profile with API tokens; passkeys have their own module (``passkeys.py``)."""

from __future__ import annotations

import base64
import io
import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_url, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms import time as clock
from lms.auth.forms import (
    ChangePasswordForm,
    FindAccountForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ReminderForm,
    SecondFactorForm,
    SetPasswordForm,
    TokenForm,
)
from lms.auth.invitations import InvitationInvalid, PasswordRefused, accept_invitation, valid_invitation
from lms.auth.mfa import (
    begin_setup,
    confirm_setup,
    has_confirmed_factor,
    has_totp,
    needs_setup,
    parse_roles,
    provisioning_uri,
    reset_factor,
    verify_second_factor,
)
from lms.auth.models import ROLE_LABELS, ApiToken, Role, User
from lms.auth.passkeys import RelyingParty, passkeys_of
from lms.auth.reset import ResetLimits, request_password_reset, send_reset_link
from lms.auth.services import (
    AccountError,
    LoginPolicy,
    LoginRefused,
    begin_login,
    change_password,
    create_api_token,
    finish_login,
    normalise_email,
    revoke_api_token,
    set_reminder_switches,
)
from lms.auth.sessions import describe_agent, end_session_of, end_sessions_of, sessions_of
from lms.config import Settings
from lms.mail import invitation_link, reset_message, send_after_commit
from lms.web.access import acting_user, roles_required
from lms.web.clients import client_key, remember_device, trusted_device
from lms.web.database import commit_midway, get_db, keep_changes_on_client_error
from lms.web.i18n import translate_error
from lms.web.sessions import DatabaseSessionInterface
from lms.web.validation import referrer_path, safe_redirect_target

bp = Blueprint("auth", __name__, template_folder="../templates")
login_manager = LoginManager()


def init_login(app: Flask) -> None:
    """Connect Flask-Login to our users."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu sehen.")
    login_manager.login_message_category = "info"
    # No binding to the client's address: Flask-Login's "strong" mode reads X-Forwarded-For, which the client sets.
    # Sessions live on the server instead (lms.web.sessions) and end on logout, password change and the like.
    login_manager.session_protection = None


@login_manager.unauthorized_handler
def _to_the_login_form() -> ResponseReturnValue:
    """To the login form, and afterwards back to the page asked for.

    A form sent after the session ended (logged out in another tab, idle too long) goes back to the page it was sent
    from: its own address often answers POST only, and after the login Flask-Login's default (the address of the
    request) showed „405 – Diese Aktion ist hier nicht möglich“ (found by a QA sweep).
    """
    flash(str(login_manager.login_message), login_manager.login_message_category)
    target = request.full_path.removesuffix("?")
    if request.method not in {"GET", "HEAD"}:
        target = referrer_path() or target
    # Flask-Login's own form of the address (next=%2Fprofil), as before.
    return redirect(login_url("auth.login", next_url=safe_redirect_target(target, request.path)))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = get_db().get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    return user if user is not None and user.is_active else None


#: How long the half-logged-in state after a correct password lasts before the password is asked for again.
MFA_PENDING_SECONDS = 300
#: Endpoints a person who must still set up a second factor may reach.
_SETUP_ALLOWED = frozenset(
    {
        "auth.mfa_setup",
        "auth.logout",
        "auth.keep_session_alive",
        "passkeys.registration_options",
        "passkeys.register",
        "static",
    }
)


def _login_policy() -> LoginPolicy:
    settings = _settings()
    return LoginPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
        client_max_failures=settings.login_client_max_failures,
        global_max_failures=settings.login_global_max_failures,
        device_max_failures=settings.login_device_max_failures,
    )


@bp.before_app_request
def _require_second_factor() -> ResponseReturnValue | None:
    """People whose roles require a second factor can use nothing but its set-up (and logout) until it is done."""
    if request.endpoint in _SETUP_ALLOWED or request.path.startswith(("/api/", "/static/")):
        return None
    if not current_user.is_authenticated:
        return None
    required = parse_roles(_settings().mfa_required_roles)
    if required and needs_setup(get_db(), acting_user(), required):
        return redirect(url_for("auth.mfa_setup"))
    return None


def _safe_next(target: str | None) -> str:
    """Only redirect to paths on this site after login (no open redirect)."""
    return safe_redirect_target(target, url_for("progress.my_modules"))


@bp.route("/anmelden", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form and log a person in."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = get_db()
        email = normalise_email(form.email.data or "")
        try:
            attempt = begin_login(
                db, email, _login_policy(), client_key=client_key(), device=trusted_device(email)
            )
            # The check counts (and the lock row is free) before the slow password hash is computed.
            commit_midway(db)
            user = finish_login(db, attempt, form.password.data or "")
        except LoginRefused as refused:
            keep_changes_on_client_error()
            error = translate_error(refused)
            # Tied to the password field too (aria-invalid, aria-describedby), not only announced in the summary.
            form.password.errors = [error]
        else:
            if has_confirmed_factor(db, user.id):
                # Half logged in: only the session knows the person, and only login_user after the code logs in.
                _begin_second_step(user, _safe_next(request.args.get("next")))
                return redirect(url_for("auth.second_factor"), 303)
            login_user(user)
            response = redirect(_safe_next(request.args.get("next")))
            remember_device(response, email)
            return response
    status = 401 if error else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form, error=error), status


def _begin_second_step(user: User, next_url: str) -> None:
    """Remember, for a few minutes, that this browser gave the person's password; not yet logged in.

    Until the login completes, the session is Flask's signed cookie, which anyone holding it can read: it carries
    the account's number, never its e-mail address (a security review, ASVS 8.3.4).
    """
    session["mfa_pending"] = {
        "user_id": user.id,
        "at": int(clock.now().timestamp()),
        "next": next_url,
    }


def _pending_user() -> tuple[User, dict[str, object]] | None:
    """The person who gave the right password a few minutes ago in this browser, if any."""
    pending = session.get("mfa_pending")
    if not isinstance(pending, dict):
        return None
    at, user_id = pending.get("at"), pending.get("user_id")
    if not isinstance(at, int) or not isinstance(user_id, int):
        return None
    if clock.now().timestamp() - at > MFA_PENDING_SECONDS:
        session.pop("mfa_pending", None)
        return None
    user = get_db().get(User, user_id)
    return (user, pending) if user is not None and user.is_active else None


@bp.route("/anmelden/zweiter-faktor", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    """The second step of the login: a passkey, a code from the authenticator app or a recovery code."""
    found = _pending_user()
    if found is None:
        flash(_("Bitte melden Sie sich erneut an."), "info")
        return redirect(url_for("auth.login"))
    user, pending = found
    db = get_db()
    has_app = has_totp(db, user.id)
    form = SecondFactorForm()
    if not has_app:
        form.code.label.text = _("Wiederherstellungscode")
        form.code.description = _(
            "Einer der Wiederherstellungscodes, die Sie beim Einrichten erhalten haben."
        )
    error = None
    if form.validate_on_submit():
        email = user.email
        try:
            # A code is checked like a password: it counts against the same login throttling.
            attempt = begin_login(
                db, email, _login_policy(), client_key=client_key(), device=trusted_device(email)
            )
            commit_midway(db)
        except LoginRefused as refused:
            keep_changes_on_client_error()
            session.pop("mfa_pending", None)
            flash(translate_error(refused), "danger")
            return redirect(url_for("auth.login"))
        if verify_second_factor(db, user, form.code.data or ""):
            attempt.succeeded = True
            return finish_second_step(user, pending)
        keep_changes_on_client_error()
        error = _("Der Code ist nicht richtig oder wurde schon verwendet.")
        form.code.errors = [error]
    status = 401 if error else (400 if form.errors else 200)
    return render_template(
        "auth/second_factor.html",
        form=form,
        error=error,
        has_app=has_app,
        has_passkeys=bool(passkeys_of(db, user.id)),
        passkeys_possible=relying_party() is not None,
    ), status


def pending_login() -> tuple[User, dict[str, object]] | None:
    """The person half logged in in this browser (right password, second factor still to come), if any."""
    return _pending_user()


def finish_second_step(user: User, pending: dict[str, object], *, as_json: bool = False) -> Response:
    """The second factor was right: log the person in and send them where they wanted to go (a redirect, or for
    the passkey script a JSON object naming the address)."""
    session.pop("mfa_pending", None)
    login_user(user)
    target = safe_redirect_target(str(pending.get("next") or ""), url_for("progress.my_modules"))
    response = jsonify(redirect=target) if as_json else redirect(target)
    remember_device(response, user.email)
    return response


def login_throttle() -> LoginPolicy:
    """The login throttling's limits from the settings (a wrong second factor counts like a wrong password)."""
    return _login_policy()


def relying_party() -> RelyingParty | None:
    """Who asks for passkeys: from LMS_WEBAUTHN_RP_ID/_ORIGIN, else from this request's address; None if the host
    is an IP address (browsers accept passkeys only for domain names, ``localhost`` included)."""
    settings = _settings()
    origin = settings.webauthn_origin or request.host_url.rstrip("/")
    rp_id = settings.webauthn_rp_id or (urlsplit(origin).hostname or "")
    try:
        ipaddress.ip_address(rp_id)
    except ValueError:
        return RelyingParty(id=rp_id, origin=origin) if rp_id else None
    return None


def _qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (CSP allows data: images, no inline scripts or styles).

    An SVG in an <img> is a document of its own: without the SVG namespace the browser shows no image at all, and
    without a viewBox (``omitsize``) it would not scale to the <img>'s size.
    """
    import segno  # only the set-up page draws a QR code

    svg = io.BytesIO()
    segno.make(uri, error="m").save(
        svg, kind="svg", scale=5, dark="#000", light="#fff", xmldecl=False, svgns=True, omitsize=True
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def _grouped(secret: str) -> str:
    """The key in groups of four, as authenticator apps accept it: easier to type and to read out, and it wraps."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@bp.route("/profil/zwei-faktor", methods=["GET", "POST"])
@login_required
def mfa_setup() -> ResponseReturnValue:
    """Set up and manage the second factor: passkeys and the authenticator app (QR code, then a first code).

    The recovery codes come with the first factor, of either kind, and are shown once: after the app's first code
    in this response, after a first passkey (registered by a JSON request) on the next view of this page.
    """
    user = acting_user()
    db = get_db()
    codes: list[str] | None = session.pop("mfa_new_codes", None)
    app_form: SecondFactorForm | None = None
    error = None
    app_details: dict[str, str] = {}
    if not has_totp(db, user.id):
        factor = begin_setup(db, user)
        app_form = SecondFactorForm()
        if app_form.validate_on_submit():
            new_codes = confirm_setup(db, user, app_form.code.data or "")
            if new_codes is not None:
                codes, app_form = new_codes or codes, None
                flash(_("Die Authenticator-App ist eingerichtet."), "success")
            else:
                error = _("Der Code ist nicht richtig. Bitte geben Sie den aktuellen Code aus der App ein.")
                app_form.code.errors = [error]
        if app_form is not None:
            uri = provisioning_uri(factor, user.email)
            app_details = {"uri": uri, "secret": _grouped(factor.secret), "qr": _qr_data_uri(uri)}
    required = user.has_role(*parse_roles(_settings().mfa_required_roles))
    return render_template(
        "auth/mfa_setup.html",
        codes=codes,
        has_factor=has_confirmed_factor(db, user.id),
        has_app=app_form is None,
        form=app_form,
        error=error,
        required=required,
        passkeys=passkeys_of(db, user.id),
        passkeys_possible=relying_party() is not None,
        **app_details,
    ), (400 if app_form is not None and app_form.errors else 200)


@bp.post("/abmelden")
@login_required
def logout() -> ResponseReturnValue:
    """Log out (POST with CSRF token, so no other site can log people out)."""
    logout_user()
    flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    """The person's account and their personal API tokens."""
    user = acting_user()
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        days = int(form.days.data or 0) if (form.days.data or "").isdigit() else 0
        try:
            _token, new_secret = create_api_token(get_db(), user, form.name.data or "", days=days)
        except AccountError as error:
            form.days.errors = [translate_error(error)]
        else:
            form = TokenForm(formdata=None)
    tokens = (
        get_db()
        .scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
        .all()
    )
    status = 400 if form.errors else 200
    language = LanguageForm(formdata=None, locale=user.locale or "")
    interface = current_app.session_interface
    assert isinstance(interface, DatabaseSessionInterface)  # installed by create_app
    lifetimes = interface.lifetimes
    devices = sessions_of(get_db(), user.id, lifetimes)
    return render_template(
        "auth/profile.html",
        form=form,
        tokens=tokens,
        now=clock.now(),
        new_secret=new_secret,
        language=language,
        reminder_form=ReminderForm(
            formdata=None, reminders=user.has_reminders, digest=user.has_weekly_digest
        ),
        devices=[(row, describe_agent(row.user_agent)) for row in devices],
        this_device=getattr(session, "row_id", None),
        idle_minutes=int(lifetimes.idle.total_seconds() // 60),
        lifetime_hours=int(lifetimes.absolute.total_seconds() // 3600),
        roles=sorted(user.roles),
        role_labels=ROLE_LABELS,
        coordinator_role=Role.COORDINATOR,
        has_factor=has_confirmed_factor(get_db(), user.id),
    ), status


@bp.post("/profil/geraete/<int:session_id>/abmelden")
@login_required
def end_device_session(session_id: int) -> ResponseReturnValue:
    """End one of one's own sessions on another device (this one: use „Abmelden“)."""
    if session_id == getattr(session, "row_id", None):
        return redirect(url_for("auth.profile"))
    if end_session_of(get_db(), acting_user().id, session_id):
        flash(_("Das Gerät ist abgemeldet."), "success")
    return redirect(url_for("auth.profile") + "#geraete")


@bp.post("/sitzung/verlaengern")
@login_required
def keep_session_alive() -> tuple[str, int]:
    """The person is still there (the warning before the idle timeout): the session's idle time starts again."""
    session.modified = True  # saving the session records the activity
    return "", 204


@bp.post("/profil/geraete/andere-abmelden")
@login_required
def end_other_sessions() -> ResponseReturnValue:
    """End every session of oneself except this one."""
    end_sessions_of(get_db(), acting_user().id, keep_id=getattr(session, "row_id", None))
    flash(_("Alle anderen Geräte sind abgemeldet."), "success")
    return redirect(url_for("auth.profile") + "#geraete")


@bp.post("/profil/sprache")
@login_required
def set_language() -> ResponseReturnValue:
    """Remember the person's interface language."""
    form = LanguageForm()
    if form.validate_on_submit():
        acting_user().locale = form.locale.data or None
        flash(_("Die Spracheinstellung wurde gespeichert."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profil/erinnerungen")
@login_required
def set_reminders() -> ResponseReturnValue:
    """Switch reminder mails (and the coordinator's weekly digest) on or off."""
    form = ReminderForm()
    if form.validate_on_submit():
        user = acting_user()
        # Only coordinators see the digest switch; for everybody else it keeps its value.
        digest = bool(form.digest.data) if user.has_role(Role.COORDINATOR) else user.has_weekly_digest
        set_reminder_switches(get_db(), user, reminders=bool(form.reminders.data), digest=digest)
        flash(_("Ihre Einstellungen zu Erinnerungen wurden gespeichert."), "success")
    return redirect(url_for("auth.profile") + "#erinnerungen")


@bp.post("/profil/token/<int:token_id>/widerrufen")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of the person's own API tokens."""
    try:  # CSRFProtect has already checked the token of this POST
        revoke_api_token(get_db(), acting_user(), token_id)
    except AccountError as error:
        flash(translate_error(error), "danger")
    else:
        flash(_("Das Token wurde widerrufen."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/einladung/<token>", methods=["GET", "POST"])
def accept_invitation_page(token: str) -> ResponseReturnValue:
    """Set one's password from an invitation (or password) link; then one is logged in."""
    db = get_db()
    try:
        invitation = valid_invitation(db, token)
    except InvitationInvalid as invalid:
        return render_template(
            "auth/invitation.html",
            invalid=translate_error(invalid),
            reset_link=invalid.code == "auth.reset_link_invalid",
            form=None,
        ), 404
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accept_invitation(db, token, form.password.data or "", form.confirmation.data or "")
        except PasswordRefused as problem:
            error = translate_error(problem)
            _field_error(form, problem, error)
        else:
            logout_user()
            flash(_("Ihr Passwort ist gespeichert. Willkommen auf der Lernplattform!"), "success")
            if has_confirmed_factor(db, user.id):
                # A reset link proves the mailbox, not the second factor: the code is still asked for.
                _begin_second_step(user, url_for("progress.my_modules"))
                return redirect(url_for("auth.second_factor"), 303)
            login_user(user)
            return redirect(url_for("progress.my_modules"), 303)
    status = 400 if (form.errors or error) else 200
    return render_template(
        "auth/invitation.html", invalid=None, form=form, error=error, person=invitation.user
    ), status


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def _field_error(form: SetPasswordForm, problem: PasswordRefused, text: str) -> None:
    """Show a refused password at the field it concerns (announced with the field via aria-describedby)."""
    field = form.confirmation if problem.code == "auth.passwords_differ" else form.password
    if problem.code == "auth.password_wrong" and isinstance(form, ChangePasswordForm):
        field = form.current
    field.errors = [*field.errors, text]


@bp.route("/profil/passwort", methods=["GET", "POST"])
@login_required
def change_password_page() -> ResponseReturnValue:
    """Change one's own password; every other session of the person ends, this browser stays logged in."""
    user = acting_user()
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            change_password(
                get_db(),
                user,
                current=form.current.data or "",
                new=form.password.data or "",
                confirmation=form.confirmation.data or "",
            )
        except PasswordRefused as problem:
            error = translate_error(problem)
            _field_error(form, problem, error)
        else:
            # The new hash ends every session of the person when it is flushed (lms.auth.sessions), this one's row
            # included; logging in again gives this browser a new row with a new key, so it alone stays logged in.
            get_db().flush()
            logout_user()
            login_user(user)
            flash(_("Ihr Passwort ist geändert. Auf allen anderen Geräten sind Sie abgemeldet."), "success")
            return redirect(url_for("auth.profile"), 303)
    status = 400 if (form.errors or error) else 200
    return render_template("auth/change_password.html", form=form, error=error), status


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the same answer whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        settings = _settings()
        db = get_db()
        outcome = request_password_reset(
            db,
            form.email.data or "",
            client=request.remote_addr or "-",
            secret=str(current_app.secret_key),
            limits=ResetLimits(),
        )
        if outcome.retry_after:
            minutes = max(1, (outcome.retry_after + 59) // 60)
            response = current_app.make_response(
                (render_template("auth/forgot_password.html", form=form, limited=minutes, sent=False), 429)
            )
            response.headers["Retry-After"] = str(outcome.retry_after)
            return response
        if outcome.link is not None:
            person, token, _invitation = outcome.link
            message = reset_message(
                settings, to=person.email, name=person.display_name, link=invitation_link(settings, token)
            )
            send_after_commit(db, settings, [message])
        return render_template(
            "auth/forgot_password.html", form=None, sent=True, email=normalise_email(form.email.data or "")
        )
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form, sent=False, limited=None), status


@bp.route("/programmbuero/passwort-links", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def reset_links() -> ResponseReturnValue:
    """The programme office finds any account by address and sends it a 1-hour reset link (audited)."""
    db = get_db()
    form = FindAccountForm(request.args, meta={"csrf": False})
    person = None
    searched = bool(request.args.get("email"))
    if searched and form.validate():
        person = db.scalar(select(User).where(User.email == normalise_email(form.email.data or "")))
    if request.method == "POST":
        # CSRFProtect has checked the POST's token; the person is named by id, found by the search above.
        raw = request.form.get("user_id", "")
        target = db.get(User, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        if target is None:
            flash(_("Bitte suchen Sie zuerst das Konto über seine E-Mail-Adresse."), "danger")
            return redirect(url_for("auth.reset_links"), 303)
        if request.form.get("action") == "reset_mfa":
            reset_factor(db, acting_user(), target)
            flash(
                _("Die Zwei-Faktor-Anmeldung von %(email)s ist zurückgesetzt.", email=target.email), "success"
            )
        elif not target.is_active:
            flash(_("Das Konto ist deaktiviert; deaktivierte Konten erhalten keinen Link."), "danger")
        else:
            settings = _settings()
            person_row, token, _invitation = send_reset_link(db, acting_user(), target)
            message = reset_message(
                settings,
                to=person_row.email,
                name=person_row.display_name,
                link=invitation_link(settings, token),
                sent_by_office=True,
            )
            send_after_commit(db, settings, [message])
            flash(
                _(
                    "Ein Link zum Festlegen eines neuen Passworts (1 Stunde gültig) ging an %(email)s.",
                    email=target.email,
                ),
                "success",
            )
        return redirect(url_for("auth.reset_links", email=target.email), 303)
    status = 400 if (searched and form.errors) else 200
    return render_template(
        "auth/reset_links.html",
        form=form,
        person=person,
        has_factor=person is not None and has_confirmed_factor(db, person.id),
        searched=searched and not form.errors,
        role_labels=ROLE_LABELS,
    ), status
