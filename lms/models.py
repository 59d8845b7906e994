"""Imports every model so that metadata is complete (for Alembic and the model/migration agreement test)."""

from lms.audit.models import AuditEvent
from lms.auth.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    LoginSession,
    PasswordResetRequest,
    ThrottleLock,
    User,
    UserRole,
)
from lms.certificates.models import Certificate, CertificateDocument, VerificationLookup
from lms.content.models import Module, ModuleSection, ModuleVersion
from lms.documents.models import (
    CommentAnswer,
    Consultation,
    ConsultationComment,
    Document,
    DocumentSection,
    DocumentVersion,
)
from lms.evaluation.models import (
    BoardAssessment,
    Survey,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
    SurveyVersion,
)
from lms.jobs.models import Job
from lms.legal.models import BarrierReport, BarrierReportSubmission
from lms.orgs.models import Municipality, OrgUnit, ProgrammePeriod, StaffImport, TrainingAssignment
from lms.practice.models import PracticeExample
from lms.programme.models import Funding, Measure, MeasureImport, MigrantOrganisation
from lms.progress.models import Completion, SectionRead
from lms.quizzes.models import Quiz, QuizAttempt, QuizVersion
from lms.reminders.models import SentReminder
from lms.reports import summary  # noqa: F401  (its mapper events keep the programme summary)
from lms.reports.models import PeriodModuleStaff, PeriodPerson
from lms.workshops.models import LiveSession, SessionAttendance, SessionFacilitator

__all__ = [
    "ApiToken",
    "AuditEvent",
    "BarrierReport",
    "BarrierReportSubmission",
    "BoardAssessment",
    "Certificate",
    "CertificateDocument",
    "CommentAnswer",
    "Completion",
    "Consultation",
    "ConsultationComment",
    "Document",
    "DocumentSection",
    "DocumentVersion",
    "Funding",
    "Invitation",
    "Job",
    "LiveSession",
    "LoginAttempt",
    "LoginSession",
    "Measure",
    "MeasureImport",
    "MigrantOrganisation",
    "Module",
    "ModuleSection",
    "ModuleVersion",
    "Municipality",
    "OrgUnit",
    "PasswordResetRequest",
    "PeriodModuleStaff",
    "PeriodPerson",
    "PracticeExample",
    "ProgrammePeriod",
    "Quiz",
    "QuizAttempt",
    "QuizVersion",
    "SectionRead",
    "SentReminder",
    "SessionAttendance",
    "SessionFacilitator",
    "StaffImport",
    "Survey",
    "SurveyAnswer",
    "SurveyLink",
    "SurveyResponse",
    "SurveyVersion",
    "ThrottleLock",
    "TrainingAssignment",
    "User",
    "UserRole",
    "VerificationLookup",
]
