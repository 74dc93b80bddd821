from django.core.management.base import BaseCommand

from asean_portal.ops import proxy
from asean_portal.site.views import proxy_error_page


class Command(BaseCommand):
    help = (
        "Write the page the proxy sends when no web node answers "
        "(deploy/nginx/unavailable.html), in both languages from the translations."
    )

    def handle(self, *args, **options):
        proxy.ERROR_PAGE.write_text(proxy_error_page())
        self.stdout.write(f"wrote {proxy.ERROR_PAGE.relative_to(proxy.BASE_DIR)}")
