"""Request ids and safe log records.

Every request gets an id (a well-formed incoming X-Request-ID from the proxy,
or a new one), returned in the X-Request-ID header and attached to every log
record written while the request runs, with the signed-in staff member.
Secrets never reach a log line: embargo tokens in addresses and values named
like passwords, tokens or session ids are replaced. A dependency that keeps
failing is one short line per interval, not a traceback per request.
"""

import contextvars
import logging
import re
import threading
import time
import uuid

from gunicorn import glogging

_request = contextvars.ContextVar("portal_request", default=None)

INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
SECRETS = [
    # Embargoed preview addresses carry a signed token.
    (re.compile(r"(/(?:embargoed|cam-cong-bo)/)[^/\s?\"']+"), r"\1[redacted]"),
    (
        re.compile(
            r"((?:password|passwd|token|secret|sessionid|csrftoken)\W{1,3})[^\s&,;\"']+", re.I
        ),
        r"\1[redacted]",
    ),
]


def redact(text):
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text


class AccessLogger(glogging.Logger):
    """gunicorn's logger, whose access log shows addresses redacted
    (``--logger-class asean_portal.ops.logs.AccessLogger``): an embargoed
    preview address never reaches the web server's log."""

    def atoms(self, resp, req, environ, request_time):
        # Every atom: the request line, path and referer, and the headers
        # and environment variables a format may name, all carry addresses.
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestContextFilter(logging.Filter):
    """Adds request_id and user to each record, and removes secrets."""

    def filter(self, record):
        request = _request.get()
        if request is None:
            # django.request logs a response after the middleware has finished.
            request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", "-")
        # Only a user already loaded: a log line must never query the database.
        user = getattr(request, "__dict__", {}).get("_cached_user")
        record.user = user.get_username() if user is not None and user.is_authenticated else "-"
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if hasattr(record, "request"):
            # The request itself is shown by its redacted address only.
            record.request = redact(repr(record.request))
        return True


class OncePerInterval(logging.Filter):
    """One short line per ``seconds`` for a dependency that keeps failing.

    Set on the logger of an error that is handled where it happens: while
    Redis is down, django-redis logs every cache call's error with its
    traceback, tens of kilobytes a request, and beat each sweep it cannot
    send (every second). The first record of an interval
    goes through as a WARNING naming the dependency and the error, without
    the traceback, and saying how many it left out since the line before;
    the others are dropped. Records below ERROR are not failures (beat's
    "Sending due task" lines) and pass untouched. Intervals and counts are
    per process.
    """

    def __init__(self, dependency, seconds=60):
        super().__init__()
        self.dependency = dependency
        self.seconds = seconds
        self._lock = threading.Lock()
        self._quiet_until = None
        self._dropped = 0

    def filter(self, record):
        if record.levelno < logging.ERROR:
            return True
        with self._lock:
            now = time.monotonic()
            if self._quiet_until is not None and now < self._quiet_until:
                self._dropped += 1
                return False
            self._quiet_until = now + self.seconds
            dropped, self._dropped = self._dropped, 0
        if record.exc_info:
            # django-redis wraps the client's error in its own ConnectionInterrupted.
            error = record.exc_info[1].__cause__ or record.exc_info[1]
            detail = f"{type(error).__name__}({str(error)!r})"
        else:
            detail = record.getMessage()
        record.msg, record.args = "%s unavailable: %s", (self.dependency, detail)
        if dropped:
            record.msg += " (%d more since the last line)"
            record.args += (dropped,)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return True
