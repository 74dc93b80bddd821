"""A crawl of the admin with odd query strings: every change list's filters,
date hierarchy, ordering, page, search and flags, and the autocomplete view,
for every role. Each answer is a list, a redirect or a refusal, never a 5xx.

An admin page takes tens of milliseconds to render, so the requests of a
content model's crawl are dealt out to the roles in turn: each role sends odd
values to every parameter, and together they send every value."""

import ast
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from asean_portal.roles import Role
from tests import factories
from tests.core.test_admin import MAKERS, admin_url
from tests.core.test_roles import CONTENT, ROLES

SUPERUSER = "superuser"
EVERY_ROLE = [*ROLES, SUPERUSER]
# Five values, one for each role, that reach a lookup: year 0 (which does not
# exist), a word, digits that int() refuses, a number past 64 bits and a NUL
# (PostgreSQL holds no NUL in any text).
ODD_VALUES = ["0", "abc", "²", "99999999999999999999", "a\x00b"]
DATE_PARTS = [
    {"year": "abc"},
    {"year": "0"},
    {"year": "1", "month": "1", "day": "1"},
    {"year": "9999"},
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "2026", "month": "13"},
    {"year": "2026", "month": "2", "day": "30"},
    {"month": "13"},
    {"day": "abc"},
]
ORDERINGS = ["abc", "-99", "1.-2.0", "99999999999999999999", "\x00"]
PAGES = ["0", "abc", "99999", "99999999999999999999", "\x00"]
SEARCHES = ["\x00", "%_\\", "' OR 1=1 --", "99999999999999999999", "x" * 2000]
# The admin's own parameters: show all, facets, a related-object popup, its
# field, and the flag of a refused filter.
FLAGS = [("all", ""), ("_facets", ""), ("_popup", "\x00"), ("_to_field", "password"), ("e", "x")]


def filter_parameters(label, user):
    """The parameters the change list's filters read, with the bare field
    names that a hand-written query string may use instead."""
    model_admin = admin.site._registry[apps.get_model(label)]
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = set()
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
        if hasattr(spec, "field_path"):
            names.add(spec.field_path)
    return sorted(names), model_admin.date_hierarchy


def change_list_queries(label, user):
    parameters, date_hierarchy = filter_parameters(label, user)
    for number, name in enumerate(parameters):
        # Turned by one per parameter, so that the roles' turns give each role
        # every kind of value.
        turn = number % len(ODD_VALUES)
        yield from ({name: value} for value in ODD_VALUES[turn:] + ODD_VALUES[:turn])
    if date_hierarchy:
        for parts in DATE_PARTS:
            yield {f"{date_hierarchy}__{part}": value for part, value in parts.items()}
    yield from ({"o": value} for value in ORDERINGS)
    yield from ({"p": value} for value in PAGES)
    yield from ({"q": value} for value in SEARCHES)
    yield from ({name: value} for name, value in FLAGS)


def autocomplete_fields():
    """(app_label, model_name, field_name) of every autocomplete field."""
    return sorted(
        (model._meta.app_label, model._meta.model_name, field)
        for model, model_admin in admin.site._registry.items()
        for field in model_admin.autocomplete_fields
    )


SOURCE = {"app_label": "events", "model_name": "announcement", "field_name": "category"}
ODD_SOURCES = [
    {},
    {"app_label": "events"},
    {"app_label": "events", "model_name": "announcement"},
    {"model_name": "announcement", "field_name": "category"},
    {"app_label": "", "model_name": "", "field_name": ""},
    {**SOURCE, "app_label": "nope"},
    {**SOURCE, "app_label": "events.announcement"},
    {**SOURCE, "app_label": "events\x00"},
    {**SOURCE, "model_name": "nope"},
    {**SOURCE, "field_name": "nope"},
    {**SOURCE, "field_name": "title_vi"},
    {**SOURCE, "field_name": "created_by"},
    {**SOURCE, "field_name": "category__name_vi"},
    {**SOURCE, "field_name": "category\x00"},
    {"app_label": "asean_portal", "model_name": "slughistory", "field_name": "content_type"},
    {"app_label": "auth", "model_name": "user", "field_name": "groups"},
]
TERMS = ["", "\x00", "%_\\", "' OR 1=1 --", "99999999999999999999", "²", "x" * 2000]
AUTOCOMPLETE_PAGES = ["0", "abc", "99999", "\x00"]


