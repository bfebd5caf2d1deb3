"""Gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py` (the systemd unit and `make serve`).

Read from the environment like the application's own settings; every variable is optional.
  GUNICORN_BIND        address to listen on (default 127.0.0.1:8000: nginx in front, same host)
  WEB_CONCURRENCY      worker processes (default 2 × cores + 1, at most 8)
  GUNICORN_TIMEOUT     seconds a request may take before its worker is restarted (default 60)
  GUNICORN_ACCESS_LOG  "-" for an access log on stdout; off by default, as the application
                       logs its requests itself and nginx keeps its own access log
"""

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "karawang_umkm.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: every page is a few database queries, PDFs are made by the background worker.
# Each worker holds ~100 MB; more than 8 on the office's server would only queue on PostgreSQL.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
# A spreadsheet export of a whole regency is the slowest request; nginx waits 75 s.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so that a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# systemd restarts and reloads the service; no runtime control socket in the user's home.
control_socket_disable = True
proc_name = "karawang-umkm"
