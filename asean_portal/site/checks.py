"""System checks of settings that would quietly turn a feature off."""

from django.conf import settings
from django.core import checks

from . import hosts


@checks.register(checks.Tags.caches)
def page_cache_has_a_host(app_configs, **kwargs):
    """The page cache and the sitemap copies keep pages only at a host named
    in ALLOWED_HOSTS or PROXY_PURGE_HOSTS (hosts.keeps_copies): with only
    wildcards, every page is rendered for every reader."""
    if not settings.PAGE_CACHE_SECONDS or hosts.named_hosts():
        return []
    return [
        checks.Warning(
            "The page cache keeps no page: ALLOWED_HOSTS names no host, only wildcards.",
            hint=(
                "Name the host readers use in ALLOWED_HOSTS or PROXY_PURGE_HOSTS, "
                "or set PAGE_CACHE_SECONDS=0."
            ),
            id="asean_portal.W001",
        )
    ]