def autocomplete_queries():
    yield from ODD_SOURCES
    for app_label, model_name, field_name in autocomplete_fields():
        source = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
        yield from ({**source, "term": term} for term in TERMS)
        yield from ({**source, "page": page} for page in AUTOCOMPLETE_PAGES)


def signed_in(role):
    """A client that answers a server error with its response, and its user."""
    user = factories.staff(superuser=True) if role == SUPERUSER else factories.staff(role=role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


def crawl(url, queries, roles):
    """Each query sent by the next role in turn; the ones answered with a 5xx."""
    clients = [signed_in(role)[0] for role in roles]
    failures = []
    for number, query in enumerate(queries):
        response = clients[number % len(clients)].get(url, query)
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            failures.append(f"{roles[number % len(roles)]} {query!r}: {error!r}")
    return failures


OTHER_MODELS = sorted({model._meta.label_lower for model in admin.site._registry} - set(CONTENT))


@pytest.mark.parametrize("label", CONTENT + OTHER_MODELS)
def test_odd_query_strings_never_give_a_change_list_a_server_error(label):
    if label in MAKERS:
        MAKERS[label]()
    # Content is every role's; the rest (accounts, sign-in records) the superuser's.
    roles = EVERY_ROLE if label in CONTENT else [SUPERUSER]
    queries = list(change_list_queries(label, factories.staff(superuser=True)))
    failures = crawl(admin_url(label), queries, roles)
    assert not failures, "\n".join(failures)


def test_odd_parameters_never_give_the_autocomplete_view_a_server_error():
    factories.announcement()
    factories.activity()
    factories.meeting()
    failures = crawl("/vi/admin/autocomplete/", list(autocomplete_queries()), EVERY_ROLE)
    assert not failures, "\n".join(failures)


NUL_REFUSED = {"vi": "Địa chỉ có chứa ký tự NUL", "en": "The address holds a NUL character"}
FILTER_DROPPED = {
    "vi": "Không áp dụng được một bộ lọc trong địa chỉ",
    "en": "A filter in the address could not be applied",
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_nul_in_the_address_is_refused_in_the_staff_language(client, language):
    client.force_login(factories.staff(role="Editor"))
    for url, query in [
        (admin_url("events.announcement", language), {"status": "\x00"}),
        (admin_url("civil_service.activity", language), {"progress__exact": "a\x00"}),
        (f"/{language}/admin/autocomplete/", {**SOURCE, "term": "\x00"}),
    ]:
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert NUL_REFUSED[language] in response.content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_date_the_calendar_cannot_hold_gives_the_whole_list_with_a_warning(client, language):
    item = factories.announcement()
    client.force_login(factories.staff(role="Press officer"))
    url = admin_url("events.announcement", language)
    response = client.get(url, {"publish_at__year": "9999"})
    assert response.status_code == 302
    assert response.url == f"{url}?e=1"
    html = client.get(response.url).content.decode()
    assert FILTER_DROPPED[language] in html
    assert str(item) in html


# --- Every page of /vi/admin/ in Vietnamese ------------------------------------
# The English msgids of the catalogues the admin shows (Django's own, the
# admin's, auth's, django-otp's, django-axes's and the project's): a page of
# /vi/admin/ that shows one of them untranslated fails. Content (titles and
# the English tab's values) matches no msgid.

SITE_PACKAGES = Path(django.__file__).parent.parent
CATALOGUES = [
    SITE_PACKAGES / "django/conf/locale/en/LC_MESSAGES/django.po",
    SITE_PACKAGES / "django/contrib/admin/locale/en/LC_MESSAGES/django.po",
    SITE_PACKAGES / "django/contrib/auth/locale/en/LC_MESSAGES/django.po",
    SITE_PACKAGES / "django_otp/locale/de/LC_MESSAGES/django.po",
    SITE_PACKAGES / "axes/locale/de/LC_MESSAGES/django.po",
    Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po",
]
JS_CATALOGUES = [
    SITE_PACKAGES / "django/contrib/admin/locale/en/LC_MESSAGES/djangojs.po",
]
# English words that are the same in the Vietnamese admin (names, codes).
SAME_IN_VIETNAMESE = {"Email", "URL", "ID", "OK", "Django", "ASEAN", "Slug", "ASEAN+3"}


def po_entries(path):
    """(msgctxt, msgid, msgid_plural) of each entry of a .po file."""
    entries, entry, key = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
        if match:
            if match[1] in ("msgctxt", "msgid") and entry.get("msgstr_seen"):
                entries.append(entry)
                entry = {}
            key = match[1]
            if key.startswith("msgstr"):
                entry["msgstr_seen"] = True
                key = None
            else:
                entry[key] = ast.literal_eval(match[2])
        elif not line and entry.get("msgstr_seen"):
            entries.append(entry)
            entry, key = {}, None
    return [
        (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
        for entry in entries
        if entry.get("msgid")
    ]


def translated(context, msgid, plural):
    with translation.override("vi"):
        if plural:
            if context:
                return npgettext(context, msgid, plural, 1) != msgid
            return ngettext(msgid, plural, 1) != msgid
        if context:
            return pgettext(context, msgid) != msgid
        return gettext(msgid) != msgid


def untranslated_msgids(paths):
    """The English UI strings that have no Vietnamese, as text patterns."""
    found = set()
    for path in paths:
        for context, msgid, plural in po_entries(path):
            for text in filter(None, (msgid, plural)):
                text = " ".join(text.split())
                if text in SAME_IN_VIETNAMESE or not re.search(r"[A-Za-z]{3}", text):
                    continue
                if not translated(context, msgid, plural):
                    found.add(text)
    return found


def as_pattern(msgid):
    """A regular expression for the text shown from ``msgid``: its
    placeholders stand for any text."""
    parts = re.split(r"%(?:\([^)]*\))?[sdrif]|\{[^}]*\}", msgid)
    return re.compile(".+?".join(re.escape(part) for part in parts))


class VisibleText(HTMLParser):
    """The text nodes and the shown attributes of a page, script and style left out."""

    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.texts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "textarea"):
            self.skipping += 1
        attrs = dict(attrs)
        for name in self.SHOWN:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def english_on(html, untranslated):
    parser = VisibleText()
    parser.feed(html)
    texts = {" ".join(text.split()).strip(" :.") for text in parser.texts}
    texts.discard("")
    whole = " ".join(" ".join(parser.texts).split())
    english = set()
    for msgid in untranslated:
        # Labels and headings show a field's name with a capital first letter.
        for bare in {msgid.strip(" :."), capfirst(msgid.strip(" :."))}:
            if "%" in msgid or "{" in msgid:
                if len(bare.split()) >= 3 and as_pattern(bare).search(whole):
                    english.add(msgid)
            elif bare in texts or (len(bare.split()) >= 4 and bare in whole):
                english.add(msgid)
    return english


def every_admin_object():
    """One row of every model the admin lists, to open its pages."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from asean_portal.core.content import SlugHistory
    from asean_portal.site.about import AboutPortal, FeedbackMessage
    from events.models import EmbargoLink, MeetingPhoto

    for maker in MAKERS.values():
        maker()
    about = AboutPortal.load()
    about.save()
    FeedbackMessage.objects.create(name="Reader", email="r@example.org", message="Xin chào")
    owner = factories.staff()
    TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    when = timezone.now()
    AccessAttempt.objects.create(
        username="x",
        ip_address="192.0.2.1",
        user_agent="UA",
        attempt_time=when,
        failures_since_start=1,
    )
    AccessLog.objects.create(
        username="x", ip_address="192.0.2.1", user_agent="UA", attempt_time=when
    )
    AccessFailureLog.objects.create(
        username="x", ip_address="192.0.2.1", user_agent="UA", attempt_time=when
    )
    item = factories.announcement()
    EmbargoLink.objects.create(
        announcement=item, recipient="Reporter", expires_at=when + timedelta(days=1)
    )
    MeetingPhoto.objects.create(meeting=factories.meeting(), caption="Ảnh")
    SlugHistory.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        language="vi",
        slug="duong-dan-cu",
    )


def admin_pages(client):
    """Every admin page ``client`` may open under /vi/admin/."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    urls = ["/vi/admin/", "/vi/admin/password_change/"]
    with translation.override("vi"):
        urls.append(reverse("publishing_agenda"))
    for model in admin.site._registry:
        label = model._meta.label_lower
        urls += [admin_url(label), admin_url(label, suffix="add/")]
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            for suffix in ("change/", "history/", "delete/"):
                urls.append(admin_url(label, suffix=f"{row.pk}/{suffix}"))
    device = TOTPDevice.objects.first()
    urls.append(admin_url("otp_totp.totpdevice", suffix=f"{device.pk}/config/"))
    for url in urls:
        response = client.get(url, follow=True)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            yield url, response.content.decode()


# django-otp's admin of authenticators names its sections and its QR code
# link in English that no catalogue holds.
OTP_ADMIN_STRINGS = {
    "Identity",
    "Timestamps",
    "Configuration",
    "State",
    "Throttling",
    "qrcode",
    "QR Code",
    "Search by user's",
    "Install segno or qrcode or use the URL below",
}


def unmarked_names():
    """The names and help texts of the admin's models and fields that are not
    marked for translation at all (plain strings, shown as they are)."""
    found = set()
    for model in admin.site._registry:
        names = [model._meta.verbose_name, model._meta.verbose_name_plural]
        for field in model._meta.get_fields():
            names += [getattr(field, "verbose_name", ""), getattr(field, "help_text", "")]
        with translation.override("vi"):
            for name in names:
                if isinstance(name, str) and re.search(r"[A-Za-z]{3}", name):
                    if name not in SAME_IN_VIETNAMESE and gettext(name) == name:
                        found.add(" ".join(name.split()))
    return found


@pytest.fixture(scope="module")
def untranslated():
    return untranslated_msgids(CATALOGUES) | unmarked_names() | OTP_ADMIN_STRINGS


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_admin_page_is_in_vietnamese(role, untranslated):
    every_admin_object()
    client, _user = signed_in(role)
    found = {}
    pages = 0
    visited = []
    for url, html in admin_pages(client):
        pages += 1
        visited.append(url)
        for msgid in english_on(html, untranslated):
            found.setdefault(msgid, url)
    assert pages > 10
    if role == SUPERUSER:
        assert {"/config/", "/otp_totp/", "/axes/", "/asean_portal/role/"} <= {
            part
            for url in visited
            for part in ("/config/", "/otp_totp/", "/axes/", "/asean_portal/role/")
            if part in url
        }
    assert not found, "\n".join(f"{msgid!r} on {url}" for msgid, url in sorted(found.items()))


def test_the_sign_in_lockout_and_password_pages_are_in_vietnamese(client, untranslated):
    user = factories.staff(role="Editor")
    found = {}
    for url, html in [("/vi/admin/login/", client.get("/vi/admin/login/").content.decode())]:
        found.update(dict.fromkeys(english_on(html, untranslated), url))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/vi/admin/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 429
    found.update(dict.fromkeys(english_on(response.content.decode(), untranslated), "lockout"))
    assert not found, "\n".join(f"{msgid!r} on {url}" for msgid, url in sorted(found.items()))


def test_the_admin_javascript_is_in_vietnamese(client):
    """Every string of the admin's scripts has Vietnamese in the catalogue
    that /vi/admin/jsi18n/ gives them."""
    client.force_login(factories.staff(role="Editor"))
    script = client.get("/vi/admin/jsi18n/").content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S)[1])
    missing = []
    for path in JS_CATALOGUES:
        for context, msgid, _plural in po_entries(path):
            key = f"{context}\x04{msgid}" if context else msgid
            if key not in catalogue:
                missing.append(msgid)
    assert not missing, missing


