"""gunicorn settings: `gunicorn -c config/gunicorn.py` (README, Deploying).

The demo, the benchmark and the fault suite start gunicorn with this file too, so
what is tested is what is deployed. Command-line flags override these values.
"""

import os

wsgi_app = "config.wsgi"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Sync workers serve one connection each: two clients trickling a header line every few
# seconds took the whole server (RELIABILITY.md #26). gthread workers hand each connection
# to a thread and keep the heartbeat in the main thread, so a slow client holds one thread.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker whose main loop stops for this long is restarted; with gthread a slow request
# does not stop it.
timeout = 60
graceful_timeout = 10
keepalive = 5
# Its default control socket is one path per user: several gunicorns on a machine share it.
control_socket_disable = True
