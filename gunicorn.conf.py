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

worker_class = "gthread"
# WEB_CONCURRENCY is the variable gunicorn itself reads for this.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
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
