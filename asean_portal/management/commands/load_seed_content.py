from django.core.management.base import BaseCommand

from asean_portal.core.seeding import SeedLoader
from asean_portal.ops.seeding import read_seed


class Command(BaseCommand):
    help = (
        "Load the portal's first content (asean_portal/ops/seed/*.yaml) in both languages. "
        "Items that already exist are left as they are, so running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also overwrite existing items with the values in the seed files.",
        )

    def handle(self, *args, update, **options):

        stats = SeedLoader(update=update).load(read_seed())
        for key in sorted(stats):
            if stats[key]:
                self.stdout.write(f"  {key}: {stats[key]}")
        created = sum(value for key, value in stats.items() if "created" in key)
        self.stdout.write(self.style.SUCCESS(f"Seed content loaded: {created} new items."))
