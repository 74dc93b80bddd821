from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from asean_portal.core.documents import validate_document
from civil_service.models import Document


class Command(BaseCommand):
    help = (
        "Check every stored document file against the rules an upload must pass today "
        "(kinds, macros, scripts and attachments in PDFs, password locks, size) and list "
        "those that fail, with the reason. Run after upgrading: a file stored before a "
        "rule was added was not checked by it. Exits with status 1 when one fails."
    )

    def handle(self, *args, **options):
        failed = checked = 0
        for document in Document.objects.exclude(file="").order_by("pk").iterator():
            checked += 1
            try:
                with document.file.open("rb") as upload:
                    validate_document(upload)
            except FileNotFoundError:
                reason = "the file is missing"
            except ValidationError as error:
                reason = " ".join(error.messages)
            else:
                continue
            failed += 1
            self.stdout.write(f"{document.pk}\t{document.file.name}\t{document.status}\t{reason}")
        self.stdout.write(f"Files checked: {checked}; refused by the current rules: {failed}.")
        if failed:
            raise CommandError("Replace or withdraw the documents listed above.", returncode=1)