def test_role_names_are_shown_in_vietnamese(client):
    factories.ensure_roles()
    client.force_login(factories.staff(superuser=True))
    html = client.get(admin_url("asean_portal.role")).content.decode()
    for vietnamese in ("Biên tập viên", "Cán bộ báo chí", "Tổng biên tập", "Quản trị viên"):
        assert vietnamese in html
    user = factories.staff(role="Press officer")
    html = client.get(admin_url("auth.user", suffix=f"{user.pk}/change/")).content.decode()
    assert "Cán bộ báo chí" in html
    # The user list's filter by role, too.
    html = client.get(admin_url("auth.user")).content.decode()
    assert "Cán bộ báo chí" in html
    # The stored name stays the stable code, and Django's Group is left as it is.
    assert Group.objects.filter(name="Press officer").exists()
    assert str(Group.objects.get(name="Press officer")) == "Press officer"
    assert str(Role.objects.get(name="Press officer")) == "Cán bộ báo chí"


def test_ones_own_roles_read_only_are_named_in_vietnamese(client):
    administrator = factories.staff(role="Administrator")
    client.force_login(administrator)
    html = client.get(admin_url("auth.user", suffix=f"{administrator.pk}/change/")).content.decode()
    # Their own groups are read-only for them, and named as roles.
    assert 'name="groups"' not in html
    assert "Quản trị viên" in html
