"""Imports every model so that metadata is complete (for Alembic and the model/migration agreement test)."""

from lms.audit.models import AuditEvent
from lms.auth.models import ApiToken, LoginAttempt, User, UserRole
from lms.certificates.models import Certificate, VerificationLookup
from lms.content.models import Module, ModuleSection, ModuleVersion
from lms.orgs.models import Municipality
from lms.progress.models import Completion, SectionRead
from lms.quizzes.models import Quiz, QuizAttempt, QuizVersion

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Certificate",
    "Completion",
    "LoginAttempt",
    "Module",
    "ModuleSection",
    "ModuleVersion",
    "Municipality",
    "Quiz",
    "QuizAttempt",
    "QuizVersion",
    "SectionRead",
    "User",
    "UserRole",
    "VerificationLookup",
]
