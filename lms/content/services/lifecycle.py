"""Retiring and restoring modules and single versions; nothing a learner did is touched."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.content.models import Module, ModuleVersion
from lms.errors import ServiceError


class LifecycleError(ServiceError):
    """The change does not fit the current state (retiring what is already retired); the message is German."""


def retire_version(session: Session, actor: User, version: ModuleVersion, reason: str) -> None:
    """Take one version out of the catalogue; the newest remaining version becomes the current one."""
    if version.retired_at is not None:
        raise LifecycleError("content.version_already_withdrawn", version=version.version_label)
    version.retired_at = clock.now()
    _record(session, actor, "content.retire_version", version, reason)


def restore_version(session: Session, actor: User, version: ModuleVersion) -> None:
    """Bring a retired version back (if it is the newest, it is current again)."""
    if version.retired_at is None:
        raise LifecycleError("content.version_not_withdrawn", version=version.version_label)
    version.retired_at = None
    _record(session, actor, "content.restore_version", version, "")


def retire_module(session: Session, actor: User, module: Module, reason: str) -> None:
    """Take a whole module (with its quiz) out of the catalogue; completions and certificates stay valid."""
    if module.retired_at is not None:
        raise LifecycleError("content.module_already_withdrawn")
    module.retired_at = clock.now()
    _record(session, actor, "content.retire_module", module, reason)


def restore_module(session: Session, actor: User, module: Module) -> None:
    """Put a retired module back into the catalogue."""
    if module.retired_at is None:
        raise LifecycleError("content.module_not_withdrawn")
    module.retired_at = None
    _record(session, actor, "content.restore_module", module, "")


def _record(session: Session, actor: User, action: str, target: Module | ModuleVersion, reason: str) -> None:
    session.flush()
    if isinstance(target, ModuleVersion):
        details = {
            "slug": target.module.slug,
            "version": target.version_label,
            "content_hash": target.content_hash,
        }
        object_type = "module_version"
    else:
        details = {"slug": target.slug}
        object_type = "module"
    record_event(
        session,
        actor_id=actor.id,
        action=action,
        object_type=object_type,
        object_id=target.id,
        reason=reason,
        **details,
    )
