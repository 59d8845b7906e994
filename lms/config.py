"""Settings: documented defaults, read from ``LMS_*`` environment variables, validated, no I/O at import."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A setting is missing, unknown or malformed."""


@dataclass(frozen=True)
class Settings:
    """Every setting the platform reads; the field name in upper case with ``LMS_`` before it is its variable."""

    #: Folder for local state (SQLite file, outbox); default: ``instance/`` in the current directory.
    instance_path: str = ""
    #: SQLAlchemy URL; default is a SQLite file in the instance folder (filled in by ``load_settings``).
    database_url: str = ""
    #: A second database for the read-only report queries, e.g. a PostgreSQL read replica (streaming replication):
    #: the programme office's table and exports, the dashboards' figures, completion lists and Jahresnachweise read
    #: from it. Empty: the reports read from ``database_url`` like everything else (the default).
    reports_database_url: str = ""
    #: Signs session cookies and CSRF tokens. Required outside tests; ``LMS_SECRET_KEY_FILE`` may name a file instead.
    secret_key: str = ""
    secret_key_file: str = ""
    #: Send cookies only over HTTPS (``__Host-`` names) and set HSTS. Unset, it follows ``base_url``: on for an
    #: https:// address, off for the local demo on http://127.0.0.1. Off with an https:// address is refused.
    secure_cookies: bool = False
    #: Default interface language.
    default_locale: str = "de"
    #: Failed logins per e-mail address within ``login_window_minutes`` before further attempts are refused
    #: (not for a browser that has logged in to this account before: it has ``login_device_max_failures``).
    login_max_failures: int = 5
    login_window_minutes: int = 15
    #: Failed logins per client address within the window (against any accounts: stops guessing across many).
    login_client_max_failures: int = 20
    #: Failed logins on the whole platform within the window before only trusted browsers may try.
    login_global_max_failures: int = 300
    #: Failed logins from one trusted browser (device cookie) within the window.
    login_device_max_failures: int = 10
    #: Days a browser stays trusted for an account after a successful login there (the device cookie).
    login_device_days: int = 180
    #: People with any of these roles (comma-separated) must set up a second factor (an app or a passkey) before
    #: they can use the platform; others may. Empty: nobody is forced (e.g. for the browser tests).
    #: The heads of org units see names and progress of their units' staff, so they are among them; the advisory boards
    #: (Beiräte) read aggregates only, never a name, so a second factor stays their choice.
    mfa_required_roles: str = "admin,trainer,coordinator,facilitator,unit_manager"
    #: Passkeys (WebAuthn): the relying party ID, the site's domain without scheme and port (``lernen.example.de``).
    #: Empty: the host of each request (development; an IP address such as 127.0.0.1 is no valid RP ID).
    webauthn_rp_id: str = ""
    #: … and the exact origin the browser reports (``https://lernen.example.de``); empty: that of each request.
    webauthn_origin: str = ""
    #: A session ends after this many minutes without a request (ASVS V3.3.2: idle timeout) …
    session_idle_minutes: int = 30
    #: … and at the latest this many hours after login (absolute lifetime; a working day).
    session_lifetime_hours: int = 10
    #: Public base URL used in links that leave the platform (API documents, later: invitations, certificates).
    base_url: str = "http://127.0.0.1:5000"
    #: Worker processes that render certificate PDFs when many are issued at once (a municipality's export,
    #: ``lms certificates store-missing``); 1 renders them in the web or command process itself.
    certificate_render_processes: int = 2
    #: How often gunicorn's master serves each of the most used pages, in a database transaction that is rolled
    #: back, before it forks the workers (lms/web/rehearsal.py): the workers then share the warmed code and the
    #: compiled statements instead of each making its own (about 15 MiB less for two workers). 0: no rehearsal.
    rehearsal_servings: int = 20
    #: Lookups on the public verification page per client address within ``verify_window_minutes``.
    verify_max_lookups: int = 30
    verify_window_minutes: int = 10
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0 = none, the local demo).
    #: Needed behind a TLS proxy so the lookup limit counts per visitor, not per proxy.
    proxy_count: int = 0
    #: Largest request body accepted, in bytes.
    max_request_bytes: int = 8 * 1024 * 1024
    #: Largest staff list (CSV) accepted by the staff import, in bytes (the upload may exceed max_request_bytes).
    staff_import_max_bytes: int = 10 * 1024 * 1024
    #: Largest request that shares a practice example (its attachment may be 5 MB, plus the text).
    practice_upload_max_bytes: int = 6 * 1024 * 1024
    #: Days an invitation link stays valid.
    invitation_days: int = 14
    #: Days after a workshop when the names of its participants are deleted (GDPR Art. 9: kept no longer than the
    #: facilitators need them, e.g. to send materials). ``lms workshops purge-names`` runs the deletion daily.
    workshop_names_retention_days: int = 90
    #: Days a workshop's participation code can be redeemed for a private certificate.
    participation_code_days: int = 90
    #: The programme's funding ceiling per municipality and programme year, in euros; pages warn above it.
    funding_ceiling_euros: int = 10_000
    #: Where „Barriere melden“ reports go by mail (the programme office); empty: they are only listed on the platform.
    barrier_report_recipient: str = ""
    #: Reports per client address per hour, and on the whole platform per day (the public form needs no account).
    barrier_reports_per_hour: int = 5
    barrier_reports_per_day: int = 200
    #: Days after a report was marked „erledigt“ when it is deleted (checked whenever the office opens the list
    #: and whenever a report arrives).
    barrier_report_retention_days: int = 365
    #: The video in Deutscher Gebärdensprache: a path on this site (``/static/…``); empty: ``<instance>/legal/dgs.mp4``
    #: if that file exists (with ``dgs.vtt`` as captions), else the page says the video is being prepared.
    dgs_video_url: str = ""
    #: Outgoing mail (invitations). Without a host, mails are written as .eml files to ``outbox_dir`` instead.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    #: starttls (port 587), ssl (port 465) or none (only for a relay on the same machine).
    smtp_security: str = "starttls"
    #: The mail server accepts SMTPUTF8 (RFC 6531): only then are addresses such as märta.lindström@… accepted.
    smtp_utf8: bool = False
    mail_sender: str = "Lernplattform Kommunen für alle <noreply@localhost>"
    #: Folder for .eml files when no SMTP host is set; default: instance/outbox.
    outbox_dir: str = ""
    #: Redis for the job queue (invitation mails, certificate archives), e.g. ``redis://127.0.0.1:6379/0``; ``lms
    #: worker`` runs the jobs. Empty: each job runs in the process that created it, right after its commit (the demo),
    #: and ``lms worker`` picks up retries from the database.
    redis_url: str = ""
    #: Name of the queue in Redis; several installations may share one Redis with different names.
    queue_name: str = "lms"
    #: Attempts per job before it counts as failed (shown to the programme office, who may start it again) …
    job_max_attempts: int = 5
    #: … with the wait before the second attempt; it doubles for each further one (60 s, 2, 4, 8 minutes).
    job_backoff_seconds: int = 60
    #: Folder for files that jobs produce (certificate archives); shared storage when there are several machines.
    #: Default: instance/jobs.
    job_files_dir: str = ""
    #: Hours a job's download link (and its file) stays valid.
    job_download_hours: int = 24
    #: Redis for the test suite (read by tests only); empty = redis://127.0.0.1:6379/0 if it answers, else skip.
    test_redis_url: str = ""
    #: Database for the test suite (read by tests/conftest.py only); empty = a temporary SQLite file.
    test_database_url: str = ""
    #: Moment at which the test suite pretends to run (read by tests/conftest.py only); empty = the real clock.
    test_now: str = ""
    testing: bool = False


