"""Sessions of logged-in people live in the database: their cookie carries only a random key.

Every gunicorn worker and every web node reads the same table, so logging out (or any of the events in
``lms.auth.sessions``) ends a session everywhere at once, and a replayed cookie finds nothing. The key changes
whenever the person in the session changes (login, logout: no session fixation). The session is read with the
request's own database session, in one query together with the person (so the request asks „who is this“ only once);
writes use their own short database session, because the request's unit of work is already committed when Flask
saves the session. A request that changes nothing in the session writes nothing, except that the last activity is
recorded at most once per ``TOUCH_INTERVAL`` (a minute; the idle timeout counts in half hours).

Before login a session holds nothing worth ending (the login form's CSRF token, a message); it stays in a signed
cookie, as Flask keeps it, so anonymous traffic — the public verification page, a bot on the login page — writes
nothing to the database.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, flash, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from flask_babel import gettext as _
from flask_login import user_logged_in
from itsdangerous import BadSignature
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import CallbackDict

from lms import time as clock
from lms.auth.models import LoginSession
from lms.auth.sessions import (
    TOUCH_INTERVAL,
    FoundSession,
    Lifetimes,
    find_session,
    key_hash,
    new_key,
    prune_expired,
    touch_session,
)
from lms.config import Settings
from lms.web.database import get_db

_SERIALIZER = TaggedJSONSerializer()
#: What new_key() makes: 43 URL-safe characters. A signed anonymous cookie always contains dots.
_KEY = re.compile(r"[A-Za-z0-9_-]{43}")


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The data of one browser's session; ``row_id`` is its row, ``key`` the cookie's value."""

    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        row_id: int | None = None,
        seen_at: datetime | None = None,
    ):
        def on_update(session: ServerSession) -> None:
            session.modified = True

        super().__init__(initial or {}, on_update)
        self.key = key
        self.row_id = row_id
        self.seen_at = seen_at  # the row's last_seen_at when the request began
        self.found: FoundSession | None = None
        self.modified = False
        self.expired = False  # the browser sent a key whose session has ended
        self.logged_in_now = False  # login_user ran in this request: the session gets a new key

    @property
    def user_id(self) -> int | None:
        """The logged-in person (Flask-Login keeps the id under ``_user_id``)."""
        raw = self.get("_user_id")
        return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None


def logged_in_row(user_id: int, key: str, now: datetime) -> LoginSession:
    """The row of a session in which the person is logged in, as a login through the form leaves it."""
    return LoginSession(
        key_hash=key_hash(key),
        user_id=user_id,
        data=_SERIALIZER.dumps({"_user_id": str(user_id), "_fresh": True}),
        created_at=now,
        last_seen_at=now,
    )


