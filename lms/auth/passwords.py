"""Passwords: the policy every new password meets (ASVS 4.0.3 V2.1) and argon2id hashing (the OWASP recommendation).

The policy has no composition rules. A password has 12 to 128 characters of any kind (Unicode, spaces), is not
on the list of common and breached passwords shipped in ``lms/auth/data`` (nor one of them with digits or signs
around it), is no run of repeated or sequential characters, and stays long enough without the platform's name and
the person's own e-mail address and name. ``password_problems`` is the one check; every place a password is set
(invitation, change, reset, ``lms users create``) calls it.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lms.errors import ServiceError

#: argon2-cffi's defaults, RFC 9106's low-memory recommendation (64 MiB, 3 passes, 4 lanes): what every deployment uses.
PRODUCTION_HASHER = PasswordHasher()

_hasher = PRODUCTION_HASHER
#: Compared against when the e-mail is unknown, so both paths cost the same time (no account enumeration).
_dummy_hash = _hasher.hash("no-such-account")

#: ASVS 2.1.1: at least 12 characters.
MIN_PASSWORD_LENGTH = 12
#: ASVS 2.1.2 asks that at least 64 be allowed; argon2 hashes any length, 128 keeps requests small.
MAX_PASSWORD_LENGTH = 128

#: 40,101 common and breached passwords, lower case, one a line: the union of Django 5.2's list (19,646, from
#: Royce Williams' breach-corpus compilation) and zxcvbn 4.5's "passwords" list (30,000, from the Xato corpus).
#: How it is rebuilt is in the README („Passwortregeln“).
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

#: The platform's own name in its spellings (context-specific words, ASVS 2.1.7 / NIST 800-63B 5.1.1.2).
PLATFORM_WORDS = (
    "kommunenfueralle",
    "kommunenfüralle",
    "kommunen",
    "fueralle",
    "füralle",
    "lernplattform",
    "eccar",
)

#: Rows and runs a person types without thinking; a password inside one of them (either direction) is refused.
_SEQUENCES = (
    "0123456789" * 14,
    "abcdefghijklmnopqrstuvwxyz" * 5,
    "qwertzuiopüasdfghjklöäyxcvbnm" * 5,
    "qwertzuiopasdfghjklyxcvbnm" * 5,
    "qwertyuiopasdfghjklzxcvbnm" * 5,
    "azertyuiopqsdfghjklmwxcvbn" * 5,
    "1qaz2wsx3edc4rfv5tgb6zhn7ujm8ik9ol0p" * 4,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p" * 4,
)
#: Digits and signs people put around a common word ("Passwort2026!").
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once per process (about 4 MB in memory)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _is_common(folded: str) -> bool:
    listed = common_passwords()
    candidates = {folded, _AFFIXES.sub("", folded), _SEPARATORS.sub("", folded)}
    return any(candidate in listed for candidate in candidates if candidate)


def _is_repetitive(folded: str) -> bool:
    """Few distinct characters, or one short piece again and again ("abcabcabcabc", "passwortpasswort")."""
    if len(set(folded)) <= 3:
        return True
    return any(
        len(folded) % size == 0 and folded == folded[:size] * (len(folded) // size)
        for size in range(1, len(folded) // 2 + 1)
    )


def _is_sequential(folded: str) -> bool:
    compact = folded.replace(" ", "")
    return any(compact in row or compact in row[::-1] for row in _SEQUENCES)


def _context_words(email: str | None, name: str | None) -> list[str]:
    words = list(PLATFORM_WORDS)
    if email:
        local, _at, domain = _fold(email).partition("@")
        words += [local, *_SEPARATORS.split(local), *_SEPARATORS.split(domain.rsplit(".", 1)[0])]
    if name:
        folded = _fold(name)
        words += [_SEPARATORS.sub("", folded), *_SEPARATORS.split(folded)]
    # Longest first, so "kommunenfueralle" goes before "kommunen"; words under 3 letters would remove too much.
    return sorted({word for word in words if len(word) >= 3}, key=len, reverse=True)


def _without_context(folded: str, email: str | None, name: str | None) -> str:
    """The password without the context words; compared without separators ("Kommunen-fuer-alle", "anna.schmidt")."""
    compact = _SEPARATORS.sub("", folded)
    rest = compact
    for word in _context_words(email, name):
        rest = rest.replace(_SEPARATORS.sub("", word), "")
    return folded if rest == compact else rest


def password_problems(password: str, *, email: str | None, name: str | None) -> list[ServiceError]:
    """Everything wrong with a new password, as service errors (empty: the password may be set)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [ServiceError("auth.password_too_short", min=MIN_PASSWORD_LENGTH)]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [ServiceError("auth.password_too_long", max=MAX_PASSWORD_LENGTH)]
    folded = _fold(password)
    problems = []
    # The core without separators and the digits and signs around it: "hallo-hallo-123" is "hallohallo".
    core = _AFFIXES.sub("", _SEPARATORS.sub("", folded))
    if _is_repetitive(folded) or _is_sequential(folded) or (core and _is_repetitive(core)):
        problems.append(ServiceError("auth.password_pattern"))
    elif _is_common(folded):
        problems.append(ServiceError("auth.password_common"))
    if len(_without_context(folded, email, name)) < MIN_PASSWORD_LENGTH:
        problems.append(ServiceError("auth.password_personal", min=MIN_PASSWORD_LENGTH))
    return problems


class PasswordRefused(ServiceError, ValueError):
    """A new password cannot be set: it breaks the policy, or its confirmation differs."""


def check_new_password(
    password: str, confirmation: str | None, *, email: str | None, name: str | None
) -> None:
    """Raise PasswordRefused (the first problem) unless the password may be set and the confirmation matches."""
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise PasswordRefused(problems[0].code, **problems[0].params)
    if confirmation is not None and password != confirmation:
        raise PasswordRefused("auth.passwords_differ")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; constant work whether or not there is a hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def weaken_for_tests() -> None:
    """Cheap argon2id parameters for the test suite only (tests/conftest.py calls this; the platform never does).

    A production hash costs about half a second to make and more to check; the suite makes hundreds of them.
    """
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _dummy_hash = _hasher.hash("no-such-account")
