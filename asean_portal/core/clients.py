"""The reader's address, read one way wherever it is recorded: sign-in
throttling (django-axes) and the log of embargoed preview views."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The reader's address: behind the proxy (BEHIND_PROXY), the last entry of
    X-Forwarded-For, which the proxy appends; the entries before it come from
    the client and could be anything. Otherwise the connection's address."""
    if settings.BEHIND_PROXY:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        try:
            return str(ipaddress.ip_address(hops[-1].strip()))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")
