"""gunicorn's settings for the portal, read by every command that starts it:
`gunicorn asean_portal.wsgi -c gunicorn.conf.py --bind …` (README, Production),
`make bench` and `make soak`.

In production nginx stands in front and buffers each request whole before it
reaches gunicorn, so a slow client never holds a worker. Run alone, gunicorn
must still not be stalled by a few clients that open a connection and send
their request slowly or not at all (tests/ops/test_faults.py opens ten): a sync
worker serves one connection at a time and waits up to `timeout` seconds on
each, so two such clients stalled both workers. gthread workers wait for a new
connection's first bytes in their event loop, without a thread, and read each
request in one of `threads` threads: a client that stops half-way holds one
thread, and the other readers are served by the others. A worker is stalled
only when more clients than it has threads stop half-way on it at once.
"""

import os
from pathlib import Path

import environ

# The settings' .env, read as asean_portal/settings.py reads it: whether
# REDIS_URL is set decides how many processes may serve.
env_file = os.environ.get("PORTAL_ENV_FILE", str(Path(__file__).resolve().parent / ".env"))
if Path(env_file).is_file():
    environ.Env.read_env(env_file, overwrite=False)

worker_class = "gthread"
# WEB_CONCURRENCY is the variable gunicorn itself reads for this. Without
# REDIS_URL each process keeps its own cache (the pages and the versions of
# what they show): an edit saved through one process would leave the other's
# copies of the pages that show it in use until they expire. One process,
# with its threads, serves then.
asked_workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
shared_cache = bool(os.environ.get("REDIS_URL"))
workers = asked_workers if shared_cache else 1
threads = int(os.environ.get("WEB_THREADS", "16"))
# A worker whose event loop stops answering the master for this long is
# replaced; a request running in a thread does not count.
timeout = 30
graceful_timeout = 30
# Kept-alive connections wait in the event loop, not in a thread.
keepalive = 5
# Embargoed preview addresses never reach the access log (asean_portal/ops/logs.py).
logger_class = "asean_portal.ops.logs.AccessLogger"
# No runtime control socket (gunicornc): nothing uses it, and every gunicorn
# of a user would otherwise share the one path in their home folder.
control_socket_disable = True


def on_starting(server):
    if shared_cache:
        return
    if server.cfg.workers > 1:  # asked for on the command line
        server.log.warning(
            "%s worker processes without REDIS_URL: each keeps its own cache, and a page that "
            "an edit through one made out of date stays in the others' until it expires.",
            server.cfg.workers,
        )
    elif asked_workers > 1:
        server.log.warning(
            "One worker process instead of WEB_CONCURRENCY=%s: without REDIS_URL each process "
            "keeps its own cache, and a second one would serve pages an edit made out of date.",
            asked_workers,
        )
