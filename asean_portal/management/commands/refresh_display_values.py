import time

from django.core.management.base import BaseCommand

from asean_portal.core import display


class Command(BaseCommand):
    help = (
        "Compute the stored display values (addresses, formatted dates, summaries) of every "
        "row again: after a deployment that changed URL patterns, date formats or the time "
        "zone, or after bulk writes that skip save()."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        for model in display.displayed_models():
            changed = display.refresh(model)
            self.stdout.write(f"{model._meta.label}: {changed} rows written")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
