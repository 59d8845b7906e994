"""gunicorn settings read from the project root (scripts/demo, production and the browser tests).

Threaded workers keep answering their heartbeat while a thread streams a long download, so a bulk export of
1,800 certificates (about a minute) is not killed by the worker timeout as it would be with sync workers.
"""

worker_class = "gthread"
threads = 4
#: Seconds a worker may stay silent; with gthread this guards against hung processes, not long downloads.
timeout = 60
