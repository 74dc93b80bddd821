"""Django's makemessages, with the strings of the public pages' Jinja2
templates (templates/jinja2/), which Django's extraction cannot read. Babel's
Jinja2 extractor (gettext, ngettext, pgettext, npgettext and trans blocks)
adds them to the django domain's .pot before it is merged into each .po, so
that one catalogue keeps every UI string and its translations."""

import subprocess
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import makemessages

JINJA2_TEMPLATES = "templates/jinja2"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


def jinja2_options():
    """The extractor parses with the extensions of the public pages' engine,
    and fails on a template it cannot parse instead of skipping it."""
    engine = next(t for t in settings.TEMPLATES if t["BACKEND"].endswith(".Jinja2"))
    return {"extensions": ",".join(engine["OPTIONS"]["extensions"]), "silent": "false"}


def jinja2_catalog(folder):
    catalog = Catalog(charset="utf-8")
    options = jinja2_options()
    for filename, lineno, message, comments, context in extract_from_dir(
        folder,
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": options},
        keywords=KEYWORDS,
        comment_tags=("Translators",),
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


class Command(makemessages.Command):
    def handle(self, *args, **options):
        # Django's template syntax is not theirs: Babel reads them below.
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), JINJA2_TEMPLATES]
        return super().handle(*args, **options)

    def build_potfiles(self):
        potfiles = super().build_potfiles()
        if self.domain != "django":
            return potfiles
        folder = Path(settings.BASE_DIR) / JINJA2_TEMPLATES
        locale = (Path(settings.BASE_DIR) / "locale").resolve()
        for potfile in potfiles:
            if Path(potfile).parent.resolve() == locale:
                self.add_jinja2_strings(folder, potfile)
        return potfiles

    def add_jinja2_strings(self, folder, potfile):
        with tempfile.TemporaryDirectory() as temporary:
            extracted = Path(temporary) / "jinja2.pot"
            no_location = "--no-location" in self.xgettext_options
            with extracted.open("wb") as file:
                write_po(file, jinja2_catalog(folder), no_location=no_location)
            result = subprocess.run(
                ["msgcat", "--use-first", "-o", potfile, potfile, extracted],
                capture_output=True,
                text=True,
            )
        if result.returncode:
            raise CommandError(
                f"msgcat could not add the Jinja2 templates' strings:\n{result.stderr}"
            )
