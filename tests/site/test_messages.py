"""Every UI string is in the .po files, and every one has its Vietnamese."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import BASE_DIR

PO = {lang: BASE_DIR / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("vi", "en")}


def entries(path):
    """(msgid, msgstr, fuzzy) for each entry of a .po file, header excluded."""
    text = Path(path).read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or re.search(r"#,.*\bfuzzy\b", block) is not None
        parts = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                parts[key] = match.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        if parts.get("msgid"):
            msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
            found.append((parts["msgid"], msgstr, fuzzy))
    return found


def test_every_string_has_its_vietnamese():
    vi = entries(PO["vi"])
    assert len(vi) > 40
    untranslated = [msgid for msgid, msgstr, fuzzy in vi if not msgstr or fuzzy]
    assert untranslated == []


def test_both_languages_hold_the_same_strings():
    assert {e[0] for e in entries(PO["vi"])} == {e[0] for e in entries(PO["en"])}


def test_no_ui_string_is_missing_from_the_po_files(tmp_path):
    """makemessages on a copy of the code finds nothing that is not already there."""
    copy = tmp_path / "portal"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "staticfiles", "media", "var", "test-artifacts", "*.mo", "db.sqlite3*"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "vi",
            "--no-location",
            "--ignore=tests",
            "--ignore=staticfiles",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "PORTAL_ENV_FILE": "/dev/null"},
    )
    regenerated = {e[0] for e in entries(copy / "locale/vi/LC_MESSAGES/django.po")}
    committed = {e[0] for e in entries(PO["vi"])}
    assert regenerated - committed == set()


def test_the_public_pages_jinja2_strings_are_read_into_the_catalogue():
    """Django's extraction cannot read Jinja2 templates: makemessages reads
    them with Babel's extractor (gettext calls, trans blocks and their plurals)."""
    from asean_portal.management.commands.makemessages import jinja2_catalog

    catalog = jinja2_catalog(BASE_DIR / "templates" / "jinja2")
    assert "Skip to main content" in catalog
    assert catalog.get("%(total)s activity").id == ("%(total)s activity", "%(total)s activities")
    read = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog}
    assert len(read) > 100
    assert read - {""} - {e[0] for e in entries(PO["vi"])} == set()


def test_an_embargo_is_named_as_the_press_names_it():
    """ "Cấm vận" is a trade sanction; an embargo on news is "cấm công bố trước"."""
    vi = entries(PO["vi"])
    embargo = [msgstr for msgid, msgstr, _fuzzy in vi if "embargo" in msgid.lower()]
    assert embargo
    assert not [msgstr for msgstr in embargo if "cấm vận" in msgstr]
    assert any("cấm công bố trước" in msgstr for msgstr in embargo)
