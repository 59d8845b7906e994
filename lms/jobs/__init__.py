"""Background jobs: work that does not belong in a request (invitation mails, certificate archives).

A request records a job (``jobs`` table) in its unit of work; after the commit the job goes to the queue — Redis
with RQ when ``LMS_REDIS_URL`` is set (``lms worker`` runs it), else it runs at once in the same process. The table
is the truth about every job (state, attempts, last error, progress, result file); the queue only carries job ids,
so a job that reaches a worker twice runs once, and a lost one is sent again by the worker's maintenance.

Layout: ``models`` (the table), ``services`` (record, claim, progress, retry, visibility — never commit),
``runner`` (one attempt of a job: the commit points of a job), ``queue`` (where a committed job goes), ``tasks``
(the handlers; they may use any feature), ``worker`` (``lms worker``), ``views`` (progress, downloads, the
programme office's list).
"""
