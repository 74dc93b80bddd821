"""Request ids and safe log records.

Every request gets an id (a well-formed incoming X-Request-ID from the proxy,
or a new one), returned in the X-Request-ID header and attached to every log
record written while the request runs, with the signed-in staff member.
Secrets never reach a log line: embargo tokens in addresses and values named
like passwords, tokens or session ids are replaced.
"""

import contextvars
import logging
import re
import uuid

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