class DatabaseSessionInterface(SessionInterface):
    """Flask's session, stored in ``login_sessions``."""

    def __init__(self, settings: Settings) -> None:
        self.lifetimes = Lifetimes(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_lifetime_hours),
        )
        # The __Host- prefix binds the cookie to this exact host over HTTPS (no subdomain can set or read it).
        self.cookie_name = "__Host-lms_session" if settings.secure_cookies else "lms_session"
        self._signed = SecureCookieSessionInterface()  # Flask's own signing for sessions before login

    def get_cookie_name(self, app: Flask) -> str:
        """The cookie's name (the API's OpenAPI document names it too)."""
        return self.cookie_name

    def _db(self, app: Flask) -> Session:
        factory: sessionmaker[Session] = app.extensions["lms.session_factory"]
        return factory()

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        value = request.cookies.get(self.cookie_name, "")
        if not value or len(value) > 4096:
            return ServerSession()
        if not _KEY.fullmatch(value):
            return self._open_anonymous(app, value)
        # The request's database session: the person loaded with the row is there for Flask-Login's user loader.
        # An expired row is deleted with the request's unit of work (and found expired again if that rolls back).
        found = find_session(get_db(), value, self.lifetimes)
        if found is None:
            session = ServerSession()
            session.expired = True
            return session
        row = found.row
        data = _SERIALIZER.loads(row.data) if row.data else {}
        session = ServerSession(data, key=value, row_id=row.id, seen_at=row.last_seen_at)
        session.found = found  # holds the person in the request's identity map (see FoundSession)
        return session

    def _open_anonymous(self, app: Flask, value: str) -> ServerSession:
        signer = self._signed.get_signing_serializer(app)
        if signer is None:
            return ServerSession()
        try:
            # As long as a logged-in session may last: a login form left open over lunch still works.
            data = signer.loads(value, max_age=int(self.lifetimes.absolute.total_seconds()))
        except BadSignature:
            return ServerSession()
        # Never trust a person from a cookie: only a server-side row can carry one.
        return ServerSession({k: v for k, v in dict(data).items() if k != "_user_id"})

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        if session.user_id is None and session.row_id is None:
            self._save_anonymous(app, session, response)  # no database work for visitors
            return
        if session.row_id is not None and not session.modified and not session.logged_in_now:
            self._touch(app, session, response)
            return
        db = self._db(app)
        try:
            self._save(db, session, response, app)
            db.commit()
        finally:
            db.close()

    def _touch(self, app: Flask, session: ServerSession, response: Response) -> None:
        """An unchanged session: record the activity if the last record is a minute old, else write nothing."""
        now = clock.now()
        if session.seen_at is not None and now - session.seen_at < TOUCH_INTERVAL:
            return
        assert session.row_id is not None
        db = self._db(app)
        try:
            alive = touch_session(db, session.row_id, now)
            db.commit()
        finally:
            db.close()
        if not alive:  # ended elsewhere while this request ran: it stays ended
            self._delete_cookie(app, response)

    def _save(self, db: Session, session: ServerSession, response: Response, app: Flask) -> None:
        row = db.get(LoginSession, session.row_id) if session.row_id is not None else None
        if session.user_id is None:  # logged out: the row goes, what is left moves into a signed cookie
            if row is not None:
                db.delete(row)
            session.modified = True
            self._save_anonymous(app, session, response)
            return
        if row is None and session.row_id is not None and not session.logged_in_now:
            # Ended elsewhere while this request ran (logout on another device, a new password): it stays ended.
            self._delete_cookie(app, response)
            return
        now = clock.now()
        if row is None or row.user_id != session.user_id or session.logged_in_now:
            # A login: a new key, so a key seen before (by anyone) is worthless afterwards.
            if row is not None:
                db.delete(row)
            prune_expired(db, self.lifetimes)
            session.key = new_key()
            row = LoginSession(
                key_hash=key_hash(session.key),
                user_id=session.user_id,
                data=_SERIALIZER.dumps(dict(session)),
                user_agent=(request.headers.get("User-Agent") or "")[:300],
                created_at=now,
                last_seen_at=now,
            )
            db.add(row)
            self._set_cookie(app, response, session.key)
            return
        if session.modified:
            row.data = _SERIALIZER.dumps(dict(session))
        if session.modified or now - row.last_seen_at >= TOUCH_INTERVAL:
            row.last_seen_at = now

    def _save_anonymous(self, app: Flask, session: ServerSession, response: Response) -> None:
        """A session before login: its data in a cookie signed like Flask's own (nothing in it needs ending)."""
        signer = self._signed.get_signing_serializer(app)
        if session and signer is not None:
            if session.modified or session.expired:
                self._set_cookie(app, response, signer.dumps(dict(session)))
        elif session.key is not None or session.expired or session.modified:
            self._delete_cookie(app, response)

    def _set_cookie(self, app: Flask, response: Response, key: str) -> None:
        # No Max-Age: the cookie goes when the browser closes (shared office PCs); the server enforces the lifetimes.
        response.set_cookie(
            self.cookie_name,
            key,
            httponly=True,
            secure=self.cookie_name.startswith("__Host-"),
            samesite="Lax",
            path="/",
        )

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(
            self.cookie_name,
            path="/",
            secure=self.cookie_name.startswith("__Host-"),
            samesite="Lax",
            httponly=True,
        )


def init_app(app: Flask, settings: Settings) -> None:
    """Use the database for sessions; say so when a session has run out."""
    interface = DatabaseSessionInterface(settings)
    app.session_interface = interface
    app.add_template_global(lambda: int(interface.lifetimes.idle.total_seconds()), "session_idle_seconds")

    @user_logged_in.connect_via(app)
    def _new_key_on_login(_sender: Flask, **_extra: Any) -> None:
        if isinstance(session, ServerSession):
            session.logged_in_now = True

    @app.before_request
    def _say_when_expired() -> None:
        if getattr(session, "expired", False) and not request.path.startswith(("/api/", "/static/")):
            flash(_("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."), "info")
