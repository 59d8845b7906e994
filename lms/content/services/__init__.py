"""Content services, one module per use case: publishing, drafts, retiring, uploads, media.

The names most callers need are re-exported here so ``from lms.content.services import publish_module`` keeps working.
"""

from lms.content.services.publishing import (
    ImportReport,
    import_documents,
    publish_module,
    publish_quiz,
    rerender_versions,
)

__all__ = ["ImportReport", "import_documents", "publish_module", "publish_quiz", "rerender_versions"]
