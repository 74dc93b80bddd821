"""A crawl of the admin with odd query strings: every change list's filters,
date hierarchy, ordering, page, search and flags, and the autocomplete view,
for every role. Each answer is a list, a redirect or a refusal, never a 5xx.

An admin page takes tens of milliseconds to render, so the requests of a
content model's crawl are dealt out to the roles in turn: each role sends odd
values to every parameter, and together they send every value."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory

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
