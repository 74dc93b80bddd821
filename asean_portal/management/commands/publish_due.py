from django.core.management.base import BaseCommand

from asean_portal.core.publishing import publish_due


class Command(BaseCommand):
    help = "Run the publishing sweep by hand: every due publication and withdrawal, once."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what is due.")

    def handle(self, *args, dry_run, **options):

        done = publish_due(dry_run=dry_run, source="command")
        for label, pk, action, won in done:
            state = "due" if dry_run else ("done" if won else "already done")
            self.stdout.write(f"{action:8} {label}:{pk} {state}")
        verb = "due" if dry_run else "performed"
        count = len(done) if dry_run else sum(1 for *_rest, won in done if won)
        self.stdout.write(self.style.SUCCESS(f"{count} transitions {verb}."))
