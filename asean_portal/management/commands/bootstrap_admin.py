from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string


class Command(BaseCommand):
    help = (
        "Create the first administrator with a generated password on a new installation, "
        "print the password once and keep it only in a git-ignored local file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--credentials-file",
            default=str(settings.VAR_DIR / "admin-credentials.txt"),
            help="Where the generated password is kept (git-ignored).",
        )

    def handle(self, *args, username, credentials_file, **options):
        user_model = get_user_model()
        path = Path(credentials_file)
        if user_model.objects.filter(is_superuser=True).exists():
            hint = (
                f"the password of '{username}' is in {path}"
                if path.is_file()
                else "use your existing administrator account"
            )
            self.stdout.write(f"Admin login: {hint}.")
            return
        password = get_random_string(24)
        user_model.objects.create_superuser(username=username, email="", password=password)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(f"username: {username}\npassword: {password}\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the administrator '{username}' with the password: {password}\n"
                f"It is shown this once and kept in {path} (not in git). "
                "Change it after your first login."
            )
        )