_PREFIX = "LMS_"
_DOMAIN = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
_KNOWN = {f.name for f in fields(Settings)}


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the setting's default, or say what is wrong."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{_PREFIX}{name.upper()} muss true oder false sein, nicht „{raw}“.")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{_PREFIX}{name.upper()} muss eine ganze Zahl sein, nicht „{raw}“.") from None
    return raw


#: Characters of LMS_SECRET_KEY at least (secrets.token_hex(32) makes 64; 32 random hex digits are 128 bits).
MIN_SECRET_KEY_LENGTH = 32


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    require_secret: bool = True,
) -> Settings:
    """Build the settings from the environment (and explicit overrides, used by tests); reject unknown LMS_ keys."""
    environ = os.environ if environ is None else environ
    defaults = Settings()
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(_PREFIX):
            continue
        name = key[len(_PREFIX) :].lower()
        if name not in _KNOWN:
            known = ", ".join(sorted(_PREFIX + k.upper() for k in _KNOWN))
            raise ConfigError(f"Unbekannte Einstellung {key}. Bekannt sind: {known}.")
        values[name] = _coerce(name, raw, getattr(defaults, name))
    # A key from the environment (or its file) is an operator's: it must be long enough to sign sessions and tokens.
    secret_from_environment = bool(values.get("secret_key") or values.get("secret_key_file"))
    for name, value in (overrides or {}).items():
        if name not in _KNOWN:
            raise ConfigError(f"Unbekannte Einstellung {name}.")
        values[name] = value
        if name in ("secret_key", "secret_key_file"):
            secret_from_environment = False  # set by the code that builds the app (a test, a benchmark)

    # Absolute, so that a later change of directory (gunicorn --chdir, a test) does not move the database.
    instance = Path(values.get("instance_path") or "instance").absolute()
    values["instance_path"] = str(instance)
    if not values.get("database_url"):
        values["database_url"] = "sqlite:///" + str(instance / "lms.sqlite3")
    if not values.get("outbox_dir"):
        values["outbox_dir"] = str(instance / "outbox")
    if not values.get("job_files_dir"):
        values["job_files_dir"] = str(instance / "jobs")
    if not values.get("secret_key") and values.get("secret_key_file"):
        try:
            values["secret_key"] = Path(values["secret_key_file"]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"LMS_SECRET_KEY_FILE kann nicht gelesen werden: {exc}") from None
    base_url = str(values.get("base_url", defaults.base_url))
    if "secure_cookies" not in values:
        # Secure by default: an HTTPS deployment that forgot the setting would send its session cookie in the clear
        # to any http:// link and go without HSTS.
        values["secure_cookies"] = base_url.lower().startswith("https://")
    elif not values["secure_cookies"] and base_url.lower().startswith("https://"):
        raise ConfigError(
            f"LMS_SECURE_COOKIES=false passt nicht zu LMS_BASE_URL={base_url}: über HTTPS erreichbar, müssen die "
            "Cookies das Secure-Attribut tragen und HSTS gesetzt sein. Lassen Sie LMS_SECURE_COOKIES weg."
        )
    settings = Settings(**values)
    if require_secret and not settings.secret_key and not settings.testing:
        raise ConfigError(
            "LMS_SECRET_KEY (oder LMS_SECRET_KEY_FILE) ist nicht gesetzt. "
            "Erzeugen Sie einen Schlüssel, z. B. mit: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if secret_from_environment and settings.secret_key and len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"LMS_SECRET_KEY ist zu kurz ({len(settings.secret_key)} Zeichen, mindestens {MIN_SECRET_KEY_LENGTH}): "
            "Er signiert Sitzungen, Einladungen und Download-Links. Erzeugen Sie einen zufälligen, z. B. mit: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if settings.workshop_names_retention_days < 0:
        raise ConfigError("LMS_WORKSHOP_NAMES_RETENTION_DAYS darf nicht negativ sein.")
    if settings.default_locale not in {"de", "en"}:
        raise ConfigError("LMS_DEFAULT_LOCALE muss de oder en sein.")
    roles = {part.strip() for part in settings.mfa_required_roles.split(",")}
    known_roles = (
        "learner",
        "trainer",
        "coordinator",
        "admin",
        "facilitator",
        "advisory_board",
        "unit_manager",
    )
    if not roles - {""} <= set(known_roles):
        raise ConfigError(
            f"LMS_MFA_REQUIRED_ROLES nennt Rollen, die es nicht gibt (bekannt: {', '.join(known_roles)})."
        )
    _check_webauthn(settings)
    if settings.job_max_attempts < 1 or settings.job_backoff_seconds < 1 or settings.job_download_hours < 1:
        raise ConfigError(
            "LMS_JOB_MAX_ATTEMPTS, LMS_JOB_BACKOFF_SECONDS und LMS_JOB_DOWNLOAD_HOURS müssen mindestens 1 sein."
        )
    for name, url in (
        ("LMS_DATABASE_URL", settings.database_url),
        ("LMS_REPORTS_DATABASE_URL", settings.reports_database_url),
    ):
        if url:
            _check_database_url(name, url)
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("LMS_REDIS_URL muss mit redis://, rediss:// oder unix:// beginnen.")
    if settings.dgs_video_url and (
        not settings.dgs_video_url.startswith("/") or settings.dgs_video_url.startswith("//")
    ):
        raise ConfigError("LMS_DGS_VIDEO_URL muss ein Pfad auf dieser Website sein (beginnend mit /).")
    if settings.barrier_report_retention_days < 0:
        raise ConfigError("LMS_BARRIER_REPORT_RETENTION_DAYS darf nicht negativ sein.")
    if settings.barrier_reports_per_hour < 1 or settings.barrier_reports_per_day < 1:
        raise ConfigError(
            "LMS_BARRIER_REPORTS_PER_HOUR und LMS_BARRIER_REPORTS_PER_DAY müssen mindestens 1 sein."
        )
    if settings.smtp_security not in {"starttls", "ssl", "none"}:
        raise ConfigError("LMS_SMTP_SECURITY muss starttls, ssl oder none sein.")
    return settings


#: (backend, driver) the platform runs on: SQLAlchemy would otherwise fail with „Can't load plugin“ or a missing module.
_DATABASES = {("sqlite", ""), ("sqlite", "pysqlite"), ("postgresql", ""), ("postgresql", "psycopg")}
_DATABASE_EXAMPLES = "postgresql+psycopg://benutzer@host:5432/lms oder sqlite:////pfad/zur/lms.sqlite3"


def _check_database_url(name: str, url: str) -> None:
    """A database URL of PostgreSQL through psycopg or SQLite, with a hint for the usual slips (``postgres://``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not repeated: it could hold a password.
        raise ConfigError(f"{name} ist keine Datenbank-URL. Beispiele: {_DATABASE_EXAMPLES}.") from None
    written = parsed.drivername
    # Read from the text: asking SQLAlchemy for backend and driver would load the dialect (and fail on „postgres“).
    backend, _plus, driver = written.partition("+")
    if (backend, driver) in _DATABASES:
        return
    hint = (
        " Für PostgreSQL schreiben Sie „postgresql+psycopg://“ (psycopg 3 ist installiert)."
        if written.startswith("postgres")  # postgres, postgresql+psycopg2, …
        else ""
    )
    raise ConfigError(
        f"{name} beginnt mit „{written}://“; die Plattform läuft mit PostgreSQL über psycopg oder mit SQLite."
        f"{hint} Beispiele: {_DATABASE_EXAMPLES}."
    )


def _check_webauthn(settings: Settings) -> None:
    """The passkey settings: a domain, an origin without path, and the origin on that domain or below it."""
    rp_id, origin = settings.webauthn_rp_id, settings.webauthn_origin
    if rp_id and not _DOMAIN.fullmatch(rp_id):
        raise ConfigError(
            f"LMS_WEBAUTHN_RP_ID muss ein Domainname in Kleinbuchstaben ohne Schema und Port sein, nicht „{rp_id}“."
        )
    if origin:
        parts = urlsplit(origin)
        if parts.scheme not in {"https", "http"} or not parts.hostname or parts.path or parts.query:
            raise ConfigError(
                f"LMS_WEBAUTHN_ORIGIN muss eine Adresse wie https://lernen.example.de sein (ohne Pfad), nicht „{origin}“."
            )
        host = parts.hostname
        if rp_id and host != rp_id and not host.endswith("." + rp_id):
            raise ConfigError(
                f"LMS_WEBAUTHN_ORIGIN ({origin}) liegt nicht unter LMS_WEBAUTHN_RP_ID ({rp_id})."
            )
