import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from asean_portal.ops.demo import DemoGenerator


class Command(BaseCommand):
    help = (
        "Create realistic bilingual demo content (with photos) for benchmarks, with bulk "
        "inserts. The same --seed always gives the same content. Demo rows have slugs "
        "starting with 'demo-'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--announcements", type=int, default=0)
        parser.add_argument("--meetings", type=int, default=0)
        parser.add_argument("--activities", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Remove earlier demo content first."
        )

    def handle(self, *args, announcements, meetings, activities, seed, replace, **options):

        for name, value in (
            ("--announcements", announcements),
            ("--meetings", meetings),
            ("--activities", activities),
        ):
            if value < 0 or value > 1_000_000:
                raise CommandError(f"{name} must be between 0 and 1 000 000.")
        started = time.perf_counter()
        try:
            made = DemoGenerator(seed=seed).generate(
                announcements=announcements,
                meetings=meetings,
                activities=activities,
                replace=replace,
            )
        except FileExistsError:
            raise CommandError(
                "Demo content exists already: add --replace to remove it first."
            ) from None
        elapsed = time.perf_counter() - started
        # Fresh planner statistics, as after any bulk import: without them
        # PostgreSQL plans the public lists for empty tables. VACUUM (which
        # cannot run inside a transaction) marks the new pages all-visible, so
        # counts can be read from covering indexes.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        total = sum(made.values())
        for name, count in made.items():
            self.stdout.write(f"  {name}: {count}")
        rate = total / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(f"Created {total} demo rows in {elapsed:.1f} s ({rate:.0f} rows/s).")
        )
