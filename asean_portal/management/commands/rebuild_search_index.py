import time

from django.core.management.base import BaseCommand

from asean_portal.site.search import rebuild


class Command(BaseCommand):
    help = "Index every searchable object again (needed after bulk inserts that skip signals)."

    def handle(self, *args, **options):

        started = time.perf_counter()
        total = rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} objects in {elapsed:.1f} s."))
