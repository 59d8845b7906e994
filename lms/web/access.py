"""Who may open a page: login and role checks as decorators for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from lms.auth.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


def acting_user() -> User:
    """The logged-in person (views only call this behind login_required)."""
    return cast(User, current_user._get_current_object())


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Logged in and holding at least one of the roles; otherwise 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not acting_user().has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator
