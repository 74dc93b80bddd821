"""The hosts at which the portal keeps what it serves (pages, sitemap copies)."""

import socket

from django.conf import settings


def keeps_copies(request, host):
    """Whether the copies served at ``host`` (as the request names it) are
    kept: only at a host named as the portal serves it, in ALLOWED_HOSTS or
    the proxy's PROXY_PURGE_HOSTS, without a port or with the port the
    server itself listens on. Django accepts an allowed host also with any
    port, a final dot or other capitals, and each spelling is written into
    the addresses: a copy kept for a day for each would let anyone fill the
    cache. At another spelling, or under a wildcard, the copy is made again
    for each request. The page cache keeps pages by this rule, and the
    sitemap keeps its finished copies by it."""
    named = named_hosts()
    if host in named:
        return True
    name, colon, port = host.rpartition(":")
    return bool(colon) and port == listening_port(request) and name in named


def named_hosts():
    """The hosts named in ALLOWED_HOSTS (not wildcards) and the proxy's
    PROXY_PURGE_HOSTS."""
    named = {name for name in settings.ALLOWED_HOSTS if name != "*" and not name.startswith(".")}
    for backend in settings.FRONTEND_CACHE_BACKENDS:
        named.update(backend.get("HOSTS", ()))
    return named


def listening_port(request):
    """The port the server listens on, or None when the request cannot tell:
    gunicorn bound to a unix socket takes SERVER_PORT from the Host header."""
    connection = request.META.get("gunicorn.socket")
    if connection is not None and connection.family == socket.AF_UNIX:
        return None
    return request.META.get("SERVER_PORT")
