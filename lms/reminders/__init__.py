"""Reminders and renewals by mail: due and overdue training-plan modules, expiring completions, material changes
of completed modules, and the coordinator's weekly digest.

``services`` finds what is due (SQL over plans, completions and versions) and records each reminder once per
person and occasion (``models``); the mails go out through the job queue after the commit (``lms.jobs.tasks``).
``lms reminders send [--dry-run]`` (``cli``) is what a daily cron job runs.
"""
